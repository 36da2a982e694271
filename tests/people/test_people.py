"""Pupil and contact rules: ages, validation messages naming the field, services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from steward.audit.context import acting_as
from steward.people.models import Pupil, PupilContact, age_on
from steward.people.services import pupil_create, pupil_update


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (dt.date(2013, 11, 24), dt.date(2026, 11, 24), 13),  # 13th birthday today
        (dt.date(2013, 11, 25), dt.date(2026, 11, 24), 12),  # 13 tomorrow
        (dt.date(2012, 2, 29), dt.date(2025, 2, 28), 12),  # leapling: not yet 13 on 28 Feb
        (dt.date(2012, 2, 29), dt.date(2025, 3, 1), 13),  # ...13 on 1 March in a non-leap year
        (dt.date(2010, 9, 1), dt.date(2026, 8, 31), 15),
    ],
)
def test_age_on(dob: dt.date, on: dt.date, age: int) -> None:
    assert age_on(dob, on) == age


def _fields(**over: Any) -> dict[str, Any]:
    base = {
        "upn": "X201300125001",
        "legal_forename": "Jo",
        "legal_surname": "Example",
        "date_of_birth": dt.date(2016, 5, 1),
        "sex": "M",
        "ncy": "5",
    }
    base.update(over)
    return base


def test_create_pupil_through_the_service(users: dict[str, Any], school_a: Any) -> None:
    with acting_as(users["office_manager"], channel="cli"):
        pupil = pupil_create(
            actor=users["office_manager"],
            school=school_a,
            enrolment={"admission_date": dt.date(2021, 9, 1)},
            **_fields(),
        )
    assert pupil.enrolments.get().school == school_a
    assert pupil.ethnicity == "NOBT" and pupil.first_language == "NOT"


@pytest.mark.parametrize(
    ("over", "field", "fragment"),
    [
        ({"upn": "A201300125001"}, "upn", "check letter is wrong: expected X"),
        ({"uln": "1000000044"}, "uln", "ULN check digit is wrong"),
        ({"sex": "Q"}, "sex", "not a valid choice"),
        ({"ethnicity": "WXYZ"}, "ethnicity", "not a valid choice"),
        ({"date_of_birth": dt.date(2099, 1, 1)}, "date_of_birth", "cannot be in the future"),
        ({"former_upn": "X201300125001"}, "former_upn", "cannot be the same"),
    ],
)
def test_bad_input_names_field_and_rule(
    users: dict[str, Any], school_a: Any, over: dict[str, Any], field: str, fragment: str
) -> None:
    before = Pupil.objects.count()
    with acting_as(users["office_manager"], channel="web"), pytest.raises(ValidationError) as exc:
        pupil_create(
            actor=users["office_manager"],
            school=school_a,
            enrolment={"admission_date": dt.date(2021, 9, 1)},
            **_fields(**over),
        )
    assert field in exc.value.message_dict
    assert fragment in " ".join(exc.value.message_dict[field])
    assert Pupil.objects.count() == before


def test_bad_enrolment_rolls_back_the_pupil(users: dict[str, Any], school_a: Any) -> None:
    before = Pupil.objects.count()
    with acting_as(users["office_manager"], channel="web"), pytest.raises(ValidationError) as exc:
        pupil_create(
            actor=users["office_manager"],
            school=school_a,
            enrolment={"admission_date": dt.date(2021, 9, 1), "leaving_date": dt.date(2020, 1, 1)},
            **_fields(),
        )
    assert "enrolment.leaving_date" in exc.value.message_dict
    assert Pupil.objects.count() == before


def test_teacher_may_not_create_or_change(users: dict[str, Any], school_a: Any, pupil_a: Any) -> None:
    with acting_as(users["teacher"], channel="web"):
        with pytest.raises(PermissionDenied):
            pupil_create(
                actor=users["teacher"],
                school=school_a,
                enrolment={"admission_date": dt.date(2021, 9, 1)},
                **_fields(),
            )
        with pytest.raises(PermissionDenied):
            pupil_update(actor=users["teacher"], pupil=pupil_a, legal_forename="X")


def test_court_order_details_need_the_flag(trust: Any, pupil_a: Any) -> None:
    from steward.people.models import Contact

    c = Contact.objects.create(trust=trust, forename="Lee", surname="Example")
    link = PupilContact(
        pupil=pupil_a, contact=c, relationship="PAF", court_order_note="No contact order 2024"
    )
    with pytest.raises(ValidationError, match="court order in place"):
        link.full_clean()


def test_display_name_prefers_preferred_names(pupil_a: Any) -> None:
    pupil_a.preferred_forename = "Lexi"
    assert pupil_a.display_name == "Lexi Testpupil1"


def test_pupil_and_enrolment_errors_come_back_together(users: dict[str, Any], school_a: Any) -> None:
    with acting_as(users["office_manager"], channel="web"), pytest.raises(ValidationError) as exc:
        pupil_create(
            actor=users["office_manager"],
            school=school_a,
            enrolment={"admission_date": dt.date(2021, 9, 1), "leaving_date": dt.date(2020, 1, 1)},
            **_fields(upn="A201300125001"),
        )
    assert set(exc.value.message_dict) == {"upn", "enrolment.leaving_date"}
