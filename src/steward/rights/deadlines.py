"""Legal deadlines for rights requests: pure date arithmetic, each step explained.

Every function here is pure (dates in, dates out) except `school_days_due`, which reads the school's
term dates and closure days once. The rules and their sources are in `shared/domain/rules.md`:

- §1.1 one calendar month (ICO right of access guidance): day one is the day of receipt; the due date
  is the corresponding date next month, or the last day of next month when there is none; then the
  next working day when that is a Saturday, Sunday or England and Wales bank holiday.
- §1.3 extension: "calculate the extension as three months from the original start date" (ICO).
- §1.2 pauses ("stop the clock", UK GDPR Art 12A as inserted by the DUAA 2025): whether a pause
  suspends the clock or restarts it is UNCONFIRMED, so both are computed (`method`).
- §1.6 exam marks requested before results are announced: the earlier of 5 months from the request
  or 40 days from the announcement.
- §2 the educational record (Education (Pupil Information) (England) Regulations 2005 reg 5):
  15 school days, maintained schools only.

`due_date` is the single entry point; it returns a `Deadline` whose `rule` and `steps` say, in words,
how the date was reached, so a DPO (or the requester) can check the arithmetic by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import holidays
from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:
    from steward.organisations.models import School

PauseMethod = Literal["suspend", "restart"]
PAUSE_METHODS: tuple[str, ...] = ("suspend", "restart")

#: Rights whose time limit is UK GDPR Art 12(3): one month, extendable by two further months.
ONE_MONTH_KINDS: tuple[str, ...] = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
)
KINDS: tuple[str, ...] = (*ONE_MONTH_KINDS, "educational-record", "exam-marks")

#: Education (Pupil Information) (England) Regulations 2005 reg 5(2)/(3): "within 15 school days".
EDUCATIONAL_RECORD_SCHOOL_DAYS = 15
#: ICO extension: three months from the original start date (one month plus two further months).
EXTENDED_MONTHS = 3
#: Exam marks requested before results day (rules.md §1.6).
EXAM_MARKS_MONTHS = 5
EXAM_MARKS_DAYS_AFTER_ANNOUNCEMENT = 40
#: How far ahead `school_days_due` loads term dates: 15 school days never need more than a year,
#: and a bound keeps the query small for schools with many years of history.
_SCHOOL_DAYS_HORIZON = dt.timedelta(days=366)


class DeadlineError(ValueError):
    """The deadline cannot be computed from what was given (the message says what to fix).

    `field` names the input at fault (start, kind, school, extended, pauses, pause_method, months,
    days) so a form or the CLI can point at it without parsing the message.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Pause:
    """A clarification pause: the clock stopped on `start` and ran again on `end` (None: still paused).

    Convention (decided here, rules.md §1.2 leaves it open): a pause from X to Y means the clock did
    not run on days X .. Y-1, so it lasted (Y - X) days. Asking on a day and hearing back the same day
    pauses nothing; the day the clarification arrives counts again, just as the day of receipt counts
    as day one of the month.
    """

    start: dt.date
    end: dt.date | None = None

    @property
    def days(self) -> int | None:
        """Days the clock did not run, or None while the pause is open."""
        return None if self.end is None else (self.end - self.start).days


