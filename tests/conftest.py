"""Shared fixtures: a fictional trust with two schools and a user for every staff role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil

# Real-format identifiers with correct check characters (see tests/core/test_validators.py).
UPNS = ["A201300000001", "B801200005001"]


def make_upn(la: str, estab: str, serial: int, year: str = "25") -> str:
    from steward.core.validators import upn_check_letter

    body = f"{la}{estab}{year}{serial:03d}"
    return upn_check_letter(body) + body


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system() -> Iterator[Any]:
    """Set-up code in tests writes as a named test process, as the demo does."""
    with acting_as(None, channel="system", system_label="test fixture") as ctx:
        yield ctx


@pytest.fixture
def trust(db: Any, system: Any) -> Trust:
    return Trust.objects.create(
        name="Oakfield Learning Trust", dpo_name="Dana Protector", dpo_email="dpo@oakfield.example.com"
    )


@pytest.fixture
def school_a(trust: Trust) -> School:
    return School.objects.create(
        trust=trust,
        urn="100001",
        la_code="201",
        estab="3001",
        name="Oakfield Primary",
        phase="primary",
        school_type="academy",
    )


@pytest.fixture
def school_b(trust: Trust) -> School:
    return School.objects.create(
        trust=trust,
        urn="100002",
        la_code="201",
        estab="4001",
        name="Oakfield Secondary",
        phase="secondary",
        school_type="academy",
    )


def make_user(username: str, role: str, trust: Trust, school: School | None) -> User:
    user = User.objects.create_user(
        username=username, password="correct horse battery staple", email=f"{username}@oakfield.example.com"
    )
    RoleAssignment.objects.create(user=user, role=role, trust=trust, school=school)
    return user


@pytest.fixture
def users(trust: Trust, school_a: School, school_b: School) -> dict[str, User]:
    """One user per staff role at school A (the DPO and auditor trust-wide)."""
    made = {
        "trust_dpo": make_user("dpo", "trust_dpo", trust, None),
        "auditor": make_user("auditor", "auditor", trust, None),
    }
    for role in ["school_dpl", "headteacher", "office_manager", "dsl", "senco", "teacher"]:
        made[role] = make_user(role, role, trust, school_a)
    made["teacher_b"] = make_user("teacher_b", "teacher", trust, school_b)
    return made


def make_pupil(trust: Trust, school: School, serial: int, **fields: Any) -> Pupil:
    defaults: dict[str, Any] = {
        "upn": make_upn(school.la_code, school.estab, serial),
        "legal_forename": "Alex",
        "legal_surname": f"Testpupil{serial}",
        "date_of_birth": dt.date(2015, 3, 14),
        "sex": "F",
        "ncy": "6",
        "ethnicity": "WBRI",
    }
    defaults.update(fields)
    pupil = Pupil.objects.create(trust=trust, **defaults)
    Enrolment.objects.create(pupil=pupil, school=school, admission_date=dt.date(2019, 9, 4))
    return pupil


@pytest.fixture
def pupil_a(trust: Trust, school_a: School) -> Pupil:
    return make_pupil(trust, school_a, 1)


@pytest.fixture
def pupil_b(trust: Trust, school_b: School) -> Pupil:
    return make_pupil(trust, school_b, 2, legal_forename="Sam", date_of_birth=dt.date(2011, 1, 31), ncy="10")


@pytest.fixture
def dpo(users: dict[str, User]) -> User:
    return users["trust_dpo"]


@pytest.fixture
def loaded(trust: Trust, users: dict[str, User]) -> Any:
    """The default register, loaded into the trust by its DPO."""
    from steward.register.services import load_default_register

    with acting_as(users["trust_dpo"], channel="cli"):
        return load_default_register(trust, actor=users["trust_dpo"])
