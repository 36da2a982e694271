"""Rectification (UK GDPR Art 16): correct a registered personal field of the pupil's records, or complete
it with a supplementary statement, keeping the value before beside the value after.

Rules: /work/shared/domain/rules.md §3 ("a record that a mistake happened can itself be accurate";
opinions recorded as opinions are hard to call inaccurate, so a statement that the pupil disputes one is
recorded instead of changing it). While accuracy is checked, `restriction.restrict(ground=accuracy,
request=...)` restricts the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404

from steward.accounts.scope import scope_for
from steward.registry.registry import FieldEntry, ModelEntry, entry_for
from steward.rights.models import EventKind, Rectification, RequestKind, RightsRequest
from steward.rights.outcomes._common import require_in_progress, require_kind
from steward.rights.services import _event, _locked, _require


class _Unchanged:
    """Marker: keep the recorded value and add only a supplementary statement."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def subject_pupil_id(target: models.Model, entry: ModelEntry) -> int | None:
    """The id of the pupil a registered pupil record belongs to, read through its `subject_path`."""
    if entry.subject != "pupil":
        return None
    if not entry.subject_path:
        return int(target.pk)
    row = type(target)._default_manager.filter(pk=target.pk).values_list(entry.subject_path, flat=True)
    return row.first()


def _field_of(target: models.Model, field: str) -> tuple[ModelEntry, FieldEntry]:
    try:
        entry = entry_for(target)
    except KeyError:
        raise ValidationError(
            {"target": f"{target._meta.verbose_name} holds no registered personal data."}
        ) from None
    try:
        fe = entry.field(field)
    except KeyError:
        raise ValidationError({"field": f"{entry.verbose_name} has no personal field {field!r}."}) from None
    if not fe.category.personal:
        raise ValidationError(
            {"field": f"{field!r} is system metadata ({fe.category.key}), not personal data to rectify."}
        )
    model_field = target._meta.get_field(field)
    if model_field.many_to_many or isinstance(model_field, models.FileField):
        raise ValidationError({"field": f"{field!r} cannot be rectified here: replace it on its own page."})
    return entry, fe


def _as_text(obj: models.Model, field: str) -> str:
    f = obj._meta.get_field(field)
    assert isinstance(f, models.Field)
    return str(f.value_to_string(obj))


@transaction.atomic
def rectify(
    *,
    actor: Any,
    request: RightsRequest,
    target: models.Model,
    field: str,
    value: Any = UNCHANGED,
    on: dt.date,
    statement: str = "",
) -> Rectification:
    """Correct `target.<field>` to `value` (validated by the model's `full_clean`), or, with `value` left
    out, record a supplementary `statement` (completing the data, or noting that the pupil disputes an
    opinion) without changing it. The value before and after are kept in a `Rectification`.

    Refused, changing nothing: a request that is not a rectification request in progress; a target that
    is not a registered record of the request's pupil (ValidationError naming `target`); a field that is
    not a registered personal field (naming `field`); an actor who may not change pupils at the record's
    school (PermissionDenied) or read its data category there (404); an invalid value (naming the field).
    """
    _require(actor, request.school_id)
    request = _locked(request)
    require_kind(request, RequestKind.RECTIFICATION)
    require_in_progress(request)
    entry, fe = _field_of(target, field)
    if subject_pupil_id(target, entry) != request.pupil_id:
        raise ValidationError({"target": "This record is not about the pupil the request concerns."})
    school_id = getattr(target, "school_id", None) or request.school_id
    _require(actor, school_id)
    if not scope_for(actor).may_read(fe.category.key, school_id):
        raise Http404("No such record")
    statement = statement.strip()
    obj = type(target)._default_manager.select_for_update().get(pk=target.pk)
    before = _as_text(obj, field)
    if value is UNCHANGED:
        if not statement:
            raise ValidationError(
                {"statement": "Give the corrected value, or the supplementary statement to record."}
            )
    else:
        setattr(obj, field, value)
        obj.full_clean()  # the model's own rules, so every channel gives the same message
        if _as_text(obj, field) == before and not statement:
            raise ValidationError({field: "That is already the recorded value."})
        obj.save()
    rect = Rectification(
        request=request,
        model=entry.label,
        object_id=str(obj.pk),
        field=field,
        category=fe.category.key,
        before=before,
        after=_as_text(obj, field),
        statement=statement,
        on=on,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    rect.full_clean()
    rect.save()
    what = "Supplementary statement recorded" if rect.before == rect.after else "Rectified"
    # The note names the record and field, never the values: those live in the Rectification row.
    _event(
        request,
        actor=actor,
        kind=EventKind.OUTCOME_APPLIED,
        on=on,
        method="rectification",
        note=f"{what}: {entry.verbose_name} #{obj.pk}, field {field} ({fe.category.key}).",
    )
    target.refresh_from_db()
    return rect


@transaction.atomic
def rectify_many(
    *,
    actor: Any,
    request: RightsRequest,
    changes: Iterable[tuple[models.Model, str, Any]],
    on: dt.date,
    statement: str = "",
) -> list[Rectification]:
    """Apply several corrections `(target, field, value)` together: all of them, or (on any refusal)
    none. `statement`, when given, is recorded with each."""
    return [
        rectify(actor=actor, request=request, target=t, field=f, value=v, on=on, statement=statement)
        for t, f, v in changes
    ]
