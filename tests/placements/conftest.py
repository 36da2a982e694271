"""Fixtures for placements: school A with the default register, its parent and AP notices published,
an agreement with AP providers, two providers each with a user, and a helper to commission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.placements import services
from steward.placements.models import Placement, Provider, ProviderUser
from steward.records.models import AttendanceMark, BehaviourIncident
from steward.sharing.models import Agreement

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
PASSWORD = "correct horse battery staple"
CATEGORIES = ["pupil.identity", "pupil.attendance", "pupil.sen"]


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    """School A with the default register and its parent and AP notices published today."""
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
        publish_notice(actor=dpo, school=school_a, audience="ap")
    return school_a


def make_agreement(trust: Trust, **kw: Any) -> Agreement:
    args: dict[str, Any] = {
        "trust": trust,
        "recipient_key": "ap_providers",
        "title": "AP placements agreement",
        "parties": "Oakfield Learning Trust and its alternative provision providers",
        "purposes": ["alternative_provision"],
        "categories": ["pupil.identity", "pupil.attendance", "pupil.behaviour", "pupil.sen", "pupil.health"],
        "lawful_basis": "public_task",
        "starts_on": TODAY - 30 * DAY,
        "ends_on": TODAY + 365 * DAY,
        "onward_sharing": "Back to the school; to named third parties set out in the agreement.",
    }
    args.update(kw)
    with acting_as(None, channel="system", system_label="test fixture"):
        return Agreement.objects.create(**args)


@pytest.fixture
def agreement(trust: Trust) -> Agreement:
    return make_agreement(trust)


def make_provider(trust: Trust, name: str, username: str, school: School) -> tuple[Provider, User]:
    with acting_as(None, channel="system", system_label="test fixture"):
        provider = Provider.objects.create(trust=trust, name=name, email=f"office@{username}.example.com")
        user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.com")
        RoleAssignment.objects.create(user=user, role="provider", trust=trust, school=school)
        ProviderUser.objects.create(user=user, provider=provider)
    return provider, user


@pytest.fixture
def provider(trust: Trust, school_a: School) -> Provider:
    return make_provider(trust, "Northside Tuition Centre", "northside", school_a)[0]


@pytest.fixture
def provider_user(provider: Provider) -> User:
    return provider.users.get().user


@pytest.fixture
def other_provider_user(trust: Trust, school_a: School) -> User:
    return make_provider(trust, "Riverside Learning Hub", "riverside", school_a)[1]


@pytest.fixture
def office(users: dict[str, User]) -> User:
    """The office manager at school A: may change pupils there, so may commission placements."""
    return users["office_manager"]


def commission(
    actor: User,
    pupil: Pupil,
    school: School,
    provider: Provider,
    agreement: Agreement,
    **kw: Any,
) -> Placement:
    args: dict[str, Any] = {
        "starts_on": TODAY,
        "ends_on": TODAY + 60 * DAY,
        "services": "Three days a week of English, maths and mentoring.",
        "categories": CATEGORIES,
        "reason": "Needs a smaller setting while the school's SEN support is reviewed.",
        "on": TODAY,
    }
    args.update(kw)
    with acting_as(actor, channel="web"):
        return services.commission_placement(
            actor=actor, pupil=pupil, school=school, provider=provider, agreement=agreement, **args
        )


def counts() -> tuple[int, ...]:
    """Rows a refused commission or write-back must not add to."""
    from steward.audit.models import AuditEvent
    from steward.sharing.models import Disclosure, ShareRun

    return (
        Placement.objects.count(),
        ShareRun.objects.count(),
        Disclosure.objects.count(),
        AuditEvent.objects.count(),
        AttendanceMark.objects.count(),
        BehaviourIncident.objects.count(),
    )