@dataclass(frozen=True)
class Deadline:
    """A computed due date with its explanation.

    `due` is None while a pause is open ("paused"): no one can say when the month ends until the
    clarification arrives. `rule` is one sentence; `steps` lists every step of the arithmetic.
    """

    kind: str
    start: dt.date
    due: dt.date | None
    rule: str
    steps: tuple[str, ...]
    extended: bool = False
    paused_days: int = 0
    method: str | None = None

    @property
    def paused(self) -> bool:
        return self.due is None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (dates as ISO strings), as `steward deadline --format json` prints it."""
        return {
            "due": self.due.isoformat() if self.due else None,
            "status": "paused" if self.paused else "running",
            "kind": self.kind,
            "start": self.start.isoformat(),
            "extended": self.extended,
            "paused_days": self.paused_days,
            "method": self.method,
            "rule": self.rule,
            "steps": list(self.steps),
        }


def _fmt(d: dt.date) -> str:
    """ISO date with its weekday, so a reader can see why a date rolled."""
    return f"{d.isoformat()} ({d.strftime('%A')})"


# --- calendar months -------------------------------------------------------------------------------


def add_calendar_months(start: dt.date, months: int) -> dt.date:
    """The corresponding date `months` later, or the last day of that month when there is none.

    ICO right of access guidance (rules.md §1.1): received 31 January, due 28 February (29 in a leap
    year). dateutil's relativedelta clamps to the month's last day, which is exactly this rule;
    adding months one at a time would not be (31 Jan + 1 = 28 Feb, + 1 = 28 Mar), which is why the
    extension is computed as +3 from the original start and never as due + 2.
    """
    if months < 0:
        raise DeadlineError("months must not be negative", field="months")
    return start + relativedelta(months=months)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[dt.date, str]:
    """England and Wales bank holidays for a year, with their names (incl. substitute days).

    England and Wales share one list (Banking and Financial Dealings Act 1971, Sch 1): `holidays`
    0.108's `UK(subdiv="ENG")` gives Easter Monday and substitute days ("Boxing Day (observed)"),
    and not St Patrick's Day (Northern Ireland) or St Andrew's Day (Scotland).
    """
    return dict(holidays.UK(subdiv="ENG", years=year).items())


def bank_holiday_name(d: dt.date) -> str | None:
    """The England and Wales bank holiday on `d`, or None."""
    return _bank_holidays(d.year).get(d)


def is_working_day(d: dt.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday (ICO: "the next working day")."""
    return d.weekday() < 5 and bank_holiday_name(d) is None


def _why_not_working(d: dt.date) -> str:
    name = bank_holiday_name(d)
    if name:
        return f"{d.isoformat()} is {name}, a bank holiday"
    return f"{d.isoformat()} is a {d.strftime('%A')}"


def next_working_day(d: dt.date) -> dt.date:
    """`d` itself when it is a working day, else the first working day after it.

    ICO (rules.md §1.1): a deadline on a weekend or public holiday moves to the next working day.
    """
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    return d


def _roll(d: dt.date, steps: list[str]) -> dt.date:
    """Roll to a working day, recording each reason in `steps`."""
    rolled = d
    reasons: list[str] = []
    while not is_working_day(rolled):
        reasons.append(_why_not_working(rolled))
        rolled += dt.timedelta(days=1)
    if reasons:
        steps.append("; ".join(reasons) + f", so the next working day is {_fmt(rolled)}")
    else:
        steps.append(f"{_fmt(rolled)} is a working day")
    return rolled


def _months_step(start: dt.date, months: int, raw: dt.date) -> str:
    unit = "month" if months == 1 else "months"
    text = f"{months} calendar {unit} from {start.isoformat()} is {raw.isoformat()}"
    if raw.day != start.day:
        missing = start + relativedelta(day=1, months=months)
        text += f" (no {start.day} {missing.strftime('%B')}: the last day of the month)"
    return text


def one_month_due(start: dt.date, *, extended: bool = False) -> dt.date:
    """UK GDPR Art 12(3) time limit as the ICO counts it (rules.md §1.1, §1.3).

    Day one is the day of receipt (the clock start), so the due date is the corresponding date next
    month (or that month's last day), rolled to the next working day. Extended: the same rule with
    three months from the original start date ("calculate the extension as three months from the
    original start date", ICO).
    """
    months = EXTENDED_MONTHS if extended else 1
    return next_working_day(add_calendar_months(start, months))


# --- pauses ----------------------------------------------------------------------------------------


