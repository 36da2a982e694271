"""Child protection files: never in a CTF, owed separately to the next school within 5 school days.

KCSIE, as rules.md §5 quotes it: the DSL sends the child protection file to the new school "within 5
days (in-year) or within the first 5 days of a new term", separately from the main pupil file,
securely, with confirmation of receipt. Counting 5 school days after the export from the school's
term dates gives both cases at once: days outside terms are not counted, so a summer leaver's file is
due on the 5th day of the new term. Where the school has recorded no term covering a day, weekdays
that are not bank holidays in England are counted instead, and the record says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from steward.organisations.models import School
from steward.people.models import Pupil
from steward.sharing.ctf.common import Destination
from steward.sharing.models_transfer import CP_METHODS, ChildProtectionTransfer, CtfFile

SCHOOL_DAYS = 5
# Term dates: a school year has about 190 school days; 400 calendar days always reaches 5 of them.
_HORIZON = dt.timedelta(days=400)


def due_date(school: School, exported_on: dt.date, days: int = SCHOOL_DAYS) -> tuple[dt.date, str]:
    """The day a child protection file is due: the `days`th school day after `exported_on` (the export
    day itself is not counted), with how it was counted."""
    terms = list(
        school.terms.filter(end__gt=exported_on, start__lte=exported_on + _HORIZON).values_list(
            "start", "end"
        )
    )
    closures = set(school.closures.filter(date__gt=exported_on).values_list("date", flat=True))
    if terms:
        counted, d = 0, exported_on
        while counted < days and d <= terms[-1][1]:
            d += dt.timedelta(days=1)
            if d.weekday() < 5 and d not in closures and any(s <= d <= e for s, e in terms):
                counted += 1
        if counted == days:
            return d, f"{days} school days after {exported_on.isoformat()} from the school's term dates"
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(exported_on.year, exported_on.year + 2))
    counted, d = 0, exported_on
    while counted < days:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in bank:
            counted += 1
    return d, (
        f"{days} weekdays (not bank holidays) after {exported_on.isoformat()}: the school has no term dates "
        "recorded that far ahead; add them for a school-day count"
    )


def record_owed(
    *, pupils: Iterable[Pupil], school: School, destination: Destination, ctf: CtfFile | None, on: dt.date
) -> list[ChildProtectionTransfer]:
    """Record that each pupil's child protection file is owed to `destination` (called by the export,
    inside its transaction, for pupils with safeguarding records)."""
    due, basis = due_date(school, on)
    return [
        ChildProtectionTransfer.objects.create(
            pupil=p,
            from_school=school,
            ctf=ctf,
            dest_la=destination.la,
            dest_estab=destination.estab,
            dest_urn=destination.urn,
            dest_name=destination.name,
            exported_on=on,
            due_on=due,
            due_basis=basis,
        )
        for p in pupils
    ]


@transaction.atomic
def mark_sent(
    *,
    actor: Any,
    transfer: ChildProtectionTransfer,
    sent_on: dt.date,
    method: str,
    receipt_confirmed_on: dt.date | None = None,
) -> ChildProtectionTransfer:
    """Record that the file was sent (and, later, that the new school confirmed receipt)."""
    if method not in dict(CP_METHODS):
        raise ValidationError({"method": f"Choose one of: {', '.join(dict(CP_METHODS))}."})
    if receipt_confirmed_on and receipt_confirmed_on < sent_on:
        raise ValidationError(
            {"receipt_confirmed_on": "Receipt cannot be confirmed before the file was sent."}
        )
    transfer.sent_on = sent_on
    transfer.method = method
    transfer.sent_by = actor if getattr(actor, "pk", None) else None
    transfer.receipt_confirmed_on = receipt_confirmed_on
    transfer.full_clean()
    transfer.save()
    return transfer


def owed(*, school: School | None = None) -> QuerySet[ChildProtectionTransfer]:
    """Child protection files not yet sent, soonest due first (overdue ones first of all)."""
    qs = ChildProtectionTransfer.objects.filter(sent_on__isnull=True).select_related("from_school", "pupil")
    if school is not None:
        qs = qs.filter(from_school=school)
    return qs.order_by("due_on", "pk")


def status(transfer: ChildProtectionTransfer, today: dt.date) -> str:
    """`overdue`, `due` (today), `pending`, or `sent`."""
    if transfer.sent_on:
        return "sent"
    if transfer.due_on < today:
        return "overdue"
    return "due" if transfer.due_on == today else "pending"
