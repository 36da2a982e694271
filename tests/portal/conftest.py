"""Fixtures for the portal: school A with the default register and its notices published; two families
(a parent with parental responsibility for a 10-year-old and a 14-year-old; another family's child with
their own parent), a contact without parental responsibility and one with a court order; portal sign-ins
made directly; and an SMTP server on loopback (aiosmtpd) for invitation emails."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from tests.conftest import make_pupil

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.portal.models import PortalLink

PASSWORD = "correct horse battery staple"
TODAY = dt.date.today()


def years_ago(years: int, days: int = 0) -> dt.date:
    """A date of birth making the pupil `years` old today (plus `days` past the birthday)."""
    d = TODAY - dt.timedelta(days=days)
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    """School A with the default register and its parent and pupil notices published today."""
    with acting_as(dpo, channel="web"):
        for audience in ("parent", "pupil", "pupil-young"):
            publish_notice(actor=dpo, school=school_a, audience=audience)
    return school_a


def link_contact(pupil: Pupil, forename: str, *, pr: bool = True, court_order: bool = False) -> Contact:
    contact = Contact.objects.create(
        trust=pupil.trust,
        forename=forename,
        surname="Parentson",
        email=f"{forename.lower()}@example.com",
        phone_mobile="07700 900123",
        address_line1="1 Oak Lane",
        town="Oakfield",
        postcode="OK1 1AA",
    )
    PupilContact.objects.create(
        pupil=pupil,
        contact=contact,
        relationship="PAM",
        parental_responsibility=pr,
        court_order=court_order,
        court_order_note="Prohibited steps order." if court_order else "",
    )
    return contact


@dataclass
class Family:
    parent: Contact
    child: Pupil  # 10
    teen: Pupil  # 14
    other_child: Pupil  # another family's
    other_parent: Contact
    no_pr: Contact  # linked to `child` without parental responsibility
    court: Contact  # linked to `child` with parental responsibility and a court order


@pytest.fixture
def family(trust: Trust, school_a: School, system: Any) -> Family:
    child = make_pupil(trust, school_a, 31, legal_forename="Robin", date_of_birth=years_ago(10), ncy="5")
    teen = make_pupil(trust, school_a, 32, legal_forename="Jordan", date_of_birth=years_ago(14), ncy="9")
    other = make_pupil(trust, school_a, 33, legal_forename="Avery", date_of_birth=years_ago(10), ncy="5")
    parent = link_contact(child, "Morgan")
    PupilContact.objects.create(pupil=teen, contact=parent, relationship="PAM", parental_responsibility=True)
    return Family(
        parent=parent,
        child=child,
        teen=teen,
        other_child=other,
        other_parent=link_contact(other, "Quinn"),
        no_pr=link_contact(child, "Riley", pr=False),
        court=link_contact(child, "Sasha", court_order=True),
    )


def make_portal_user(
    school: School, *, contact: Contact | None = None, pupil: Pupil | None = None, username: str = ""
) -> User:
    """A portal sign-in made directly (the invitation tests go through the emails)."""
    subject: Any = contact or pupil
    with acting_as(None, channel="system", system_label="test fixture"):
        user = User.objects.create_user(
            username=username or f"{subject.forename.lower()}{subject.pk}@example.com",
            password=PASSWORD,
            email=f"{subject.forename.lower()}{subject.pk}@example.com",
        )
        RoleAssignment.objects.create(
            user=user, role="parent" if contact else "pupil", trust=school.trust, school=school
        )
        PortalLink.objects.create(user=user, contact=contact, pupil=pupil, school=school)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def parent_user(family: Family, school_a: School) -> User:
    return make_portal_user(school_a, contact=family.parent)


@pytest.fixture
def other_parent_user(family: Family, school_a: School) -> User:
    return make_portal_user(school_a, contact=family.other_parent)


# --- SMTP on loopback ---------------------------------------------------------------------------------


@dataclass
class Inbox:
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def texts(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content() for _, _, m in self.messages]  # type: ignore[union-attr]

    def last_link(self) -> str:
        """The path of the one-time link in the latest email."""
        found = re.findall(r"https://steward\.example\.com(/portal/invitation/[^/\s]+/)", self.texts()[-1])
        assert found, self.texts()[-1]
        return str(found[0])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.STEWARD_BASE_URL = "https://steward.example.com"
    settings.DEFAULT_FROM_EMAIL = "steward@oakfield.example.com"
    try:
        yield inbox
    finally:
        controller.stop()
