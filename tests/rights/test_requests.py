"""Rights requests: intake, identity, clarification, fees, extension, competence and the state machine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from tests.conftest import make_pupil
from tests.rights.conftest import ON, link, log, release, to_ready

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.rights import services, workflow
from steward.rights.bundle import build
from steward.rights.models import (
    CompetenceAssessment,
    EventKind,
    RequestEvent,
    RightsRequest,
    Status,
)
from steward.rights.selectors import get_request, requests_visible_to
from steward.rights.workflow import Refusal, TransitionRefused

D = dt.date


def snapshot(req: RightsRequest) -> tuple[Any, ...]:
    fresh = RightsRequest.objects.get(pk=req.pk)
    return (
        fresh.status,
        fresh.clock_started_on,
        fresh.released_on,
        RequestEvent.objects.filter(request=req).count(),
    )


# --- intake ------------------------------------------------------------------------------------------


def test_log_a_pupils_request_writes_the_logged_event_and_audit(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    assert req.status == Status.RECEIVED
    assert req.clock_started_on == ON
    assert req.requester_name == "Alex Testpupil1"
    assert req.created_by == dpl
    events = list(req.events.values_list("kind", "actor_id", "on"))
    assert events == [(EventKind.LOGGED, dpl.pk, ON)]
    audit = AuditEvent.objects.filter(model="rights.RightsRequest", object_id=str(req.pk))
    assert audit.count() == 1
    assert audit.get().actor_id == dpl.pk
    assert audit.get().pupil_id_ref == pupil_a.pk
    assert AuditEvent.objects.filter(model="rights.RequestEvent", actor=dpl).count() == 1


def test_unknown_subject_refused(users: dict[str, User], school_a: School, pupil_b: Pupil) -> None:
    for pupil in (None, pupil_b):  # no pupil; a pupil not on this school's register
        with pytest.raises(ValidationError) as exc:
            log(users["school_dpl"], school_a, pupil)
        assert exc.value.message_dict == {
            "pupil": ["Unknown subject: choose a pupil on this school's register."]
        }
    assert RightsRequest.objects.count() == 0


def test_requester_with_no_link_to_the_pupil_refused(
    users: dict[str, User], school_a: School, pupil_a: Pupil, teen: Pupil, parent_of_teen: Contact
) -> None:
    with pytest.raises(ValidationError) as exc:
        log(users["school_dpl"], school_a, pupil_a, requester_kind="parent", requester_contact=parent_of_teen)
    assert exc.value.message_dict["requester_contact"] == [
        "Morgan Parentson is a requester with no link to the pupil: they are not one of Alex Testpupil1's contacts."
    ]
    assert RightsRequest.objects.count() == 0
    assert RequestEvent.objects.count() == 0


def test_contact_without_parental_responsibility_refused(
    users: dict[str, User], school_a: School, teen: Pupil, system: Any
) -> None:
    aunt = link(teen, "Avery", pr=False)
    with pytest.raises(ValidationError) as exc:
        log(users["school_dpl"], school_a, teen, requester_kind="parent", requester_contact=aunt)
    (msg,) = exc.value.message_dict["requester_contact"]
    assert msg.startswith(
        "Avery Parentson has no parental responsibility for Jordan Testpupil21, so may not make"
    )
    assert RightsRequest.objects.count() == 0


def test_third_party_needs_written_authority(users: dict[str, User], school_a: School, teen: Pupil) -> None:
    with pytest.raises(ValidationError) as exc:
        log(
            users["school_dpl"],
            school_a,
            teen,
            requester_kind="third_party",
            requester_name="Smith & Co Solicitors",
        )
    assert list(exc.value.message_dict) == ["authority"]
    letter = SimpleUploadedFile("authority.pdf", b"%PDF-1.4 signed authority", content_type="application/pdf")
    req = log(
        users["school_dpl"],
        school_a,
        teen,
        requester_kind="third_party",
        requester_name="Smith & Co Solicitors",
        authority=letter,
        authority_description="Signed by the pupil's mother, dated 1 March 2026.",
    )
    assert req.authority.name.startswith(f"rights/{school_a.pk}/authority/")
    assert req.authority.name.endswith(".pdf")
    assert req.authority.read() == b"%PDF-1.4 signed authority"


def test_duplicate_open_request_refused_unless_allowed_with_reason(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    first = log(dpl, school_a, pupil_a)
    with pytest.raises(ValidationError) as exc:
        log(dpl, school_a, pupil_a, received_on=D(2026, 3, 9))
    assert exc.value.error_dict["kind"][0].code == "duplicate"
    assert exc.value.error_dict["kind"][0].params == {"existing": first.pk}
    assert (
        f"Request #{first.pk} (access (subject access request), received 5 March 2026) is still open"
        in (exc.value.message_dict["kind"][0])
    )
    with pytest.raises(ValidationError) as exc:
        log(dpl, school_a, pupil_a, allow_duplicate=True)
    assert list(exc.value.message_dict) == ["duplicate_reason"]
    assert RightsRequest.objects.count() == 1
    second = log(
        dpl, school_a, pupil_a, allow_duplicate=True, duplicate_reason="A separate request by letter."
    )
    assert second.duplicate_of == first
    # Another kind is not a duplicate; nor is a request once the first is closed.
    log(dpl, school_a, pupil_a, kind="erasure")
    with acting_as(dpl, channel="web"):
        services.transition(actor=dpl, request=first, to=Status.WITHDRAWN, on=ON, note="Withdrawn by email.")
        services.transition(actor=dpl, request=second, to=Status.WITHDRAWN, on=ON, note="Withdrawn by email.")
    assert log(dpl, school_a, pupil_a).duplicate_of is None


def test_teacher_cannot_log_and_other_school_gets_404(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    with pytest.raises(PermissionDenied):
        log(users["teacher"], school_a, pupil_a)
    with pytest.raises(Http404):
        log(users["teacher_b"], school_a, pupil_a)
    req = log(users["office_manager"], school_a, pupil_a)
    with pytest.raises(Http404):
        get_request(users["teacher_b"], req.pk)
    with pytest.raises(Http404):
        get_request(users["teacher"], req.pk)
    assert get_request(users["trust_dpo"], req.pk) == req
    assert list(requests_visible_to(users["teacher_b"])) == []
    assert list(requests_visible_to(users["school_dpl"])) == [req]
    with pytest.raises(Http404), acting_as(users["teacher_b"], channel="web"):
        services.transition(actor=users["teacher_b"], request=req, to=Status.IN_PROGRESS, on=ON)
    with pytest.raises(PermissionDenied), acting_as(users["teacher"], channel="web"):
        services.transition(actor=users["teacher"], request=req, to=Status.IN_PROGRESS, on=ON)
    assert RightsRequest.objects.get(pk=req.pk).status == Status.RECEIVED


# --- identity, clarification, fees, extension ------------------------------------------------------


def test_identity_verification_moves_the_clock_start(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        req = services.identity_requested(actor=dpl, request=req, on=ON, note="Not recognised: asked for ID.")
        assert req.status == Status.AWAITING_IDENTITY
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.IN_PROGRESS, on=ON)
        assert exc.value.refusal == Refusal.IDENTITY_NOT_VERIFIED
        req = services.identity_verified(
            actor=dpl, request=req, on=D(2026, 3, 12), method="in person", evidence_note="Passport seen."
        )
    assert req.clock_started_on == D(2026, 3, 12)
    assert req.status == Status.IN_PROGRESS
    ev = req.events.get(kind=EventKind.IDENTITY_VERIFIED)
    assert (ev.on, ev.method, ev.note, ev.actor) == (D(2026, 3, 12), "in person", "Passport seen.", dpl)
    assert list(req.events.filter(kind=EventKind.STATUS_CHANGE).values_list("from_status", "to_status")) == [
        ("received", "awaiting_identity"),
        ("awaiting_identity", "in_progress"),
    ]


def test_fee_received_later_moves_the_clock_start(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        req = services.fee_decided(
            actor=dpl,
            request=req,
            decision="fee",
            amount=Decimal("10.00"),
            reason="Fourth copy this term.",
            on=ON,
        )
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.IN_PROGRESS, on=ON)
        assert exc.value.refusal == Refusal.FEE_NOT_RECEIVED
        req = services.fee_received(actor=dpl, request=req, on=D(2026, 3, 16))
    assert req.clock_started_on == D(2026, 3, 16)


def test_refusal_needs_the_complaint_right(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        with pytest.raises(ValidationError) as exc:
            services.fee_decided(
                actor=dpl, request=req, decision="refused", reason="Repeated weekly to harass staff.", on=ON
            )
        assert "right to complain to the ICO and to a court" in str(exc.value)
        assert snapshot(req)[0] == Status.RECEIVED
        req = services.fee_decided(
            actor=dpl,
            request=req,
            decision="refused",
            reason="Repeated weekly to harass staff.",
            complaint_rights_told=True,
            on=ON,
        )
    assert req.status == Status.REFUSED
    assert req.outcome_reason == "Repeated weekly to harass staff."


def test_clarification_pause_recorded_and_in_the_due_date(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    deadlines = pytest.importorskip("steward.rights.deadlines")
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    plain = deadlines.due_date("access", ON, school=school_a).due
    assert services.due(req).due == plain
    with acting_as(dpl, channel="web"):
        req = services.clarification_asked(actor=dpl, request=req, on=D(2026, 3, 6), note="Which years?")
        assert req.status == Status.AWAITING_CLARIFICATION
        assert services.due(req).due is None  # paused: nobody can say yet
        req = services.clarification_received(actor=dpl, request=req, on=D(2026, 3, 16), note="2024 to 2026.")
    assert req.status == Status.IN_PROGRESS
    assert services.pauses(req) == (deadlines.Pause(D(2026, 3, 6), D(2026, 3, 16)),)
    expected = deadlines.due_date(
        "access", ON, school=school_a, pauses=[deadlines.Pause(D(2026, 3, 6), D(2026, 3, 16))]
    )
    assert services.due(req).due == expected.due
    assert services.due(req).due > plain
    assert services.due(req).paused_days == 10


def test_a_pause_before_the_clock_restarts_is_not_counted(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    """Clarified first, ID verified later: the clock starts at ID, and the earlier pause does not count
    (rules §1.2); a pause straddling the new start counts only from it."""
    from steward.rights.deadlines import Pause, due_date

    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        req = services.identity_requested(actor=dpl, request=req, on=ON)
        req = services.clarification_asked(actor=dpl, request=req, on=D(2026, 3, 6), note="Which years?")
        req = services.clarification_received(actor=dpl, request=req, on=D(2026, 3, 9), note="All of them.")
        req = services.identity_verified(
            actor=dpl,
            request=req,
            on=D(2026, 3, 12),
            method="passport seen",
            evidence_note="Seen at reception.",
        )
    assert req.clock_started_on == D(2026, 3, 12)
    assert services.pauses(req) == ()
    assert services.due(req).due == due_date("access", D(2026, 3, 12), school=school_a).due
    assert services.pauses_from(req.events.order_by("at", "pk"), D(2026, 3, 7)) == (
        Pause(D(2026, 3, 7), D(2026, 3, 9)),
    )


def test_extension_told_after_the_first_month_refused(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl, dpo = users["school_dpl"], users["trust_dpo"]
    req = log(dpl, school_a, pupil_a)  # received Thursday 5 March 2026: first month ends Monday 6 April
    before = snapshot(req)
    with acting_as(dpl, channel="web"), pytest.raises(PermissionDenied):
        services.extension_decided(
            actor=dpl,
            request=req,
            reason="Complex.",
            decided_on=D(2026, 3, 20),
            requester_told_on=D(2026, 3, 20),
        )
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.extension_decided(
            actor=dpo,
            request=req,
            reason="Complex.",
            decided_on=D(2026, 3, 20),
            requester_told_on=D(2026, 4, 20),
        )
    assert exc.value.error_dict["extension_told_on"][0].code == "extension_too_late"
    assert (
        "must be told of an extension within the first month"
        in exc.value.message_dict["extension_told_on"][0]
    )
    assert snapshot(req) == before
    with acting_as(dpo, channel="web"):
        req = services.extension_decided(
            actor=dpo,
            request=req,
            reason="Seven years of records across three systems.",
            decided_on=D(2026, 3, 20),
            requester_told_on=D(2026, 3, 23),
        )
    assert req.extension_told_on == D(2026, 3, 23)
    assert req.events.filter(kind=EventKind.EXTENSION_DECIDED, actor=dpo).count() == 1
    deadlines = pytest.importorskip("steward.rights.deadlines")
    assert services.due(req).due == deadlines.due_date("access", ON, extended=True).due
    assert services.due(req).extended is True


# --- state machine ---------------------------------------------------------------------------------


def test_transition_out_of_order_refused_and_nothing_changes(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    before = snapshot(req)
    audit_before = AuditEvent.objects.count()
    for to in (Status.AWAITING_REVIEW, Status.READY, Status.RELEASED, Status.RECEIVED):
        with acting_as(dpl, channel="web"), pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=to, on=ON)
        assert exc.value.refusal == Refusal.NOT_ALLOWED
        assert exc.value.message.startswith(f"A request that is received cannot move to {to.label.lower()}")
    assert snapshot(req) == before
    assert AuditEvent.objects.count() == audit_before
    with acting_as(dpl, channel="web"), pytest.raises(TransitionRefused) as exc:
        services.transition(actor=dpl, request=req, to=Status.REFUSED, on=ON)
    assert exc.value.refusal == Refusal.REASON_REQUIRED
    assert snapshot(req) == before


def test_ready_only_after_review_and_released_only_via_release(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        services.transition(actor=dpl, request=req, to=Status.IN_PROGRESS, on=ON)
        services.transition(actor=dpl, request=req, to=Status.AWAITING_REVIEW, on=ON)
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.READY, on=ON)
        assert exc.value.refusal == Refusal.NOT_REVIEWED
        # An access request is reviewed on its draft bundle: none built yet, so not ready.
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.READY, on=ON, note="Checked.")
        assert exc.value.refusal == Refusal.NO_BUNDLE
        build(actor=dpl, request=req, final=False)
        services.transition(actor=dpl, request=req, to=Status.READY, on=ON, note="Checked.")
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.RELEASED, on=ON)
        assert exc.value.refusal == Refusal.RELEASE_ONLY_VIA_RELEASE
    assert RightsRequest.objects.get(pk=req.pk).status == Status.READY


def test_release_before_review_refused(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        services.transition(actor=dpl, request=req, to=Status.IN_PROGRESS, on=ON)
        services.transition(actor=dpl, request=req, to=Status.AWAITING_REVIEW, on=ON)
    before = snapshot(req)
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.NOT_READY
    assert "released only once it has been reviewed and marked ready" in exc.value.message
    assert snapshot(req) == before


def test_pupils_own_request_released(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    dpl = users["school_dpl"]
    req = to_ready(dpl, log(dpl, school_a, pupil_a))
    req = release(dpl, req)
    assert (req.status, req.released_on, req.released_to, req.release_method) == (
        Status.RELEASED,
        D(2026, 3, 20),
        "Alex Testpupil1",
        "secure email",
    )
    assert req.events.filter(kind=EventKind.RELEASED, actor=dpl).count() == 1
    with acting_as(dpl, channel="web"), pytest.raises(TransitionRefused) as exc:
        services.transition(actor=dpl, request=req, to=Status.IN_PROGRESS, on=ON)
    assert exc.value.message.endswith("it may move to: nothing (the request is closed).")


def test_state_machine_table_is_explicit() -> None:
    assert workflow.allowed_targets(Status.RECEIVED) == [
        Status.AWAITING_IDENTITY,
        Status.AWAITING_CLARIFICATION,
        Status.IN_PROGRESS,
        Status.REFUSED,
        Status.WITHDRAWN,
    ]
    assert workflow.allowed_targets(Status.AWAITING_REVIEW) == [
        Status.READY,
        Status.IN_PROGRESS,
        Status.REFUSED,
        Status.WITHDRAWN,
    ]
    for closed in (Status.RELEASED, Status.REFUSED, Status.WITHDRAWN):
        assert workflow.allowed_targets(closed) == []
    assert [t for (s, t) in workflow.TRANSITIONS if t == Status.RELEASED] == [Status.RELEASED]


# --- competence: a parent's SAR about a 14-year-old (rules §1.5) --------------------------------------


def parent_sar(users: dict[str, User], school: School, pupil: Pupil, contact: Contact) -> RightsRequest:
    return to_ready(
        users["school_dpl"],
        log(users["school_dpl"], school, pupil, requester_kind="parent", requester_contact=contact),
    )


def test_parents_sar_about_a_14_year_old_not_released_without_view_or_dpo_decision(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl = users["school_dpl"]
    req = parent_sar(users, school_a, teen, parent_of_teen)
    assert teen.age_on(req.received_on) == 14
    with acting_as(dpl, channel="web"):
        services.competence_assessed(
            actor=dpl, request=req, on=D(2026, 3, 10), outcome="competent", note="Understands the request."
        )
    before = snapshot(req)
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.PUPIL_VIEW_OR_DPO_DECISION_REQUIRED
    assert exc.value.message == (
        "The pupil was 14 when the request was received: a pupil of 12 or over is treated as likely competent "
        "(rules §1.5), so record the pupil's consent to release to the parent, or a DPO decision with reasons, "
        "before releasing."
    )
    assert snapshot(req) == before
    # The pupil objecting does not unblock it either.
    with acting_as(dpl, channel="web"):
        services.pupil_view_recorded(
            actor=dpl, request=req, on=D(2026, 3, 11), view="objects", note="Does not want Mum to see."
        )
    with pytest.raises(TransitionRefused):
        release(dpl, req)
    assert snapshot(req)[0] == Status.READY
    c = CompetenceAssessment.objects.get(request=req)
    assert (c.pupil_age, c.outcome, c.assessed_by, c.pupil_view) == (14, "competent", dpl, "objects")


def test_parents_sar_about_a_14_year_old_released_with_pupils_consent(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl = users["school_dpl"]
    req = parent_sar(users, school_a, teen, parent_of_teen)
    with acting_as(dpl, channel="web"):
        services.pupil_view_recorded(
            actor=dpl, request=req, on=D(2026, 3, 11), view="consents", note="Happy for Mum to see."
        )
    assert release(dpl, req).status == Status.RELEASED


def test_parents_sar_about_a_14_year_old_released_with_a_dpo_decision(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl, dpo = users["school_dpl"], users["trust_dpo"]
    req = parent_sar(users, school_a, teen, parent_of_teen)
    with acting_as(dpl, channel="web"), pytest.raises(PermissionDenied):
        services.dpo_decision(
            actor=dpl, request=req, on=D(2026, 3, 12), decision="release", reasons="Best interests."
        )
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError):
        services.dpo_decision(actor=dpo, request=req, on=D(2026, 3, 12), decision="release", reasons=" ")
    with acting_as(dpo, channel="web"):
        services.dpo_decision(
            actor=dpo,
            request=req,
            on=D(2026, 3, 12),
            decision="release",
            reasons="Pupil not competent for this request (SEN); release is evidently in their best interests.",
        )
    assert req.events.get(kind=EventKind.DPO_DECISION).actor == dpo
    assert release(dpl, req).status == Status.RELEASED


def test_dpo_withholding_blocks_release_even_with_consent(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl, dpo = users["school_dpl"], users["trust_dpo"]
    req = parent_sar(users, school_a, teen, parent_of_teen)
    with acting_as(dpo, channel="web"):
        services.pupil_view_recorded(actor=dpo, request=req, on=D(2026, 3, 11), view="consents")
        services.dpo_decision(
            actor=dpo, request=req, on=D(2026, 3, 12), decision="withhold", reasons="Risk of harm."
        )
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.DPO_WITHHELD


def test_parents_sar_about_a_child_under_12_released_without_view(
    users: dict[str, User], school_a: School, child: Pupil, parent_of_child: Contact
) -> None:
    req = parent_sar(users, school_a, child, parent_of_child)
    assert child.age_on(req.received_on) == 10
    assert release(users["school_dpl"], req).status == Status.RELEASED


def test_twelfth_birthday_on_the_received_date_counts(
    users: dict[str, User], trust: Trust, school_a: School, system: Any
) -> None:
    twelve = make_pupil(trust, school_a, 23, date_of_birth=D(2014, 3, 5), ncy="7")
    eleven = make_pupil(trust, school_a, 24, date_of_birth=D(2014, 3, 6), ncy="7")
    p12, p11 = link(twelve, "Quinn"), link(eleven, "Riley")
    with pytest.raises(TransitionRefused):
        release(users["school_dpl"], parent_sar(users, school_a, twelve, p12))
    assert release(users["school_dpl"], parent_sar(users, school_a, eleven, p11)).status == Status.RELEASED


def test_pupils_view_not_asked_needs_a_reason(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, teen, requester_kind="parent", requester_contact=parent_of_teen)
    with acting_as(dpl, channel="web"), pytest.raises(ValidationError) as exc:
        services.pupil_view_recorded(actor=dpl, request=req, on=ON, view="not_asked")
    assert exc.value.message_dict == {"pupil_view_note": ["Say why the pupil's view was not asked."]}
    assert not CompetenceAssessment.objects.exists()


def test_competence_only_for_a_parents_request(users: dict[str, User], school_a: School, teen: Pupil) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, teen)
    with acting_as(dpl, channel="web"), pytest.raises(ValidationError) as exc:
        services.competence_assessed(actor=dpl, request=req, on=ON, outcome="competent")
    assert list(exc.value.message_dict) == ["requester_kind"]


def test_court_order_blocks_release_to_that_person(
    users: dict[str, User], school_a: School, child: Pupil, system: Any
) -> None:
    dad = link(child, "Drew", court_order=True)
    req = parent_sar(users, school_a, child, dad)
    before = snapshot(req)
    with pytest.raises(TransitionRefused) as exc:
        release(users["school_dpl"], req)
    assert exc.value.refusal == Refusal.COURT_ORDER
    assert "A court order is recorded for Drew Parentson" in exc.value.message
    assert snapshot(req) == before


def test_parental_responsibility_lost_after_intake_blocks_release(
    users: dict[str, User], school_a: School, child: Pupil, parent_of_child: Contact, system: Any
) -> None:
    req = parent_sar(users, school_a, child, parent_of_child)
    PupilContact.objects.filter(contact=parent_of_child).update(parental_responsibility=False)
    with pytest.raises(TransitionRefused) as exc:
        release(users["school_dpl"], req)
    assert exc.value.refusal == Refusal.NO_PARENTAL_RESPONSIBILITY


def test_events_are_append_only(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    ev = req.events.get()
    ev.note = "changed"
    with acting_as(users["school_dpl"], channel="web"), pytest.raises(ValidationError):
        ev.save()
    assert req.events.get().note == "Copies of everything the school holds about me."


def test_educational_record_cannot_be_extended(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a, kind="educational_record")
    dpo = users["trust_dpo"]
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.extension_decided(
            actor=dpo,
            request=req,
            reason="Complex.",
            decided_on=D(2026, 3, 6),
            requester_told_on=D(2026, 3, 6),
        )
    assert exc.value.message_dict == {
        "extension_reason": ["The 15-school-day educational record limit cannot be extended."]
    }


def test_withdrawal_needs_a_reason_and_closes_the_request(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"), pytest.raises(TransitionRefused) as exc:
        services.transition(actor=dpl, request=req, to=Status.WITHDRAWN, on=ON)
    assert exc.value.refusal == Refusal.REASON_REQUIRED
    with acting_as(dpl, channel="web"):
        req = services.transition(
            actor=dpl, request=req, to=Status.WITHDRAWN, on=ON, note="Phoned to withdraw."
        )
    assert (req.status, req.outcome_reason) == (Status.WITHDRAWN, "Phoned to withdraw.")
    with acting_as(dpl, channel="web"), pytest.raises(TransitionRefused):
        services.identity_verified(actor=dpl, request=req, on=ON, method="email", evidence_note="")


def test_rights_models_are_registered_with_every_field_classified() -> None:
    from steward.registry.registry import classifiable_fields, entry_for

    for model, path in (
        (RightsRequest, "pupil"),
        (RequestEvent, "request__pupil"),
        (CompetenceAssessment, "request__pupil"),
    ):
        entry = entry_for(model)
        assert (entry.subject, entry.subject_path) == ("pupil", path)
        assert sorted(f.name for f in entry.fields) == sorted(classifiable_fields(model))
    assert entry_for(RightsRequest).field("description").category.key == "pupil.rights"
    assert entry_for(RightsRequest).field("requester_name").category.key == "contact.rights"


def test_clarified_while_id_awaited_goes_back_to_awaiting_identity(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpl = users["school_dpl"]
    req = log(dpl, school_a, pupil_a)
    with acting_as(dpl, channel="web"):
        req = services.identity_requested(actor=dpl, request=req, on=ON)
        req = services.clarification_asked(actor=dpl, request=req, on=ON, note="Which years?")
        req = services.clarification_received(actor=dpl, request=req, on=D(2026, 3, 9))
        assert req.status == Status.AWAITING_IDENTITY
        req = services.identity_verified(
            actor=dpl, request=req, on=D(2026, 3, 10), method="email", evidence_note=""
        )
    assert (req.status, req.clock_started_on) == (Status.IN_PROGRESS, D(2026, 3, 10))


def test_assign_records_an_event_and_refuses_staff_of_another_school(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpo = users["trust_dpo"]
    req = log(dpo, school_a, pupil_a)
    with acting_as(dpo, channel="web"):
        req = services.assign(actor=dpo, request=req, to=users["office_manager"], on=ON)
    assert req.assigned_to == users["office_manager"]
    assert RequestEvent.objects.filter(request=req, kind=EventKind.ASSIGNED).count() == 1
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError):
        services.assign(actor=dpo, request=req, to=users["teacher_b"], on=ON)
    assert RightsRequest.objects.get(pk=req.pk).assigned_to == users["office_manager"]
