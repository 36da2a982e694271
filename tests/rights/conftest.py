"""Shared fixtures and helpers for the rights tests: a 14-year-old and a 10-year-old with parents,
and short-hands to log a request and walk it to ready and released."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.rights import services
from steward.rights.models import RightsRequest, Status

D = dt.date


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def teen(trust: Trust, school_a: School) -> Pupil:
    """Aged 14 on 5 March 2026 (born 1 January 2012)."""
    return make_pupil(trust, school_a, 21, legal_forename="Jordan", date_of_birth=D(2012, 1, 1), ncy="9")


@pytest.fixture
def child(trust: Trust, school_a: School) -> Pupil:
    """Aged 10 on 5 March 2026 (born 1 January 2016)."""
    return make_pupil(trust, school_a, 22, legal_forename="Robin", date_of_birth=D(2016, 1, 1), ncy="5")


def link(pupil: Pupil, forename: str, *, pr: bool = True, court_order: bool = False) -> Contact:
    contact = Contact.objects.create(
        trust=pupil.trust, forename=forename, surname="Parentson", email=f"{forename.lower()}@example.com"
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


@pytest.fixture
def parent_of_teen(teen: Pupil, system: Any) -> Contact:
    return link(teen, "Morgan")


@pytest.fixture
def parent_of_child(child: Pupil, system: Any) -> Contact:
    return link(child, "Casey")


ON = D(2026, 3, 5)  # Thursday


def log(actor: User, school: School, pupil: Pupil | None, **kw: Any) -> RightsRequest:
    args: dict[str, Any] = {
        "kind": "access",
        "requester_kind": "pupil",
        "received_on": ON,
        "channel": "email",
        "description": "Copies of everything the school holds about me.",
    }
    args.update(kw)
    with acting_as(actor, channel="web"):
        return services.request_log(actor=actor, school=school, pupil=pupil, **args)


def to_ready(actor: User, req: RightsRequest) -> RightsRequest:
    """Walk a request to ready; an access or portability request gets its final bundle on the way
    (release needs one), after a draft and the automatic redaction pass, every proposal accepted."""
    from steward.rights import review
    from steward.rights.bundle import build
    from steward.rights.workflow import BUNDLE_KINDS

    with acting_as(actor, channel="web"):
        req = services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)
        req = services.transition(actor=actor, request=req, to=Status.AWAITING_REVIEW, on=ON)
        if req.kind in BUNDLE_KINDS:
            build(actor=actor, request=req, final=False)
            for mark in req.redactions.filter(decision="proposed"):
                review.decide(actor=actor, mark=mark, decision="accepted")
            build(actor=actor, request=req, final=True)
        req = services.transition(
            actor=actor, request=req, to=Status.READY, on=ON, note="Reviewed: third-party names redacted."
        )
    return req


def release(actor: User, req: RightsRequest) -> RightsRequest:
    with acting_as(actor, channel="web"):
        return services.release(actor=actor, request=req, on=D(2026, 3, 20), method="secure email")


def draft(actor: User, req: RightsRequest, channel: str = "web") -> None:
    """Build the draft bundle of an access or portability request (it runs the redaction pass)."""
    from steward.rights.bundle import build

    with acting_as(actor, channel=channel):
        build(actor=actor, request=req, final=False)
