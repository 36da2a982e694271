"""The sharing gate and the disclosure log: a share the register and the published notice cover passes and
is logged one chained row per pupil; every other share is refused with the condition that failed, nothing
written; a DPO override is audited and flags the notice; tampering with the log is detected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.rights.models import Restriction
from steward.sharing.gate import Code, ShareRefused, check_share
from steward.sharing.log import Sent, disclosures_for, record_share, verify_disclosures
from steward.sharing.models import Agreement, Disclosure, NoticeReviewFlag, ShareKind, ShareRun

TODAY = timezone.localdate()


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    """School A with the default register and its parent notice published today."""
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    return school_a


def codes(check: Any) -> set[str]:
    return {f.code for f in check.failures}


def sent(*pupils: Pupil) -> list[Sent]:
    return [
        Sent(
            pupil_id=p.pk, fields=["upn", "legal_surname"], payload={"upn": p.upn, "surname": p.legal_surname}
        )
        for p in pupils
    ]


def share(actor: User, check: Any, pupils: list[Pupil], **kw: Any) -> ShareRun:
    with acting_as(actor, channel="web"):
        return record_share(actor=actor, check=check, kind=ShareKind.STATUTORY, sent=sent(*pupils), **kw)


def test_a_covered_share_passes_and_logs_one_chained_row_per_pupil(
    published: School, trust: Trust, pupil_a: Pupil, dpo: User
) -> None:
    other = make_pupil(trust, published, 31)
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity", "pupil.attendance"],
        on=TODAY,
        pupil_ids=[pupil_a.pk, other.pk],
    )
    assert check.allowed, check.reasons()
    assert check.basis == "legal_obligation"
    run = share(dpo, check, [pupil_a, other], package_sha256="ab" * 32)
    rows = list(Disclosure.objects.filter(run=run))
    assert [r.pupil_ref for r in rows] == [pupil_a.pk, other.pk]
    assert rows[1].prev_hash == rows[0].hash
    assert rows[0].categories == ["pupil.identity", "pupil.attendance"]
    assert [d.recipient_key for d in disclosures_for(pupil_a.pk)] == ["dfe"]
    assert verify_disclosures().ok
    assert not NoticeReviewFlag.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"recipient_key": "acme_marketing"}, Code.NOT_IN_REGISTER),
        ({"purpose_key": "keep_safe"}, Code.PURPOSE_NOT_COVERED),
        ({"categories": ["pupil.health"]}, Code.CATEGORY_NOT_COVERED),
        ({"basis": "consent"}, Code.BASIS_MISMATCH),
    ],
)
def test_a_share_the_register_does_not_cover_is_refused_with_the_condition(
    published: School, pupil_a: Pupil, dpo: User, kwargs: dict[str, Any], code: Code
) -> None:
    args: dict[str, Any] = {
        "school": published,
        "recipient_key": "dfe",
        "purpose_key": "statutory_returns",
        "categories": ["pupil.identity"],
        "on": TODAY,
        "pupil_ids": [pupil_a.pk],
    }
    args.update(kwargs)
    check = check_share(**args)
    assert not check.allowed
    assert code in codes(check)
    before = (ShareRun.objects.count(), Disclosure.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ShareRefused) as refused:
        share(dpo, check, [pupil_a])
    assert code.value in {e.code for e in refused.value.error_list}
    assert (ShareRun.objects.count(), Disclosure.objects.count(), AuditEvent.objects.count()) == before


def test_special_category_needs_an_art9_condition_for_the_purpose(published: School, pupil_a: Pupil) -> None:
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.characteristics.ethnicity"],
        on=TODAY,
    )
    # The default register gives ethnicity for statutory returns an Art 9 condition: it passes.
    assert Code.NO_CONDITION not in codes(check), check.reasons()
    # The local authority receives ethnicity, but the register has no Art 9 condition for it under
    # supporting learning (SEN has one): refused for ethnicity alone.
    check = check_share(
        school=published,
        recipient_key="local_authority",
        purpose_key="support_learning",
        categories=["pupil.characteristics.ethnicity", "pupil.sen"],
        on=TODAY,
    )
    missing = [f.message for f in check.failures if f.code == Code.NO_CONDITION]
    assert len(missing) == 1 and "pupil.characteristics.ethnicity" in missing[0], missing
    # A parent key with no condition is reported once, not again for each special key below it.
    check = check_share(
        school=published,
        recipient_key="local_authority",
        purpose_key="admissions",
        categories=["pupil.health"],
        on=TODAY,
    )
    assert [f.message for f in check.failures if f.code == Code.NO_CONDITION] == [
        "Medical and health (pupil.health) is special category data and the register has no Art 9 "
        "condition for it under the purpose 'admissions'."
    ]


def test_no_published_notice_refuses_every_share(loaded: Any, school_b: School) -> None:
    check = check_share(
        school=school_b,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY,
    )
    assert codes(check) == {Code.NO_NOTICE}


def test_a_notice_published_before_the_share_day_is_required(published: School) -> None:
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY - dt.timedelta(days=1),
    )
    assert codes(check) == {Code.NO_NOTICE}


def test_agreement_required_missing_then_expired_then_in_force(
    published: School, trust: Trust, pupil_a: Pupil
) -> None:
    args: dict[str, Any] = {
        "school": published,
        "recipient_key": "ap_providers",
        "purpose_key": "alternative_provision",
        "categories": ["pupil.identity", "pupil.attendance"],
        "on": TODAY,
        "pupil_ids": [pupil_a.pk],
    }
    assert Code.NO_AGREEMENT in codes(check_share(**args))
    agreement = Agreement.objects.create(
        trust=trust,
        recipient_key="ap_providers",
        title="AP placements agreement 2025",
        parties="The trust and Northside Tuition Centre",
        purposes=["alternative_provision"],
        categories=["pupil.identity", "pupil.attendance", "pupil.behaviour"],
        lawful_basis="public_task",
        starts_on=TODAY - dt.timedelta(days=400),
        ends_on=TODAY - dt.timedelta(days=1),
    )
    check = check_share(**args)
    assert Code.AGREEMENT_EXPIRED in codes(check)
    assert "not in force" in " ".join(check.reasons())
    agreement.ends_on = TODAY + dt.timedelta(days=30)
    agreement.save()
    check = check_share(**args)
    assert check.allowed, check.reasons()
    assert check.agreement == agreement


def test_a_restricted_pupil_is_left_out_and_cannot_be_sent(
    published: School, trust: Trust, pupil_a: Pupil, dpo: User
) -> None:
    other = make_pupil(trust, published, 32)
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(
            pupil=pupil_a, categories=["pupil.attendance"], ground="accuracy", started_on=TODAY
        )
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity", "pupil.attendance"],
        on=TODAY,
        pupil_ids=[pupil_a.pk, other.pk],
    )
    assert check.allowed
    assert not check.allowed_for(pupil_a.pk)
    assert check.allowed_for(other.pk)
    assert [f.code for f in check.excluded[pupil_a.pk]] == [Code.RESTRICTED]
    with pytest.raises(ShareRefused):
        share(dpo, check, [pupil_a, other])
    assert not Disclosure.objects.exists()
    run = share(dpo, check, [other])
    assert run.disclosures.count() == 1
    # A restriction on another category does not stop this share.
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY,
        pupil_ids=[pupil_a.pk],
    )
    assert check.allowed_for(pupil_a.pk)


def test_dpo_override_needs_a_reason_is_audited_and_flags_the_notice(
    published: School, pupil_a: Pupil, users: dict[str, User], dpo: User
) -> None:
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.health"],
        on=TODAY,
        pupil_ids=[pupil_a.pk],
    )
    assert not check.allowed
    with pytest.raises(ShareRefused):
        share(users["headteacher"], check, [pupil_a], override_reason="The DfE asked for it.")
    assert not ShareRun.objects.exists()
    run = share(
        dpo, check, [pupil_a], override_reason="DfE data collection amended mid-year; notice to follow."
    )
    assert run.override_reason.startswith("DfE data collection")
    assert Disclosure.objects.get(run=run).override
    flag = NoticeReviewFlag.objects.get(run=run)
    assert "pupil.health" in flag.reason or "Health" in flag.reason
    assert AuditEvent.objects.filter(
        model="sharing.ShareRun", object_id=str(run.pk), action="export"
    ).exists()


def test_tampering_with_a_disclosure_row_is_detected(published: School, trust: Trust, dpo: User) -> None:
    pupils = [make_pupil(trust, published, 40 + i) for i in range(3)]
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY,
        pupil_ids=[p.pk for p in pupils],
    )
    share(dpo, check, pupils)
    assert verify_disclosures().ok
    call_command("disclosures", "verify")
    middle = Disclosure.objects.order_by("id")[1]
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Disclosure._meta.db_table} SET recipient_name = %s WHERE id = %s",  # noqa: S608
            ["Someone else", middle.pk],
        )
    report = verify_disclosures()
    assert not report.ok and report.first_bad_id == middle.pk and "altered" in report.reason
    with pytest.raises(CommandError, match="altered"):
        call_command("disclosures", "verify")


def test_deleting_the_newest_row_is_detected(published: School, pupil_a: Pupil, dpo: User) -> None:
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY,
        pupil_ids=[pupil_a.pk],
    )
    share(dpo, check, [pupil_a])
    share(dpo, check, [pupil_a])
    Disclosure.objects.filter(pk=Disclosure.objects.order_by("-id")[0].pk).delete()
    assert "newest rows were removed" in verify_disclosures().reason


def test_disclosures_cli_lists_a_pupils_disclosures_as_json(
    published: School, pupil_a: Pupil, dpo: User, capsys: Any
) -> None:
    import json

    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity"],
        on=TODAY,
        pupil_ids=[pupil_a.pk],
    )
    share(dpo, check, [pupil_a])
    call_command("disclosures", "--pupil", pupil_a.upn, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["upn"] == pupil_a.upn
    assert [d["recipient_key"] for d in data["disclosures"]] == ["dfe"]
    with pytest.raises(CommandError, match="no pupil with UPN"):
        call_command("disclosures", "--pupil", "A999999999999")


def test_a_subject_access_bundle_lists_the_disclosures_made(
    published: School, pupil_a: Pupil, dpo: User
) -> None:
    from steward.rights.bundle import NO_DISCLOSURES
    from steward.rights.bundle import disclosures_for as bundle_disclosures
    from steward.rights.bundle.art15 import art15_information

    assert art15_information(published, pupil_a, []).disclosures_note == NO_DISCLOSURES
    check = check_share(
        school=published,
        recipient_key="dfe",
        purpose_key="statutory_returns",
        categories=["pupil.identity", "pupil.attendance"],
        on=TODAY,
        pupil_ids=[pupil_a.pk],
    )
    share(dpo, check, [pupil_a])
    (listed,) = bundle_disclosures(pupil_a)
    assert listed["on"] == TODAY.isoformat() and listed["purpose"] == "statutory_returns"
    assert "Attendance" in listed["categories"] and "Legal obligation" in listed["basis"]
    info = art15_information(published, pupil_a, [])
    assert info.disclosures and not info.disclosures_note
