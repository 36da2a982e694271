"""A typical English school year: six half terms, two INSET days and the bank holidays in term.

Pure functions of the academic year, so the demo's term dates depend only on the date it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
from dateutil.easter import easter

ONE_DAY = dt.timedelta(days=1)


def academic_year_of(day: dt.date) -> int:
    """The calendar year an academic year starts in (1 September): 2026 for 2026/2027."""
    return day.year if day.month >= 9 else day.year - 1


def year_label(start_year: int) -> str:
    return f"{start_year}/{start_year + 1}"


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    day = dt.date(year + (month == 12), month % 12 + 1, 1) - ONE_DAY
    return day - dt.timedelta(days=day.weekday())


def first_day(start_year: int) -> dt.date:
    """The first weekday on or after 2 September: the usual first day of the autumn term."""
    return _weekday_on_or_after(dt.date(start_year, 9, 2))


@dataclass(frozen=True)
class TermDates:
    academic_year: str
    name: str
    start: dt.date
    end: dt.date


def terms_for(start_year: int) -> list[TermDates]:
    """Six half terms: half-term breaks in the last week of October, mid-February and late May,
    two weeks at Christmas and around Easter, summer from late July."""
    y, n = start_year, start_year + 1
    october = _last_monday(y, 10)
    february = _monday_on_or_after(dt.date(n, 2, 12))
    sunday = easter(n)
    may = _last_monday(n, 5)
    label = year_label(y)
    spans = [
        ("Autumn 1", first_day(y), october - dt.timedelta(days=3)),
        ("Autumn 2", october + dt.timedelta(days=7), _weekday_on_or_before(dt.date(y, 12, 19))),
        ("Spring 1", _weekday_on_or_after(dt.date(n, 1, 5)), february - dt.timedelta(days=3)),
        ("Spring 2", february + dt.timedelta(days=7), sunday - dt.timedelta(days=9)),
        ("Summer 1", sunday + dt.timedelta(days=8), may - dt.timedelta(days=3)),
        ("Summer 2", may + dt.timedelta(days=7), _weekday_on_or_before(dt.date(n, 7, 22))),
    ]
    return [TermDates(label, name, start, end) for name, start, end in spans]


def closures_for(terms: list[TermDates]) -> list[tuple[dt.date, str]]:
    """INSET on the first day of the autumn and spring terms, and bank holidays falling in term."""
    out: dict[dt.date, str] = {}
    for t in terms:
        if t.name in {"Autumn 1", "Spring 1"}:
            out[t.start] = "INSET day"
    years = sorted({t.start.year for t in terms} | {t.end.year for t in terms})
    for day, name in sorted(holidays.country_holidays("GB", subdiv="ENG", years=years).items()):
        if any(t.start <= day <= t.end for t in terms) and day.weekday() < 5:
            out.setdefault(day, f"Bank holiday: {name}")
    return sorted(out.items())


def school_days(terms: list[TermDates], closures: list[tuple[dt.date, str]]) -> list[dt.date]:
    """Every weekday in a term that is not a closure day, in order."""
    closed = {d for d, _ in closures}
    days: list[dt.date] = []
    for t in sorted(terms, key=lambda t: t.start):
        day = t.start
        while day <= t.end:
            if day.weekday() < 5 and day not in closed:
                days.append(day)
            day += ONE_DAY
    return days
