"""Rights requests through the API: log (with duplicates and written authority), list, detail, every
action, refusals as 409s with their codes (nothing changed), scope (404) and permission (403)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.api.conftest import bearer_headers
from tests.rights.conftest import ON, draft, log

from steward.accounts.models import User
from steward.api.tokens import issue_token
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Contact, Pupil
from steward.rights.models import EventKind, RequestEvent, RightsRequest, Status

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


@pytest.fixture
def client_for(users: dict[str, User]) -> Clients:
    """A test client signed in with a bearer API token of the role user."""

    def make(role: str) -> Client:
        user = users[role]
        with acting_as(user, channel="cli"):
            key = issue_token(actor=user, user=user, name=f"{role} test token").key
        return Client(headers=bearer_headers(key))

    return make


def body(school: School, pupil: Pupil, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "school": school.urn,
        "pupil": pupil.pk,
        "kind": "access",
        "requester_kind": "pupil",
        "received_on": ON.isoformat(),
        "channel": "email",
        "description": "Copies of everything the school holds about me.",
    }
    data.update(overrides)
    return data


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def state(pk: int) -> tuple[str, int]:
    return RightsRequest.objects.get(pk=pk).status, RequestEvent.objects.filter(request_id=pk).count()


# -- create -------------------------------------------------------------------------------------


def test_log_a_request_with_id_asked_and_assigned(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    response = client_for("school_dpl").post(
        "/api/requests",
        body(school_a, pupil_a, identity_required="true", assigned_to="office_manager"),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    req = RightsRequest.objects.get()
    assert data["id"] == req.pk
    assert (data["status"], data["kind"], data["requester_name"]) == (
        "awaiting_identity",
        "access",
        "Alex Testpupil1",
    )
    assert (data["school_urn"], data["pupil_id"], data["assigned_to"]) == (
        "100001",
        pupil_a.pk,
        "office_manager",
    )
    assert [e["kind"] for e in data["events"]] == [
        "logged",
        "identity_requested",
        "status_change",
        "assigned",
    ]
    assert {e["actor"] for e in data["events"]} == {"school_dpl"}
    # Received Thursday 5 March 2026: 5 April is a Sunday, 6 April Easter Monday, so due Tuesday 7 April.
    assert data["due"] == "2026-04-07"
    assert data["deadline"]["due"] == "2026-04-07"
    assert "Easter Monday" in data["deadline"]["rule"]
    assert data["overdue"] is True  # long past by today (tests run after that date)
    assert data["days_left"] == (dt.date(2026, 4, 7) - timezone.localdate()).days
    assert data["allowed_transitions"] == ["in_progress", "awaiting_clarification", "refused", "withdrawn"]
    assert "not_ready" in [b["code"] for b in data["release_blockers"]]
    assert data["competence"] is None
    event = AuditEvent.objects.get(model="rights.RightsRequest", action="create")
    assert (event.actor_id, event.channel, event.request_id) == (
        users["school_dpl"].pk,
        "api",
        response["X-Request-ID"],
    )


def test_duplicate_is_409_naming_the_open_request_unless_allowed_with_a_reason(
    client_for: Clients, school_a: School, pupil_a: Pupil
) -> None:
    dpl = client_for("school_dpl")
    first = dpl.post("/api/requests", body(school_a, pupil_a)).json()["id"]
    response = dpl.post("/api/requests", body(school_a, pupil_a, received_on="2026-03-09"))
    assert response.status_code == 409
    data = response.json()
    assert data["duplicate_of"] == first
    assert data["errors"][0]["field"] == "kind"
    assert data["errors"][0]["codes"] == ["duplicate"]
    assert f"Request #{first}" in data["errors"][0]["messages"][0]
    no_reason = dpl.post("/api/requests", body(school_a, pupil_a, allow_duplicate="true"))
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["duplicate_reason"]
    assert RightsRequest.objects.count() == 1
    second = dpl.post(
        "/api/requests",
        body(school_a, pupil_a, allow_duplicate="true", duplicate_reason="A separate letter."),
    )
    assert second.status_code == 201
    assert second.json()["duplicate_of"] == first


def test_third_party_needs_the_written_authority_uploaded(
    client_for: Clients, school_a: School, teen: Pupil
) -> None:
    dpl = client_for("school_dpl")
    base = body(school_a, teen, requester_kind="third_party", requester_name="Smith & Co Solicitors")
    refused = dpl.post("/api/requests", base)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["authority"]
    letter = SimpleUploadedFile("authority.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = dpl.post(
        "/api/requests", {**base, "authority": letter, "authority_description": "Signed by the mother."}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["has_authority"] is True
    req = RightsRequest.objects.get()
    assert req.authority.name.startswith(f"rights/{school_a.pk}/authority/")
    assert req.authority.read() == b"%PDF-1.4 signed"


def test_bad_input_names_the_field(
    client_for: Clients, school_a: School, pupil_a: Pupil, pupil_b: Pupil, parent_of_teen: Contact
) -> None:
    dpl = client_for("school_dpl")
    bad_kind = dpl.post("/api/requests", body(school_a, pupil_a, kind="gossip"))
    assert bad_kind.status_code == 422
    (err,) = bad_kind.json()["errors"]
    assert (err["field"], err["codes"]) == ("kind", ["invalid_choice"])
    assert "'gossip' is not one of: access, educational_record" in err["messages"][0]
    unknown = dpl.post("/api/requests", body(school_a, pupil_b))  # not on school A's register
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["codes"] == ["unknown_subject"]
    no_link = dpl.post(
        "/api/requests",
        body(school_a, pupil_a, requester_kind="parent", requester_contact=parent_of_teen.pk),
    )
    assert no_link.status_code == 422
    assert [e["field"] for e in no_link.json()["errors"]] == ["requester_contact"]
    missing = dpl.post("/api/requests", {"school": school_a.urn})
    assert missing.status_code == 422
    assert {"kind", "received_on", "description"} <= {e["field"] for e in missing.json()["errors"]}
    assert RightsRequest.objects.count() == 0


# -- list and detail ----------------------------------------------------------------------------


def test_list_filters_and_shows_the_due_date(
    client_for: Clients,
    users: dict[str, User],
    school_a: School,
    school_b: School,
    pupil_a: Pupil,
    pupil_b: Pupil,
) -> None:
    dpl = users["school_dpl"]
    access = log(dpl, school_a, pupil_a)
    erasure = log(dpl, school_a, pupil_a, kind="erasure", received_on=timezone.localdate())
    other = log(users["trust_dpo"], school_b, pupil_b)
    with acting_as(dpl, channel="web"):
        from steward.rights import services

        services.transition(actor=dpl, request=access, to=Status.WITHDRAWN, on=ON, note="Withdrawn.")
    client = client_for("school_dpl")
    page = client.get("/api/requests").json()
    assert [i["id"] for i in page["items"]] == [erasure.pk, access.pk]  # newest first; school B unseen
    item = page["items"][0]
    assert item["overdue"] is False and item["paused"] is False
    assert item["days_left"] == (dt.date.fromisoformat(item["due"]) - timezone.localdate()).days
    assert 28 <= item["days_left"] <= 34
    assert [i["id"] for i in client.get("/api/requests", {"open": "true"}).json()["items"]] == [erasure.pk]
    assert [i["id"] for i in client.get("/api/requests", {"open": "false"}).json()["items"]] == [access.pk]
    assert [i["id"] for i in client.get("/api/requests", {"kind": "erasure"}).json()["items"]] == [erasure.pk]
    assert [i["id"] for i in client.get("/api/requests", {"status": "withdrawn"}).json()["items"]] == [
        access.pk
    ]
    assert client.get("/api/requests", {"pupil": pupil_b.pk}).json()["count"] == 0
    assert client.get("/api/requests", {"school": "100002"}).json()["count"] == 0
    closed = client.get("/api/requests", {"status": "withdrawn"}).json()["items"][0]
    assert (closed["days_left"], closed["overdue"]) == (None, False)
    trust = client_for("trust_dpo").get("/api/requests", {"school": "100002"}).json()
    assert [i["id"] for i in trust["items"]] == [other.pk]
    bad = client.get("/api/requests", {"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
    search = AuditEvent.objects.filter(model="rights.RightsRequest", action="search").first()
    assert search is not None and search.channel == "api"


def test_detail_is_audited_as_a_view(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    response = client_for("office_manager").get(f"/api/requests/{req.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["description"] == "Copies of everything the school holds about me."
    assert data["deadline"]["steps"] and data["deadline"]["state"] == "overdue"
    view = AuditEvent.objects.get(model="rights.RightsRequest", action="view")
    assert (view.actor_id, view.channel, view.pupil_id_ref) == (users["office_manager"].pk, "api", pupil_a.pk)


def test_session_sign_in_works(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    client = Client()
    client.force_login(users["headteacher"])
    assert client.get(f"/api/requests/{req.pk}").status_code == 200
    assert Client().get("/api/requests").status_code == 401


# -- scope and permission -----------------------------------------------------------------------


def test_other_school_is_404_and_teacher_403(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    before = state(req.pk)
    other = client_for("teacher_b")
    assert other.get(f"/api/requests/{req.pk}").status_code == 404
    assert post(other, f"/api/requests/{req.pk}/transition", {"to": "in_progress"}).status_code == 404
    assert other.get("/api/requests").json()["count"] == 0
    assert other.post("/api/requests", body(school_a, pupil_a)).status_code == 404
    assert client_for("school_dpl").get("/api/requests/999999").json() == {
        "detail": "No such request",
        "errors": [],
    }
    teacher = client_for("teacher")
    assert teacher.get(f"/api/requests/{req.pk}").status_code == 403
    refused = post(teacher, f"/api/requests/{req.pk}/transition", {"to": "in_progress"})
    assert refused.status_code == 403
    assert refused.json()["errors"] == []
    assert teacher.get("/api/requests").json()["count"] == 0
    created = teacher.post(
        "/api/requests", body(school_a, pupil_a, allow_duplicate="true", duplicate_reason="x")
    )
    assert created.status_code == 403
    assert "may not log or progress rights requests" in created.json()["detail"]
    assert state(req.pk) == before
    assert RightsRequest.objects.count() == 1


def test_only_the_trust_dpo_extends_or_decides(
    client_for: Clients, users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    req = log(users["school_dpl"], school_a, teen, requester_kind="parent", requester_contact=parent_of_teen)
    dpl = client_for("school_dpl")
    ext = {"reason": "Numerous records.", "decided_on": "2026-03-10", "requester_told_on": "2026-03-10"}
    assert post(dpl, f"/api/requests/{req.pk}/extension", ext).status_code == 403
    decision = {"decision": "release", "reasons": "Pupil told, no objection.", "on": "2026-03-10"}
    assert post(dpl, f"/api/requests/{req.pk}/dpo-decision", decision).status_code == 403
    dpo = client_for("trust_dpo")
    extended = post(dpo, f"/api/requests/{req.pk}/extension", ext)
    assert extended.status_code == 200, extended.json()
    assert extended.json()["deadline"]["extended"] is True
    assert extended.json()["due"] == "2026-06-05"
    late = post(dpo, f"/api/requests/{req.pk}/extension", ext)
    assert late.status_code == 422


# -- actions ------------------------------------------------------------------------------------


def test_every_action_from_intake_to_release(
    client_for: Clients, users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    dpl = client_for("school_dpl")
    created = dpl.post(
        "/api/requests",
        body(school_a, teen, requester_kind="parent", requester_contact=parent_of_teen.pk),
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    url = f"/api/requests/{pk}"

    def act(action: str, data: dict[str, Any], client: Client = dpl) -> dict[str, Any]:
        response = post(client, f"{url}/{action}", data)
        assert response.status_code == 200, (action, response.json())
        return response.json()  # type: ignore[no-any-return]

    assert (
        act("assign", {"assigned_to": "office_manager", "on": "2026-03-05"})["assigned_to"]
        == "office_manager"
    )
    assert act("assign", {"assigned_to": None})["assigned_to"] is None
    assert act("identity-requested", {"on": "2026-03-05", "note": "Photo ID please."})["status"] == (
        "awaiting_identity"
    )
    data = act(
        "identity-verified", {"on": "2026-03-09", "method": "passport seen", "evidence_note": "UK passport"}
    )
    assert (data["status"], data["clock_started_on"]) == ("in_progress", "2026-03-09")
    data = act("clarification-asked", {"on": "2026-03-10", "note": "Which years?"})
    assert (data["status"], data["due"], data["paused"]) == ("awaiting_clarification", None, True)
    assert data["deadline"]["state"] == "paused"
    data = act("clarification-received", {"on": "2026-03-12", "note": "2024 onwards."})
    assert (data["status"], data["paused"]) == ("in_progress", False)
    data = act("fee", {"on": "2026-03-12", "decision": "fee", "amount": "10.00", "reason": "Repeat request."})
    assert (data["fee_decision"], data["fee_amount"]) == ("fee", "10.00")
    data = act("fee-received", {"on": "2026-03-13"})
    assert (data["fee_received_on"], data["clock_started_on"]) == ("2026-03-13", "2026-03-13")
    data = act("competence", {"on": "2026-03-16", "outcome": "competent", "note": "Mature, understands."})
    assert (data["competence"]["outcome"], data["competence"]["pupil_age"]) == ("competent", 14)
    assert act("transition", {"to": "awaiting_review", "on": "2026-03-17"})["status"] == "awaiting_review"
    draft(users["school_dpl"], RightsRequest.objects.get(pk=pk), channel="api")
    data = act("transition", {"to": "ready", "on": "2026-03-18", "note": "Reviewed; names redacted."})
    assert "pupil_view_or_dpo_decision_required" in [b["code"] for b in data["release_blockers"]]
    assert "not_ready" not in [b["code"] for b in data["release_blockers"]]
    data = act("pupil-view", {"on": "2026-03-18", "view": "objects", "note": "Does not want it sent."})
    assert data["competence"]["pupil_view"] == "objects"
    data = act(
        "dpo-decision",
        {"on": "2026-03-19", "decision": "release", "reasons": "Records routine; parent has PR."},
        client_for("trust_dpo"),
    )
    assert (data["competence"]["dpo_decision"], data["competence"]["dpo_decided_by"]) == ("release", "dpo")
    assert "pupil_view_or_dpo_decision_required" not in [b["code"] for b in data["release_blockers"]]
    note = post(dpl, f"{url}/notes", {"note": "Parent acknowledged the timetable.", "on": "2026-03-21"})
    assert note.status_code == 201
    assert (note.json()["kind"], note.json()["actor"], note.json()["on"]) == (
        "note",
        "school_dpl",
        "2026-03-21",
    )
    kinds = list(RequestEvent.objects.filter(request_id=pk).values_list("kind", flat=True))
    for kind in [
        EventKind.ASSIGNED,
        EventKind.IDENTITY_VERIFIED,
        EventKind.CLARIFICATION_RECEIVED,
        EventKind.FEE_RECEIVED,
        EventKind.COMPETENCE_ASSESSED,
        EventKind.PUPIL_VIEW_RECORDED,
        EventKind.DPO_DECISION,
        EventKind.NOTE,
    ]:
        assert kind in kinds
    assert set(AuditEvent.objects.filter(model="rights.RequestEvent").values_list("channel", flat=True)) == {
        "api"
    }


def test_release_records_what_was_sent(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    # Rectification: no disclosure bundle is needed, so a ready request may be released at once.
    req = log(users["school_dpl"], school_a, pupil_a, kind="rectification")
    dpl = client_for("school_dpl")
    for to, note in [("in_progress", ""), ("awaiting_review", ""), ("ready", "Checked the corrections.")]:
        assert post(dpl, f"/api/requests/{req.pk}/transition", {"to": to, "note": note}).status_code == 200
    response = post(dpl, f"/api/requests/{req.pk}/release", {"on": "2026-03-20", "method": "letter"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["released_on"], data["released_to"], data["release_method"]) == (
        "released",
        "2026-03-20",
        "Alex Testpupil1",
        "letter",
    )
    assert data["deadline"]["state"] == "closed" and data["allowed_transitions"] == []
    assert data["release_blockers"] == []
    assert data["events"][-1]["kind"] == "released"


def test_refused_transition_is_409_with_its_code_and_changes_nothing(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    before = state(req.pk)
    dpl = client_for("school_dpl")
    response = post(dpl, f"/api/requests/{req.pk}/transition", {"to": "ready"})
    assert response.status_code == 409
    data = response.json()
    assert data["errors"] == [
        {"field": None, "messages": [data["detail"]], "codes": ["transition_not_allowed"]}
    ]
    assert "cannot move to ready to release" in data["detail"]
    no_reason = post(dpl, f"/api/requests/{req.pk}/transition", {"to": "refused"})
    assert (no_reason.status_code, no_reason.json()["errors"][0]["codes"]) == (409, ["reason_required"])
    via = post(dpl, f"/api/requests/{req.pk}/transition", {"to": "released"})
    assert via.json()["errors"][0]["codes"] == ["transition_not_allowed"]
    assert state(req.pk) == before
    bad = post(dpl, f"/api/requests/{req.pk}/transition", {"to": "lost"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "to")


def test_release_before_review_is_409_with_every_reason(
    client_for: Clients, users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    req = log(users["school_dpl"], school_a, teen, requester_kind="parent", requester_contact=parent_of_teen)
    before = state(req.pk)
    response = post(client_for("school_dpl"), f"/api/requests/{req.pk}/release", {"method": "post"})
    assert response.status_code == 409
    codes = [e["codes"][0] for e in response.json()["errors"]]
    assert codes[:2] == ["not_ready", "pupil_view_or_dpo_decision_required"]
    assert all(len(e["messages"]) == 1 for e in response.json()["errors"])
    assert state(req.pk) == before


def test_closed_request_refuses_more_actions(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    dpl = client_for("school_dpl")
    withdrawn = post(dpl, f"/api/requests/{req.pk}/transition", {"to": "withdrawn", "note": "By email."})
    assert withdrawn.json()["status"] == "withdrawn"
    before = state(req.pk)
    again = post(dpl, f"/api/requests/{req.pk}/identity-requested", {})
    assert (again.status_code, again.json()["errors"][0]["codes"]) == (409, ["transition_not_allowed"])
    unknown_user = post(dpl, f"/api/requests/{req.pk}/assign", {"assigned_to": "nobody"})
    assert (unknown_user.status_code, unknown_user.json()["errors"][0]["field"]) == (422, "assigned_to")
    assert state(req.pk) == before
