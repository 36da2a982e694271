"""Reads of rights requests, always restricted to the actor's schools.

Outside scope is a 404 (Http404), never a 403, as in `people.selectors.get_pupil`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from steward.accounts.models import RoleAssignment
from steward.accounts.roles import ROLES, Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Pupil, PupilContact
from steward.people.selectors import pupils_visible_to, search_pupils
from steward.rights import services
from steward.rights.deadlines import Deadline, DeadlineError, Pause, due_date
from steward.rights.models import CLOSED_STATUSES, EventKind, RequestEvent, RequestKind, RightsRequest


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


# --- the dashboard ------------------------------------------------------------------------------

# "Due this week": due today or within the next 7 days.
DUE_SOON_DAYS = 7

# Events the deadline and the dashboard need, prefetched once for every listed request.
_DEADLINE_EVENTS = (EventKind.CLARIFICATION_ASKED, EventKind.CLARIFICATION_RECEIVED, EventKind.STATUS_CHANGE)


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    RUNNING = "running"
    PAUSED = "paused"
    UNKNOWN = "unknown"  # the deadline cannot be worked out (e.g. no term dates): the reason is shown


@dataclass(frozen=True)
class DeadlineView:
    """A request's legal deadline as the pages show it: the `deadlines.Deadline` (None when it cannot be
    worked out, with `problem` saying why), the days left and how urgent it is."""

    deadline: Deadline | None
    problem: str
    days_left: int | None
    urgency: Urgency

    @property
    def due(self) -> dt.date | None:
        return self.deadline.due if self.deadline is not None else None


def _pauses_from(events: Iterable[RequestEvent]) -> tuple[Pause, ...]:
    """`services.pauses` from events already in memory (oldest first)."""
    out: list[Pause] = []
    start: dt.date | None = None
    for ev in events:
        if ev.kind == EventKind.CLARIFICATION_ASKED:
            start = ev.on
        elif ev.kind == EventKind.CLARIFICATION_RECEIVED and start is not None:
            out.append(Pause(start, ev.on))
            start = None
    if start is not None:
        out.append(Pause(start, None))
    return tuple(out)


def _deadline(request: RightsRequest, events: Iterable[RequestEvent] | None) -> Deadline:
    """`services.due(request)`; with the request's clarification events in memory, without a query for them."""
    if events is None:
        return cast(Deadline, services.due(request))
    kind = services.DEADLINE_KIND[RequestKind(request.kind)]
    if kind == "educational-record":
        return due_date(kind, request.clock_started_on, school=request.school)
    return due_date(
        kind,
        request.clock_started_on,
        school=request.school,
        extended=request.extension_decided_on is not None,
        pauses=_pauses_from(events),
    )


def deadline_view(
    request: RightsRequest, *, today: dt.date, events: Iterable[RequestEvent] | None = None
) -> DeadlineView:
    """The request's deadline, days left and urgency on `today` (events: its clarification events, if loaded)."""
    try:
        deadline = _deadline(request, events)
    except DeadlineError as exc:
        return DeadlineView(None, str(exc), None, Urgency.UNKNOWN)
    if deadline.due is None:
        return DeadlineView(deadline, "", None, Urgency.PAUSED)
    days_left = (deadline.due - today).days
    if days_left < 0:
        urgency = Urgency.OVERDUE
    elif days_left <= DUE_SOON_DAYS:
        urgency = Urgency.DUE_SOON
    else:
        urgency = Urgency.RUNNING
    return DeadlineView(deadline, "", days_left, urgency)


@dataclass(frozen=True)
class DashboardRow:
    request: RightsRequest
    deadline: DeadlineView
    closed_on: dt.date | None  # the day a closed request was released, refused or withdrawn


@dataclass(frozen=True)
class Dashboard:
    rows: list[DashboardRow]
    closed: bool  # listing closed requests (else open ones)
    overdue: int
    due_soon: int
    paused: int
    open: int  # open requests matching the filters
    closed_count: int  # closed requests matching the filters


_URGENCY_ORDER = {
    Urgency.OVERDUE: 0,
    Urgency.DUE_SOON: 0,
    Urgency.RUNNING: 0,
    Urgency.PAUSED: 1,
    Urgency.UNKNOWN: 2,
}