def _check_pauses(start: dt.date, pauses: Sequence[Pause]) -> list[Pause]:
    """Sorted pauses, refused when they cannot be real: before the start, ending before they begin,
    overlapping (a suspension would count the shared days twice), or open but not the last."""
    ordered = sorted(pauses, key=lambda p: p.start)
    for i, p in enumerate(ordered):
        if p.start < start:
            raise DeadlineError(
                f"pause starting {p.start.isoformat()} is before the clock started on {start.isoformat()}",
                field="pauses",
            )
        if p.end is not None and p.end < p.start:
            raise DeadlineError(
                f"pause {p.start.isoformat()}:{p.end.isoformat()} ends before it starts", field="pauses"
            )
        if p.end is None and i != len(ordered) - 1:
            raise DeadlineError(
                f"pause starting {p.start.isoformat()} has no end but is not the last pause", field="pauses"
            )
        if i + 1 < len(ordered) and p.end is not None and ordered[i + 1].start < p.end:
            raise DeadlineError(
                f"pauses {p.start.isoformat()}:{p.end.isoformat()} and starting "
                f"{ordered[i + 1].start.isoformat()} overlap",
                field="pauses",
            )
    return ordered


def _due_with_pauses(
    start: dt.date,
    pauses: Sequence[Pause],
    *,
    extended: bool,
    method: str,
) -> tuple[dt.date | None, int, list[str]]:
    """(due or None while paused, paused days counted, steps)."""
    if method not in PAUSE_METHODS:
        raise DeadlineError(f"unknown pause method {method!r}: use suspend or restart", field="pause_method")
    ordered = _check_pauses(start, pauses)
    months = EXTENDED_MONTHS if extended else 1
    steps: list[str] = []
    raw = add_calendar_months(start, months)
    steps.append(_months_step(start, months, raw))
    if extended:
        steps.insert(0, "extended by two further months: three months from the original start date")
    paused_days = 0
    for p in ordered:
        # A clarification asked for after the month had already run out cannot revive it.
        current_due = next_working_day(raw)
        if p.start > current_due:
            steps.append(
                f"pause from {p.start.isoformat()} ignored: it began after the deadline {current_due.isoformat()}"
            )
            continue
        if p.end is None:
            steps.append(
                f"paused on {p.start.isoformat()} awaiting clarification: no due date until the clock runs again"
            )
            return None, paused_days, steps
        days = (p.end - p.start).days
        paused_days += days
        if method == "suspend":
            raw = raw + dt.timedelta(days=days)
            steps.append(
                f"paused {p.start.isoformat()} to {p.end.isoformat()}: the clock did not run for {days} "
                f"day{'s' if days != 1 else ''} ({p.start.isoformat()} up to the day before "
                f"{p.end.isoformat()}), so the month ends {days} day{'s' if days != 1 else ''} later "
                f"on {raw.isoformat()}"
            )
        else:
            raw = add_calendar_months(p.end, months)
            steps.append(
                f"paused {p.start.isoformat()} to {p.end.isoformat()}: the clock restarts on "
                f"{p.end.isoformat()}; " + _months_step(p.end, months, raw)
            )
    due = _roll(raw, steps)
    return due, paused_days, steps


def due_with_pauses(
    start: dt.date,
    pauses: Iterable[Pause],
    *,
    extended: bool = False,
    method: str = "suspend",
) -> dt.date | None:
    """The one-month (or extended) due date honouring clarification pauses; None while paused.

    rules.md §1.2: UK GDPR Art 12A (DUAA 2025) pauses the clock while the controller waits for
    clarification; whether that suspends it (elapsed days kept) or restarts it is UNCONFIRMED, so:

    - "suspend": the calendar due date from `start` (before rolling) moves later by the days paused
      (a pause X..Y counts Y - X days), then rolls to a working day. Adding to the unrolled date stops
      a weekend roll being counted twice.
    - "restart": a fresh month runs from the day the last pause ended (three months when extended).

    A pause that began after the deadline had passed is ignored. An open pause (no end) gives None.
    """
    due, _days, _steps = _due_with_pauses(start, list(pauses), extended=extended, method=method)
    return due


# --- school days -----------------------------------------------------------------------------------

_ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{4})$")


def academic_year_of(d: dt.date) -> str:
    """English school year label for a date, e.g. 2026-10-01 -> "2026/2027" (years run from September)."""
    first = d.year if d.month >= 9 else d.year - 1
    return f"{first}/{first + 1}"


