"""Create, update and delete events for every registered model, whatever wrote them.

Services, the admin, imports and the API all save through the ORM, so hooking the registry's
models here guarantees no write path escapes the log (NetBox's gap: CLI changes went unlogged).
Bulk operations bypass signals and write their own events with `record_many`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from steward.audit.services import record, subject_of
from steward.registry.registry import entry_for, is_registered

_BEFORE = "_steward_audit_before"


def _attname(instance: models.Model, name: str) -> str:
    return str(getattr(instance._meta.get_field(name), "attname", name))


def _concrete_names(instance: models.Model) -> list[str]:
    return [f.name for f in instance._meta.concrete_fields]


def _audited(sender: type[models.Model]) -> bool:
    """Registered personal-data models, and other models that opt in with `audit_changes = True`
    (organisations, the register of processing): their changes must be provable too."""
    return is_registered(sender) or bool(getattr(sender, "audit_changes", False))


def _remember(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender) or instance.pk is None:
        return
    before = (
        sender._default_manager.filter(pk=instance.pk)
        .values(*[f.attname for f in instance._meta.concrete_fields])
        .first()
    )
    setattr(instance, _BEFORE, before)


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not _audited(sender):
        return
    if not is_registered(sender):
        _saved_unclassified(sender, instance, created)
        return
    entry = entry_for(sender)
    if created:
        changed = [f.name for f in entry.fields if f.category.personal]
    else:
        before = getattr(instance, _BEFORE, None) or {}
        changed = [
            f.name
            for f in entry.fields
            if f.category.personal
            and f.name in _concrete_names(instance)
            and before.get(_attname(instance, f.name)) != getattr(instance, _attname(instance, f.name))
        ]
        if not changed:
            return  # a save that changed nothing personal is not an event
    cats = {entry.field(n).category.key for n in changed}
    record(
        "create" if created else "update",
        model=entry.label,
        object_id=instance.pk,
        subject=subject_of(instance),
        categories=sorted(cats),
        special=any(entry.field(n).special for n in changed),
        fields=changed,
    )


def _saved_unclassified(sender: type[models.Model], instance: models.Model, created: bool) -> None:
    names = _concrete_names(instance)
    if created:
        changed = names
    else:
        before = getattr(instance, _BEFORE, None) or {}
        changed = [
            n for n in names if before.get(_attname(instance, n)) != getattr(instance, _attname(instance, n))
        ]
        if not changed:
            return
    record(
        "create" if created else "update",
        model=sender._meta.label,
        object_id=instance.pk,
        subject=subject_of(instance),
        fields=changed,
    )


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _audited(sender):
        return
    if not is_registered(sender):
        record("delete", model=sender._meta.label, object_id=instance.pk, subject=subject_of(instance))
        return
    entry = entry_for(sender)
    record(
        "delete",
        model=entry.label,
        object_id=instance.pk,
        subject=subject_of(instance),
        categories=[c.key for c in entry.categories],
        special=entry.special,
    )


def connect() -> None:
    pre_save.connect(_remember, dispatch_uid="steward_audit_pre_save")
    post_save.connect(_saved, dispatch_uid="steward_audit_post_save")
    post_delete.connect(_deleted, dispatch_uid="steward_audit_post_delete")
