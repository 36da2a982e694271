"""The work on a rights request through the API: manual searches (with returned files), bundles (build,
list, download as exports), the redaction review, and applying outcomes (rectification and Art 19,
erasure, restriction, objection, youth-support sharing, withdrawal of consent). Each with a refusal that
changes nothing, scope (404) and permission (403)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.api.conftest import bearer_headers
from tests.conftest import make_pupil
from tests.rights.conftest import ON, log

from steward.accounts.models import User
from steward.api.tokens import issue_token
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil
from steward.records.models import Note
from steward.rights import services
from steward.rights.models import (
    Bundle,
    ErasureEntry,
    EventKind,
    ManualTask,
    ObjectionDecision,
    Rectification,
    RedactionMark,
    RequestEvent,
    Restriction,
    RightsRequest,
    Status,
    YouthSupportChoice,
)

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


@pytest.fixture
def client_for(users: dict[str, User]) -> Clients:
    def make(role: str) -> Client:
        user = users[role]
        with acting_as(user, channel="cli"):
            key = issue_token(actor=user, user=user, name=f"{role} test token").key
        return Client(headers=bearer_headers(key))

    return make


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def started(actor: User, school: School, pupil: Pupil, kind: str = "access", **kw: Any) -> RightsRequest:
    req = log(actor, school, pupil, kind=kind, **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def events(req: RightsRequest) -> int:
    return RequestEvent.objects.filter(request=req).count()


@pytest.fixture
def note(trust: Trust, school_a: School, pupil_a: Pupil, system: Any) -> Note:
    make_pupil(trust, school_a, 41, legal_forename="Kit", legal_surname="Marlowe")
    return Note.objects.create(
        pupil=pupil_a,
        school=school_a,
        title="Playground",
        body="Alex and Kit Marlowe fell out at break. Alex cried at break.",
    )


# -- manual search tasks ------------------------------------------------------------------------


def test_tasks_suggested_created_completed_with_files_and_cancelled(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/tasks"
    dpl = client_for("school_dpl")
    suggested = dpl.get(f"{url}/suggested")
    assert suggested.status_code == 200
    mis = next(s for s in suggested.json() if s["system"] == "mis")
    assert mis["has_task"] is False and mis["instructions"].startswith("Search ")
    created = post(dpl, url, {"system": "mis", "assigned_to": "office_manager", "instructions": "All of it."})
    assert created.status_code == 201, created.json()
    task = created.json()
    assert (task["system"], task["status"], task["assigned_to"]) == ("mis", "open", "office_manager")
    assert task["system_name"] == mis["name"]
    assert next(s for s in dpl.get(f"{url}/suggested").json() if s["system"] == "mis")["has_task"] is True

    office = client_for("office_manager")
    data = b"Exported from the MIS."
    done = office.post(
        f"{url}/{task['id']}/complete",
        {
            "note": "Two files.",
            "on": "2026-03-09",
            "files": [SimpleUploadedFile("a.txt", data), SimpleUploadedFile("b.csv", b"x,y\n")],
        },
    )
    assert done.status_code == 200, done.json()
    out = done.json()
    assert (out["status"], out["completed_on"], out["completed_by"]) == (
        "done",
        "2026-03-09",
        "office_manager",
    )
    assert [(f["name"], f["sha256"]) for f in out["files"]] == [
        ("a.txt", hashlib.sha256(data).hexdigest()),
        ("b.csv", hashlib.sha256(b"x,y\n").hexdigest()),
    ]
    again = office.post(f"{url}/{task['id']}/complete", {"nothing_found": "true"})
    assert (again.status_code, again.json()["errors"][0]["field"]) == (422, "status")

    other = post(dpl, url, {"system_name": "CCTV", "assigned_to": "office_manager"}).json()
    no_reason = post(dpl, f"{url}/{other['id']}/cancel", {"reason": " "})
    assert (no_reason.status_code, no_reason.json()["errors"][0]["field"]) == (422, "reason")
    assert ManualTask.objects.get(pk=other["id"]).status == "open"
    cancelled = post(dpl, f"{url}/{other['id']}/cancel", {"reason": "No CCTV at this school."})
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    listed = dpl.get(url)
    assert [t["id"] for t in listed.json()] == [task["id"], other["id"]]
    assert AuditEvent.objects.filter(model="rights.ManualTask", action="view", channel="api").exists()


def test_task_refusals_change_nothing_and_scope(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/tasks"
    dpl = client_for("school_dpl")
    before = events(req)
    teacher_assigned = post(dpl, url, {"system_name": "CCTV", "assigned_to": "teacher"})
    assert (teacher_assigned.status_code, teacher_assigned.json()["errors"][0]["field"]) == (
        422,
        "assigned_to",
    )
    unknown = post(dpl, url, {"system": "abacus", "assigned_to": "office_manager"})
    assert unknown.json()["errors"] == [
        {
            "field": "system",
            "messages": ["No system 'abacus' in this school's register."],
            "codes": ["unknown"],
        }
    ]
    assert (
        post(client_for("teacher"), url, {"system_name": "CCTV", "assigned_to": "office_manager"}).status_code
        == 403
    )
    assert client_for("teacher_b").get(url).status_code == 404
    assert post(dpl, f"{url}/999999/cancel", {"reason": "x"}).status_code == 404
    rectification = started(users["school_dpl"], school_a, pupil_a, "rectification")
    wrong_kind = post(
        dpl, f"/api/requests/{rectification.pk}/tasks", {"system_name": "CCTV", "assigned_to": "dpo"}
    )
    assert (wrong_kind.status_code, wrong_kind.json()["errors"][0]["field"]) == (422, "kind")
    with acting_as(users["school_dpl"], channel="web"):
        services.transition(
            actor=users["school_dpl"], request=req, to=Status.WITHDRAWN, on=ON, note="By email."
        )
    closed = post(dpl, url, {"system_name": "CCTV", "assigned_to": "office_manager"})
    assert (closed.status_code, closed.json()["errors"][0]["codes"]) == (409, ["transition_not_allowed"])
    assert not ManualTask.objects.exists()
    assert events(req) == before + 1  # the withdrawal only


# -- bundles ------------------------------------------------------------------------------------


def test_bundles_built_listed_and_downloaded_as_exports(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = started(users["trust_dpo"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/bundles"
    dpo = client_for("trust_dpo")
    draft = post(dpo, url, {"final": False})
    assert draft.status_code == 201, draft.json()
    b = draft.json()
    assert (b["state"], b["built_by"], len(b["sha256"])) == ("draft", "dpo", 64)
    assert any(c["key"] == "pupil.note" and c["records"] == 1 for c in b["categories"])
    refused = post(dpo, url, {"final": True})  # the automatic pass proposed a mark nobody decided
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["codes"] == ["redactions_undecided"]
    assert Bundle.objects.count() == 1
    mark = RedactionMark.objects.get(request=req)
    assert (
        post(dpo, f"/api/requests/{req.pk}/redactions/{mark.pk}/decide", {"decision": "accepted"}).status_code
        == 200
    )
    final = post(dpo, url, {"final": True})
    assert final.status_code == 201, final.json()
    assert final.json()["redactions_applied"] == {"third_party": 1}
    listed = dpo.get(url).json()
    assert [x["state"] for x in listed] == ["final", "draft"]

    pdf = dpo.get(final.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    archive = dpo.get(final.json()["zip_url"])
    assert archive.status_code == 200 and archive["X-Bundle-SHA256"] == final.json()["sha256"]
    body = b"".join(archive.streaming_content)
    assert hashlib.sha256(body).hexdigest() == final.json()["sha256"]
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert "[REDACTED: third party]" in z.read("pupil.note.json").decode()
    downloads = AuditEvent.objects.filter(model="rights.Bundle", action="export", channel="api")
    formats = [e.detail.get("format") for e in downloads]
    assert formats.count("pdf") == 1 and formats.count("zip") == 1
    assert "pupil.note" in downloads.get(detail__format="pdf").categories


def test_bundle_refusals_scope_and_reviewers_only(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = started(users["trust_dpo"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/bundles"
    office = client_for("office_manager")
    built = post(office, url, {"final": False})
    assert built.status_code == 403 and "data protection lead" in built.json()["detail"]
    assert not Bundle.objects.exists()
    bundle = post(client_for("trust_dpo"), url, {"final": False}).json()
    assert office.get(bundle["pdf_url"]).status_code == 403
    assert office.get(url).status_code == 200  # the list holds hashes and counts, not the data
    assert client_for("teacher_b").get(bundle["zip_url"]).status_code == 404
    assert client_for("trust_dpo").get(f"{url}/999999/pdf").status_code == 404
    exports = AuditEvent.objects.filter(model="rights.Bundle", action="export")
    assert [e.detail.get("format") for e in exports] == [None]  # the build only; no refused download


# -- the redaction review -------------------------------------------------------------------------


def test_redaction_review_propose_decide_add_and_done(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/redactions"
    dpl = client_for("school_dpl")
    proposed = post(dpl, f"{url}/propose")
    assert proposed.json() == {"proposed": 1, "kept": 0, "dropped": 0}
    loc = f"records.Note:{note.pk}:body"
    review = dpl.get(url, {"marked_only": "true"}).json()
    assert review["undecided"] == 1 and [i["location"] for i in review["items"]] == [loc]
    (mark,) = review["items"][0]["marks"]
    assert (mark["text"], mark["reason"], mark["decision"], mark["origin"]) == (
        "Kit Marlowe",
        "third_party",
        "proposed",
        "auto",
    )
    assert len(dpl.get(url).json()["items"]) >= 1
    view = AuditEvent.objects.filter(model="rights.RedactionMark", action="view").latest("pk")
    assert "pupil.note" in view.categories
    early = post(dpl, f"{url}/done", {"note": "All checked."})
    assert (early.status_code, early.json()["errors"][0]["field"]) == (422, "decision")
    bad = post(dpl, f"{url}/{mark['id']}/decide", {"decision": "maybe"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "decision")
    decided = post(dpl, f"{url}/{mark['id']}/decide", {"decision": "accepted", "note": "Third party."})
    assert (decided.json()["decision"], decided.json()["decided_by"]) == ("accepted", "school_dpl")

    twice = post(dpl, url, {"location": loc, "text": "at break", "reason": "other"})
    assert (twice.status_code, twice.json()["errors"][0]["field"]) == (422, "occurrence")
    missing = post(dpl, url, {"location": loc, "text": "Zebra", "reason": "other"})
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (422, "text")
    overlap = post(dpl, url, {"location": loc, "text": "Kit", "reason": "third_party"})
    assert (overlap.status_code, overlap.json()["errors"][0]["field"]) == (422, "start")
    by_text = post(dpl, url, {"location": loc, "text": "at break", "occurrence": 2, "reason": "other"})
    assert by_text.status_code == 201, by_text.json()
    second = note.body.index("at break", note.body.index("at break") + 1)
    assert (by_text.json()["start"], by_text.json()["end"]) == (second, second + 8)
    by_offsets = post(dpl, url, {"location": loc, "start": 0, "end": 4, "reason": "other", "note": "Test."})
    assert (by_offsets.status_code, by_offsets.json()["text"], by_offsets.json()["origin"]) == (
        201,
        "Alex",
        "dpo",
    )
    done = post(dpl, f"{url}/done", {"note": "All checked.", "on": "2026-03-10"})
    assert done.status_code == 201, done.json()
    assert (done.json()["kind"], done.json()["on"]) == ("redactions_reviewed", "2026-03-10")
    assert "3 redactions accepted, 0 removed" in done.json()["note"]


def test_redactions_are_for_reviewers_and_scoped(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    url = f"/api/requests/{req.pk}/redactions"
    before = events(req)
    assert post(client_for("office_manager"), f"{url}/propose").status_code == 403
    assert client_for("office_manager").get(url).status_code == 403
    assert post(client_for("teacher_b"), f"{url}/propose").status_code == 404
    assert not RedactionMark.objects.exists() and events(req) == before
    post(client_for("school_dpl"), f"{url}/propose")
    mark = RedactionMark.objects.get()
    other = started(users["school_dpl"], school_a, pupil_a, "portability")
    elsewhere = post(
        client_for("school_dpl"),
        f"/api/requests/{other.pk}/redactions/{mark.pk}/decide",
        {"decision": "removed"},
    )
    assert elsewhere.status_code == 404
    assert RedactionMark.objects.get().decision == "proposed"


# -- rectification and Art 19 ---------------------------------------------------------------------


def test_rectification_with_history_statement_and_recipients_to_tell(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "rectification")
    url = f"/api/requests/{req.pk}"
    office = client_for("office_manager")
    assert office.get(f"{url}/recipients-to-tell").json() == []
    change = {
        "model": "people.Pupil",
        "id": str(pupil_a.pk),
        "field": "legal_surname",
        "value": "Quillfeather",
    }
    done = post(office, f"{url}/rectifications", {"changes": [change], "on": "2026-03-09"})
    assert done.status_code == 201, done.json()
    (rect,) = done.json()
    assert (rect["before"], rect["after"], rect["category"], rect["on"]) == (
        "Testpupil1",
        "Quillfeather",
        "pupil.identity.name",
        "2026-03-09",
    )
    pupil_a.refresh_from_db()
    assert pupil_a.legal_surname == "Quillfeather"
    statement = post(
        office,
        f"{url}/rectifications",
        {
            "changes": [{"model": "people.Pupil", "id": str(pupil_a.pk), "field": "legal_forename"}],
            "statement": "The pupil prefers Lex.",
        },
    )
    assert statement.status_code == 201, statement.json()
    assert statement.json()[0]["before"] == statement.json()[0]["after"] == "Alex"
    told = {r["key"]: r for r in office.get(f"{url}/recipients-to-tell").json()}
    assert "dfe" in told and "pupil.identity.name" in told["dfe"]["categories"]


def test_rectification_refusals_change_nothing(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "rectification")
    url = f"/api/requests/{req.pk}/rectifications"
    office = client_for("office_manager")
    before = events(req)

    def change(**kw: Any) -> dict[str, Any]:
        return {"changes": [{"model": "people.Pupil", "id": str(pupil_a.pk), "field": "legal_surname", **kw}]}

    all_or_none = post(
        office,
        url,
        {
            "changes": [
                {
                    "model": "people.Pupil",
                    "id": str(pupil_a.pk),
                    "field": "legal_forename",
                    "value": "Alexis",
                },
                {"model": "people.Pupil", "id": str(pupil_a.pk), "field": "upn", "value": "NOT-A-UPN"},
            ]
        },
    )
    assert (all_or_none.status_code, all_or_none.json()["errors"][0]["field"]) == (422, "upn")
    unknown_model = post(
        office, url, {"changes": [{"model": "people.Gossip", "id": "1", "field": "x", "value": "y"}]}
    )
    assert (unknown_model.status_code, unknown_model.json()["errors"][0]["field"]) == (422, "model")
    no_record = post(
        office, url, {"changes": [{"model": "people.Pupil", "id": "999999", "field": "x", "value": "y"}]}
    )
    assert (no_record.status_code, no_record.json()["errors"][0]["field"]) == (422, "id")
    assert post(office, url, {"changes": []}).status_code == 422
    assert post(client_for("teacher"), url, change(value="X")).status_code == 403
    assert post(client_for("teacher_b"), url, change(value="X")).status_code == 404
    pupil_a.refresh_from_db()
    assert (pupil_a.legal_forename, pupil_a.legal_surname) == ("Alex", "Testpupil1")
    assert not Rectification.objects.exists() and events(req) == before


# -- erasure --------------------------------------------------------------------------------------


def test_erasure_plan_then_erasure_by_the_dpo_only(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "erasure")
    url = f"/api/requests/{req.pk}"
    plan = client_for("office_manager").get(f"{url}/erasure-plan", {"on": "2026-03-09"})
    assert plan.status_code == 200, plan.json()
    data = plan.json()
    assert data["on"] == "2026-03-09" and data["pupil_deleted"] is False
    pupil_row = next(i for i in data["items"] if i["model"] == "people.Pupil")
    assert pupil_row["action"] == "kept" and pupil_row["reason"]
    refused = post(client_for("office_manager"), f"{url}/erasure", {"on": "2026-03-09"})
    assert refused.status_code == 403 and "DPO decisions" in refused.json()["detail"]
    assert not ErasureEntry.objects.exists()
    assert client_for("teacher_b").get(f"{url}/erasure-plan").status_code == 404
    access = started(users["office_manager"], school_a, pupil_a)
    wrong = post(client_for("trust_dpo"), f"/api/requests/{access.pk}/erasure", {})
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "kind")
    erased = post(client_for("trust_dpo"), f"{url}/erasure", {"on": "2026-03-09"})
    assert erased.status_code == 201, erased.json()
    assert {e["action"] for e in erased.json()} >= {"kept"}
    assert ErasureEntry.objects.filter(request=req).count() == len(erased.json())
    assert req.events.filter(kind=EventKind.OUTCOME_APPLIED, method="erasure").exists()


# -- restriction ----------------------------------------------------------------------------------


def test_restrict_list_and_lift(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, pupil_b: Pupil
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "restriction")
    url = f"/api/requests/{req.pk}/restrictions"
    office = client_for("office_manager")
    bad = post(office, url, {"ground": "whim"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "ground")
    unknown = post(office, url, {"ground": "accuracy", "categories": ["pupil.medical"]})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "categories")
    assert not Restriction.objects.exists()
    made = post(
        office,
        url,
        {"ground": "accuracy", "categories": ["pupil.note"], "on": "2026-03-09", "note": "Disputed."},
    )
    assert made.status_code == 201, made.json()
    r = made.json()
    assert (r["categories"], r["active"], r["request_id"], r["all_categories"]) == (
        ["pupil.note"],
        True,
        req.pk,
        False,
    )
    listed = office.get(f"/api/pupils/{pupil_a.pk}/restrictions")
    assert [x["id"] for x in listed.json()] == [r["id"]]
    assert AuditEvent.objects.filter(model="rights.Restriction", action="view", channel="api").exists()
    assert client_for("teacher_b").get(f"/api/pupils/{pupil_a.pk}/restrictions").status_code == 404
    teacher = client_for("teacher").get(f"/api/pupils/{pupil_a.pk}/restrictions")
    assert teacher.status_code == 403
    assert teacher.json()["detail"] == "You may not see the restrictions on this pupil's data."
    assert office.get("/api/pupils/999999/restrictions").status_code == 404

    lift = f"{url}/{r['id']}/lift"
    body = {"on": "2026-03-20", "told_on": "2026-03-18", "reason": "Accuracy checked."}
    assert post(office, lift, body).status_code == 403
    late = post(client_for("trust_dpo"), lift, {**body, "told_on": "2026-03-21"})
    assert (late.status_code, late.json()["errors"][0]["field"]) == (422, "told_before_lift_on")
    assert Restriction.objects.get().is_active
    other = started(users["trust_dpo"], school_b_of(pupil_b), pupil_b, "restriction")
    assert (
        post(
            client_for("trust_dpo"), f"/api/requests/{other.pk}/restrictions/{r['id']}/lift", body
        ).status_code
        == 404
    )
    lifted = post(client_for("trust_dpo"), lift, body)
    assert lifted.status_code == 200, lifted.json()
    assert (lifted.json()["lifted_on"], lifted.json()["active"]) == ("2026-03-20", False)
    assert office.get(f"/api/pupils/{pupil_a.pk}/restrictions").json() == []
    assert len(office.get(f"/api/pupils/{pupil_a.pk}/restrictions", {"include_lifted": "true"}).json()) == 1
    assert len(office.get(f"/api/pupils/{pupil_a.pk}/restrictions", {"on": "2026-03-19"}).json()) == 1


def school_b_of(pupil: Pupil) -> School:
    return pupil.enrolments.get().school


def test_restricting_a_closed_request_is_409(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "restriction")
    with acting_as(users["office_manager"], channel="web"):
        services.transition(
            actor=users["office_manager"], request=req, to=Status.WITHDRAWN, on=ON, note="Withdrawn."
        )
    closed = post(
        client_for("office_manager"), f"/api/requests/{req.pk}/restrictions", {"ground": "accuracy"}
    )
    assert (closed.status_code, closed.json()["errors"][0]["codes"]) == (409, ["transition_not_allowed"])
    assert not Restriction.objects.exists()


# -- objection ------------------------------------------------------------------------------------


def test_objection_pending_then_decided_by_the_dpo(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "objection")
    url = f"/api/requests/{req.pk}/objection"
    office = client_for("office_manager")
    pending = post(office, f"{url}/pending", {"categories": ["pupil.assessment"], "on": "2026-03-09"})
    assert pending.status_code == 201, pending.json()
    assert pending.json()["ground"] == "objection_pending"
    body = {
        "purpose": "statutory_returns",
        "processing": "The school census",
        "outcome": "no_right",
        "reasons": "Required by Education Act 1996 s537A.",
        "on": "2026-03-25",
    }
    assert post(office, url, body).status_code == 403
    dpo = client_for("trust_dpo")
    wrong = post(dpo, url, {**body, "outcome": "upheld"})
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "outcome")
    unknown = post(dpo, url, {**body, "purpose": "astrology"})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "purpose")
    assert not ObjectionDecision.objects.exists()
    decided = post(dpo, url, body)
    assert decided.status_code == 201, decided.json()
    assert (decided.json()["outcome"], decided.json()["purpose"], decided.json()["decided_by"]) == (
        "no_right",
        "statutory_returns",
        "dpo",
    )
    assert Restriction.objects.get().lifted_on.isoformat() == "2026-03-25"
    assert post(client_for("teacher_b"), url, body).status_code == 404


# -- youth-support sharing and consent ------------------------------------------------------------


def test_youth_support_state_choice_and_opt_down(
    client_for: Clients, users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    req = started(
        users["office_manager"],
        school_a,
        teen,
        "youth_support_opt_down",
        requester_kind="parent",
        requester_contact=parent_of_teen,
    )
    url = f"/api/requests/{req.pk}/youth-support"
    office = client_for("office_manager")
    state = office.get(url, {"on": "2026-03-09"}).json()
    assert (state["state"], state["controller"], state["age"], state["decided_by"]) == (
        "unsought",
        "parent",
        14,
        "",
    )
    pupil_choice = post(office, url, {"state": "full", "decided_by": "pupil", "on": "2026-03-09"})
    assert (pupil_choice.status_code, pupil_choice.json()["errors"][0]["field"]) == (422, "decided_by")
    unknown = post(office, url, {"state": "full", "decided_by": "parent", "contact": 999999})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "contact")
    assert not YouthSupportChoice.objects.exists()
    assert post(client_for("teacher"), f"{url}/opt-down", {}).status_code == 403
    applied = post(office, f"{url}/opt-down", {"on": "2026-03-09"})
    assert applied.status_code == 201, applied.json()
    assert (applied.json()["state"], applied.json()["decided_by"], applied.json()["contact_id"]) == (
        "limited",
        "parent",
        parent_of_teen.pk,
    )
    state = office.get(url, {"on": "2026-03-10"}).json()
    assert (state["state"], state["limited"], state["decided_on"]) == ("limited", True, "2026-03-09")
    chosen = post(
        office,
        url,
        {"state": "full", "decided_by": "parent", "contact": parent_of_teen.pk, "on": "2026-03-12"},
    )
    assert chosen.status_code == 201, chosen.json()
    assert office.get(url, {"on": "2026-03-12"}).json()["state"] == "full"
    assert client_for("teacher_b").get(url).status_code == 404


def test_consent_withdrawal_lists_what_relies_on_it(
    client_for: Clients,
    users: dict[str, User],
    school_a: School,
    child: Pupil,
    parent_of_child: Any,
    loaded: Any,
) -> None:
    req = started(
        users["office_manager"],
        school_a,
        child,
        "withdraw_consent",
        requester_kind="parent",
        requester_contact=parent_of_child,
    )
    url = f"/api/requests/{req.pk}/consent-withdrawal"
    office = client_for("office_manager")
    before = events(req)
    refused = post(office, url, {"purpose_name": "statutory_returns"})
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "purpose_name")
    assert events(req) == before
    done = post(office, url, {"purpose_name": "Photographs on the school website", "on": "2026-03-09"})
    assert done.status_code == 201, done.json()
    assert (done.json()["found"], done.json()["purpose_key"]) == (True, "photos_website")
    assert "pupil.image" in done.json()["categories"]
    assert post(client_for("teacher"), url, {"purpose_name": "x"}).status_code == 403
    assert post(client_for("teacher_b"), url, {"purpose_name": "x"}).status_code == 404
    not_started = log(
        users["office_manager"],
        school_a,
        child,
        kind="withdraw_consent",
        requester_kind="parent",
        requester_contact=parent_of_child,
        allow_duplicate=True,
        duplicate_reason="Second letter.",
    )
    early = post(office, f"/api/requests/{not_started.pk}/consent-withdrawal", {"purpose_name": "x"})
    assert (early.status_code, early.json()["errors"][0]["field"]) == (422, "status")


# -- the OpenAPI document -------------------------------------------------------------------------


def test_openapi_documents_uploads_and_file_downloads() -> None:
    doc = Client().get("/api/openapi.json").json()
    paths = doc["paths"]
    complete = paths["/api/requests/{request_id}/tasks/{task_id}/complete"]["post"]
    form = complete["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"note", "nothing_found", "on", "files"} <= set(form["properties"])
    pdf = paths["/api/requests/{request_id}/bundles/{bundle_id}/pdf"]["get"]["responses"]
    assert pdf["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert {"401", "403", "404"} <= set(pdf)
    zipped = paths["/api/requests/{request_id}/bundles/{bundle_id}/zip"]["get"]["responses"]
    assert "application/zip" in zipped["200"]["content"]
    for path, ops in paths.items():
        if "/tasks" in path or "/redactions" in path or path.endswith(("/erasure", "/objection")):
            for method, op in ops.items():
                if method == "post":
                    assert {"403", "404", "409", "422"} <= set(op["responses"]), path
    assert paths["/api/pupils/{pupil_id}/restrictions"]["get"]["tags"] == ["pupils"]


# -- scope and permission on every endpoint -------------------------------------------------------

ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "tasks", {}),
    ("get", "tasks/suggested", {}),
    ("post", "tasks", {"system_name": "CCTV", "assigned_to": "office_manager"}),
    ("post", "tasks/1/complete", {}),
    ("post", "tasks/1/cancel", {"reason": "x"}),
    ("post", "bundles", {"final": False}),
    ("get", "bundles", {}),
    ("get", "bundles/1/pdf", {}),
    ("get", "bundles/1/zip", {}),
    ("get", "redactions", {}),
    ("post", "redactions/propose", {}),
    ("post", "redactions/1/decide", {"decision": "accepted"}),
    ("post", "redactions", {"location": "x", "start": 0, "end": 1, "reason": "other"}),
    ("post", "redactions/done", {}),
    ("post", "rectifications", {"changes": [{"model": "people.Pupil", "id": "1", "field": "legal_surname"}]}),
    ("get", "recipients-to-tell", {}),
    ("get", "erasure-plan", {}),
    ("post", "erasure", {}),
    ("post", "restrictions", {"ground": "accuracy"}),
    ("post", "restrictions/1/lift", {"told_on": "2026-03-09", "reason": "x"}),
    ("post", "objection", {"processing": "x", "outcome": "upheld", "reasons": "x"}),
    ("post", "objection/pending", {}),
    ("get", "youth-support", {}),
    ("post", "youth-support", {"state": "full", "decided_by": "school"}),
    ("post", "youth-support/opt-down", {}),
    ("post", "consent-withdrawal", {"purpose_name": "x"}),
]


def test_every_endpoint_is_404_outside_scope_and_403_for_a_teacher(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    outsider, teacher = client_for("teacher_b"), client_for("teacher")
    before = (events(req), AuditEvent.objects.filter(action="create").count())
    for method, path, data in ENDPOINTS:
        url = f"/api/requests/{req.pk}/{path}"
        if method == "get":
            answers = [outsider.get(url), teacher.get(url)]
        else:
            answers = [post(outsider, url, data), post(teacher, url, data)]
        assert [a.status_code for a in answers] == [404, 403], (method, path)
    assert (events(req), AuditEvent.objects.filter(action="create").count()) == before
    assert client_for("school_dpl").get("/api/requests/999999/tasks").json() == {
        "detail": "No such request",
        "errors": [],
    }
