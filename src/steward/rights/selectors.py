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
from steward.rights.deadlines import Deadline, DeadlineError
from steward.rights.models import CLOSED_STATUSES, EventKind, RequestEvent, RightsRequest


def requests_visible_to(actor: Any, action: Action = Action.CHANGE_PUPILS) -> QuerySet[RightsRequest]:
    """Requests at schools where the actor may `action` and read rights-request data (`pupil.rights`):
    those who handle requests (the DP lead, headteacher, office staff and the DPO), not every role that
    may change pupils."""
    school_ids = scope_for(actor).schools_reading(["pupil.rights"], action)
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


def _deadline(request: RightsRequest, events: Iterable[RequestEvent] | None) -> Deadline:
    """`services.due(request)`, with the request's events from memory when they were prefetched."""
    return cast(Deadline, services.due(request, events=events))


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


# --- the pupil page: restriction and youth-support notice -------------------------------------------

RIGHTS_CATEGORY = "pupil.rights"


@dataclass(frozen=True)
class RestrictionNotice:
    """One restriction in force: since when, on what ground, and the categories (labels; empty: all)."""

    started_on: dt.date
    ground: str
    categories: tuple[str, ...]

    @property
    def everything(self) -> bool:
        return not self.categories


@dataclass(frozen=True)
class PupilRightsNotice:
    """What the pupil page says about the pupil's rights: restrictions in force and youth-support sharing."""

    restrictions: tuple[RestrictionNotice, ...]
    youth_support: Any  # rights.outcomes.YssState


def pupil_rights_notice(actor: Any, pupil: Pupil, *, on: dt.date) -> PupilRightsNotice | None:
    """The pupil's active restrictions of processing and youth-support sharing state on `on`, for staff
    who may read the pupil's rights records (`pupil.rights`) at one of the pupil's schools; None for
    others. Showing a restriction or a recorded choice is audited as a view of that category."""
    from steward.audit.services import Subject, record
    from steward.registry.taxonomy import taxonomy
    from steward.rights.models import RestrictionGround
    from steward.rights.outcomes import active_restrictions, youth_support_state

    scope = scope_for(actor)
    schools = sorted(
        s for s in pupil.enrolments.values_list("school_id", flat=True) if scope.may_read(RIGHTS_CATEGORY, s)
    )
    if not schools:
        return None
    tax = taxonomy()
    notices = []
    for r in active_restrictions(pupil, on):
        labels = tuple(tax.get(k).label if k in tax else k for k in (r.categories or []))
        notices.append(RestrictionNotice(r.started_on, RestrictionGround(r.ground).label, labels))
    yss = youth_support_state(pupil, on)
    if notices or yss.choice is not None:
        record(
            "view",
            model="rights.Restriction" if notices else "rights.YouthSupportChoice",
            object_id=pupil.pk,
            subject=Subject(pupil_id=pupil.pk, school_id=schools[0]),
            categories=[RIGHTS_CATEGORY],
            detail={"page": "pupil profile: rights notice"},
        )
    return PupilRightsNotice(tuple(notices), yss)


# --- rectification: the pupil's registered records --------------------------------------------------


@dataclass(frozen=True)
class RecordField:
    name: str
    label: str
    category: str


@dataclass(frozen=True)
class RecordType:
    """A registered kind of pupil record with rows for the pupil, and its fields the actor may correct."""

    label: str  # app.Model
    name: str  # verbose name
    entry: Any  # registry.ModelEntry
    fields: tuple[RecordField, ...]


def _rectifiable_fields(entry: Any, actor: Any, school_id: int) -> tuple[RecordField, ...]:
    from django.db import models as dj
    from django.utils.text import capfirst

    scope = scope_for(actor)
    out = []
    for fe in entry.personal_fields():
        f = entry.model._meta.get_field(fe.name)
        if f.is_relation or isinstance(f, dj.FileField) or not getattr(f, "editable", True):
            continue
        if not scope.may_read(fe.category.key, school_id):
            continue
        out.append(RecordField(fe.name, capfirst(str(f.verbose_name)), fe.category.key))
    return tuple(out)


def _pupil_rows(entry: Any, pupil: Pupil) -> QuerySet[Any]:
    manager = entry.model._default_manager
    if not entry.subject_path:
        return cast(QuerySet[Any], manager.filter(pk=pupil.pk))
    return cast(QuerySet[Any], manager.filter(**{entry.subject_path: pupil.pk}))


def rectifiable_record_types(actor: Any, req: RightsRequest) -> list[RecordType]:
    """The registered kinds of record holding the request's pupil's data (rights records aside), with
    the fields the actor may read and so correct."""
    from steward.registry.registry import registered_models

    out = []
    for entry in registered_models(subject="pupil"):
        if entry.model._meta.app_label in ("rights", "audit"):
            continue
        fields = _rectifiable_fields(entry, actor, req.school_id)
        if not fields or not _pupil_rows(entry, req.pupil).exists():
            continue
        out.append(RecordType(entry.label, str(entry.model._meta.verbose_name), entry, fields))
    return sorted(out, key=lambda t: t.name.lower())


def rectifiable_records(record_type: RecordType, req: RightsRequest) -> list[Any]:
    """The pupil's rows of one record type, oldest first."""
    return list(_pupil_rows(record_type.entry, req.pupil).order_by("pk")[:500])
