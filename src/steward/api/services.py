"""Writes behind the API, each delegating to the people services (one rule, one place)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.people.services import pupil_create
from steward.registry.registry import entry_for


def school_for(actor: Any, urn: str) -> School:
    """A school the actor may see, by URN; Http404 otherwise (even if it exists elsewhere)."""
    school = School.objects.filter(urn=urn, pk__in=scope_for(actor).school_ids()).first()
    if school is None:
        raise Http404("No such school")
    return school


def create_pupil(*, actor: Any, school_urn: str, enrolment: dict[str, Any], fields: dict[str, Any]) -> Pupil:
    """Create a pupil enrolled at the school with this URN.

    404 for a school outside the actor's scope; PermissionDenied when the actor may not change
    pupils there, or supplies a field whose data category they may not read there (a user may
    not write what they could not then see); ValidationError naming each bad field otherwise.
    """
    school = school_for(actor, urn=school_urn)
    scope = scope_for(actor)
    if scope.may(Action.CHANGE_PUPILS, school.pk):
        entry = entry_for(Pupil)
        unreadable = sorted(
            name
            for name in fields
            if name in {f.name for f in entry.personal_fields()}
            and not scope.may_read(entry.field(name).category.key, school.pk)
        )
        if unreadable:
            raise PermissionDenied(
                f"You may not record {', '.join(unreadable)} at {school.name}: "
                "those data categories are not part of your role there."
            )
    return pupil_create(actor=actor, school=school, enrolment=enrolment, **fields)
