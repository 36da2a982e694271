"""Where each open request stands against its legal deadline, and reminder emails to its assignee.

`due_status(request, on)` is what the API, the CLI and the reminders all show: the due date from
`services.due` (None while a clarification pause is open), calendar and working days left, overdue.

`send_reminders(actor=..., on=...)` emails the assignee of each open request the actor may handle when
the deadline is 7 calendar days away or less, again at 2 working days or less (England and Wales bank
holidays, `deadlines.is_working_day`), and once it is overdue. Each threshold is sent once per request
and due date: a `RequestEvent` of kind REMINDER_SENT records it (`method` is the threshold), so running
again the same day sends nothing new. A threshold counts as sent when a reminder for it (or a more
urgent one) was recorded on or after the day the threshold was reached for the *current* due date, so
an extension that moves the deadline later earns fresh reminders. When several thresholds are reached
at once (a request assigned late) only the most urgent is sent. A paused request (due None), a closed
one, and one with no assignee email get nothing. A failed send is reported and not recorded, so the
next run tries again. Emails carry the pupil's initials only (email travels; the link needs sign-in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils.html import format_html

from steward.rights import services
from steward.rights.deadlines import Deadline, DeadlineError, is_working_day
from steward.rights.models import CLOSED_STATUSES, EventKind, RequestEvent, RightsRequest
from steward.rights.selectors import requests_visible_to

#: Calendar days before the due date at which the first reminder goes.
WEEK_DAYS = 7
#: Working days before the due date at which the second reminder goes.
WORKING_DAYS = 2


class Threshold(StrEnum):
    """A reminder point, least urgent first (the value is stored in `RequestEvent.method`)."""

    WEEK = "week"
    TWO_WORKING_DAYS = "two_working_days"
    OVERDUE = "overdue"


ORDER: tuple[Threshold, ...] = (Threshold.WEEK, Threshold.TWO_WORKING_DAYS, Threshold.OVERDUE)


def working_days_left(on: dt.date, due: dt.date) -> int:
    """Working days after `on` up to and including `due` (0 on the due date and after it)."""
    count = 0
    d = on + dt.timedelta(days=1)
    while d <= due:
        if is_working_day(d):
            count += 1
        d += dt.timedelta(days=1)
    return count


@dataclass(frozen=True)
class DueStatus:
    """A request's deadline as seen on one day.

    `due` is None while a clarification pause is open (`paused`) or when no date can be worked out
    (`error` says why, e.g. an educational record at a school with no term dates). `days_left` counts
    calendar days (negative once overdue); it and `working_days_left` are None for a closed request.
    """

    on: dt.date
    due: dt.date | None
    days_left: int | None
    working_days_left: int | None
    overdue: bool
    paused: bool
    closed: bool
    deadline: Deadline | None = None
    error: str = ""

    @property
    def state(self) -> str:
        """closed, unknown, paused, overdue or running."""
        if self.closed:
            return "closed"
        if self.error:
            return "unknown"
        if self.paused:
            return "paused"
        return "overdue" if self.overdue else "running"

    def as_dict(self) -> dict[str, Any]:
        d = self.deadline
        return {
            "due": self.due,
            "days_left": self.days_left,
            "working_days_left": self.working_days_left,
            "overdue": self.overdue,
            "paused": self.paused,
            "state": self.state,
            "start": d.start if d else None,
            "extended": d.extended if d else False,
            "paused_days": d.paused_days if d else 0,
            "pause_method": d.method if d else None,
            "rule": d.rule if d else "",
            "steps": list(d.steps) if d else [],
            "error": self.error,
        }


def due_status(request: RightsRequest, on: dt.date) -> DueStatus:
    """Where `request` stands on `on` against its legal deadline (`services.due`)."""
    closed = request.status in CLOSED_STATUSES
    try:
        deadline = services.due(request)
    except DeadlineError as exc:
        return DueStatus(on, None, None, None, False, False, closed, None, str(exc))
    due = deadline.due
    if due is None or closed:
        return DueStatus(on, due, None, None, False, due is None and not closed, closed, deadline)
    return DueStatus(
        on,
        due,
        (due - on).days,
        working_days_left(on, due),
        on > due,
        False,
        False,
        deadline,
    )


def reached(status: DueStatus) -> Threshold | None:
    """The most urgent threshold reached on `status.on`, or None (also for paused and closed requests)."""
    if status.due is None or status.closed or status.days_left is None:
        return None
    if status.overdue:
        return Threshold.OVERDUE
    if status.working_days_left is not None and status.working_days_left <= WORKING_DAYS:
        return Threshold.TWO_WORKING_DAYS
    if status.days_left <= WEEK_DAYS:
        return Threshold.WEEK
    return None


def threshold_start(threshold: Threshold, due: dt.date) -> dt.date:
    """The first day on which `threshold` is reached for a request due on `due`."""
    if threshold == Threshold.OVERDUE:
        return due + dt.timedelta(days=1)
    if threshold == Threshold.WEEK:
        return due - dt.timedelta(days=WEEK_DAYS)
    day = due
    while working_days_left(day - dt.timedelta(days=1), due) <= WORKING_DAYS:
        day -= dt.timedelta(days=1)
    return day


def already_sent(request: RightsRequest, threshold: Threshold, due: dt.date) -> bool:
    """Whether a reminder for `threshold` (or a more urgent one) was sent for the current due date."""
    methods = [t.value for t in ORDER[ORDER.index(threshold) :]]
    return RequestEvent.objects.filter(
        request=request,
        kind=EventKind.REMINDER_SENT,
        method__in=methods,
        on__gte=threshold_start(threshold, due),
    ).exists()


# --- the email ------------------------------------------------------------------------------------


def initials(request: RightsRequest) -> str:
    """The pupil's initials ("J. T."): enough for the assignee to recognise the request, no more."""
    pupil = request.pupil
    return " ".join(f"{part.strip()[0].upper()}." for part in (pupil.forename, pupil.surname) if part.strip())


