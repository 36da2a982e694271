"""record_consent: who may give what, how, and the ledger it writes (append-only, notice shown, audit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from tests.consent.conftest import DAY, TODAY, Family, purpose, record

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.consent.models import ConsentEvent
from steward.consent.selectors import consent_state, consent_states, purposes_for
from steward.notices.services import publish_notice
from steward.organisations.models import School


def _refused(field: str, exc: pytest.ExceptionInfo[ValidationError]) -> str:
    assert field in exc.value.message_dict, exc.value.message_dict
    return " ".join(exc.value.message_dict[field])


def test_a_parent_with_parental_responsibility_consents_and_the_state_is_given(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    website = purpose(school_a, "photos_website")
    event = record(
        users["office_manager"],
        pupil=family.pupil,
        purpose=website,
        action="grant",
        by="parent",
        contact=family.mum,
    )
    state = consent_state(family.pupil, website)
    assert (state.state, state.effective) == ("given", True)
    assert "Maya Parent consented" in state.reason
    assert list(state.events) == [event]
    assert event.recorded_by == users["office_manager"] and event.school == school_a


def test_withdrawal_takes_effect_from_its_own_day(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    website = purpose(school_a, "photos_website")
    office = users["office_manager"]
    record(
        office,
        pupil=family.pupil,
        purpose=website,
        action="grant",
        by="parent",
        contact=family.mum,
        on=TODAY - 10 * DAY,
    )
    record(
        office,
        pupil=family.pupil,
        purpose=website,
        action="withdraw",
        by="parent",
        contact=family.dad,
        on=TODAY - 2 * DAY,
        method="email",
    )
    assert consent_state(family.pupil, website, TODAY - 3 * DAY).effective
    now = consent_state(family.pupil, website)
    assert (now.state, now.effective) == ("withdrawn", False)
    assert "David Parent withdrew consent" in now.reason


@pytest.mark.parametrize(
    ("who", "message"),
    [("carer", "does not have parental responsibility"), ("barred", "court order")],
)
def test_a_contact_without_the_right_is_refused_and_nothing_changes(
    family: Family, school_a: School, users: dict[str, User], who: str, message: str
) -> None:
    website = purpose(school_a, "photos_website")
    with pytest.raises(ValidationError) as exc:
        record(
            users["office_manager"],
            pupil=family.pupil,
            purpose=website,
            action="grant",
            by="parent",
            contact=getattr(family, who),
        )
    assert message in _refused("contact", exc)
    assert not ConsentEvent.objects.exists()


def test_a_pupil_cannot_give_a_consent_reserved_to_parents(
    teen: Family, school_b: School, users: dict[str, User]
) -> None:
    trips = purpose(school_b, "trips")
    with pytest.raises(ValidationError) as exc:
        record(users["trust_dpo"], pupil=teen.pupil, purpose=trips, action="grant", by="pupil")
    assert "decided by a parent with parental responsibility, not by the pupil" in _refused("by", exc)
    assert not ConsentEvent.objects.exists()


def test_a_pupil_decides_either_purposes_only_from_the_competent_age(
    family: Family, teen: Family, school_a: School, school_b: School, users: dict[str, User]
) -> None:
    # Pupil A is 11: too young for photos (13).
    with pytest.raises(ValidationError) as exc:
        record(
            users["office_manager"],
            pupil=family.pupil,
            purpose=purpose(school_a, "photos_social"),
            action="grant",
            by="pupil",
        )
    assert "from the age of 13" in _refused("by", exc)
    # Pupil B is 15: their own withdrawal counts, after a parent's grant ("either": the latest decides).
    social = purpose(school_b, "photos_social")
    dpo = users["trust_dpo"]
    record(
        dpo, pupil=teen.pupil, purpose=social, action="grant", by="parent", contact=teen.mum, on=TODAY - DAY
    )
    record(dpo, pupil=teen.pupil, purpose=social, action="withdraw", by="pupil", method="verbal")
    assert consent_state(teen.pupil, social).state == "withdrawn"


def test_verbal_is_refused_for_a_written_only_purpose(
    family: Family, school_a: School, users: dict[str, User], dpo: User, trust: Any
) -> None:
    from steward.consent.services import consent_purpose_upsert

    with acting_as(dpo, channel="web"):
        consent_purpose_upsert(actor=dpo, trust=trust, key="otc_medication", written_only=True)
    with pytest.raises(ValidationError) as exc:
        record(
            users["office_manager"],
            pupil=family.pupil,
            purpose=purpose(school_a, "otc_medication"),
            action="grant",
            by="parent",
            contact=family.mum,
            method="verbal",
        )
    assert "in writing" in _refused("method", exc)


def test_an_inactive_purpose_is_refused(family: Family, school_a: School, users: dict[str, User]) -> None:
    catering = purpose(school_a, "biometric_catering")  # inactive until a DPIA is entered
    assert catering not in purposes_for(school_a)
    with pytest.raises(ValidationError) as exc:
        record(
            users["office_manager"],
            pupil=family.pupil,
            purpose=catering,
            action="notified",
            by="school",
            contact=family.mum,
            method="letter",
        )
    assert "needs its DPIA reference first" in _refused("purpose", exc)


def test_staff_permissions(family: Family, school_a: School, users: dict[str, User]) -> None:
    website = purpose(school_a, "photos_website")
    args: dict[str, Any] = {
        "pupil": family.pupil,
        "purpose": website,
        "action": "grant",
        "by": "parent",
        "contact": family.mum,
    }
    with pytest.raises(PermissionDenied):
        record(users["teacher"], **args)  # sees the pupil, may not change pupils
    with pytest.raises(Http404):
        record(users["teacher_b"], **args)  # another school's teacher: no such pupil
    with pytest.raises(ValidationError) as exc:
        record(users["office_manager"], **{**args, "method": "portal"})
    assert "portal" in _refused("method", exc)
    with pytest.raises(ValidationError) as exc:
        record(users["office_manager"], **{**args, "on": TODAY + DAY})
    assert "future" in _refused("on", exc)
    assert not ConsentEvent.objects.exists()


def test_a_portal_user_decides_only_as_themself(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    website = purpose(school_a, "photos_website")
    portal_user = users["teacher"]  # stands in for the portal's own user; the portal names who is signed in
    args: dict[str, Any] = {
        "pupil": family.pupil,
        "purpose": website,
        "action": "grant",
        "by": "parent",
        "method": "portal",
    }
    with pytest.raises(PermissionDenied):
        record(portal_user, **args, contact=family.dad, portal_contact=family.mum)
    with pytest.raises(ValidationError) as exc:
        record(portal_user, **args, contact=family.carer, portal_contact=family.carer)
    assert "parental responsibility" in _refused("contact", exc)
    event = record(portal_user, **args, contact=family.mum, portal_contact=family.mum)
    assert event.method == "portal"


def test_the_notice_in_force_for_the_audience_is_recorded(
    family: Family, school_a: School, users: dict[str, User], dpo: User
) -> None:
    with acting_as(dpo, channel="web"):
        parent_notice = publish_notice(actor=dpo, school=school_a, audience="parent")
    event = record(
        users["office_manager"],
        pupil=family.pupil,
        purpose=purpose(school_a, "trips"),
        action="grant",
        by="parent",
        contact=family.mum,
    )
    assert event.notice_version == parent_notice


def test_the_ledger_is_append_only_and_audited(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed form", content_type="application/pdf")
    event = record(
        users["office_manager"],
        pupil=family.pupil,
        purpose=purpose(school_a, "trips"),
        action="grant",
        by="parent",
        contact=family.mum,
        evidence=scan,
        note="Form handed in",
    )
    assert event.evidence.name.startswith(f"consent/{family.pupil.pk}/")
    event.note = "changed"
    with (
        pytest.raises(ValidationError, match="append-only"),
        acting_as(users["office_manager"], channel="web"),
    ):
        event.save()
    audit = AuditEvent.objects.filter(model="consent.ConsentEvent", object_id=str(event.pk)).get()
    assert audit.pupil_id_ref == family.pupil.pk and "pupil.consent" in audit.categories


def test_consent_states_lists_the_active_purposes_of_the_pupils_school(family: Family) -> None:
    keys = [p.key for p, s in consent_states(family.pupil)]
    assert keys == [
        "photos_display",
        "photos_website",
        "photos_social",
        "photos_press",
        "trips",
        "otc_medication",
        "communications",
    ]
    assert all(s.state == "not_asked" and not s.effective for _, s in consent_states(family.pupil))
