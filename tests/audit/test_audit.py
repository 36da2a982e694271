"""The audit spine: every write and sensitive read is logged, in the same transaction, hash-chained."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from tests.conftest import make_pupil

from steward.audit.context import NoAuditContext, acting_as
from steward.audit.models import AuditEvent
from steward.audit.services import verify_chain
from steward.people.models import Pupil
from steward.people.selectors import pupil_profile


def test_write_outside_a_context_is_refused(db: Any, trust: Any, school_a: Any) -> None:
    pupil = make_pupil(trust, school_a, 5)
    # Leave the `system` fixture's context to prove there is no fallback actor.
    token = __import__("steward.audit.context", fromlist=["_current"])._current.set(None)
    try:
        pupil.legal_forename = "Changed"
        with pytest.raises(NoAuditContext):
            pupil.save()
    finally:
        __import__("steward.audit.context", fromlist=["_current"])._current.reset(token)


def test_acting_as_needs_an_actor_or_a_named_process() -> None:
    with pytest.raises(NoAuditContext), acting_as(None, channel="cli"):
        pass


def test_create_update_delete_are_logged_with_actor_and_fields(
    users: dict[str, Any], trust: Any, school_a: Any
) -> None:
    user = users["office_manager"]
    with acting_as(user, channel="web", request_id="r1"):
        pupil = make_pupil(trust, school_a, 9)
    created = AuditEvent.objects.get(model="people.Pupil", action="create", object_id=str(pupil.pk))
    assert (created.actor, created.channel, created.request_id) == (user, "web", "r1")
    assert created.pupil_id_ref == pupil.pk
    assert "pupil.characteristics.ethnicity" in created.categories and created.special is True

    with acting_as(user, channel="api", request_id="r2"):
        pupil.legal_forename = "Robin"
        pupil.save()
        pupil.save()  # nothing changed: no second event
    updates = AuditEvent.objects.filter(model="people.Pupil", action="update", object_id=str(pupil.pk))
    assert [(e.fields, e.categories, e.special, e.channel) for e in updates] == [
        (["legal_forename"], ["pupil.identity.name"], False, "api")
    ]
    # No values are copied into the log.
    assert "Robin" not in str(list(AuditEvent.objects.values()))

    with acting_as(user, channel="cli", request_id="r3"):
        Pupil.objects.get(pk=pupil.pk).delete()
    deleted = AuditEvent.objects.filter(action="delete", request_id="r3").values_list("model", flat=True)
    assert set(deleted) == {"people.Pupil", "people.Enrolment"}


def test_event_is_rolled_back_with_the_write(users: dict[str, Any], pupil_a: Any) -> None:
    before = AuditEvent.objects.count()
    with acting_as(users["office_manager"], channel="web"), pytest.raises(RuntimeError), transaction.atomic():
        pupil_a.legal_forename = "Rolled"
        pupil_a.save()
        raise RuntimeError("boom")
    assert AuditEvent.objects.count() == before


def test_viewing_special_category_data_is_logged(users: dict[str, Any], pupil_a: Any) -> None:
    with acting_as(users["dsl"], channel="web", request_id="view1"):
        pupil_profile(users["dsl"], pupil_a.pk)
    event = AuditEvent.objects.get(request_id="view1")
    assert event.action == "view" and event.actor == users["dsl"]
    assert event.special is True
    assert "pupil.characteristics.ethnicity" in event.categories


def test_chain_verifies_and_detects_tampering(users: dict[str, Any], pupil_a: Any) -> None:
    with acting_as(users["dsl"], channel="web"):
        pupil_profile(users["dsl"], pupil_a.pk)
        pupil_profile(users["dsl"], pupil_a.pk)
    report = verify_chain()
    assert report.ok and report.checked == AuditEvent.objects.count()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("audit chain intact")

    victim = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=victim.pk).update(actor_label="someone else")
    report = verify_chain()
    assert (report.ok, report.first_bad_id) == (False, victim.pk)
    assert "altered" in report.reason
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify")


def test_chain_detects_a_removed_event(users: dict[str, Any], pupil_a: Any) -> None:
    with acting_as(users["dsl"], channel="web"):
        pupil_profile(users["dsl"], pupil_a.pk)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    # Tampering happens below the ORM (an ORM delete would itself be audited).
    AuditEvent.objects.filter(pk=ids[1])._raw_delete("default")
    assert "link broken" in verify_chain().reason
    AuditEvent.objects.filter(pk__gte=ids[1])._raw_delete("default")
    assert "newest events were removed" in verify_chain().reason


def test_enrolment_dates_validate(pupil_a: Any) -> None:
    from django.core.exceptions import ValidationError

    e = pupil_a.enrolments.get()
    e.leaving_date = dt.date(2010, 1, 1)
    with pytest.raises(ValidationError, match="Leaving date cannot be before the admission date"):
        e.full_clean()


def test_organisation_changes_are_audited_too(users: dict[str, Any], school_a: Any) -> None:
    with acting_as(users["trust_dpo"], channel="web", request_id="org1"):
        school_a.headteacher = "Ms Example"
        school_a.save()
    event = AuditEvent.objects.get(request_id="org1")
    assert (event.action, event.model, event.fields, event.actor) == (
        "update",
        "organisations.School",
        ["headteacher"],
        users["trust_dpo"],
    )


def test_deleting_a_user_keeps_the_chain_intact(users: dict[str, Any], pupil_a: Any) -> None:
    leaver = users["senco"]
    leaver_id = leaver.pk
    with acting_as(leaver, channel="web"):
        pupil_profile(leaver, pupil_a.pk)
    with acting_as(users["trust_dpo"], channel="web"):
        leaver.delete()
    event = AuditEvent.objects.filter(actor_ref=leaver_id, action="view").get()
    assert event.actor is None and event.actor_label == "senco"
    assert verify_chain().ok


def test_batched_events_are_written_together_and_roll_back_together(
    users: dict[str, Any], pupil_a: Any
) -> None:
    from steward.audit.services import batched

    before = AuditEvent.objects.count()
    with acting_as(users["office_manager"], channel="cli"):
        with transaction.atomic(), batched():
            pupil_a.legal_forename = "One"
            pupil_a.save()
            pupil_a.legal_forename = "Two"
            pupil_a.save()
            assert AuditEvent.objects.count() == before  # held until the batch ends
        assert AuditEvent.objects.count() == before + 2
        with pytest.raises(RuntimeError), transaction.atomic(), batched():
            pupil_a.legal_forename = "Three"
            pupil_a.save()
            raise RuntimeError("boom")
    assert AuditEvent.objects.count() == before + 2
    assert verify_chain().ok