def request_url(request: RightsRequest) -> str:
    base = str(getattr(settings, "STEWARD_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/requests/{request.pk}/"


def _long(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _left(status: DueStatus) -> str:
    assert status.days_left is not None and status.working_days_left is not None
    if status.overdue:
        return f"overdue by {_plural(-status.days_left, 'day')}"
    if status.days_left == 0:
        return "due today"
    return f"{_plural(status.days_left, 'day')} left ({_plural(status.working_days_left, 'working day')})"


def compose(request: RightsRequest, status: DueStatus, threshold: Threshold) -> EmailMultiAlternatives:
    """The reminder to the request's assignee (plain text with a simple HTML alternative)."""
    assert status.due is not None
    assignee = request.assigned_to
    assert assignee is not None
    kind = request.get_kind_display()
    left = _left(status)
    url = request_url(request)
    who = initials(request) or "(no initials)"
    heading = (
        f"Rights request #{request.pk} is overdue"
        if threshold == Threshold.OVERDUE
        else f"Rights request #{request.pk} is due on {_long(status.due)}"
    )
    subject = f"Rights request #{request.pk} ({kind}): due {status.due.isoformat()}, {left}"
    greeting = assignee.first_name or assignee.get_username()
    text = "\n".join(
        [
            f"Hello {greeting},",
            "",
            f"{heading}: {left}.",
            "",
            f"Request:   #{request.pk}, {kind}",
            f"Pupil:     {who} (initials only; open the request for details)",
            f"School:    {request.school.name}",
            f"Status:    {request.get_status_display()}",
            f"Due:       {status.due.isoformat()} ({_long(status.due)})",
            f"Days left: {left}",
            "",
            f"Open the request: {url}",
            "",
            "You are sent this because the request is assigned to you in Steward. The due date is the",
            "legal deadline (one calendar month, or as extended or paused; working days exclude weekends",
            "and England and Wales bank holidays).",
            "",
        ]
    )
    html = format_html(
        "<p>Hello {},</p><p><strong>{}: {}.</strong></p>"
        "<table>"
        "<tr><th align='left'>Request</th><td>#{}, {}</td></tr>"
        "<tr><th align='left'>Pupil</th><td>{} (initials only; open the request for details)</td></tr>"
        "<tr><th align='left'>School</th><td>{}</td></tr>"
        "<tr><th align='left'>Status</th><td>{}</td></tr>"
        "<tr><th align='left'>Due</th><td>{} ({})</td></tr>"
        "<tr><th align='left'>Days left</th><td>{}</td></tr>"
        "</table>"
        '<p><a href="{}">Open the request</a></p>'
        "<p>You are sent this because the request is assigned to you in Steward.</p>",
        greeting,
        heading,
        left,
        request.pk,
        kind,
        who,
        request.school.name,
        request.get_status_display(),
        status.due.isoformat(),
        _long(status.due),
        left,
        url,
    )
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[assignee.email]
    )
    message.attach_alternative(str(html), "text/html")
    return message


# --- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One reminder: sent, failed (`error`) or skipped (`error` says why)."""

    request_id: int
    threshold: str
    recipient: str
    due: dt.date | None
    error: str = ""


@dataclass
class ReminderReport:
    on: dt.date
    sent: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def rows(items: list[Reminder]) -> list[dict[str, Any]]:
            return [
                {
                    "request": r.request_id,
                    "threshold": r.threshold,
                    "recipient": r.recipient,
                    "due": r.due.isoformat() if r.due else None,
                    "error": r.error,
                }
                for r in items
            ]

        return {
            "on": self.on.isoformat(),
            "sent": rows(self.sent),
            "failed": rows(self.failed),
            "skipped": rows(self.skipped),
        }


def _record(
    request: RightsRequest, *, actor: Any, on: dt.date, threshold: Threshold, status: DueStatus
) -> None:
    assert status.due is not None and request.assigned_to is not None
    with transaction.atomic():
        event = RequestEvent(
            request=request,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=EventKind.REMINDER_SENT,
            on=on,
            method=threshold.value,
            note=(
                f"Deadline reminder emailed to {request.assigned_to.get_username()}: due "
                f"{status.due.isoformat()}, {_left(status)}."
            ),
        )
        event.full_clean()
        event.save()


def send_reminders(*, actor: Any, on: dt.date, connection: Any = None) -> ReminderReport:
    """Email each due reminder for the open requests `actor` may handle (see the module docstring).

    Runs inside the caller's audit context (`acting_as`): each recorded reminder is an audited
    RequestEvent written as `actor`.
    """
    report = ReminderReport(on=on)
    requests = (
        requests_visible_to(actor)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("assigned_to", "pupil", "school")
        .order_by("pk")
    )
    conn = connection or get_connection(fail_silently=False)
    try:
        for request in requests:
            status = due_status(request, on)
            if status.error:
                report.skipped.append(Reminder(request.pk, "", "", None, f"no due date: {status.error}"))
                continue
            threshold = reached(status)
            if threshold is None or status.due is None:
                continue  # not near its deadline, or paused
            assignee = request.assigned_to
            email = (getattr(assignee, "email", "") or "").strip()
            if assignee is None or not email:
                why = (
                    "not assigned" if assignee is None else f"{assignee.get_username()} has no email address"
                )
                report.skipped.append(Reminder(request.pk, threshold.value, "", status.due, why))
                continue
            if already_sent(request, threshold, status.due):
                continue
            message = compose(request, status, threshold)
            message.connection = conn
            try:
                message.send(fail_silently=False)
            except Exception as exc:  # any failure: report it, record nothing, retry next run
                report.failed.append(
                    Reminder(request.pk, threshold.value, email, status.due, f"{type(exc).__name__}: {exc}")
                )
                continue
            _record(request, actor=actor, on=on, threshold=threshold, status=status)
            report.sent.append(Reminder(request.pk, threshold.value, email, status.due))
    finally:
        conn.close()  # a no-op when it never opened
    return report
