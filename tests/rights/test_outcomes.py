"""Applying outcomes: rectification (with history and Art 19 recipients), restriction (and the questions
the sharing gate asks), objection decisions checked against the lawful basis, withdrawal of consent, and
the erasure plan's decisions and all-or-nothing behaviour. The whole-database trace test is in
test_erasure_trace.py; youth-support sharing in test_youth_support.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from tests.rights.conftest import ON, log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.records.models import Note, Photograph, SafeguardingConcern
from steward.register.models import Purpose
from steward.rights import outcomes, services
from steward.rights.models import (
    ErasureAction,
    ErasureEntry,
    EventKind,
    ObjectionOutcome,
    Rectification,
    RequestEvent,
    Restriction,
    RightsRequest,
    Status,
)

D = dt.date


def started(actor: User, school: School, pupil: Pupil, kind: str, **kw: Any) -> RightsRequest:
    """A request of `kind` logged and moved to in progress."""
    req = log(actor, school, pupil, kind=kind, description="As discussed at the office.", **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def outcome_events(req: RightsRequest) -> list[RequestEvent]:
    return list(req.events.filter(kind=EventKind.OUTCOME_APPLIED).order_by("pk"))


@pytest.fixture
def office(users: dict[str, User]) -> User:
    return users["office_manager"]


# --- rectification --------------------------------------------------------------------------------


def test_rectify_corrects_the_field_keeps_before_and_after_and_logs_no_value(
    office: User, school_a: School, pupil_a: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"):
        rect = outcomes.rectify(
            actor=office, request=req, target=pupil_a, field="legal_surname", value="Quillfeather", on=ON
        )
    pupil_a.refresh_from_db()
    assert pupil_a.legal_surname == "Quillfeather"
    assert (rect.before, rect.after, rect.category) == ("Testpupil1", "Quillfeather", "pupil.identity.name")
    assert rect.model == "people.Pupil" and rect.object_id == str(pupil_a.pk)
    [ev] = outcome_events(req)
    assert "legal_surname" in ev.note and "Quillfeather" not in ev.note and "Testpupil1" not in ev.note
    audit = AuditEvent.objects.filter(model="people.Pupil", action="update").latest("pk")
    assert audit.fields == ["legal_surname"]
    assert "Quillfeather" not in str(audit.detail)


def test_invalid_value_is_refused_by_the_model_naming_the_field_and_changes_nothing(
    office: User, school_a: School, pupil_a: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"), pytest.raises(ValidationError) as err:
        outcomes.rectify(actor=office, request=req, target=pupil_a, field="upn", value="NOT-A-UPN", on=ON)
    assert "upn" in err.value.message_dict
    pupil_a.refresh_from_db()
    assert pupil_a.upn != "NOT-A-UPN"
    assert not Rectification.objects.exists() and not outcome_events(req)


def test_rectify_refuses_other_pupils_records_system_fields_and_wrong_requests(
    office: User, school_a: School, pupil_a: Pupil, teen: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"):
        with pytest.raises(ValidationError) as err:
            outcomes.rectify(actor=office, request=req, target=teen, field="legal_surname", value="X", on=ON)
        assert "target" in err.value.message_dict
        with pytest.raises(ValidationError) as err:
            outcomes.rectify(actor=office, request=req, target=pupil_a, field="source", value="mis", on=ON)
        assert "field" in err.value.message_dict
        with pytest.raises(ValidationError) as err:
            outcomes.rectify(actor=office, request=req, target=pupil_a, field="no_such", value="x", on=ON)
        assert "field" in err.value.message_dict
    access = started(office, school_a, teen, "access")
    with acting_as(office, channel="web"), pytest.raises(ValidationError) as err:
        outcomes.rectify(actor=office, request=access, target=teen, field="legal_surname", value="X", on=ON)
    assert "kind" in err.value.message_dict
    received = log(office, school_a, teen, kind="rectification", description="Spelling of surname.")
    with acting_as(office, channel="web"), pytest.raises(ValidationError) as err:
        outcomes.rectify(actor=office, request=received, target=teen, field="legal_surname", value="X", on=ON)
    assert "status" in err.value.message_dict
    assert not Rectification.objects.exists()


def test_rectify_needs_change_rights_and_the_category(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, system: Any
) -> None:
    concern = SafeguardingConcern.objects.create(
        pupil=pupil_a,
        school=school_a,
        raised_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC),
        raised_by_name="A. Teacher",
        category="neglect",
        narrative="Seen without a coat in the snow.",
    )
    req = started(office, school_a, pupil_a, "rectification")
    teacher = users["teacher"]
    with acting_as(teacher, channel="web"), pytest.raises(PermissionDenied):
        outcomes.rectify(actor=teacher, request=req, target=pupil_a, field="legal_surname", value="X", on=ON)
    # The office manager may change pupils but not read safeguarding: the record does not exist for them.
    with acting_as(office, channel="web"), pytest.raises(Http404):
        outcomes.rectify(actor=office, request=req, target=concern, field="narrative", value="x", on=ON)
    # The DSL reads safeguarding but does not handle rights requests; the trust DPO does both.
    with acting_as(users["dsl"], channel="web"), pytest.raises(PermissionDenied):
        outcomes.rectify(actor=users["dsl"], request=req, target=concern, field="narrative", value="x", on=ON)
    dpo = users["trust_dpo"]
    with acting_as(dpo, channel="web"):
        outcomes.rectify(
            actor=dpo, request=req, target=concern, field="narrative", value="Seen without a coat.", on=ON
        )
    concern.refresh_from_db()
    assert concern.narrative == "Seen without a coat."


def test_supplementary_statement_records_a_disputed_opinion_without_changing_it(
    users: dict[str, User], school_a: School, pupil_a: Pupil, system: Any
) -> None:
    office = users["school_dpl"]  # notes are readable by the data protection lead, not the office
    note = Note.objects.create(pupil=pupil_a, school=school_a, title="Attitude", body="Seems unmotivated.")
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"):
        with pytest.raises(ValidationError) as err:
            outcomes.rectify(actor=office, request=req, target=note, field="body", on=ON)
        assert "statement" in err.value.message_dict
        rect = outcomes.rectify(
            actor=office,
            request=req,
            target=note,
            field="body",
            on=ON,
            statement="The pupil disputes this opinion: they were caring for a sick parent that term.",
        )
    note.refresh_from_db()
    assert note.body == "Seems unmotivated."
    assert rect.before == rect.after == "Seems unmotivated." and rect.statement.startswith(
        "The pupil disputes"
    )
    assert "Supplementary statement" in outcome_events(req)[0].note


def test_rectify_many_is_all_or_nothing(office: User, school_a: School, pupil_a: Pupil) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"), pytest.raises(ValidationError):
        outcomes.rectify_many(
            actor=office,
            request=req,
            changes=[(pupil_a, "legal_forename", "Alexis"), (pupil_a, "upn", "bad")],
            on=ON,
        )
    pupil_a.refresh_from_db()
    assert pupil_a.legal_forename == "Alex" and not Rectification.objects.exists()


def test_recipients_to_tell_come_from_the_register_for_the_changed_categories(
    office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    assert outcomes.recipients_to_tell(req) == []
    with acting_as(office, channel="web"):
        outcomes.rectify(
            actor=office, request=req, target=pupil_a, field="legal_surname", value="Quill", on=ON
        )
    told = {r.key: r for r in outcomes.recipients_to_tell(req)}
    assert {"dfe", "local_authority", "next_school"} <= set(told)
    assert told["dfe"].categories == ("pupil.identity.name",)
    assert "ofsted" in told  # receives pupil.identity, which covers the name
    assert "research_organisations" in told  # receives exactly pupil.identity.name


def test_rectification_request_can_restrict_while_accuracy_is_checked(
    office: User, school_a: School, pupil_a: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    with acting_as(office, channel="web"):
        r = outcomes.restrict(
            actor=office,
            pupil=pupil_a,
            ground="accuracy",
            categories=["pupil.identity.name"],
            on=ON,
            request=req,
            note="Surname spelling disputed.",
        )
    assert r.request == req and r.is_active
    assert outcomes.is_restricted(pupil_a, "pupil.identity.name", ON)
    assert not outcomes.is_restricted(pupil_a, "pupil.attendance", ON)
    assert "restricted" in outcome_events(req)[0].note


# --- restriction ----------------------------------------------------------------------------------


def test_restricted_categories_cover_keys_below_and_above(
    office: User, school_a: School, pupil_a: Pupil
) -> None:
    with acting_as(office, channel="web"):
        outcomes.restrict(actor=office, pupil=pupil_a, ground="unlawful", categories=["pupil.health"], on=ON)
    assert outcomes.restricted_categories(pupil_a, ON) == frozenset({"pupil.health"})
    assert outcomes.is_restricted(pupil_a, "pupil.health.allergy", ON)
    assert outcomes.is_restricted(pupil_a, "pupil.health", ON)
    assert outcomes.is_restricted(pupil_a, "pupil", ON)  # sharing everything would share the health data
    assert not outcomes.is_restricted(pupil_a, "pupil.healthy", ON)  # dotted keys, not string prefixes
    assert not outcomes.is_restricted(pupil_a, "pupil.identity", ON)
    assert not outcomes.is_restricted(pupil_a, "pupil.health", ON - dt.timedelta(days=1))  # not yet started
    assert [r.ground for r in outcomes.active_restrictions(pupil_a, ON)] == ["unlawful"]


def test_an_empty_list_restricts_every_category(office: User, school_a: School, pupil_a: Pupil) -> None:
    with acting_as(office, channel="web"):
        outcomes.restrict(actor=office, pupil=pupil_a, ground="legal_claims", categories=[], on=ON)
    assert outcomes.restricted_categories(pupil_a, ON) is outcomes.ALL
    assert "anything.at.all" in outcomes.ALL
    assert outcomes.is_restricted(pupil_a, "pupil.attendance", ON)


def test_bad_ground_or_category_is_refused_naming_the_field(
    office: User, school_a: School, pupil_a: Pupil
) -> None:
    with acting_as(office, channel="web"):
        with pytest.raises(ValidationError) as err:
            outcomes.restrict(actor=office, pupil=pupil_a, ground="whim", categories=None, on=ON)
        assert "ground" in err.value.message_dict
        with pytest.raises(ValidationError) as err:
            outcomes.restrict(
                actor=office, pupil=pupil_a, ground="accuracy", categories=["pupil.medical"], on=ON
            )
        assert "categories" in err.value.message_dict
    assert not Restriction.objects.exists()


def test_restrict_is_scoped(users: dict[str, User], pupil_a: Pupil) -> None:
    with acting_as(users["teacher"], channel="web"), pytest.raises(PermissionDenied):
        outcomes.restrict(actor=users["teacher"], pupil=pupil_a, ground="accuracy", categories=None, on=ON)
    with acting_as(users["teacher_b"], channel="web"), pytest.raises(Http404):
        outcomes.restrict(actor=users["teacher_b"], pupil=pupil_a, ground="accuracy", categories=None, on=ON)


def test_lifting_needs_the_person_told_first_a_reason_and_the_dpo(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil
) -> None:
    dpo = users["trust_dpo"]
    with acting_as(office, channel="web"):
        r = outcomes.restrict(
            actor=office, pupil=pupil_a, ground="accuracy", categories=["pupil.note"], on=ON
        )
    lift_on = D(2026, 3, 20)
    with acting_as(office, channel="web"), pytest.raises(PermissionDenied):
        outcomes.lift_restriction(
            actor=office, restriction=r, on=lift_on, told_on=D(2026, 3, 18), reason="Checked."
        )
    with acting_as(dpo, channel="web"):
        for told, reason, field in [
            (None, "Checked.", "told_before_lift_on"),
            (D(2026, 3, 21), "Checked.", "told_before_lift_on"),
            (D(2026, 3, 18), "  ", "lift_reason"),
        ]:
            with pytest.raises(ValidationError) as err:
                outcomes.lift_restriction(actor=dpo, restriction=r, on=lift_on, told_on=told, reason=reason)
            assert field in err.value.message_dict
        r.refresh_from_db()
        assert r.is_active
        outcomes.lift_restriction(
            actor=dpo, restriction=r, on=lift_on, told_on=D(2026, 3, 18), reason="Accuracy checked."
        )
        with pytest.raises(ValidationError):
            outcomes.lift_restriction(actor=dpo, restriction=r, on=lift_on, told_on=lift_on, reason="Again.")
    assert r.lifted_on == lift_on and r.told_before_lift_on == D(2026, 3, 18)
    assert outcomes.is_restricted(pupil_a, "pupil.note", D(2026, 3, 19))
    assert not outcomes.is_restricted(pupil_a, "pupil.note", lift_on)


# --- objection ------------------------------------------------------------------------------------


def purpose(key: str) -> Purpose:
    return Purpose.objects.get(key=key, school__isnull=True)


def test_no_right_to_object_to_legal_obligation_and_no_right_is_wrong_for_public_task(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    dpo = users["trust_dpo"]
    req = started(office, school_a, pupil_a, "objection")
    with acting_as(dpo, channel="web"):
        for key, outcome in [
            ("statutory_returns", "upheld"),
            ("statutory_returns", "compelling"),
            ("support_learning", "no_right"),
        ]:
            with pytest.raises(ValidationError) as err:
                outcomes.objection_decided(
                    actor=dpo,
                    request=req,
                    purpose=purpose(key),
                    processing="The school census",
                    outcome=outcome,
                    reasons="Considered.",
                    on=ON,
                )
            assert "outcome" in err.value.message_dict
        assert not outcome_events(req)
        decision = outcomes.objection_decided(
            actor=dpo,
            request=req,
            purpose=purpose("statutory_returns"),
            processing="The school census",
            outcome=ObjectionOutcome.NO_RIGHT,
            reasons="The census is required by Education Act 1996 s537A.",
            on=ON,
        )
        with pytest.raises(ValidationError):
            outcomes.objection_decided(
                actor=dpo,
                request=req,
                purpose=purpose("statutory_returns"),
                processing="Again",
                outcome="no_right",
                reasons="Again.",
                on=ON,
            )
    assert decision.outcome == "no_right" and decision.decided_by == dpo
    assert "No right to object" in outcome_events(req)[0].note


def test_public_task_objection_weighed_and_pending_restriction_lifted_when_decided(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    dpo = users["trust_dpo"]
    req = started(office, school_a, pupil_a, "objection")
    with acting_as(office, channel="web"):
        pending = outcomes.objection_pending(
            actor=office, request=req, on=ON, categories=["pupil.assessment"]
        )
    assert pending.ground == "objection_pending" and outcomes.is_restricted(pupil_a, "pupil.assessment", ON)
    with acting_as(office, channel="web"), pytest.raises(PermissionDenied):
        outcomes.objection_decided(
            actor=office,
            request=req,
            purpose=purpose("assess_quality"),
            processing="Progress comparisons",
            outcome="compelling",
            reasons="Inspection duties.",
            on=D(2026, 3, 25),
        )
    with acting_as(dpo, channel="web"):
        outcomes.objection_decided(
            actor=dpo,
            request=req,
            purpose=purpose("assess_quality"),
            processing="Progress comparisons between groups of pupils",
            outcome=ObjectionOutcome.COMPELLING_GROUNDS,
            reasons="Equality Act 2010 s149 duties outweigh; data is used in aggregate only.",
            on=D(2026, 3, 25),
        )
    pending.refresh_from_db()
    assert pending.lifted_on == D(2026, 3, 25) and pending.told_before_lift_on == D(2026, 3, 25)
    assert not outcomes.is_restricted(pupil_a, "pupil.assessment", D(2026, 3, 25))


def test_objection_to_consent_based_processing_is_upheld(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    dpo = users["trust_dpo"]
    req = started(office, school_a, pupil_a, "objection")
    with acting_as(dpo, channel="web"):
        with pytest.raises(ValidationError):
            outcomes.objection_decided(
                actor=dpo,
                request=req,
                purpose=purpose("publicity"),
                processing="Website photos",
                outcome="compelling",
                reasons="We like them.",
                on=ON,
            )
        d = outcomes.objection_decided(
            actor=dpo,
            request=req,
            purpose=purpose("publicity"),
            processing="Website photos",
            outcome="upheld",
            reasons="Consent-based: stops on request.",
            on=ON,
        )
    assert d.outcome == "upheld"


# --- withdrawal of consent ------------------------------------------------------------------------


# --- erasure: the plan and its guards -------------------------------------------------------------


def photo(pupil: Pupil, school: School, purpose: str, caption: str) -> Photograph:
    p = Photograph(pupil=pupil, school=school, purpose=purpose, taken_on=D(2026, 1, 10), caption=caption)
    p.image.save("photo.jpg", ContentFile(b"\xff\xd8 fictional jpeg " + caption.encode()), save=False)
    p.save()
    return p


def test_default_register_keeps_photographs_used_for_keeping_children_safe(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any, system: Any
) -> None:
    photo(pupil_a, school_a, "website", "Sports day")
    req = started(office, school_a, pupil_a, "erasure")
    plan = outcomes.erasure_plan(req, ON)
    assert not plan.deleted and not plan.anonymised
    kept = plan.item("records.Photograph", ErasureAction.KEPT)
    assert kept is not None and kept.rows == 1
    # The reason names the purpose, the basis and the legislation.
    assert "'Keep children safe' (keep_safe): legal obligation, UK GDPR Art 6(1)(c)" in kept.reason
    assert "Children Act 1989" in kept.reason and "Art 17(3)(b)" in kept.reason
    pupil_row = plan.item("people.Pupil", ErasureAction.KEPT)
    assert pupil_row is not None and not plan.pupil_deleted


def test_erasure_is_for_the_dpo_on_an_erasure_request_in_progress(
    users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(office, school_a, pupil_a, "erasure")
    with acting_as(office, channel="web"), pytest.raises(PermissionDenied):
        outcomes.erase(actor=office, request=req, on=ON)
    other = started(office, school_a, pupil_a, "access")
    dpo = users["trust_dpo"]
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as err:
        outcomes.erase(actor=dpo, request=other, on=ON)
    assert "kind" in err.value.message_dict
    assert not ErasureEntry.objects.exists()


def make_image_consent_only(dpo: User, school: School) -> None:
    """This school uses photographs only to celebrate achievements (consent), not for identification."""
    from steward.register.services import category_use_upsert

    with acting_as(dpo, channel="web"):
        category_use_upsert(
            actor=dpo,
            trust=school.trust,
            school=school,
            category_key="pupil.image",
            provision="optional",
            sources=["parents", "school"],
            purposes=["publicity"],
            consequence="",
        )


def test_a_failure_part_way_leaves_rows_and_files_as_they_were(
    users: dict[str, User],
    office: User,
    school_a: School,
    pupil_a: Pupil,
    loaded: Any,
    system: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dpo = users["trust_dpo"]
    make_image_consent_only(dpo, school_a)
    p = photo(pupil_a, school_a, "website", "Sports day")
    req = started(office, school_a, pupil_a, "erasure")
    assert outcomes.erasure_plan(req, ON).item("records.Photograph", ErasureAction.DELETED) is not None

    def boom(self: Any, *a: Any, **kw: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ErasureEntry, "full_clean", boom)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        acting_as(dpo, channel="web"),
        pytest.raises(RuntimeError),
    ):
        outcomes.erase(actor=dpo, request=req, on=ON)
    assert callbacks == []
    assert Photograph.objects.filter(pk=p.pk).exists()
    assert p.image.storage.exists(p.image.name)
    assert not outcome_events(req)


def test_erase_deletes_consent_only_photographs_with_their_files_and_says_why(
    users: dict[str, User],
    office: User,
    school_a: School,
    pupil_a: Pupil,
    loaded: Any,
    system: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dpo = users["trust_dpo"]
    make_image_consent_only(dpo, school_a)
    p = photo(pupil_a, school_a, "website", "Sports day")
    name = p.image.name
    req = started(office, school_a, pupil_a, "erasure")
    with django_capture_on_commit_callbacks(execute=True), acting_as(dpo, channel="web"):
        entries = outcomes.erase(actor=dpo, request=req, on=ON)
    assert not Photograph.objects.filter(pk=p.pk).exists()
    assert not p.image.storage.exists(name)
    deleted = [e for e in entries if e.action == ErasureAction.DELETED]
    assert [(e.model, e.rows, e.categories) for e in deleted] == [("records.Photograph", 1, ["pupil.image"])]
    assert "only on consent" in deleted[0].reason and "Art 17(1)(b)" in deleted[0].reason
    assert any(e.model == "people.Pupil" and e.action == ErasureAction.KEPT for e in entries)
    [ev] = outcome_events(req)
    assert "1 records deleted" in ev.note
    # Art 19: tell those the register says receive photographs.
    told = {r.key for r in outcomes.recipients_to_tell(req)}
    assert "suppliers" in told and "dfe" not in told


def li_notes_register(dpo: User, school: School, *, years: int) -> None:
    """Notes held only for the school's legitimate interests, with a retention rule of `years` from the
    date the registry starts their clock (the pupil's date of birth)."""
    from steward.register.services import category_use_upsert, purpose_create, retention_rule_upsert

    with acting_as(dpo, channel="web"):
        purpose_create(
            actor=dpo,
            trust=school.trust,
            school=school,
            key="alumni",
            name="Keeping in touch with former pupils",
            description="To invite former pupils to reunions.",
            bases=[
                {"basis": "legitimate_interests", "legitimate_interests": "The school community's reunions."}
            ],
        )
        category_use_upsert(
            actor=dpo,
            trust=school.trust,
            school=school,
            category_key="pupil.note",
            provision="optional",
            sources=["school"],
            purposes=["alumni"],
            consequence="",
        )
        retention_rule_upsert(
            actor=dpo,
            trust=school.trust,
            school=school,
            key="alumni_notes",
            category_key="pupil.note",
            record_type="Alumni notes",
            trigger="event_date",
            period_kind="fixed",
            years=years,
            action="secure_disposal",
            source="Local choice: limitation period for claims.",
            status="local_choice",
        )


@pytest.mark.parametrize(("years", "action"), [(30, ErasureAction.KEPT), (5, ErasureAction.DELETED)])
def test_data_on_other_bases_is_kept_only_while_its_retention_period_runs(
    users: dict[str, User],
    office: User,
    school_a: School,
    pupil_a: Pupil,
    loaded: Any,
    system: Any,
    years: int,
    action: ErasureAction,
) -> None:
    li_notes_register(users["trust_dpo"], school_a, years=years)
    Note.objects.create(pupil=pupil_a, school=school_a, title="Reunion", body="Would like invitations.")
    req = started(office, school_a, pupil_a, "erasure")
    item = outcomes.erasure_plan(req, ON).item("records.Note", action)
    assert item is not None and item.rows == 1
    if action == ErasureAction.KEPT:  # born 14 March 2015: + 30 years has not run out
        assert "Alumni notes" in item.reason and "Art 17(3)(e)" in item.reason
    else:  # + 5 years ran out in 2020
        assert "legitimate interests" in item.reason and "retention period has ended" in item.reason


def test_the_pupil_record_stays_while_anything_depends_on_it_and_unblankable_fields_are_kept(
    users: dict[str, User],
    office: User,
    school_a: School,
    pupil_a: Pupil,
    system: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A (made-up) register in which everything on the pupil record rests on consent: the record is still
    not deleted, because the erasure request itself must be kept and protects it; its fields are emptied
    instead, except those that cannot be empty (the date of birth)."""
    from steward.register.services import category_use_upsert, purpose_create

    dpo = users["trust_dpo"]
    with acting_as(dpo, channel="web"):
        purpose_create(
            actor=dpo,
            trust=school_a.trust,
            key="yearbook",
            name="Yearbook",
            description="A yearbook, only with consent.",
            bases=[{"basis": "consent"}],
            conditions=[{"category_key": "pupil.characteristics.ethnicity", "condition": "explicit_consent"}],
        )
        for key in ["pupil.identity", "pupil.characteristics", "pupil.enrolment", "pupil.contact"]:
            category_use_upsert(
                actor=dpo,
                trust=school_a.trust,
                category_key=key,
                provision="optional",
                sources=["parents"],
                purposes=["yearbook"],
                consequence="",
            )
    req = started(office, school_a, pupil_a, "erasure")
    plan = outcomes.erasure_plan(req, ON)
    assert not plan.pupil_deleted
    anon = plan.item("people.Pupil", ErasureAction.ANONYMISED)
    kept = plan.item("people.Pupil", ErasureAction.KEPT)
    assert anon is not None and "legal_surname" in anon.fields and "depend on it" in anon.reason
    assert kept is not None and kept.fields == ("date_of_birth",) and "cannot be" in kept.reason
    with django_capture_on_commit_callbacks(execute=True), acting_as(dpo, channel="web"):
        outcomes.erase(actor=dpo, request=req, on=ON)
    pupil_a.refresh_from_db()
    assert (pupil_a.legal_surname, pupil_a.legal_forename, pupil_a.ethnicity) == ("", "", "NOBT")
    assert pupil_a.date_of_birth == D(2015, 3, 14)
    assert not pupil_a.enrolments.exists()
