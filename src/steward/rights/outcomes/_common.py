"""Checks every outcome service shares: the request is of the right kind and being worked on, the actor
may act at the pupil's school, and a category key is one the taxonomy knows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.people.models import Enrolment, Pupil
from steward.registry.taxonomy import taxonomy
from steward.rights.models import RequestKind, RightsRequest, Status
from steward.rights.services import _not_closed


def require_kind(request: RightsRequest, *kinds: RequestKind) -> None:
    """Refuse (naming `kind`) an outcome applied to a request of another kind."""
    if request.kind not in kinds:
        wanted = " or ".join(k.label.lower() for k in kinds)
        raise ValidationError(
            {
                "kind": f"This is a {request.get_kind_display().lower()} request; only a {wanted} "
                "request can have this outcome."
            }
        )


def require_in_progress(request: RightsRequest) -> None:
    """Outcomes are applied while the request is in progress: after identity, fee and clarification are
    settled (the workflow's guard) and before the response is reviewed."""
    _not_closed(request)
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(
            {
                "status": f"The request is {request.get_status_display().lower()}: outcomes are applied "
                "only while it is in progress."
            }
        )


def pupil_school_ids(pupil: Pupil) -> set[int]:
    """Every school the pupil is or was enrolled at."""
    return set(Enrolment.objects.filter(pupil=pupil).values_list("school_id", flat=True))


def require_for_pupil(actor: Any, pupil: Pupil, action: Action = Action.CHANGE_PUPILS) -> int:
    """The actor may do `action` at one of the pupil's schools (returns that school's id).

    A pupil at none of the actor's schools is a 404, as in `people.selectors.get_pupil`.
    """
    scope = scope_for(actor)
    schools = pupil_school_ids(pupil)
    visible = schools & scope.school_ids()
    if not visible:
        raise Http404("No such pupil")
    allowed = sorted(s for s in visible if scope.may(action, s))
    if not allowed:
        raise PermissionDenied("You may not record this for the pupil at their school.")
    return allowed[0]


def clean_category_keys(keys: Any, field: str = "categories") -> list[str]:
    """Validate a list of taxonomy keys (ValidationError naming `field`); returns them sorted, unique."""
    if keys is None:
        return []
    if isinstance(keys, str) or not isinstance(keys, list | tuple | set | frozenset):
        raise ValidationError({field: "Give a list of data category keys, e.g. ['pupil.health']."})
    tax = taxonomy()
    unknown = sorted(str(k) for k in keys if str(k) not in tax)
    if unknown:
        raise ValidationError({field: f"Unknown data categories: {', '.join(unknown)}."})
    return sorted({str(k) for k in keys})


def overlaps(a: str, b: str) -> bool:
    """Two dotted category keys overlap when one is the other or sits below it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")
