"""Commissioning a placement: the gate, the agreement, the AP notice and the register decide; a refusal
names the field and writes nothing; a commissioned placement is logged in the disclosure log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.conftest import make_pupil
from tests.placements.conftest import CATEGORIES, DAY, TODAY, commission, counts, make_agreement

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.placements import services
from steward.placements.models import Placement, Provider
from steward.records.models import SENNeed
from steward.rights.models import Restriction
from steward.sharing.log import verify_disclosures
from steward.sharing.models import Agreement, Disclosure, ShareKind


def _codes(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code or "" for e in errs} for name, errs in exc.error_dict.items()}


def test_a_covered_placement_is_commissioned_and_logged_as_one_disclosure(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    with acting_as(office, channel="web"):
        SENNeed.objects.create(pupil=pupil_a, school=published, need="SPLD", rank=1)
    placement = commission(office, pupil_a, published, provider, agreement)
    assert placement.ap_notice is not None and placement.ap_notice.audience == "ap"
    assert placement.ap_notice_number == placement.ap_notice.number == 1
    assert placement.notice_sent_on == TODAY
    run = placement.share_run
    assert run is not None and run.kind == ShareKind.ALTERNATIVE_PROVISION
    assert (run.recipient_key, run.purpose_key, run.agreement) == (
        "ap_providers",
        "alternative_provision",
        agreement,
    )
    assert run.summary["ap_notice_version"] == 1 and run.summary["placement"] == placement.pk
    row = Disclosure.objects.get(run=run)
    assert row.pupil_ref == pupil_a.pk and row.categories == CATEGORIES
    # The registered fields of the chosen categories, found through the registry.
    assert "people.Pupil.legal_surname" in row.fields
    assert "records.AttendanceMark.code" in row.fields
    assert "records.SENNeed.need" in row.fields
    assert not any(f.startswith("records.MedicalCondition") for f in row.fields)
    assert not any(f.startswith("placements.") for f in row.fields)
    assert verify_disclosures().ok
    assert AuditEvent.objects.filter(
        model="placements.Placement", action="create", object_id=str(placement.pk)
    ).exists()


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("no agreement for AP", "agreement", ""),
        ("expired agreement", "agreement", ""),
        ("agreement ends first", "ends_on", ""),
        ("category outside the register", "categories", "category_not_covered"),
        ("special category without a condition", "categories", "no_art9_condition"),
        ("no name", "categories", ""),
        ("starts in the past", "starts_on", ""),
    ],
)
def test_refusals_name_the_field_and_change_nothing(
    published: School,
    trust: Trust,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    case: str,
    field: str,
    code: str,
) -> None:
    kw: dict[str, Any] = {}
    wide = ["pupil.identity", "pupil.attendance", "pupil.image", "pupil.safeguarding"]
    if case == "no agreement for AP":
        agreement = make_agreement(trust, recipient_key="dfe", purposes=["statutory_returns"])
    elif case == "expired agreement":
        agreement = make_agreement(trust, starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    elif case == "agreement ends first":
        agreement = make_agreement(trust, ends_on=TODAY + 10 * DAY)
    else:
        agreement = make_agreement(trust, categories=wide)
    if case == "category outside the register":
        kw["categories"] = ["pupil.identity", "pupil.image"]
    elif case == "special category without a condition":
        kw["categories"] = ["pupil.identity", "pupil.safeguarding"]
    elif case == "no name":
        kw["categories"] = ["pupil.attendance"]
    elif case == "starts in the past":
        kw["starts_on"] = TODAY - DAY
    else:
        kw["categories"] = ["pupil.identity", "pupil.attendance"]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        commission(office, pupil_a, published, provider, agreement, **kw)
    errors = _codes(refused.value)
    assert field in errors, refused.value.message_dict
    if code:
        assert code in errors[field]
    assert counts() == before


def test_no_ap_notice_refuses_and_changes_nothing(
    loaded: Any,
    school_a: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    dpo: User,
) -> None:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")  # the parent notice only
    before = counts()
    with pytest.raises(services.PlacementRefused) as refused:
        commission(office, pupil_a, school_a, provider, agreement)
    assert "no_published_notice" in _codes(refused.value)["__all__"]
    assert "alternative provision privacy notice" in " ".join(refused.value.messages)
    assert counts() == before


def test_no_parent_notice_refuses_through_the_gate(
    loaded: Any,
    school_a: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    dpo: User,
) -> None:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="ap")
    before = counts()
    with pytest.raises(services.PlacementRefused):
        commission(office, pupil_a, school_a, provider, agreement)
    assert counts() == before


def test_a_restricted_pupil_is_refused(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    with acting_as(office, channel="web"):
        Restriction.objects.create(
            pupil=pupil_a, categories=["pupil.sen"], ground="accuracy", started_on=TODAY
        )
    before = counts()
    with pytest.raises(services.PlacementRefused) as refused:
        commission(office, pupil_a, published, provider, agreement)
    assert "restricted" in _codes(refused.value)["pupil"]
    assert counts() == before


def test_a_pupil_of_another_school_is_refused(
    published: School, agreement: Agreement, provider: Provider, pupil_b: Pupil, office: User
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        commission(office, pupil_b, published, provider, agreement)
    assert "pupil" in refused.value.message_dict
    assert counts() == before


def test_only_staff_who_may_change_pupils_at_the_school_commission(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    users: dict[str, User],
    provider_user: User,
) -> None:
    before = counts()
    for actor in (users["teacher"], users["teacher_b"], provider_user):
        with pytest.raises(PermissionDenied):
            commission(actor, pupil_a, published, provider, agreement)
    assert counts() == before


def test_end_early_needs_a_reason_and_happens_once(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    with acting_as(office, channel="web"):
        with pytest.raises(ValidationError) as refused:
            services.end_placement(actor=office, placement=placement, reason="  ", on=TODAY)
        assert "end_reason" in refused.value.message_dict
        ended = services.end_placement(
            actor=office, placement=placement, reason="Returned to school.", on=TODAY
        )
        assert (ended.ended_on, ended.ended_by, ended.status_on(TODAY)) == (TODAY, office, "ended")
        with pytest.raises(ValidationError) as again:
            services.end_placement(actor=office, placement=placement, reason="Twice.", on=TODAY)
        assert "ended_on" in again.value.message_dict
    assert Placement.objects.get().end_reason == "Returned to school."


def test_status_follows_the_dates_and_the_agreement(
    published: School, agreement: Agreement, provider: Provider, trust: Trust, office: User
) -> None:
    pupil = make_pupil(trust, published, 50)
    p = commission(office, pupil, published, provider, agreement, starts_on=TODAY + 7 * DAY)
    assert p.status_on(TODAY) == "upcoming"
    assert p.status_on(TODAY + 7 * DAY) == "current"
    assert p.status_on(TODAY + 68 * DAY) == "ended"
    Agreement.objects.filter(pk=agreement.pk).update(ends_on=TODAY + 10 * DAY)
    p.refresh_from_db()
    p.agreement.refresh_from_db()
    assert p.status_on(TODAY + 11 * DAY) == "ended"
    assert "agreement ended" in p.end_cause(TODAY + 11 * DAY)
