"""Every biometric rule (Protection of Freedoms Act 2012 ss.26-28, rules.md §7), with its effect on
enforcement: the deletion task and the state every feature asks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from tests.consent.conftest import DAY, TODAY, Family, notify, record

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.consent.biometrics import complete_deletion, unnotified_parents
from steward.consent.enforcement import relying_on, withdrawal_report
from steward.consent.models import DELETION_DAYS, BiometricDeletionTask, ConsentEvent
from steward.consent.selectors import consent_state
from steward.consent.services import consent_purpose_upsert
from steward.organisations.models import School, Trust
from steward.register.models import ConsentPurpose


@pytest.fixture
def office(users: dict[str, User]) -> User:
    return users["office_manager"]


def _consented(office: User, family: Family, biometric: ConsentPurpose) -> None:
    notify(office, family, biometric, TODAY - 20 * DAY)
    record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="grant",
        by="parent",
        contact=family.mum,
        on=TODAY - 10 * DAY,
    )
    assert consent_state(family.pupil, biometric).effective


def test_one_parent_consents_and_another_objects_not_effective(
    family: Family, biometric: ConsentPurpose, office: User
) -> None:
    _consented(office, family, biometric)
    record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="object",
        by="parent",
        contact=family.dad,
        on=TODAY - 5 * DAY,
        method="letter",
    )
    state = consent_state(family.pupil, biometric)
    assert (state.state, state.effective) == ("objected", False)
    assert "even though Maya Parent consented" in state.reason and "s.26(3)" in state.reason
    task = BiometricDeletionTask.objects.get()
    assert task.due_on == TODAY - 5 * DAY + DELETION_DAYS * DAY
    # The objecting parent later consenting lifts their objection: one written consent, no objection.
    record(office, pupil=family.pupil, purpose=biometric, action="grant", by="parent", contact=family.dad)
    assert consent_state(family.pupil, biometric).effective


def test_child_objects_after_parental_consent_not_effective_and_deletion_raised(
    family: Family, biometric: ConsentPurpose, office: User
) -> None:
    _consented(office, family, biometric)
    # Pupil A is 11, under the competent age: the child's objection counts at any age, even spoken.
    event = record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="object",
        by="pupil",
        method="verbal",
        note="Said at the till they do not want to use their finger",
    )
    state = consent_state(family.pupil, biometric)
    assert (state.state, state.effective) == ("objected", False)
    assert "s.26(5)" in state.reason
    task = BiometricDeletionTask.objects.get()
    assert (task.pupil, task.event, task.raised_on, task.due_on) == (
        family.pupil,
        event,
        TODAY,
        TODAY + DELETION_DAYS * DAY,
    )
    assert "A PIN or card" in task.reason
    # A parent's renewed consent does not override the child's objection.
    record(office, pupil=family.pupil, purpose=biometric, action="grant", by="parent", contact=family.dad)
    assert not consent_state(family.pupil, biometric).effective


def test_child_refusal_is_accepted_at_any_age(
    family: Family, biometric: ConsentPurpose, office: User
) -> None:
    _consented(office, family, biometric)
    record(office, pupil=family.pupil, purpose=biometric, action="refuse", by="pupil", method="verbal")
    assert consent_state(family.pupil, biometric).state == "refused"


def test_withdrawal_is_not_effective_immediately_and_raises_the_deletion_task(
    family: Family, school_a: School, biometric: ConsentPurpose, office: User
) -> None:
    _consented(office, family, biometric)
    withdrawal = record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="withdraw",
        by="parent",
        contact=family.mum,
        method="email",
        on=TODAY - DAY,
    )
    assert not consent_state(family.pupil, biometric, TODAY - DAY).effective
    assert consent_state(family.pupil, biometric, TODAY - 2 * DAY).effective
    task = BiometricDeletionTask.objects.get()
    assert (task.event, task.due_on, task.school) == (withdrawal, TODAY - DAY + DELETION_DAYS * DAY, school_a)
    # What relies on it is reported, with the task and its due date.
    report = withdrawal_report(pupil=family.pupil, purpose=biometric, school=school_a)
    assert "The catering system's biometric matching" in report
    assert any(f"by {task.due_on:%d %B %Y}" in line for line in report)
    # A second stop while the task is open raises no second task.
    record(office, pupil=family.pupil, purpose=biometric, action="object", by="pupil", method="verbal")
    assert BiometricDeletionTask.objects.count() == 1
    with acting_as(office, channel="web"):
        done = complete_deletion(actor=office, task=task, note="Removed from the catering system, ref 123")
    assert done.done_on == TODAY and done.done_by == office
    with pytest.raises(ValidationError), acting_as(office, channel="web"):
        complete_deletion(actor=office, task=task)


def test_grant_without_notifying_every_parent_is_refused(
    family: Family, biometric: ConsentPurpose, office: User
) -> None:
    record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="notified",
        by="school",
        contact=family.mum,
        method="letter",
    )
    assert unnotified_parents(pupil=family.pupil, purpose=biometric, on=TODAY) == [family.dad]
    with pytest.raises(ValidationError) as exc:
        record(office, pupil=family.pupil, purpose=biometric, action="grant", by="parent", contact=family.mum)
    assert "David Parent" in " ".join(exc.value.message_dict["action"])
    assert "s.26(2)" in " ".join(exc.value.message_dict["action"])
    assert not ConsentEvent.objects.filter(action="grant").exists()


def test_verbal_consent_is_refused(family: Family, biometric: ConsentPurpose, office: User) -> None:
    notify(office, family, biometric)
    with pytest.raises(ValidationError) as exc:
        record(
            office,
            pupil=family.pupil,
            purpose=biometric,
            action="grant",
            by="parent",
            contact=family.mum,
            method="verbal",
        )
    assert "s.27" in " ".join(exc.value.message_dict["method"])
    # A parent's objection must be written too (the child's need not be).
    with pytest.raises(ValidationError):
        record(
            office,
            pupil=family.pupil,
            purpose=biometric,
            action="object",
            by="parent",
            contact=family.dad,
            method="verbal",
        )


def test_a_pupil_cannot_stand_in_for_parental_consent(
    teen: Family, school_b: School, biometric: ConsentPurpose, users: dict[str, User]
) -> None:
    dpo = users["trust_dpo"]
    notify(dpo, teen, biometric)
    record(
        dpo,
        pupil=teen.pupil,
        purpose=biometric,
        action="grant",
        by="pupil",
        method="portal",
        portal_pupil=teen.pupil,
    )
    state = consent_state(teen.pupil, biometric)
    assert (state.state, state.effective) == ("not_asked", False)
    assert "No parent has consented in writing" in state.reason


def test_a_purpose_without_a_dpia_cannot_be_activated(trust: Trust, loaded: Any, dpo: User) -> None:
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(actor=dpo, trust=trust, key="biometric_catering", active=True)
    assert "DPIA" in " ".join(exc.value.message_dict["dpia_reference"])
    assert not ConsentPurpose.objects.get(key="biometric_catering", school__isnull=True).active


def test_the_alternative_is_recorded_and_required(trust: Trust, loaded: Any, dpo: User) -> None:
    row = ConsentPurpose.objects.get(key="biometric_catering", school__isnull=True)
    assert row.alternative == "A PIN or card"
    assert (row.given_by, row.written_only) == ("both", True)
    assert "The alternative every pupil without consent uses: A PIN or card." in relying_on(row)
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(
            actor=dpo,
            trust=trust,
            key="biometric_library",
            name="Fingerprints in the library",
            description="Borrowing books with a fingerprint.",
            given_by="both",
            biometric=True,
            dpia_reference="DPIA-9",
            alternative="",
        )
    assert "alternative" in exc.value.message_dict


def test_a_biometric_purpose_must_be_given_by_both_and_is_written_only(
    trust: Trust, loaded: Any, dpo: User
) -> None:
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(
            actor=dpo,
            trust=trust,
            key="biometric_registration",
            name="Face recognition for registration",
            description="Registering with your face.",
            given_by="parent",
            biometric=True,
            dpia_reference="DPIA-10",
            alternative="A card",
        )
    assert "both" in " ".join(exc.value.message_dict["given_by"])
    with acting_as(dpo, channel="web"):
        row = consent_purpose_upsert(
            actor=dpo,
            trust=trust,
            key="biometric_registration",
            name="Face recognition for registration",
            description="Registering with your face.",
            given_by="both",
            biometric=True,
            dpia_reference="DPIA-10",
            alternative="A card",
            written_only=False,
        )
    assert row.written_only
