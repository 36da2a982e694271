"""Legal deadlines (rules.md §1.1-1.3, §1.6, §2): every worked example, the edge cases, and properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.organisations.models import Closure, School, Term, Trust
from steward.rights.deadlines import (
    ONE_MONTH_KINDS,
    Deadline,
    DeadlineError,
    Pause,
    add_calendar_months,
    bank_holiday_name,
    due_date,
    due_with_pauses,
    exam_marks_due,
    is_working_day,
    next_working_day,
    one_month_due,
    school_days_due,
)

D = dt.date


# --- calendar months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 9, 3), 1, D(2026, 10, 3)),  # ICO: received 3 September, due 3 October
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # ICO: 31 January -> 28 February
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # ... 29 February in a leap year
        (D(2026, 1, 30), 1, D(2026, 2, 28)),  # no 30 February either: last day, not 1 or 2 March
        (D(2028, 1, 29), 1, D(2028, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),  # across the year end
        (D(2026, 2, 28), 1, D(2026, 3, 28)),  # not "last day to last day"
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
    ],
)
def test_add_calendar_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_calendar_months(start, months) == expected


def test_negative_months_refused() -> None:
    with pytest.raises(DeadlineError):
        add_calendar_months(D(2026, 1, 1), -1)


# --- working days ----------------------------------------------------------------------------------


def test_england_and_wales_bank_holidays() -> None:
    assert bank_holiday_name(D(2026, 4, 6)) == "Easter Monday"
    assert bank_holiday_name(D(2026, 4, 3)) == "Good Friday"
    assert bank_holiday_name(D(2026, 3, 17)) is None  # St Patrick's Day: Northern Ireland only
    assert bank_holiday_name(D(2026, 11, 30)) is None  # St Andrew's Day: Scotland only
    assert bank_holiday_name(D(2026, 8, 3)) is None  # Scotland's summer holiday, not England's
    assert bank_holiday_name(D(2026, 8, 31)) == "Late Summer Bank Holiday"
    assert bank_holiday_name(D(2026, 12, 28)) == "Boxing Day (observed)"  # substitute day


def test_next_working_day() -> None:
    assert next_working_day(D(2026, 3, 4)) == D(2026, 3, 4)  # a Wednesday stays
    assert next_working_day(D(2026, 3, 7)) == D(2026, 3, 9)  # Saturday -> Monday
    assert next_working_day(D(2026, 3, 8)) == D(2026, 3, 9)  # Sunday -> Monday
    assert next_working_day(D(2026, 4, 3)) == D(2026, 4, 7)  # Good Friday .. Easter Monday -> Tuesday
    assert next_working_day(D(2027, 12, 25)) == D(2027, 12, 29)  # 2027: both Christmas days substituted
    assert next_working_day(D(2027, 12, 31)) == D(2027, 12, 31)
    assert next_working_day(D(2028, 1, 1)) == D(2028, 1, 4)  # Sat, Sun, New Year substitute Monday


# --- one month -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 9, 3), D(2026, 10, 5)),  # 3 Oct 2026 is a Saturday -> Monday 5 Oct
        (D(2025, 9, 3), D(2025, 10, 3)),  # ICO example on a weekday: 3 Oct 2025 is a Friday
        (D(2026, 1, 31), D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Monday 2 March
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year: Tuesday 29 Feb
        (D(2026, 4, 25), D(2026, 5, 26)),  # received on a Saturday; 25 May = Spring bank holiday
        (D(2026, 11, 25), D(2026, 12, 29)),  # Christmas Fri, Boxing Day Sat, substitute Mon 28 -> Tue 29
        (D(2026, 3, 6), D(2026, 4, 7)),  # 6 April = Easter Monday
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 8, 31), D(2026, 9, 30)),
        (D(2026, 7, 31), D(2026, 8, 31) + dt.timedelta(days=1)),  # 31 Aug 2026 = late summer bank holiday
        (D(2026, 10, 4), D(2026, 11, 4)),  # a request received on a Sunday still counts that day
    ],
)
def test_one_month(start: dt.date, expected: dt.date) -> None:
    assert one_month_due(start) == expected


def test_rule_explains_the_arithmetic() -> None:
    d = due_date("access", D(2026, 1, 31))
    assert d.due == D(2026, 3, 2)
    assert "2026-02-28" in d.rule and "no 31 February" in d.rule
    assert "Saturday" in d.rule and "2026-03-02" in d.rule
    christmas = due_date("access", D(2026, 11, 25))
    assert "Christmas Day" in christmas.rule and "Boxing Day (observed)" in christmas.rule


@pytest.mark.parametrize("kind", ONE_MONTH_KINDS)
def test_every_one_month_kind(kind: str) -> None:
    d = due_date(kind, D(2026, 9, 3))
    assert isinstance(d, Deadline)
    assert (d.kind, d.due, d.extended, d.paused_days) == (kind, D(2026, 10, 5), False, 0)


def test_unknown_kind_refused() -> None:
    with pytest.raises(DeadlineError, match="unknown kind"):
        due_date("withdraw-everything", D(2026, 1, 1))


# --- extension -------------------------------------------------------------------------------------


def test_extension_is_three_months_from_the_original_start() -> None:
    # 31 Jan + 3 months = 30 April (not 28 Feb + 2 months = 28 April).
    assert one_month_due(D(2026, 1, 31), extended=True) == D(2026, 4, 30)
    assert one_month_due(D(2025, 11, 30), extended=True) == D(2026, 3, 2)  # 28 Feb 2026 is a Saturday
    assert one_month_due(D(2027, 11, 30), extended=True) == D(2028, 2, 29)  # leap year
    assert one_month_due(D(2026, 9, 25), extended=True) == D(2026, 12, 29)  # Christmas again
    d = due_date("access", D(2026, 1, 31), extended=True)
    assert d.extended and d.due == D(2026, 4, 30) and "three months from the original start" in d.rule


# --- pauses ----------------------------------------------------------------------------------------


def test_pause_suspend_adds_the_days_the_clock_stopped() -> None:
    # Clock starts 5 Jan (due 5 Feb). Paused on 10 Jan, clarification on 17 Jan: 7 days did not run.
    pauses = [Pause(D(2026, 1, 10), D(2026, 1, 17))]
    assert due_with_pauses(D(2026, 1, 5), pauses) == D(2026, 2, 12)
    d = due_date("access", D(2026, 1, 5), pauses=pauses)
    assert (d.due, d.paused_days, d.method) == (D(2026, 2, 12), 7, "suspend")


def test_pause_restart_runs_a_new_month_from_the_resume_date() -> None:
    pauses = [Pause(D(2026, 1, 10), D(2026, 1, 17))]
    assert due_with_pauses(D(2026, 1, 5), pauses, method="restart") == D(2026, 2, 17)
    d = due_date("access", D(2026, 1, 5), pauses=pauses, pause_method="restart")
    assert (d.due, d.method) == (D(2026, 2, 17), "restart")


def test_pause_added_to_the_calendar_date_then_rolled() -> None:
    # 31 Jan -> 28 Feb (Sat). A 2-day pause moves it to 2 March (Mon), not to Monday 2 Mar + 2 days.
    assert due_with_pauses(D(2026, 1, 31), [Pause(D(2026, 2, 2), D(2026, 2, 4))]) == D(2026, 3, 2)
    # A 1-day pause: 1 March is a Sunday -> Monday 2 March.
    assert due_with_pauses(D(2026, 1, 31), [Pause(D(2026, 2, 2), D(2026, 2, 3))]) == D(2026, 3, 2)


def test_same_day_pause_pauses_nothing() -> None:
    assert due_with_pauses(D(2025, 9, 3), [Pause(D(2025, 9, 4), D(2025, 9, 4))]) == D(2025, 10, 3)


def test_several_pauses_both_methods() -> None:
    pauses = [Pause(D(2026, 1, 20), D(2026, 1, 23)), Pause(D(2026, 1, 6), D(2026, 1, 8))]
    # Suspend: 5 Feb + 2 + 3 days = 10 Feb (Tuesday).
    assert due_with_pauses(D(2026, 1, 5), pauses) == D(2026, 2, 10)
    # Restart: a month from the last resume, 23 Jan -> 23 Feb (Monday).
    assert due_with_pauses(D(2026, 1, 5), pauses, method="restart") == D(2026, 2, 23)


def test_extended_with_pause() -> None:
    pauses = [Pause(D(2026, 1, 10), D(2026, 1, 17))]
    assert due_with_pauses(D(2026, 1, 5), pauses, extended=True) == D(2026, 4, 13)  # 5 Apr + 7 = 12 Apr Sun
    assert due_with_pauses(D(2026, 1, 5), pauses, extended=True, method="restart") == D(2026, 4, 17)


def test_open_pause_means_no_due_date() -> None:
    d = due_date("access", D(2026, 1, 5), pauses=[Pause(D(2026, 1, 10))])
    assert d.due is None and d.paused and "awaiting clarification" in d.rule
    assert d.as_dict()["status"] == "paused" and d.as_dict()["due"] is None
    assert due_with_pauses(D(2026, 1, 5), [Pause(D(2026, 1, 10))], method="restart") is None


def test_pause_after_the_deadline_is_ignored() -> None:
    d = due_date("access", D(2026, 1, 5), pauses=[Pause(D(2026, 3, 1), D(2026, 3, 10))])
    assert d.due == D(2026, 2, 5) and "ignored" in d.rule


@pytest.mark.parametrize(
    ("pauses", "message"),
    [
        ([Pause(D(2026, 1, 1), D(2026, 1, 7))], "before the clock started"),
        ([Pause(D(2026, 1, 10), D(2026, 1, 8))], "ends before it starts"),
        ([Pause(D(2026, 1, 10)), Pause(D(2026, 1, 20), D(2026, 1, 21))], "no end but is not the last"),
        ([Pause(D(2026, 1, 10), D(2026, 1, 20)), Pause(D(2026, 1, 15), D(2026, 1, 21))], "overlap"),
    ],
)
def test_impossible_pauses_refused(pauses: list[Pause], message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        due_with_pauses(D(2026, 1, 5), pauses)


def test_unknown_pause_method_refused() -> None:
    with pytest.raises(DeadlineError, match="pause method"):
        due_with_pauses(D(2026, 1, 5), [], method="reset")


# --- exam marks ------------------------------------------------------------------------------------


def test_exam_marks_before_results_day_earlier_of_5_months_or_40_days() -> None:
    # Requested 1 June, results 20 August: 40 days -> 29 September, before 1 November (5 months).
    assert exam_marks_due(D(2026, 6, 1), D(2026, 8, 20)) == D(2026, 9, 29)
    # Requested 1 March, results 20 August: 5 months -> 1 August, before 29 September.
    assert exam_marks_due(D(2026, 3, 1), D(2026, 8, 20)) == D(2026, 8, 1)
    # 5 months from 31 March is 31 August; no results day known -> 5 months.
    assert exam_marks_due(D(2026, 3, 31), None) == D(2026, 8, 31)
    assert exam_marks_due(D(2026, 9, 30), None) == D(2027, 2, 28)


def test_exam_marks_after_results_day_is_one_month() -> None:
    assert exam_marks_due(D(2026, 8, 21), D(2026, 8, 20)) == D(2026, 9, 21)
    assert exam_marks_due(D(2026, 8, 20), D(2026, 8, 20)) == D(2026, 9, 21)  # results day itself: after
    d = due_date("exam-marks", D(2026, 8, 21), results_announced=D(2026, 8, 20), extended=True)
    assert d.due == D(2026, 11, 23) and "one-month rule" in d.rule  # 21 Nov is a Saturday


def test_exam_marks_via_due_date() -> None:
    d = due_date("exam-marks", D(2026, 6, 1), results_announced=D(2026, 8, 20))
    assert d.due == D(2026, 9, 29) and "40 days" in d.rule
    with pytest.raises(DeadlineError, match="cannot be extended"):
        due_date("exam-marks", D(2026, 6, 1), results_announced=D(2026, 8, 20), extended=True)
    with pytest.raises(DeadlineError, match="no clarification pause"):
        due_date("exam-marks", D(2026, 6, 1), pauses=[Pause(D(2026, 6, 2), D(2026, 6, 3))])


# --- properties ------------------------------------------------------------------------------------

starts = st.dates(min_value=D(2020, 1, 1), max_value=D(2040, 12, 31))


@given(starts)
def test_property_due_is_a_working_day_at_least_28_days_later(start: dt.date) -> None:
    due = one_month_due(start)
    assert is_working_day(due)
    assert due >= start + dt.timedelta(days=28)
    # The corresponding date (or the month's last day) is never skipped past by more than a long
    # weekend plus Christmas: 4 days at most (Sat 25 Dec .. Tue 28 Dec substitute days).
    assert (due - add_calendar_months(start, 1)).days <= 4


@given(starts)
def test_property_extended_is_never_earlier(start: dt.date) -> None:
    extended = one_month_due(start, extended=True)
    assert extended >= one_month_due(start)
    assert is_working_day(extended)


@given(starts, st.integers(min_value=1, max_value=400))
def test_property_later_start_never_earlier_due(start: dt.date, later_by: int) -> None:
    assert one_month_due(start + dt.timedelta(days=later_by)) >= one_month_due(start)
    later_month = add_calendar_months(start, 1)
    assert one_month_due(later_month) >= one_month_due(start)


@given(starts, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=30))
def test_property_suspend_never_earlier_than_unpaused(start: dt.date, offset: int, length: int) -> None:
    pause = Pause(start + dt.timedelta(days=offset), start + dt.timedelta(days=offset + length))
    for method in ("suspend", "restart"):
        due = due_with_pauses(start, [pause], method=method)
        assert due is not None and due >= one_month_due(start) and is_working_day(due)


# --- school days (educational record) --------------------------------------------------------------


@pytest.fixture
def maintained(trust: Trust) -> School:
    """A maintained primary with 2026/2027 autumn and spring 1 terms and an INSET day after half term."""
    school = School.objects.create(
        trust=trust,
        urn="100003",
        la_code="201",
        estab="2001",
        name="Oakfield Community Primary",
        phase="primary",
        school_type="maintained",
    )
    for name, start, end in [
        ("Autumn 1", D(2026, 9, 2), D(2026, 10, 23)),
        ("Autumn 2", D(2026, 11, 2), D(2026, 12, 18)),
        ("Spring 1", D(2027, 1, 5), D(2027, 2, 12)),
    ]:
        Term.objects.create(school=school, academic_year="2026/2027", name=name, start=start, end=end)
    Closure.objects.create(school=school, date=D(2026, 11, 2), reason="INSET")
    return school


def test_school_days_over_half_term_and_inset(maintained: School, django_assert_num_queries: Any) -> None:
    # Received Friday 16 Oct: days 1-5 are 19-23 Oct; half term 26-30 Oct; Monday 2 Nov is INSET;
    # days 6-15 are 3-6 Nov and 9-13 Nov and 16 Nov. Fifteen calendar days would give 31 October.
    with django_assert_num_queries(2):  # terms and closures once, not a query per day
        assert school_days_due(maintained, D(2026, 10, 16)) == D(2026, 11, 16)
    d = due_date("educational-record", D(2026, 10, 16), school=maintained)
    assert d.due == D(2026, 11, 16)
    assert "2026-11-02 (INSET)" in d.rule and "day 1 is 2026-10-19" in d.rule


def test_school_days_without_the_inset_day(maintained: School, system: Any) -> None:
    Closure.objects.filter(school=maintained).delete()
    assert school_days_due(maintained, D(2026, 10, 16)) == D(2026, 11, 13)


def test_school_days_over_christmas(maintained: School) -> None:
    # Received Thursday 10 Dec: 11, 14-18 Dec (6 days), then 5-8 Jan (4), 11-15 Jan (5) -> 15 Jan.
    assert school_days_due(maintained, D(2026, 12, 10)) == D(2027, 1, 15)


def test_request_received_in_the_holidays(maintained: School) -> None:
    # Received Saturday 24 Oct in half term: first school day is Tuesday 3 Nov (2 Nov is INSET).
    assert school_days_due(maintained, D(2026, 10, 24)) == D(2026, 11, 23)
    # Received in August before the 2026/2027 year starts (2025/2026 not entered): still answerable.
    assert school_days_due(maintained, D(2026, 8, 20)) == D(2026, 9, 22)


def test_school_days_need_term_dates(maintained: School) -> None:
    with pytest.raises(DeadlineError, match="add term dates for 2026/2027"):
        school_days_due(maintained, D(2027, 2, 1))  # spring 2 onwards not entered
    with pytest.raises(DeadlineError, match="add term dates for 2025/2026"):
        school_days_due(maintained, D(2026, 6, 1))


def test_academy_refused(school_a: School) -> None:
    with pytest.raises(DeadlineError, match="not a maintained school") as exc:
        due_date("educational-record", D(2026, 10, 16), school=school_a)
    assert "academy" in str(exc.value) and "subject access request" in str(exc.value)


def test_educational_record_needs_school_and_has_no_extension(maintained: School) -> None:
    with pytest.raises(DeadlineError, match="needs the school"):
        due_date("educational-record", D(2026, 10, 16))
    with pytest.raises(DeadlineError, match="cannot be extended"):
        due_date("educational-record", D(2026, 10, 16), school=maintained, extended=True)