def _school_days_due(school: School, start: dt.date, days: int) -> tuple[dt.date, list[str]]:
    if not school.is_maintained:
        raise DeadlineError(
            f"{school.name} ({school.urn}) is not a maintained school: the Education (Pupil Information) "
            "(England) Regulations 2005 bind only maintained schools, so an academy or independent school "
            "answers a parent through a subject access request (one month) instead",
            field="school",
        )
    if days < 1:
        raise DeadlineError("days must be at least 1", field="days")
    horizon = start + _SCHOOL_DAYS_HORIZON
    # One query for terms and one for closures, instead of School.is_school_day per calendar day.
    terms = list(school.terms.filter(end__gt=start, start__lte=horizon).order_by("start"))
    # values_list: plain tuples (no model instances, no ordering join onto the school).
    closures = dict(
        school.closures.filter(date__gt=start, date__lte=horizon).order_by().values_list("date", "reason")
    )
    known_years = set()
    for t in terms:
        m = _ACADEMIC_YEAR.match(t.academic_year.strip())
        known_years.add(t.academic_year.strip() if m else academic_year_of(t.start))

    steps = [
        f"{days} school days from receipt on {_fmt(start)}: the day of receipt is not counted, "
        "the first school day after it is day 1"
    ]
    counted = 0
    skipped_closures: list[str] = []
    term_index = 0
    d = start
    while counted < days:
        d += dt.timedelta(days=1)
        year = academic_year_of(d)
        # Past the last recorded term, or into a school year with none recorded, the count cannot
        # know which days are school days. August is never term time in England, so a school that
        # has entered only the coming year can still answer a request received in the summer.
        if (not terms or d > terms[-1].end) or (d.month != 8 and year not in known_years):
            raise DeadlineError(
                f"{school.name} ({school.urn}) has no term dates for {year} on {d.isoformat()}: add term "
                f"dates for {year} (counting {days} school days from {start.isoformat()})",
                field="school",
            )
        while term_index < len(terms) and terms[term_index].end < d:
            term_index += 1
        in_term = term_index < len(terms) and terms[term_index].start <= d <= terms[term_index].end
        if not in_term or d.weekday() >= 5:
            continue
        if d in closures:
            skipped_closures.append(f"{d.isoformat()} ({closures[d] or 'closure'})")
            continue
        counted += 1
        if counted == 1:
            steps.append(f"day 1 is {_fmt(d)}")
    if skipped_closures:
        steps.append("closure days not counted: " + ", ".join(skipped_closures))
    steps.append(
        f"school day {days} is {_fmt(d)} (weekends, holidays between terms and closure days are not school days)"
    )
    return d, steps


def school_days_due(school: School, start: dt.date, days: int = EDUCATIONAL_RECORD_SCHOOL_DAYS) -> dt.date:
    """The educational-record deadline: `days` school days after receipt of the written request.

    Education (Pupil Information) (England) Regulations 2005 reg 5(2)-(3) (rules.md §2): "within 15
    school days of the receipt" of a parent's written request. Decided here: the day of receipt is
    not counted (a request arriving after school closes would otherwise lose a day); the first school
    day after it is day 1, and the 15th school day is the due date. School days are weekdays inside
    one of the school's terms that are not closure days (INSET, polling day): whether INSET days count
    is UNCONFIRMED (rules.md §2), and excluding them gives the later, parent-unfriendly date only when
    a school records them as closures, so the record says which closure days were skipped.

    Only maintained schools are bound (academies are not: DeadlineError). DeadlineError too when the
    school has no term dates for a school year the count reaches.
    """
    due, _steps = _school_days_due(school, start, days)
    return due


# --- exam marks ------------------------------------------------------------------------------------


