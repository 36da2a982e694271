"""The disclosure log: write a share run and its per-pupil rows through the gate, read and verify them.

Every share goes through `record_share`: it checks the gate (or the DPO override), then writes the run
and one hash-chained `Disclosure` per pupil in one transaction, so a share is never half-logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from steward.audit.context import current
from steward.audit.services import Subject, record
from steward.core.hashchain import GENESIS, ChainReport, digest, verify_rows
from steward.sharing.gate import ShareCheck, require
from steward.sharing.models import Disclosure, DisclosureChainHead, NoticeReviewFlag, ShareKind, ShareRun

_HASHED = (
    "at",
    "run_id",
    "pupil_ref",
    "school_ref",
    "recipient_key",
    "recipient_name",
    "purpose_key",
    "lawful_basis",
    "categories",
    "fields",
    "payload_sha256",
    "limited",
    "override",
    "actor_label",
    "channel",
)


def _payload(row: Disclosure) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in _HASHED}
    data["at"] = row.at.isoformat()
    return data


def payload_hash(payload: Any) -> str:
    """SHA-256 of what was sent about one pupil, as canonical JSON (so the same data hashes the same)."""
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Sent:
    """What went to the recipient about one pupil: the fields, and the values (hashed, never stored)."""

    pupil_id: int
    fields: Sequence[str]
    payload: Mapping[str, Any]
    limited: bool = False


@transaction.atomic
def record_share(
    *,
    actor: Any,
    check: ShareCheck,
    kind: ShareKind | str,
    sent: Iterable[Sent],
    package_sha256: str = "",
    summary: Mapping[str, Any] | None = None,
    override_reason: str = "",
) -> ShareRun:
    """Log one share: the run and a chained row per pupil. Refused (nothing written) when the gate refuses,
    unless the DPO overrides with a reason, which is audited and flags the notice for review.

    Pupils the gate excluded (restricted, no consent) must not be in `sent`; if one is, the whole share
    is refused.
    """
    current()
    require(check, actor=actor, override_reason=override_reason)
    items = list(sent)
    leaked = [s.pupil_id for s in items if s.pupil_id in check.excluded]
    if leaked:
        from steward.sharing.gate import ShareRefused

        raise ShareRefused([f for pid in leaked for f in check.excluded[pid]])
    assert check.recipient is not None  # require() refuses a share with no recipient
    overridden = not check.allowed
    run = ShareRun.objects.create(
        school=check.school,
        kind=kind,
        recipient_key=check.recipient.key,
        recipient_name=check.recipient.name,
        purpose_key=check.purpose_key,
        lawful_basis=check.basis,
        on=check.on,
        agreement=check.agreement,
        override_reason=override_reason if overridden else "",
        actor=actor if getattr(actor, "pk", None) else None,
        package_sha256=package_sha256,
        summary=dict(summary or {}),
    )
    ctx = current()  # a share outside an audit context is refused (NoAuditContext)
    now = timezone.now()
    rows = [
        Disclosure(
            at=now,
            run=run,
            pupil_ref=s.pupil_id,
            school_ref=check.school.pk,
            recipient_key=run.recipient_key,
            recipient_name=run.recipient_name,
            purpose_key=run.purpose_key,
            lawful_basis=run.lawful_basis,
            categories=list(check.categories),
            fields=list(s.fields),
            payload_sha256=payload_hash(s.payload),
            limited=s.limited,
            override=overridden,
            actor_label=ctx.actor_label,
            channel=ctx.channel,
        )
        for s in items
    ]
    head, _ = DisclosureChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    prev = head.last_hash
    for row in rows:
        row.run_id = run.pk
        row.prev_hash = prev
        row.hash = prev = digest(prev, _payload(row))
    Disclosure.objects.bulk_create(rows, batch_size=1000)
    head.last_hash = prev
    head.save(update_fields=["last_hash"])
    if overridden:
        reasons = "; ".join(check.reasons())
        NoticeReviewFlag.objects.create(
            school=check.school,
            run=run,
            reason=f"DPO override of the sharing gate: {override_reason}. The gate said: {reasons}",
            raised_by=run.actor,
        )
        record(
            "export",
            model="sharing.ShareRun",
            object_id=str(run.pk),
            subject=Subject(school_id=check.school.pk),
            categories=list(check.categories),
            detail={"override": override_reason, "codes": [f.code.value for f in check.failures]},
        )
    return run


def verify_disclosures() -> ChainReport:
    """Recompute the disclosure chain; the first row whose hash or link does not match, if any."""
    head = DisclosureChainHead.objects.filter(pk=1).first()
    return verify_rows(
        Disclosure.objects.order_by("id").iterator(chunk_size=2000),
        _payload,
        head_hash=head.last_hash if head is not None else None,
    )


def disclosures_for(pupil_id: int, *, until: dt.date | None = None) -> QuerySet[Disclosure]:
    """A pupil's disclosures, oldest first (what a subject access response lists as recipients)."""
    qs = Disclosure.objects.filter(pupil_ref=pupil_id).select_related("run").order_by("id")
    if until is not None:
        qs = qs.filter(run__on__lte=until)
    return qs
