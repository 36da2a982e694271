"""Reads of rights requests, always restricted to the actor's schools.

Outside scope is a 404 (Http404), never a 403, as in `people.selectors.get_pupil`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.rights.models import RequestEvent, RightsRequest


def requests_visible_to(actor: Any, action: Action = Action.CHANGE_PUPILS) -> QuerySet[RightsRequest]:
    """Requests at schools where the actor may `action` (by default: those who handle requests)."""
    school_ids = scope_for(actor).school_ids(action)
    if not school_ids:
        return RightsRequest.objects.none()
    return RightsRequest.objects.filter(school_id__in=school_ids).select_related("pupil", "school")


def get_request(actor: Any, pk: Any) -> RightsRequest:
    """One request the actor may see, else Http404."""
    try:
        return requests_visible_to(actor).get(pk=pk)
    except (RightsRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


def request_events(actor: Any, pk: Any) -> QuerySet[RequestEvent]:
    """The log of one visible request, oldest first."""
    return get_request(actor, pk).events.select_related("actor").order_by("at", "pk")
