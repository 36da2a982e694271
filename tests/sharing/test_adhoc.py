"""Ad-hoc disclosures: a police request under DPA 2018 Sch 2 para 2, decided by the DPO, disclosing exactly
the approved categories through the gate into the disclosure log; refusals and bad input change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.records.models import BehaviourIncident
from steward.rights.models import Restriction
from steward.sharing.adhoc import adhoc_decide, adhoc_log
from steward.sharing.gate import Code, ShareRefused
from steward.sharing.log import disclosures_for
from steward.sharing.models import AdHocRequest, Disclosure, ShareRun

TODAY = timezone.localdate()


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    return school_a


def log(actor: User, school: School, pupil: Pupil, **kw: Any) -> AdHocRequest:
    args: dict[str, Any] = {
        "recipient_key": "police_courts",
        "requester_organisation": "Exampleshire Police",
        "requester_name": "DC Example",
        "reference": "DP-2026-0042",
        "received_on": TODAY,
        "pupils": [pupil],
        "asked_for": "Attendance and behaviour records for an investigation into an assault near the school.",
        "purpose_key": "investigate_crime",
        "lawful_basis": "legal_obligation",
        "exemption": "sch2_para2",
    }
    args.update(kw)
    with acting_as(actor, channel="web"):
        return adhoc_log(actor=actor, school=school, **args)


def decide(actor: User, req: AdHocRequest, **kw: Any) -> AdHocRequest:
    args: dict[str, Any] = {
        "decision": "disclosed",
        "reasons": "Sch 2 para 2 applies: not disclosing would prejudice the investigation.",
        "on": TODAY,
        "categories": ["pupil.attendance", "pupil.behaviour.incident"],
    }
    args.update(kw)
    with acting_as(actor, channel="web"):
        return adhoc_decide(actor=actor, request=req, **args)


def test_a_police_request_under_the_crime_exemption_discloses_the_approved_categories(
    published: School, pupil_a: Pupil, users: dict[str, User], dpo: User
) -> None:
    with acting_as(dpo, channel="web"):
        BehaviourIncident.objects.create(
            pupil=pupil_a,
            school=published,
            occurred_at=timezone.now(),
            kind="negative",
            category="Fighting",
            description="Scuffle at the gate.",
        )
    req = log(users["office_manager"], published, pupil_a)
    assert req.decision == "pending"
    delivered: list[bytes] = []
    req = decide(dpo, req, deliver=delivered.append)
    assert req.decision == "disclosed" and req.approved_by == dpo and req.run is not None
    row = disclosures_for(pupil_a.pk).get()
    assert row.recipient_key == "police_courts" and row.purpose_key == "investigate_crime"
    assert set(row.categories) == {"pupil.attendance", "pupil.behaviour.incident"}
    assert any(f.endswith(".description") for f in row.fields)
    sent = json.loads(delivered[0])
    assert set(sent[pupil_a.upn]) == {"pupil.behaviour.incident"}  # no attendance held: nothing sent for it
    assert req.run.summary["exemption"] == "sch2_para2"


def test_without_an_exemption_the_purpose_must_be_in_the_register(
    published: School, pupil_a: Pupil, dpo: User
) -> None:
    req = log(dpo, published, pupil_a, exemption="")
    with pytest.raises(ShareRefused) as refused:
        decide(dpo, req)
    assert Code.PURPOSE_NOT_COVERED.value in {e.code for e in refused.value.error_list}
    req.refresh_from_db()
    assert req.decision == "pending" and not ShareRun.objects.exists()


def test_the_exemption_does_not_widen_the_categories_or_change_the_basis(
    published: School, pupil_a: Pupil, dpo: User
) -> None:
    req = log(dpo, published, pupil_a)
    with pytest.raises(ShareRefused) as refused:
        decide(dpo, req, categories=["pupil.health"])
    assert Code.CATEGORY_NOT_COVERED.value in {e.code for e in refused.value.error_list}
    assert not Disclosure.objects.exists()


def test_restricted_data_may_go_under_an_exemption(published: School, pupil_a: Pupil, dpo: User) -> None:
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(pupil=pupil_a, categories=[], ground="accuracy", started_on=TODAY)
    decide(dpo, log(dpo, published, pupil_a))
    assert disclosures_for(pupil_a.pk).count() == 1


def test_only_the_dpo_decides_and_refusal_needs_reasons(
    published: School, pupil_a: Pupil, users: dict[str, User], dpo: User
) -> None:
    req = log(dpo, published, pupil_a)
    with pytest.raises(PermissionDenied):
        decide(users["headteacher"], req)
    with pytest.raises(ValidationError):
        decide(dpo, req, decision="refused", reasons=" ")
    req = decide(dpo, req, decision="refused", reasons="No exemption applies: ask for a court order.")
    assert req.decision == "refused" and req.run is None and not Disclosure.objects.exists()
    with pytest.raises(ValidationError, match="already decided"):
        decide(dpo, req)


def test_bad_input_is_refused_with_the_field(
    published: School, school_b: School, trust: Any, pupil_a: Pupil, dpo: User
) -> None:
    from tests.conftest import make_pupil

    elsewhere = make_pupil(trust, school_b, 77)
    with pytest.raises(ValidationError) as err:
        log(dpo, published, elsewhere, exemption="made_up", asked_for="")
    assert {"pupils", "exemption", "asked_for"} <= set(err.value.message_dict)
    assert not AdHocRequest.objects.exists()
