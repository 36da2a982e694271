"""Youth-support sharing (rules §6; Education and Skills Act 2008 s.14): a parent decides until the day before
the 16th birthday, the pupil from the birthday; the recorded state carries over; choices are append-only.

Birthday rule (`people.models.age_on`): a 29 February birthday counts on 1 March in years that are not leap
years. The 16th birthday of a pupil born on 29 February always falls in a leap year (16 is a multiple of
4; 2100 aside), so such a pupil turns 16 on 29 February itself: a parent decides on the 28th.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import make_pupil
from tests.rights.conftest import link, log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Pupil, age_on
from steward.rights import outcomes, services
from steward.rights.models import EventKind, RightsRequest, Status, YouthSupportChoice

D = dt.date
BIRTHDAY = D(2026, 11, 25)  # the 16th birthday of the pupil below
EVE = D(2026, 11, 24)  # the day before (today)


@pytest.fixture
def office(users: dict[str, User]) -> User:
    return users["office_manager"]


@pytest.fixture
def office_b(trust: Trust, school_b: School) -> User:
    from tests.conftest import make_user

    return make_user("office_b", "office_manager", trust, school_b)


@pytest.fixture
def year11(trust: Trust, school_b: School) -> Pupil:
    """Born 25 November 2010: 15 today (24 November 2026), 16 tomorrow."""
    return make_pupil(trust, school_b, 31, legal_forename="Riley", date_of_birth=D(2010, 11, 25), ncy="11")


@pytest.fixture
def leapling(trust: Trust, school_b: School) -> Pupil:
    """Born 29 February 2012: 16 on 29 February 2028."""
    return make_pupil(trust, school_b, 32, legal_forename="Leap", date_of_birth=D(2012, 2, 29), ncy="9")


def choose(actor: User, pupil: Pupil, **kw: Any) -> YouthSupportChoice:
    with acting_as(actor, channel="web"):
        return outcomes.record_youth_support_choice(actor=actor, pupil=pupil, **kw)


def test_state_defaults_to_not_asked_and_a_parent_decides_before_16(year11: Pupil) -> None:
    s = outcomes.youth_support_state(year11, EVE)
    assert (s.state, s.decided_by, s.choice, s.age, s.controller) == ("unsought", "", None, 15, "parent")
    assert not s.limited


def test_parent_decides_on_the_day_before_the_16th_birthday_and_not_on_it(
    office_b: User, year11: Pupil, system: Any
) -> None:
    parent = link(year11, "Morgan")
    choice = choose(office_b, year11, state="limited", decided_by="parent", contact=parent, on=EVE)
    assert choice.contact == parent
    with pytest.raises(ValidationError) as err:
        choose(office_b, year11, state="full", decided_by="parent", contact=parent, on=BIRTHDAY)
    assert "decided_by" in err.value.message_dict
    assert "s.14" in str(err.value) and "only the pupil decides" in str(err.value)
    assert YouthSupportChoice.objects.count() == 1


def test_pupil_decides_from_the_16th_birthday_and_not_before(office_b: User, year11: Pupil) -> None:
    with pytest.raises(ValidationError) as err:
        choose(office_b, year11, state="limited", decided_by="pupil", on=EVE)
    assert "decided_by" in err.value.message_dict
    assert "Education and Skills Act 2008 s.14" in str(err.value) and "parent decides" in str(err.value)
    choose(office_b, year11, state="limited", decided_by="pupil", on=BIRTHDAY)
    s = outcomes.youth_support_state(year11, BIRTHDAY)
    assert (s.state, s.decided_by, s.controller) == ("limited", "pupil", "pupil")


def test_the_state_carries_over_the_birthday_and_control_passes_to_the_pupil(
    office_b: User, year11: Pupil, system: Any
) -> None:
    parent = link(year11, "Morgan")
    choose(office_b, year11, state="limited", decided_by="parent", contact=parent, on=D(2026, 9, 1))
    before, after = outcomes.youth_support_state(year11, EVE), outcomes.youth_support_state(year11, BIRTHDAY)
    assert before.state == after.state == "limited"
    assert before.controller == "parent" and after.controller == "pupil"
    assert after.decided_by == "parent" and after.contact == parent
    # The pupil may now change it; the parent's entry stays in the ledger.
    choose(office_b, year11, state="full", decided_by="pupil", on=D(2026, 12, 1))
    assert outcomes.youth_support_state(year11, D(2026, 12, 1)).state == "full"
    assert outcomes.youth_support_state(year11, D(2026, 11, 30)).state == "limited"
    assert YouthSupportChoice.objects.filter(pupil=year11).count() == 2


def test_29_february_birthday(office_b: User, leapling: Pupil, system: Any) -> None:
    assert age_on(leapling.date_of_birth, D(2028, 2, 28)) == 15
    assert age_on(leapling.date_of_birth, D(2028, 2, 29)) == 16
    assert age_on(leapling.date_of_birth, D(2027, 2, 28)) == 14  # not a leap year: birthday on 1 March
    assert age_on(leapling.date_of_birth, D(2027, 3, 1)) == 15
    parent = link(leapling, "Casey")
    choose(office_b, leapling, state="limited", decided_by="parent", contact=parent, on=D(2028, 2, 28))
    with pytest.raises(ValidationError):
        choose(office_b, leapling, state="full", decided_by="parent", contact=parent, on=D(2028, 2, 29))
    with pytest.raises(ValidationError):
        choose(office_b, leapling, state="full", decided_by="pupil", on=D(2028, 2, 28))
    choose(office_b, leapling, state="full", decided_by="pupil", on=D(2028, 2, 29))
    assert outcomes.controller_on(leapling, D(2028, 2, 29)) == "pupil"


def test_parent_needs_parental_responsibility_no_court_order_and_a_link(
    office_b: User, year11: Pupil, teen: Pupil, system: Any
) -> None:
    no_pr = link(year11, "Sky", pr=False)
    ordered = link(year11, "Jamie", court_order=True)
    stranger = link(teen, "Alex")
    for contact in (no_pr, ordered, stranger, None):
        with pytest.raises(ValidationError) as err:
            choose(office_b, year11, state="limited", decided_by="parent", contact=contact, on=EVE)
        assert "contact" in err.value.message_dict
    assert not YouthSupportChoice.objects.exists()


def test_the_school_records_only_that_it_asked(office_b: User, year11: Pupil) -> None:
    choose(office_b, year11, state="no_response", decided_by="school", on=D(2026, 9, 10))
    assert outcomes.youth_support_state(year11, EVE).state == "no_response"
    with pytest.raises(ValidationError) as err:
        choose(office_b, year11, state="limited", decided_by="school", on=EVE)
    assert "state" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        choose(office_b, year11, state="sometimes", decided_by="pupil", on=BIRTHDAY)
    assert "state" in err.value.message_dict


def test_choices_are_append_only(office_b: User, year11: Pupil) -> None:
    c = choose(office_b, year11, state="no_response", decided_by="school", on=EVE)
    c.state = "full"
    with acting_as(office_b, channel="web"), pytest.raises(ValidationError):
        c.save()


def test_recording_is_scoped(users: dict[str, User], office: User, year11: Pupil) -> None:
    from django.http import Http404

    with pytest.raises(Http404):  # year11 is at school B; the office manager works at school A
        choose(office, year11, state="no_response", decided_by="school", on=EVE)


def in_progress(actor: User, school: School, pupil: Pupil, **kw: Any) -> RightsRequest:
    req = log(
        actor,
        school,
        pupil,
        kind="youth_support_opt_down",
        description="Please pass on only name, address and date of birth.",
        received_on=D(2026, 11, 2),
        **kw,
    )
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=D(2026, 11, 2))


def test_opt_down_from_a_parent_applies_as_limited_before_16(
    office_b: User, school_b: School, year11: Pupil, system: Any
) -> None:
    parent = link(year11, "Morgan")
    req = in_progress(office_b, school_b, year11, requester_kind="parent", requester_contact=parent)
    with acting_as(office_b, channel="web"):
        choice = outcomes.apply_opt_down(actor=office_b, request=req, on=EVE)
    assert (choice.state, choice.decided_by, choice.contact, choice.request) == (
        "limited",
        "parent",
        parent,
        req,
    )
    assert outcomes.youth_support_state(year11, EVE).limited
    assert req.events.filter(kind=EventKind.OUTCOME_APPLIED).count() == 1


def test_opt_down_from_a_parent_applied_on_the_16th_birthday_is_refused(
    office_b: User, school_b: School, year11: Pupil, system: Any
) -> None:
    parent = link(year11, "Morgan")
    req = in_progress(office_b, school_b, year11, requester_kind="parent", requester_contact=parent)
    with acting_as(office_b, channel="web"), pytest.raises(ValidationError) as err:
        outcomes.apply_opt_down(actor=office_b, request=req, on=BIRTHDAY)
    assert "decided_by" in err.value.message_dict
    assert not YouthSupportChoice.objects.exists()
    assert not req.events.filter(kind=EventKind.OUTCOME_APPLIED).exists()


def test_opt_down_from_the_pupil_at_16(office_b: User, school_b: School, year11: Pupil) -> None:
    req = in_progress(office_b, school_b, year11, requester_kind="pupil")
    with acting_as(office_b, channel="web"):
        with pytest.raises(ValidationError):
            outcomes.apply_opt_down(actor=office_b, request=req, on=EVE)
        choice = outcomes.apply_opt_down(actor=office_b, request=req, on=BIRTHDAY)
    assert (choice.decided_by, choice.contact) == ("pupil", None)


def test_opt_down_needs_an_opt_down_request(office_b: User, school_b: School, year11: Pupil) -> None:
    req = log(office_b, school_b, year11, kind="access")
    with acting_as(office_b, channel="web"):
        req = services.transition(actor=office_b, request=req, to=Status.IN_PROGRESS, on=D(2026, 3, 5))
        with pytest.raises(ValidationError) as err:
            outcomes.apply_opt_down(actor=office_b, request=req, on=BIRTHDAY)
    assert "kind" in err.value.message_dict
