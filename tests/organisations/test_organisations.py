"""Schools and term dates (school days drive the educational-record deadline later)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from steward.organisations.models import Closure, School, Term


def test_school_days_follow_terms_and_closures(school_a: School) -> None:
    Term.objects.create(
        school=school_a,
        academic_year="2026/2027",
        name="Autumn 2",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 12, 18),
    )
    Closure.objects.create(school=school_a, date=dt.date(2026, 11, 27), reason="INSET")
    assert school_a.is_school_day(dt.date(2026, 11, 24))  # a Tuesday in term
    assert not school_a.is_school_day(dt.date(2026, 11, 28))  # Saturday
    assert not school_a.is_school_day(dt.date(2026, 11, 27))  # INSET day
    assert not school_a.is_school_day(dt.date(2026, 10, 30))  # half term


def test_overlapping_terms_are_refused(school_a: School) -> None:
    Term.objects.create(
        school=school_a,
        academic_year="2026/2027",
        name="Autumn 1",
        start=dt.date(2026, 9, 3),
        end=dt.date(2026, 10, 23),
    )
    t = Term(
        school=school_a,
        academic_year="2026/2027",
        name="Oops",
        start=dt.date(2026, 10, 20),
        end=dt.date(2026, 10, 30),
    )
    with pytest.raises(ValidationError, match="overlaps"):
        t.full_clean()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("urn", "12345", "URN must be 6 digits"),
        ("la_code", "20", "LA code must be 3 digits"),
        ("estab", "30011", "Establishment number must be 4 digits"),
    ],
)
def test_school_identifiers_validate(trust: Any, field: str, value: str, message: str) -> None:
    s = School(
        trust=trust,
        urn="100009",
        la_code="201",
        estab="3009",
        name="X",
        phase="primary",
        school_type="maintained",
    )
    setattr(s, field, value)
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert message in " ".join(exc.value.message_dict[field])


def test_dpo_falls_back_to_the_trust(school_a: School) -> None:
    assert school_a.dpo_contact()["email"] == "dpo@oakfield.example.com"
    school_a.dpo_email = "dpo@primary.example.com"
    assert school_a.dpo_contact()["email"] == "dpo@primary.example.com"