def exam_marks_due(request_date: dt.date, results_announced: dt.date | None) -> dt.date:
    """Exam marks (rules.md §1.6; ICO exam-script exemption page; DPA 2018 Sch 2 para 25).

    Para 25(2)-(3) modifies the Art 12(3) time limit for Art 15 access to exam marks when the question
    arises "before the day on which the exam results are announced": the earlier of 5 calendar months
    from the request (corresponding date, last day of the month when none) or 40 days from the
    announcement (unknown announcement: 5 months). A request received on or after results day gets
    the normal one-month rule, so a request on results day itself is "after" (that is the statute's
    "before the day" wording, and the one-month date is the earlier answer anyway).

    Decided here: the 5-month and 40-day dates are not rolled to a working day (they are statutory
    periods, not the ICO's reading of one month, and not rolling gives the earlier date). UNCONFIRMED:
    if the statute says "beginning with" the request/announcement day, a strict reading ends each
    period one day earlier than computed here; the sub-paragraph text was not fully retrieved.
    """
    if results_announced is not None and request_date >= results_announced:
        return one_month_due(request_date)
    five_months = add_calendar_months(request_date, EXAM_MARKS_MONTHS)
    if results_announced is None:
        return five_months
    return min(five_months, results_announced + dt.timedelta(days=EXAM_MARKS_DAYS_AFTER_ANNOUNCEMENT))


# --- entry point -----------------------------------------------------------------------------------


def _sentence(steps: Sequence[str]) -> str:
    return "; ".join(steps)


def due_date(
    kind: str,
    start: dt.date,
    *,
    school: School | None = None,
    extended: bool = False,
    pauses: Iterable[Pause] = (),
    pause_method: str = "suspend",
    results_announced: dt.date | None = None,
) -> Deadline:
    """The due date for a request of `kind` whose clock started on `start`, with its explanation.

    `start` is the day the clock starts: the latest of receipt of the request, of ID, or of a
    permitted fee (rules.md §1.2); working that out is the caller's job. Kinds: the one-month rights
    (access, rectification, erasure, restriction, objection, portability), educational-record (needs
    `school`) and exam-marks (`results_announced`, if known). Pauses apply to one-month periods only:
    the 2005 Regulations and the exam-marks rule have no clarification pause, so giving one is refused.
    """
    if kind not in KINDS:
        raise DeadlineError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}", field="kind")
    pauses = list(pauses)

    if kind == "educational-record":
        if school is None:
            raise DeadlineError(
                "educational-record needs the school (its term dates count the school days)", field="school"
            )
        if extended:
            raise DeadlineError(
                "the 15 school days for the educational record cannot be extended", field="extended"
            )
        if pauses:
            raise DeadlineError("the educational-record period has no clarification pause", field="pauses")
        due, steps = _school_days_due(school, start, EDUCATIONAL_RECORD_SCHOOL_DAYS)
        return Deadline(kind=kind, start=start, due=due, rule=_sentence(steps), steps=tuple(steps))

    if kind == "exam-marks" and (results_announced is None or start < results_announced):
        if extended:
            raise DeadlineError(
                "the exam-marks period before results are announced cannot be extended", field="extended"
            )
        if pauses:
            raise DeadlineError(
                "the exam-marks period before results are announced has no clarification pause",
                field="pauses",
            )
        five = add_calendar_months(start, EXAM_MARKS_MONTHS)
        steps = [
            "requested before results were announced: the earlier of 5 months from the request "
            "or 40 days from the announcement",
            _months_step(start, EXAM_MARKS_MONTHS, five),
        ]
        if results_announced is None:
            steps.append("results day not given, so 5 months applies")
            due = five
        else:
            forty = results_announced + dt.timedelta(days=EXAM_MARKS_DAYS_AFTER_ANNOUNCEMENT)
            steps.append(
                f"40 days from the announcement on {results_announced.isoformat()} is {forty.isoformat()}"
            )
            due = min(five, forty)
            steps.append(f"the earlier is {_fmt(due)}")
        return Deadline(kind=kind, start=start, due=due, rule=_sentence(steps), steps=tuple(steps))

    due_or_none, paused_days, steps = _due_with_pauses(start, pauses, extended=extended, method=pause_method)
    if kind == "exam-marks":
        assert results_announced is not None  # narrowed by the branch above
        steps.insert(
            0, f"requested on or after results day {results_announced.isoformat()}: the one-month rule"
        )
    return Deadline(
        kind=kind,
        start=start,
        due=due_or_none,
        rule=_sentence(steps),
        steps=tuple(steps),
        extended=extended,
        paused_days=paused_days,
        method=pause_method if pauses else None,
    )
