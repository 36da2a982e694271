"""The stored redaction review: the automatic pass, decisions, the reviewer's own marks, re-runs, the end
of the review, and who may do it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from tests.conftest import make_pupil
from tests.rights.conftest import ON, link, log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.records.models import Note
from steward.rights import review, services
from steward.rights.models import EventKind, MarkDecision, RedactionMark, RightsRequest, Status
from steward.rights.workflow import Refusal, TransitionRefused


@pytest.fixture
def dpl(users: dict[str, User]) -> User:
    return users["school_dpl"]


@pytest.fixture
def note(trust: Trust, school_a: School, pupil_a: Pupil, system: Any) -> Note:
    make_pupil(trust, school_a, 41, legal_forename="Kit", legal_surname="Marlowe")
    return Note.objects.create(
        pupil=pupil_a, school=school_a, title="Playground", body="Alex and Kit Marlowe fell out at break."
    )


def in_progress(actor: User, school: School, pupil: Pupil, **kw: Any) -> RightsRequest:
    req = log(actor, school, pupil, **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def propose(actor: User, req: RightsRequest) -> review.Proposal:
    with acting_as(actor, channel="web"):
        return review.propose(actor=actor, request=req)


def test_propose_stores_proposed_marks_and_rerun_keeps_decisions(
    dpl: User, school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    assert propose(dpl, req).proposed == 1
    mark = RedactionMark.objects.get(request=req)
    assert (mark.location, mark.text, mark.kind, mark.reason, mark.decision, mark.origin) == (
        f"records.Note:{note.pk}:body",
        "Kit Marlowe",
        "name",
        "third_party",
        "proposed",
        "auto",
    )
    assert note.body[mark.start : mark.end] == "Kit Marlowe"
    assert mark.person.startswith("pupil:")
    with acting_as(dpl, channel="web"):
        review.decide(actor=dpl, mark=mark, decision="removed", note="Named with consent.")
    again = propose(dpl, req)
    assert (again.proposed, again.kept, again.dropped) == (0, 1, 0)
    assert RedactionMark.objects.get(request=req).decision == MarkDecision.REMOVED
    event = req.events.filter(kind=EventKind.NOTE, method="redaction: removed").get()
    assert "Kit Marlowe" not in event.note  # the log never repeats the redacted text


def test_changed_text_drops_the_mark(dpl: User, school_a: School, pupil_a: Pupil, note: Note) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    propose(dpl, req)
    with acting_as(dpl, channel="web"):
        review.decide(actor=dpl, mark=RedactionMark.objects.get(request=req), decision="accepted")
    Note.objects.filter(pk=note.pk).update(body="Alex fell out with a friend at break.")
    assert propose(dpl, req).dropped == 1
    assert not RedactionMark.objects.filter(request=req).exists()


def test_reviewer_adds_a_mark_validated_against_the_current_text(
    dpl: User, school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    loc = f"records.Note:{note.pk}:body"
    start = note.body.index("at break")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"location": "records.Note:999:body", "start": 0, "end": 2, "reason": "third_party"}, "location"),
        ({"location": loc, "start": -1, "end": 2, "reason": "third_party"}, "start"),
        ({"location": loc, "start": 3, "end": 3, "reason": "third_party"}, "end"),
        ({"location": loc, "start": 0, "end": 999, "reason": "third_party"}, "end"),
        ({"location": loc, "start": start, "end": start + 8, "reason": "gossip"}, "reason"),
    ]
    with acting_as(dpl, channel="web"):
        for kw, field in bad:
            with pytest.raises(ValidationError) as exc:
                review.add(actor=dpl, request=req, **kw)
            assert list(exc.value.message_dict) == [field]
        assert not RedactionMark.objects.exists()
        mark = review.add(
            actor=dpl,
            request=req,
            location=loc,
            start=start,
            end=start + 8,
            reason="safeguarding_exemption",
            note="Serious harm test met.",
        )
    assert (mark.text, mark.origin, mark.decision, mark.decided_by) == ("at break", "dpo", "accepted", dpl)
    items = {i.location: i for i in review.review_items(req)}
    assert items[loc].text == note.body and [m.pk for m in items[loc].marks] == [mark.pk]


def test_decision_must_be_accept_or_remove(dpl: User, school_a: School, pupil_a: Pupil, note: Note) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    propose(dpl, req)
    mark = RedactionMark.objects.get(request=req)
    with acting_as(dpl, channel="web"), pytest.raises(ValidationError) as exc:
        review.decide(actor=dpl, mark=mark, decision="maybe")
    assert list(exc.value.message_dict) == ["decision"]
    assert RedactionMark.objects.get(pk=mark.pk).decision == "proposed"


def test_only_the_dpo_or_dp_lead_decides(
    users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = in_progress(users["school_dpl"], school_a, pupil_a)
    propose(users["trust_dpo"], req)
    mark = RedactionMark.objects.get(request=req)
    for role in ("office_manager", "headteacher", "teacher"):
        with acting_as(users[role], channel="web"), pytest.raises(PermissionDenied):
            review.decide(actor=users[role], mark=mark, decision="accepted")
    with acting_as(users["teacher_b"], channel="web"), pytest.raises(Http404):
        review.propose(actor=users["teacher_b"], request=req)
    assert RedactionMark.objects.get(pk=mark.pk).decision == "proposed"


def test_review_done_refused_while_undecided_then_recorded(
    dpl: User, school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    propose(dpl, req)
    with acting_as(dpl, channel="web"):
        with pytest.raises(ValidationError) as exc:
            review.review_done(actor=dpl, request=req, on=ON, note="Checked.")
        assert list(exc.value.message_dict) == ["decision"]
        review.decide(actor=dpl, mark=RedactionMark.objects.get(request=req), decision="accepted")
        ev = review.review_done(actor=dpl, request=req, on=ON, note="Checked every page.")
    assert ev.kind == EventKind.REDACTIONS_REVIEWED
    assert ev.note == "1 redactions accepted, 0 removed. Checked every page."


def test_ready_refused_while_a_redaction_is_undecided(
    dpl: User, school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = in_progress(dpl, school_a, pupil_a)
    propose(dpl, req)
    with acting_as(dpl, channel="web"):
        services.transition(actor=dpl, request=req, to=Status.AWAITING_REVIEW, on=ON)
        with pytest.raises(TransitionRefused) as exc:
            services.transition(actor=dpl, request=req, to=Status.READY, on=ON, note="Reviewed.")
    assert exc.value.refusal == Refusal.REDACTIONS_UNDECIDED
    assert RightsRequest.objects.get(pk=req.pk).status == Status.AWAITING_REVIEW


def test_requesting_parents_own_name_stays_the_other_parents_goes(
    dpl: User, school_a: School, pupil_a: Pupil, system: Any
) -> None:
    mum, dad = link(pupil_a, "Morgan"), link(pupil_a, "Rowan")
    mum.surname, dad.surname = "Quill", "Brackenbury"
    mum.save()
    dad.save()
    note = Note.objects.create(
        pupil=pupil_a,
        school=school_a,
        title="Call",
        body="Morgan Quill phoned; Rowan Brackenbury was not told.",
    )
    req = in_progress(dpl, school_a, pupil_a, requester_kind="parent", requester_contact=mum)
    propose(dpl, req)
    assert [m.text for m in RedactionMark.objects.filter(request=req)] == ["Rowan Brackenbury"]
    assert RedactionMark.objects.get(request=req).location == f"records.Note:{note.pk}:body"