def dashboard(
    actor: Any,
    *,
    today: dt.date,
    closed: bool = False,
    school_id: int | None = None,
    status: str = "",
    kind: str = "",
    assigned_to_me: bool = False,
    pupil_id: int | None = None,
) -> Dashboard:
    """Requests the actor handles, with their deadlines.

    Open requests come soonest legal due date first; a request whose clock is paused for clarification
    has no due date yet and comes after every dated one, then any whose deadline cannot be worked out.
    Closed requests come most recently closed first. Counts are of the requests matching the filters.
    One query for the requests and one for their deadline events, whatever their number.
    """
    qs = requests_visible_to(actor).select_related("assigned_to", "requester_contact")
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if kind:
        qs = qs.filter(kind=kind)
    if assigned_to_me:
        qs = qs.filter(assigned_to_id=getattr(actor, "pk", None))
    if pupil_id is not None:
        qs = qs.filter(pupil_id=pupil_id)
    if status:
        qs = qs.filter(status=status)
    open_qs = qs.exclude(status__in=CLOSED_STATUSES)
    closed_qs = qs.filter(status__in=CLOSED_STATUSES)
    events = Prefetch(
        "events",
        queryset=RequestEvent.objects.filter(kind__in=_DEADLINE_EVENTS).order_by("at", "pk"),
        to_attr="deadline_events",
    )
    rows: list[DashboardRow] = []
    overdue = due_soon = paused = 0
    open_requests = list(open_qs.prefetch_related(events))
    open_rows = []
    for r in open_requests:
        view = deadline_view(r, today=today, events=r.deadline_events)  # type: ignore[attr-defined]
        overdue += view.urgency == Urgency.OVERDUE
        due_soon += view.urgency == Urgency.DUE_SOON
        paused += view.urgency == Urgency.PAUSED
        open_rows.append(DashboardRow(r, view, None))
    if closed:
        for r in closed_qs.prefetch_related(events):
            changes = [e for e in r.deadline_events if e.kind == EventKind.STATUS_CHANGE]  # type: ignore[attr-defined]
            clock = [e for e in r.deadline_events if e.kind != EventKind.STATUS_CHANGE]  # type: ignore[attr-defined]
            view = deadline_view(r, today=today, events=clock)
            rows.append(DashboardRow(r, view, changes[-1].on if changes else r.released_on))
        rows.sort(key=lambda row: (row.closed_on or dt.date.min, row.request.pk), reverse=True)
        closed_count = len(rows)
    else:
        rows = sorted(
            open_rows,
            key=lambda row: (
                _URGENCY_ORDER[row.deadline.urgency],
                row.deadline.due or dt.date.max,
                row.request.received_on,
                row.request.pk,
            ),
        )
        closed_count = closed_qs.count()
    return Dashboard(
        rows=rows,
        closed=closed,
        overdue=overdue,
        due_soon=due_soon,
        paused=paused,
        open=len(open_requests),
        closed_count=closed_count,
    )


def assignable_staff(school: School) -> QuerySet[Any]:
    """Active staff who may work on requests at `school` (change pupils there), by name."""
    roles = [k for k, r in ROLES.items() if r.staff and Action.CHANGE_PUPILS in r.actions]
    trust_wide = [k for k in roles if ROLES[k].trust_wide]
    held = RoleAssignment.objects.filter(role__in=roles).filter(
        Q(school=school) | Q(school__isnull=True, trust_id=school.trust_id, role__in=trust_wide)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=held.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def request_pupils(actor: Any, query: str) -> QuerySet[Pupil]:
    """Pupils a request may be logged for: those at schools where the actor may change pupils."""
    visible = pupils_visible_to(actor, Action.CHANGE_PUPILS)
    return search_pupils(actor, query).filter(pk__in=visible.values("pk"))


def request_pupil(actor: Any, pk: Any) -> Pupil:
    """One pupil a request may be logged for, else Http404."""
    try:
        return pupils_visible_to(actor, Action.CHANGE_PUPILS).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None


def request_schools(actor: Any, pupil: Pupil) -> QuerySet[School]:
    """The schools where the actor may log a request about `pupil` (where the pupil is or was enrolled)."""
    ids = scope_for(actor).school_ids(Action.CHANGE_PUPILS)
    return School.objects.filter(pk__in=ids, enrolments__pupil=pupil).distinct().order_by("name")


def pupil_contact_links(pupil: Pupil) -> QuerySet[PupilContact]:
    """The pupil's contacts (who may be the requester), with relationship and parental responsibility."""
    return PupilContact.objects.filter(pupil=pupil).select_related("contact").order_by("priority", "pk")
