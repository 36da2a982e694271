"""Writes to pupils and contacts. Every write validates the whole object first (one rule, one place)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Enrolment, Pupil

ENROLMENT_FIELDS = ("admission_date", "leaving_date", "leaving_reason", "status", "tutor_group")


def _require(actor: Any, action: Action, school: School) -> None:
    if not scope_for(actor).may(action, school.pk):
        # Callers only reach here for schools they can see; refusing to write is a 403.
        raise PermissionDenied(f"You may not {action.value.replace('_', ' ')} at {school.name}.")


@transaction.atomic
def pupil_create(*, actor: Any, school: School, enrolment: dict[str, Any], **fields: Any) -> Pupil:
    """Create a pupil enrolled at `school`; ValidationError names each bad field."""
    _require(actor, Action.CHANGE_PUPILS, school)
    pupil = Pupil(trust=school.trust, **fields)
    e = Enrolment(school=school, **{k: v for k, v in enrolment.items() if k in ENROLMENT_FIELDS})
    # Validate both before writing either, so every error comes back in one round.
    errors: dict[str, Any] = {}  # field -> list of ValidationError (codes kept for the API)
    try:
        pupil.full_clean()
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        e.full_clean(exclude=["pupil"])
    except ValidationError as exc:
        errors.update({f"enrolment.{k}": v for k, v in exc.error_dict.items()})
    if errors:
        raise ValidationError(errors)
    pupil.save()
    e.pupil = pupil
    e.save()
    return pupil


@transaction.atomic
def pupil_update(*, actor: Any, pupil: Pupil, **fields: Any) -> Pupil:
    """Change a pupil's fields (the actor must be able to change pupils at one of their schools)."""
    schools = set(pupil.enrolments.values_list("school_id", flat=True))
    if not any(scope_for(actor).may(Action.CHANGE_PUPILS, s) for s in schools):
        raise PermissionDenied("You may not change this pupil.")
    for k, v in fields.items():
        setattr(pupil, k, v)
    pupil.full_clean()
    pupil.save()
    return pupil
