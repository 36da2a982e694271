"""API test helpers: bearer clients for the shared role users, and contacts linked to pupils."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from steward.accounts.models import User
from steward.api.tokens import issue_token
from steward.audit.context import acting_as
from steward.core.validators import upn_check_letter
from steward.organisations.models import School
from steward.people.models import Contact, Pupil, PupilContact


def upn_for(school: School, serial: int, year: str = "25") -> str:
    """A valid UPN for a pupil of `school` (the same scheme as tests/conftest.py)."""
    body = f"{school.la_code}{school.estab}{year}{serial:03d}"
    return upn_check_letter(body) + body


def bearer_headers(key: str) -> dict[str, str]:
    """Request headers that sign in with an API key."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    """`bearer(key)`: request headers that sign in with an API key."""
    return bearer_headers


@pytest.fixture
def key_for(users: dict[str, User]) -> Callable[..., str]:
    """Issue an API token for a role user (as themselves) and return its plain key."""

    def issue(role: str, **kwargs: Any) -> str:
        user = users[role]
        with acting_as(user, channel="cli"):
            return issue_token(actor=user, user=user, name=f"{role} test token", **kwargs).key

    return issue


@pytest.fixture
def client_for(key_for: Callable[..., str]) -> Callable[[str], Client]:
    """A test client whose every request carries a bearer key for the role user."""

    def make(role: str) -> Client:
        return Client(headers=bearer_headers(key_for(role)))

    return make


@pytest.fixture
def contact_a(system: Any, pupil_a: Pupil) -> Contact:
    """A parent of pupil A with a court order recorded on the link."""
    contact = Contact.objects.create(
        trust=pupil_a.trust,
        title="Ms",
        forename="Jo",
        surname="Parentson",
        phone_mobile="07700 900123",
        email="jo.parentson@example.com",
    )
    PupilContact.objects.create(
        pupil=pupil_a,
        contact=contact,
        relationship="PAM",
        parental_responsibility=True,
        priority=1,
        lives_with=True,
        court_order=True,
        court_order_note="Father must not collect (order of 1 May 2024).",
    )
    return contact


@pytest.fixture
def contact_b(system: Any, pupil_b: Pupil) -> Contact:
    """A carer of pupil B only (school B)."""
    contact = Contact.objects.create(trust=pupil_b.trust, forename="Lee", surname="Carerton")
    PupilContact.objects.create(pupil=pupil_b, contact=contact, relationship="CAR", priority=1)
    return contact


def new_pupil_body(school: School, serial: int = 50, **overrides: Any) -> dict[str, Any]:
    """A valid POST /api/pupils body for a new pupil of `school`."""
    body: dict[str, Any] = {
        "school": school.urn,
        "enrolment": {"admission_date": "2024-09-04"},
        "upn": upn_for(school, serial),
        "legal_forename": "Robin",
        "legal_surname": "Newpupil",
        "date_of_birth": "2018-05-20",
        "sex": "M",
        "ncy": "1",
    }
    body.update(overrides)
    return body


@pytest.fixture
def pupil_payload() -> Callable[..., dict[str, Any]]:
    """`pupil_payload(school, serial=50, **overrides)`: a valid POST /api/pupils body."""
    return new_pupil_body
