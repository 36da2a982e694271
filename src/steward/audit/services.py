"""Writing and verifying audit events."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from steward.audit.context import AuditContext, current
from steward.audit.models import AuditEvent, ChainHead
from steward.core.hashchain import GENESIS, ChainReport, digest, verify_rows

_HASHED = (
    "at",
    "actor_label",
    "channel",
    "request_id",
    "action",
    "model",
    "object_id",
    "school_id_ref",
    "pupil_id_ref",
    "contact_id_ref",
    "categories",
    "special",
    "fields",
    "detail",
)


def _payload(event: AuditEvent) -> dict[str, Any]:
    payload = {name: getattr(event, name) for name in _HASHED}
    payload["at"] = event.at.isoformat()
    return payload


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return digest(prev_hash, _payload(event))


@dataclass(frozen=True)
class Subject:
    """Which data subject and school an event concerns (ids only)."""

    school_id: int | None = None
    pupil_id: int | None = None
    contact_id: int | None = None


def subject_of(instance: models.Model) -> Subject:
    """Find the school, pupil and contact an instance belongs to, from its own foreign keys."""
    from steward.people.models import Contact, Pupil

    pupil_id = instance.pk if isinstance(instance, Pupil) else getattr(instance, "pupil_id", None)
    contact_id = instance.pk if isinstance(instance, Contact) else getattr(instance, "contact_id", None)
    return Subject(school_id=getattr(instance, "school_id", None), pupil_id=pupil_id, contact_id=contact_id)


def _build(
    ctx: AuditContext,
    *,
    action: str,
    model: str,
    object_id: Any,
    subject: Subject,
    categories: Sequence[str],
    special: bool,
    fields: Sequence[str],
    detail: dict[str, Any],
) -> AuditEvent:
    return AuditEvent(
        at=timezone.now(),
        actor=ctx.actor if getattr(ctx.actor, "pk", None) else None,
        actor_ref=ctx.actor_id,
        actor_label=ctx.actor_label[:150],
        channel=ctx.channel,
        request_id=ctx.request_id,
        action=action,
        model=model,
        object_id="" if object_id is None else str(object_id),
        school_id_ref=subject.school_id,
        pupil_id_ref=subject.pupil_id,
        contact_id_ref=subject.contact_id,
        categories=sorted(set(categories)),
        special=special,
        fields=list(fields),
        detail=detail,
    )


_batch: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "steward_audit_batch", default=None
)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the events of a block and append them in one go when it ends (bulk imports).

    Use inside the same `transaction.atomic()` as the writes: the events are then committed, or
    rolled back, with them. One chain-head lock per batch instead of one per event.
    """
    if _batch.get() is not None:
        yield  # already batching: the outer block flushes
        return
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    if events:
        _append(events)


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain and insert events (or hold them for the open batch); runs in the caller's transaction."""
    pending = _batch.get()
    if pending is not None:
        pending.extend(events)
        return events
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        prev = head.last_hash
        for e in events:
            e.prev_hash = prev
            e.hash = prev = _digest(prev, e)
        AuditEvent.objects.bulk_create(events, batch_size=500)
        head.last_hash = prev
        head.save(update_fields=["last_hash"])
    return events


def record(
    action: str,
    *,
    model: str = "",
    object_id: Any = None,
    subject: Subject | None = None,
    categories: Sequence[str] = (),
    special: bool = False,
    fields: Sequence[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event for the current actor; raises NoAuditContext outside `acting_as`."""
    ctx = current()
    event = _build(
        ctx,
        action=action,
        model=model,
        object_id=object_id,
        subject=subject or Subject(),
        categories=categories,
        special=special,
        fields=fields,
        detail=detail or {},
    )
    return _append([event])[0]


def record_many(items: Iterable[dict[str, Any]]) -> int:
    """Append many events at once (bulk imports); each item takes the keyword arguments of `record`."""
    ctx = current()
    events = [
        _build(
            ctx,
            action=i["action"],
            model=i.get("model", ""),
            object_id=i.get("object_id"),
            subject=i.get("subject") or Subject(),
            categories=i.get("categories", ()),
            special=i.get("special", False),
            fields=i.get("fields", ()),
            detail=i.get("detail") or {},
        )
        for i in items
    ]
    if events:
        _append(events)
    return len(events)


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first event whose hash or link does not match."""
    head = ChainHead.objects.filter(pk=1).first()
    return verify_rows(
        AuditEvent.objects.order_by("id").iterator(chunk_size=2000),
        _payload,
        head_hash=head.last_hash if head is not None else None,
        noun="event",
    )
