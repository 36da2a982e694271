"""The rights-request pages through Django's test client: the dashboard (order by legal due date,
highlighting, filters, closed list), logging a request (duplicates too), every action form writing its
event through its service, refusals shown on the form with nothing changed, and who may see what."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.conftest import make_pupil
from tests.rights.conftest import log, to_ready

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil
from steward.rights import selectors, services
from steward.rights.models import (
    CompetenceAssessment,
    EventKind,
    RequestEvent,
    RightsRequest,
    Status,
)


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any, tmp_path: Any) -> None:
    # As tests/register/test_register_ui.py: render {% static %} without a collected tree.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()


TODAY = timezone.localdate


def html_of(response: Any) -> str:
    return unescape(response.content.decode())


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(response)))


def error_summary(response: Any) -> list[str]:
    html = html_of(response)
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert match, "no error summary on the page"
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", match[1], re.S)
    ]


def error_links(response: Any) -> list[str]:
    html = html_of(response)
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert match
    return re.findall(r'href="([^"]+)"', match[1])


def date_fields(name: str, d: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(d.day), f"{name}_month": str(d.month), f"{name}_year": str(d.year)}


def snapshot(req: RightsRequest) -> tuple[Any, ...]:
    fresh = RightsRequest.objects.get(pk=req.pk)
    return (
        fresh.status,
        fresh.clock_started_on,
        fresh.assigned_to_id,
        fresh.extension_decided_on,
        fresh.released_on,
        RequestEvent.objects.filter(request=req).count(),
    )


def row_ids(response: Any) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" id="request-(\d+)"', html_of(response))]


def row_html(response: Any, req: RightsRequest) -> str:
    match = re.search(rf'id="request-{req.pk}">(.*?)</tr>', html_of(response), re.S)
    assert match, f"request {req.pk} not listed"
    return match[1]


@pytest.fixture
def office(client: Client, users: dict[str, User]) -> Client:
    client.force_login(users["office_manager"])
    return client


@pytest.fixture
def parent_teen(parent_of_teen: Contact) -> Contact:
    return parent_of_teen


def url(req: RightsRequest, slug: str = "") -> str:
    return f"/requests/{req.pk}/" + (f"{slug}/" if slug else "")


# --- the dashboard -------------------------------------------------------------------------------------


@pytest.fixture
def board(users: dict[str, User], school_a: School, teen: Pupil) -> dict[str, RightsRequest]:
    """Four open requests about one pupil: overdue, due within a week, due in a month, paused."""
    today = TODAY()
    actor = users["office_manager"]
    made = {
        "later": log(actor, school_a, teen, kind="objection", received_on=today),
        "paused": log(actor, school_a, teen, kind="erasure", received_on=today - dt.timedelta(days=10)),
        "overdue": log(actor, school_a, teen, kind="access", received_on=today - dt.timedelta(days=45)),
        "soon": log(
            actor,
            school_a,
            teen,
            kind="rectification",
            received_on=today - relativedelta(months=1) + dt.timedelta(days=4),
        ),
    }
    with acting_as(actor, channel="web"):
        services.clarification_asked(
            actor=actor, request=made["paused"], on=today - dt.timedelta(days=5), note="Which records?"
        )
    return made


def test_dashboard_sorts_by_due_date_paused_last_and_highlights(
    office: Client, board: dict[str, RightsRequest]
) -> None:
    response = office.get("/requests/")
    assert response.status_code == 200
    assert row_ids(response) == [board[k].pk for k in ("overdue", "soon", "later", "paused")]
    assert "Overdue" in row_html(response, board["overdue"])
    assert "govuk-tag--red" in row_html(response, board["overdue"])
    assert "days late" in row_html(response, board["overdue"])
    assert "Due this week" in row_html(response, board["soon"])
    assert "Due this week" not in row_html(response, board["later"])
    assert "Overdue" not in row_html(response, board["later"])
    assert "Paused" in row_html(response, board["paused"])
    html = html_of(response)
    assert re.search(r'id="count-overdue">1<', html)
    assert re.search(r'id="count-due-soon">1<', html)
    assert re.search(r'id="count-open">4<', html)
    # Due dates are the services' own.
    later = services.due(RightsRequest.objects.get(pk=board["later"].pk)).due
    assert later.strftime("%-d %b %Y") in row_html(response, board["later"])


def test_dashboard_due_dates_are_services_due_in_a_fixed_number_of_queries(
    users: dict[str, User], board: dict[str, RightsRequest], django_assert_max_num_queries: Any
) -> None:
    actor = users["office_manager"]
    today = TODAY()
    with django_assert_max_num_queries(8):
        result = selectors.dashboard(actor, today=today)
    assert len(result.rows) == 4
    for row in result.rows:
        assert row.deadline.due == services.due(row.request).due
    assert [r.deadline.urgency for r in result.rows] == ["overdue", "due_soon", "running", "paused"]


def test_dashboard_filters_and_the_closed_list(
    office: Client, users: dict[str, User], school_a: School, board: dict[str, RightsRequest]
) -> None:
    response = office.get("/requests/", {"kind": "erasure"})
    assert row_ids(response) == [board["paused"].pk]
    response = office.get("/requests/", {"status": "awaiting_clarification"})
    assert row_ids(response) == [board["paused"].pk]
    # Assigned to me.
    me = users["office_manager"]
    with acting_as(me, channel="web"):
        services.assign(actor=me, request=board["later"], to=me, on=TODAY())
    response = office.get("/requests/", {"mine": "1"})
    assert row_ids(response) == [board["later"].pk]
    assert "office_manager" in row_html(response, board["later"])
    # A withdrawn request leaves the open list for the closed one.
    with acting_as(me, channel="web"):
        services.transition(
            actor=me, request=board["soon"], to=Status.WITHDRAWN, on=TODAY(), note="Parent withdrew by phone."
        )
    response = office.get("/requests/")
    assert board["soon"].pk not in row_ids(response)
    assert "Closed (1)" in text_of(response)
    response = office.get("/requests/", {"closed": "1"})
    assert row_ids(response) == [board["soon"].pk]
    assert "Withdrawn" in row_html(response, board["soon"])
    assert office.get("/requests/", {"status": "withdrawn"}).content.count(b'id="request-') == 1


def test_requests_about_one_pupil(
    office: Client, board: dict[str, RightsRequest], trust: Trust, school_a: School, users: dict[str, User]
) -> None:
    other = make_pupil(trust, school_a, 30, legal_forename="Quinn")
    mine = log(users["office_manager"], school_a, other)
    response = office.get("/requests/", {"pupil": other.pk})
    assert row_ids(response) == [mine.pk]
    assert "Requests about Quinn" in text_of(response)


# --- who may see what ----------------------------------------------------------------------------------


def test_teachers_and_auditors_get_a_404_everywhere(
    client: Client, users: dict[str, User], board: dict[str, RightsRequest], teen: Pupil
) -> None:
    req = board["later"]
    for role in ("teacher", "auditor"):
        client.force_login(users[role])
        for path in [
            "/requests/",
            "/requests/new/",
            f"/requests/new/?pupil={teen.pk}",
            url(req),
            url(req, "note"),
        ]:
            assert client.get(path).status_code == 404, (role, path)
        before = snapshot(req)
        assert client.post(url(req, "note"), {"note": "x", **date_fields("on", TODAY())}).status_code == 404
        assert snapshot(req) == before
        nav = [item.text for item in client.get("/").context["nav_items"]]
        assert "Requests" not in nav
        assert "Log a request for this pupil" not in html_of(client.get(f"/pupils/{teen.pk}/"))


def test_a_request_at_another_school_is_a_404(
    office: Client, users: dict[str, User], school_b: School, pupil_b: Pupil
) -> None:
    req = log(users["trust_dpo"], school_b, pupil_b)
    assert office.get(url(req)).status_code == 404
    before = snapshot(req)
    response = office.post(url(req, "move"), {"to": "in_progress", **date_fields("on", TODAY())})
    assert response.status_code == 404
    assert snapshot(req) == before
    assert req.pk not in row_ids(office.get("/requests/"))
    assert office.get(f"/requests/new/?pupil={pupil_b.pk}").status_code == 404
    assert "Sam" not in text_of(office.get("/requests/new/", {"q": "Sam"}))


def test_nav_and_pupil_page_link_to_requests(office: Client, teen: Pupil) -> None:
    response = office.get(f"/pupils/{teen.pk}/")
    assert "Requests" in [item.text for item in response.context["nav_items"]]
    html = html_of(response)
    assert "Rights requests" in html
    assert f'href="/requests/?pupil={teen.pk}"' in html
    assert f'href="/requests/new/?pupil={teen.pk}"' in html


# --- logging a request ---------------------------------------------------------------------------------


def intake(contact: Contact | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "access",
        "requester_kind": "parent" if contact else "pupil",
        "requester_contact": str(contact.pk) if contact else "",
        "channel": "email",
        "description": "Everything the school holds about my child.",
        **date_fields("received_on", TODAY()),
    }
    data.update(extra)
    return data


def test_find_the_pupil_then_log_a_parents_request(
    office: Client, teen: Pupil, parent_teen: Contact, school_a: School
) -> None:
    response = office.get("/requests/new/", {"q": "Jordan"})
    assert f'href="/requests/new/?pupil={teen.pk}"' in html_of(response)
    response = office.get(f"/requests/new/?pupil={teen.pk}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Morgan Parentson (Mother, has parental responsibility)" in text
    assert "has parental responsibility" in text
    assert "likely to be competent" in text
    response = office.post(f"/requests/new/?pupil={teen.pk}", intake(parent_teen, identity_required="1"))
    req = RightsRequest.objects.get(pupil=teen)
    assert response.status_code == 302 and response["Location"] == url(req)
    assert req.school == school_a
    assert req.requester_contact == parent_teen
    assert req.requester_name == "Morgan Parentson"
    assert req.status == Status.AWAITING_IDENTITY
    assert list(req.events.values_list("kind", flat=True)) == [
        EventKind.LOGGED,
        EventKind.IDENTITY_REQUESTED,
        EventKind.STATUS_CHANGE,
    ]
    page = office.get(url(req))
    assert f"Access (subject access request) request #{req.pk} logged" in text_of(page)
    assert "Awaiting identity" in text_of(page)


def test_a_refused_intake_says_why_and_logs_nothing(
    office: Client, teen: Pupil, trust: Trust, system: Any
) -> None:
    stranger = Contact.objects.create(trust=trust, forename="Pat", surname="Stranger")
    # A parent's request needs the contact who made it.
    response = office.post(f"/requests/new/?pupil={teen.pk}", intake(None, requester_kind="parent"))
    assert response.status_code == 200
    assert any("must name the contact" in m for m in error_summary(response))
    # A contact not linked to the pupil is not offered, and a crafted one is refused.
    response = office.post(
        f"/requests/new/?pupil={teen.pk}",
        intake(None, requester_kind="parent", requester_contact=str(stranger.pk)),
    )
    assert response.status_code == 200
    assert error_summary(response)
    # A third party needs the written authority.
    response = office.post(
        f"/requests/new/?pupil={teen.pk}",
        intake(None, requester_kind="third_party", requester_name="A Solicitor"),
    )
    assert any("written authority" in m for m in error_summary(response))
    assert "#id_authority" in error_links(response)
    # A date is needed.
    response = office.post(f"/requests/new/?pupil={teen.pk}", {**intake(None), "received_on_day": ""})
    assert error_summary(response)
    assert not RightsRequest.objects.exists()


def test_a_third_party_with_written_authority(office: Client, teen: Pupil) -> None:
    upload = SimpleUploadedFile("authority.pdf", b"%PDF-1.4 signed authority", content_type="application/pdf")
    response = office.post(
        f"/requests/new/?pupil={teen.pk}",
        intake(
            None,
            requester_kind="third_party",
            requester_name="Sol Icitor (Example Law LLP)",
            authority=upload,
            authority_description="Signed by the pupil's mother on 1 November.",
        ),
    )
    assert response.status_code == 302, error_summary(response)
    req = RightsRequest.objects.get(pupil=teen)
    assert req.requester_name == "Sol Icitor (Example Law LLP)"
    assert req.authority.name.endswith(".pdf")


def test_a_duplicate_is_shown_and_can_be_logged_with_a_reason(
    office: Client, users: dict[str, User], school_a: School, teen: Pupil
) -> None:
    first = log(users["office_manager"], school_a, teen)
    response = office.post(f"/requests/new/?pupil={teen.pk}", intake(None))
    assert response.status_code == 200
    assert any(f"Request #{first.pk}" in m and "still open" in m for m in error_summary(response))
    html = html_of(response)
    assert f'href="/requests/{first.pk}/"' in html
    assert 'name="allow_duplicate"' in html
    assert RightsRequest.objects.count() == 1
    # Ticked without a reason: the reason is asked for.
    response = office.post(f"/requests/new/?pupil={teen.pk}", intake(None, allow_duplicate="1"))
    assert "#id_duplicate_reason" in error_links(response)
    assert 'name="allow_duplicate"' in html_of(response)
    assert RightsRequest.objects.count() == 1
    response = office.post(
        f"/requests/new/?pupil={teen.pk}",
        intake(None, allow_duplicate="1", duplicate_reason="A different period: last year only."),
    )
    assert response.status_code == 302
    second = RightsRequest.objects.exclude(pk=first.pk).get()
    assert second.duplicate_of == first
    assert second.duplicate_reason == "A different period: last year only."


def test_the_assignee_must_work_at_the_school(office: Client, users: dict[str, User], teen: Pupil) -> None:
    response = office.get(f"/requests/new/?pupil={teen.pk}")
    options = re.findall(r'<option value="(\d+)"', html_of(response))
    assert str(users["school_dpl"].pk) in options and str(users["trust_dpo"].pk) in options
    assert str(users["teacher"].pk) not in options
    response = office.post(
        f"/requests/new/?pupil={teen.pk}", intake(None, assigned_to=str(users["teacher"].pk))
    )
    assert "#id_assigned_to" in error_links(response)
    response = office.post(
        f"/requests/new/?pupil={teen.pk}", intake(None, assigned_to=str(users["school_dpl"].pk))
    )
    assert response.status_code == 302
    assert RightsRequest.objects.get().assigned_to == users["school_dpl"]


# --- the request page ----------------------------------------------------------------------------------


def test_the_request_page_explains_the_deadline(office: Client, board: dict[str, RightsRequest]) -> None:
    req = board["later"]
    response = office.get(url(req))
    assert response.status_code == 200
    text = text_of(response)
    due = services.due(req).due
    assert f"Due {due.strftime('%A %-d %B %Y')}" in text
    assert "Clock started" in text and "One calendar month" in text
    assert "How the due date is worked out" in text
    for step in services.due(req).steps:
        assert step[1:] in text
    # Not released yet, and why.
    assert "Not yet. Before release:" in text
    assert "marked ready" in text
    # Paused: no due date yet.
    text = text_of(office.get(url(board["paused"])))
    assert "The clock is paused" in text and "waiting for clarification" in text
    # The log, oldest first.
    assert text.index("Request logged") < text.index("Clarification asked")


def test_an_educational_record_at_an_academy_has_no_school_day_deadline(
    office: Client, users: dict[str, User], school_a: School, teen: Pupil
) -> None:
    req = log(users["office_manager"], school_a, teen, kind="educational_record")
    text = text_of(office.get(url(req)))
    assert "The due date cannot be worked out" in text and "not a maintained school" in text
    response = office.get("/requests/")
    assert "Not known" in row_html(response, req)


# --- the actions -----------------------------------------------------------------------------------------


def post(
    client: Client, req: RightsRequest, slug: str, data: dict[str, Any], on: dt.date | None = None
) -> Any:
    payload = {**date_fields("on", on or TODAY()), **data}
    return client.post(url(req, slug), payload)


def last_event(req: RightsRequest) -> RequestEvent:
    return RequestEvent.objects.filter(request=req).order_by("-at", "-pk").first()  # type: ignore[return-value]


def ok(response: Any, req: RightsRequest) -> None:
    assert response.status_code == 302, error_summary(response)
    assert response["Location"] == url(req)


def test_every_action_form_writes_its_event(
    client: Client, users: dict[str, User], school_a: School, teen: Pupil, parent_teen: Contact
) -> None:
    office_manager, dpo = users["office_manager"], users["trust_dpo"]
    client.force_login(office_manager)
    req = log(
        office_manager,
        school_a,
        teen,
        kind="access",
        requester_kind="parent",
        requester_contact=parent_teen,
        received_on=TODAY(),
    )

    # Every page the office manager is offered renders.
    page = client.get(url(req))
    for href in re.findall(rf'href="(/requests/{req.pk}/[a-z-]+/)"', html_of(page)):
        assert client.get(href).status_code == 200, href

    ok(post(client, req, "assign", {"assigned_to": str(users["school_dpl"].pk)}), req)
    assert last_event(req).kind == EventKind.ASSIGNED
    assert RightsRequest.objects.get(pk=req.pk).assigned_to == users["school_dpl"]

    ok(post(client, req, "identity-requested", {"note": "Passport or driving licence."}), req)
    assert RequestEvent.objects.filter(request=req, kind=EventKind.IDENTITY_REQUESTED).exists()
    assert RightsRequest.objects.get(pk=req.pk).status == Status.AWAITING_IDENTITY

    ok(
        post(
            client,
            req,
            "identity-verified",
            {"method": "Seen in person", "evidence_note": "Passport; name matches."},
        ),
        req,
    )
    ev = RequestEvent.objects.get(request=req, kind=EventKind.IDENTITY_VERIFIED)
    assert (ev.method, ev.note, ev.actor) == ("Seen in person", "Passport; name matches.", office_manager)
    assert RightsRequest.objects.get(pk=req.pk).status == Status.IN_PROGRESS

    ok(post(client, req, "clarification-asked", {"note": "Which school years?"}), req)
    assert RightsRequest.objects.get(pk=req.pk).status == Status.AWAITING_CLARIFICATION
    ok(post(client, req, "clarification-received", {"note": "Years 7 to 9."}), req)
    assert RequestEvent.objects.filter(request=req, kind=EventKind.CLARIFICATION_RECEIVED).exists()
    assert RightsRequest.objects.get(pk=req.pk).status == Status.IN_PROGRESS

    ok(
        post(client, req, "fee", {"decision": "fee", "amount": "10.00", "reason": "Fourth copy this term."}),
        req,
    )
    assert RightsRequest.objects.get(pk=req.pk).fee_decision == "fee"
    ok(post(client, req, "fee-received", {}), req)
    assert RequestEvent.objects.filter(request=req, kind=EventKind.FEE_RECEIVED).exists()

    ok(post(client, req, "competence", {"outcome": "competent", "note": "Understands the request."}), req)
    ok(
        post(
            client, req, "pupil-view", {"view": "objects", "note": "Does not want the parent to see notes."}
        ),
        req,
    )
    c = CompetenceAssessment.objects.get(request=req)
    assert (c.outcome, c.pupil_view) == ("competent", "objects")

    ok(post(client, req, "move", {"to": "awaiting_review", "note": "Draft ready."}), req)
    assert RightsRequest.objects.get(pk=req.pk).status == Status.AWAITING_REVIEW

    ok(post(client, req, "note", {"note": "Phoned the parent to say it is on its way."}), req)
    assert last_event(req).kind == EventKind.NOTE

    # The DPO's own actions.
    client.force_login(dpo)
    ok(
        post(
            client,
            req,
            "extension",
            {
                "reason": "Records span three schools.",
                **date_fields("decided_on", TODAY()),
                **date_fields("requester_told_on", TODAY()),
            },
        ),
        req,
    )
    assert RightsRequest.objects.get(pk=req.pk).extension_decided_on == TODAY()
    ok(
        post(
            client,
            req,
            "dpo-decision",
            {"decision": "withhold", "reasons": "The pupil objects and is competent."},
        ),
        req,
    )
    assert CompetenceAssessment.objects.get(request=req).dpo_decision == "withhold"
    kinds = set(req.events.values_list("kind", flat=True))
    assert {
        EventKind.EXTENSION_DECIDED,
        EventKind.DPO_DECISION,
        EventKind.COMPETENCE_ASSESSED,
        EventKind.PUPIL_VIEW_RECORDED,
        EventKind.FEE_DECIDED,
    } <= kinds
    # The deadline page shows the extension and the pause.
    text = text_of(client.get(url(req)))
    assert "extended by two further months" in text and "Records span three schools." in text


def test_release_is_refused_with_its_blockers_then_recorded(
    office: Client, users: dict[str, User], school_a: School, teen: Pupil, parent_teen: Contact
) -> None:
    om = users["office_manager"]
    # An educational record: releasing an access request also needs its reviewed bundle (not these pages').
    req = log(
        om,
        school_a,
        teen,
        kind="educational_record",
        requester_kind="parent",
        requester_contact=parent_teen,
        received_on=TODAY(),
    )
    req = to_ready(om, req)
    response = office.get(url(req, "release"))
    assert "likely competent" in text_of(response)
    before = snapshot(req)
    response = post(office, req, "release", {"method": "Secure email", "sent_to": "Morgan Parentson"})
    assert response.status_code == 200
    assert any("pupil's consent" in m for m in error_summary(response))
    assert snapshot(req) == before
    ok(post(office, req, "pupil-view", {"view": "consents"}), req)
    ok(post(office, req, "release", {"method": "Secure email", "sent_to": "Morgan Parentson"}), req)
    fresh = RightsRequest.objects.get(pk=req.pk)
    assert (fresh.status, fresh.release_method, fresh.released_to) == (
        Status.RELEASED,
        "Secure email",
        "Morgan Parentson",
    )
    text = text_of(office.get(url(req)))
    assert "Released on" in text and "Secure email" in text


def test_a_refused_transition_shows_the_reason_and_changes_nothing(
    office: Client, users: dict[str, User], school_a: School, teen: Pupil
) -> None:
    om = users["office_manager"]
    req = log(om, school_a, teen)
    with acting_as(om, channel="web"):
        services.identity_requested(actor=om, request=req, on=TODAY())
    page = office.get(url(req, "move"))
    html = html_of(page)
    # Only the moves the state machine allows from here, with their descriptions.
    assert 'value="in_progress"' in html and "identity verified: start work" in html
    assert 'value="ready"' not in html and 'value="released"' not in html
    assert "Needed to move it to: refused, withdrawn" in text_of(page)
    before = snapshot(req)
    response = post(office, req, "move", {"to": "in_progress"})
    assert response.status_code == 200
    assert error_summary(response) == ["Identity evidence was asked for and has not been verified."]
    assert snapshot(req) == before
    # A move whose guard needs a reason: the error links to the reason box.
    response = post(office, req, "move", {"to": "refused"})
    assert error_links(response) == ["#id_note"]
    assert snapshot(req) == before
    # A status the state machine does not list from here is refused by the form.
    response = post(office, req, "move", {"to": "released"})
    assert response.status_code == 200 and error_summary(response)
    assert snapshot(req) == before


def test_a_refused_action_keeps_the_form_and_changes_nothing(
    office: Client, users: dict[str, User], school_a: School, teen: Pupil
) -> None:
    req = log(users["office_manager"], school_a, teen, received_on=TODAY())
    before = snapshot(req)
    response = post(office, req, "identity-verified", {"method": "", "evidence_note": "x"})
    assert error_summary(response) == ["Say how identity was verified."]
    assert error_links(response) == ["#id_method"]
    response = post(
        office, req, "identity-verified", {"method": "In person"}, on=TODAY() - dt.timedelta(days=3)
    )
    assert "#id_on_day" in error_links(response)
    response = post(office, req, "note", {"note": "  "})
    assert error_links(response) == ["#id_note"]
    response = post(office, req, "fee", {"decision": "refused", "reason": "Manifestly excessive."})
    assert error_summary(response)
    assert snapshot(req) == before


def test_dpo_only_actions_are_hidden_and_refused(
    office: Client,
    client: Client,
    users: dict[str, User],
    school_a: School,
    teen: Pupil,
    parent_teen: Contact,
) -> None:
    req = log(
        users["office_manager"],
        school_a,
        teen,
        requester_kind="parent",
        requester_contact=parent_teen,
        received_on=TODAY(),
    )
    html = html_of(office.get(url(req)))
    assert f"/requests/{req.pk}/extension/" not in html and f"/requests/{req.pk}/dpo-decision/" not in html
    assert f"/requests/{req.pk}/pupil-view/" in html
    before = snapshot(req)
    assert office.get(url(req, "extension")).status_code == 404
    response = post(
        office,
        req,
        "extension",
        {
            "reason": "Complex.",
            **date_fields("decided_on", TODAY()),
            **date_fields("requester_told_on", TODAY()),
        },
    )
    assert response.status_code == 404
    assert post(office, req, "dpo-decision", {"decision": "release", "reasons": "x"}).status_code == 404
    assert snapshot(req) == before
    assert not CompetenceAssessment.objects.filter(request=req).exists()
    # The DPO is offered both.
    client.force_login(users["trust_dpo"])
    html = html_of(client.get(url(req)))
    assert f"/requests/{req.pk}/extension/" in html and f"/requests/{req.pk}/dpo-decision/" in html


def test_a_late_extension_is_refused_on_the_form(
    client: Client, users: dict[str, User], school_a: School, teen: Pupil
) -> None:
    today = TODAY()
    req = log(users["office_manager"], school_a, teen, received_on=today - dt.timedelta(days=60))
    client.force_login(users["trust_dpo"])
    before = snapshot(req)
    response = post(
        client,
        req,
        "extension",
        {"reason": "Complex.", **date_fields("decided_on", today), **date_fields("requester_told_on", today)},
    )
    assert response.status_code == 200
    assert any("within the first month" in m for m in error_summary(response))
    assert error_links(response) == ["#id_requester_told_on_day"]
    assert snapshot(req) == before
