"""Fixtures for consent: the default register (with its consent purposes) loaded into the trust, a
pupil at school A with two parents holding parental responsibility, a carer without it and a parent
under a court order; an older pupil at school B; the biometric purpose switched on with a DPIA."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.consent import services
from steward.consent.models import ConsentEvent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.register.models import ConsentPurpose

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def purpose(school: School, key: str) -> ConsentPurpose:
    from steward.consent.selectors import purpose_for

    row = purpose_for(school, key)
    assert row is not None, key
    return row


def make_contact(trust: Trust, pupil: Pupil, forename: str, **link: Any) -> Contact:
    contact = Contact.objects.create(
        trust=trust, forename=forename, surname="Parent", email=f"{forename.lower()}@example.com"
    )
    args: dict[str, Any] = {"relationship": "PAM", "parental_responsibility": True}
    args.update(link)
    PupilContact.objects.create(pupil=pupil, contact=contact, **args)
    return contact


@dataclass
class Family:
    pupil: Pupil
    mum: Contact
    dad: Contact
    carer: Contact  # no parental responsibility
    barred: Contact  # parental responsibility, but a court order is recorded


@pytest.fixture
def family(loaded: Any, trust: Trust, pupil_a: Pupil) -> Family:
    return Family(
        pupil=pupil_a,
        mum=make_contact(trust, pupil_a, "Maya"),
        dad=make_contact(trust, pupil_a, "David"),
        carer=make_contact(trust, pupil_a, "Cara", relationship="CAR", parental_responsibility=False),
        barred=make_contact(
            trust, pupil_a, "Barry", court_order=True, court_order_note="Prohibited steps order"
        ),
    )


@pytest.fixture
def teen(loaded: Any, trust: Trust, pupil_b: Pupil) -> Family:
    """Pupil B (aged 15 at school B) and their parents."""
    return Family(
        pupil=pupil_b,
        mum=make_contact(trust, pupil_b, "Tessa"),
        dad=make_contact(trust, pupil_b, "Tom"),
        carer=make_contact(trust, pupil_b, "Cleo", relationship="CAR", parental_responsibility=False),
        barred=make_contact(trust, pupil_b, "Bob", court_order=True),
    )


@pytest.fixture
def biometric(loaded: Any, trust: Trust, dpo: User) -> ConsentPurpose:
    """The default biometric catering purpose, active with a DPIA reference."""
    with acting_as(dpo, channel="web"):
        return services.consent_purpose_upsert(
            actor=dpo, trust=trust, key="biometric_catering", dpia_reference="DPIA-2026-07", active=True
        )


def record(actor: User, **kw: Any) -> ConsentEvent:
    """record_consent as `actor`, paper by default, today by default."""
    args: dict[str, Any] = {"method": "paper", "on": TODAY}
    args.update(kw)
    with acting_as(actor, channel="web"):
        return services.record_consent(actor=actor, **args)


def notify(actor: User, family: Family, purpose: ConsentPurpose, on: dt.date = TODAY) -> None:
    for parent in (family.mum, family.dad):
        record(
            actor,
            pupil=family.pupil,
            purpose=purpose,
            action="notified",
            by="school",
            contact=parent,
            on=on,
            method="letter",
        )
