"""The response pages of access and portability requests through Django's test client: searches by hand
(suggested from the register, created, completed with files, cancelled), bundle builds with their
refusals, downloads audited as exports, and the redaction review screen (highlighted marks, decisions,
the reviewer's own redactions typed as text, finishing the review); who may see what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import make_pupil
from tests.rights.conftest import ON, log
from tests.rights.test_web_requests import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    TODAY,
    date_fields,
    error_summary,
    html_of,
    plain_static_storage,
    text_of,
)

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.records.models import Note
from steward.register.services import load_default_register
from steward.rights import services, tasks
from steward.rights.models import (
    Bundle,
    EventKind,
    ManualTask,
    ManualTaskFile,
    MarkDecision,
    RedactionMark,
    RightsRequest,
    Status,
    TaskStatus,
)

NOTE = "Alex and Kit Marlowe fell out at break. Kit Marlowe apologised at break."


@pytest.fixture
def dpo(users: dict[str, User]) -> User:
    return users["trust_dpo"]


@pytest.fixture
def register(trust: Trust, dpo: User) -> None:
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo)


@pytest.fixture
def note(trust: Trust, school_a: School, pupil_a: Pupil, system: Any) -> Note:
    make_pupil(trust, school_a, 41, legal_forename="Kit", legal_surname="Marlowe")
    return Note.objects.create(pupil=pupil_a, school=school_a, title="Playground", body=NOTE)


@pytest.fixture
def req(dpo: User, school_a: School, pupil_a: Pupil) -> RightsRequest:
    r = log(dpo, school_a, pupil_a)
    with acting_as(dpo, channel="web"):
        return services.transition(actor=dpo, request=r, to=Status.IN_PROGRESS, on=ON)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(req: RightsRequest, slug: str = "") -> str:
    return f"/requests/{req.pk}/" + (f"{slug}/" if slug else "")


def build(client: Client, req: RightsRequest, state: str) -> Any:
    return client.post(url(req, "bundle"), {"state": state})


# --- searches by hand ------------------------------------------------------------------------------------


def test_a_search_suggested_from_the_register_is_assigned_completed_with_files(
    client: Client, users: dict[str, User], dpo: User, req: RightsRequest, register: None
) -> None:
    office = users["office_manager"]
    login(client, office)
    page = client.get(url(req, "searches/new"))
    assert page.status_code == 200
    assert "Suggested from the register" in text_of(page)
    assert "?system=mis" in html_of(page)
    prefilled = html_of(client.get(url(req, "searches/new") + "?system=mis"))
    mis = next(s for s in tasks.suggest_tasks(req) if s.system.key == "mis")
    assert f'value="{mis.name}"' in prefilled
    default = tasks.default_due(req)
    assert f'value="{default.day}"' in prefilled  # the due date defaults as the service does

    response = client.post(
        url(req, "searches/new"),
        {"system": "mis", "system_name": mis.name, "instructions": "Everything.", "assigned_to": office.pk},
    )
    assert response.status_code == 302 and response["Location"] == url(req, "response")
    task = ManualTask.objects.get(request=req)
    assert (task.system, task.assigned_to, task.due_on) == (mis.system, office, default)

    # Refused: neither files nor "nothing held"; nothing changes.
    response = client.post(url(req, f"searches/{task.pk}/complete"), date_fields("on", TODAY()))
    assert error_summary(response) == [
        "Files returned: Return the files found, or record that nothing was found."
    ]
    assert ManualTask.objects.get(pk=task.pk).status == TaskStatus.OPEN

    files = [
        SimpleUploadedFile("export.txt", b"Alex's record.", content_type="text/plain"),
        SimpleUploadedFile("letter.txt", b"A letter home.", content_type="text/plain"),
    ]
    response = client.post(
        url(req, f"searches/{task.pk}/complete"),
        {"returned": files, "note": "Two files.", **date_fields("on", TODAY())},
    )
    assert response.status_code == 302
    assert ManualTask.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert sorted(ManualTaskFile.objects.filter(task=task).values_list("original_name", flat=True)) == [
        "export.txt",
        "letter.txt",
    ]
    page = text_of(client.get(url(req, "response")))
    assert "Done: files returned" in page and "export.txt" in page
    assert "Searches by hand" in text_of(client.get(url(req)))


def test_a_search_is_cancelled_only_with_a_reason(
    client: Client, users: dict[str, User], req: RightsRequest
) -> None:
    login(client, users["office_manager"])
    client.post(
        url(req, "searches/new"),
        {"system_name": "CCTV", "assigned_to": users["office_manager"].pk},
    )
    task = ManualTask.objects.get(request=req)
    response = client.post(url(req, f"searches/{task.pk}/cancel"), date_fields("on", TODAY()))
    assert error_summary(response)[0].endswith("Say why the search is not needed.")
    assert ManualTask.objects.get(pk=task.pk).status == TaskStatus.OPEN
    response = client.post(
        url(req, f"searches/{task.pk}/cancel"), {"reason": "No CCTV here.", **date_fields("on", TODAY())}
    )
    assert response.status_code == 302
    assert ManualTask.objects.get(pk=task.pk).status == TaskStatus.CANCELLED


def test_assignee_must_work_on_requests(client: Client, users: dict[str, User], req: RightsRequest) -> None:
    login(client, users["office_manager"])
    response = client.post(
        url(req, "searches/new"), {"system_name": "CCTV", "assigned_to": users["teacher"].pk}
    )
    assert error_summary(response) == ["Select someone who works on requests at the school"]
    assert not ManualTask.objects.exists()


# --- bundles and downloads ----------------------------------------------------------------------------


def test_final_bundle_refused_with_reasons_then_built_and_downloaded_as_an_audited_export(
    client: Client, users: dict[str, User], dpo: User, req: RightsRequest, note: Note
) -> None:
    login(client, dpo)
    # An open search and redactions not yet reviewed: the final bundle is refused, nothing built.
    client.post(url(req, "searches/new"), {"system_name": "CCTV", "assigned_to": dpo.pk})
    response = build(client, req, "final")
    message = " ".join(error_summary(response))
    assert "Manual searches are still open: CCTV" in message
    assert "possible third-party detail" in message
    assert not Bundle.objects.exists()

    task = ManualTask.objects.get(request=req)
    client.post(url(req, f"searches/{task.pk}/cancel"), {"reason": "None.", **date_fields("on", TODAY())})
    assert build(client, req, "draft").status_code == 302
    draft = Bundle.objects.get(request=req)
    assert RedactionMark.objects.filter(request=req, decision=MarkDecision.PROPOSED).count() == 2
    response = build(client, req, "final")
    assert "2 redaction(s) are still undecided" in " ".join(error_summary(response))
    assert Bundle.objects.count() == 1

    page = client.get(url(req, "response"))
    assert draft.sha256 in html_of(page)
    assert f"{url(req, f'bundle/{draft.pk}/pdf')}" in html_of(page)
    before = AuditEvent.objects.filter(action="export").count()
    pdf = client.get(url(req, f"bundle/{draft.pk}/pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    archive = client.get(url(req, f"bundle/{draft.pk}/zip"))
    assert archive.status_code == 200 and b"".join(archive.streaming_content)[:2] == b"PK"
    events = list(AuditEvent.objects.filter(action="export").order_by("pk"))[before:]
    assert [e.detail["download"] for e in events] == ["pdf", "zip"]
    assert events[0].pupil_id_ref == req.pupil_id and "pupil.note" in events[0].categories
    # The request page lists the build with its hash and downloads.
    detail = html_of(client.get(url(req)))
    assert draft.sha256 in detail and url(req, f"bundle/{draft.pk}/zip") in detail


def test_downloads_only_for_staff_who_may_read_everything_in_the_bundle(
    client: Client, users: dict[str, User], dpo: User, req: RightsRequest, note: Note
) -> None:
    with acting_as(dpo, channel="web"):
        from steward.rights.bundle import build as build_bundle

        bundle = build_bundle(actor=dpo, request=req, final=False)
    login(client, users["office_manager"])  # handles requests, but may not read notes
    assert client.get(url(req, "response")).status_code == 200
    assert client.get(url(req, f"bundle/{bundle.pk}/pdf")).status_code == 404
    assert "Holds data your roles may not read" in text_of(client.get(url(req, "response")))
    login(client, users["school_dpl"])
    assert client.get(url(req, f"bundle/{bundle.pk}/zip")).status_code == 200


# --- the review screen ----------------------------------------------------------------------------------


def marks(req: RightsRequest) -> list[RedactionMark]:
    return list(RedactionMark.objects.filter(request=req).order_by("location", "start"))


def test_review_screen_highlights_marks_and_decides_them(
    client: Client, dpo: User, req: RightsRequest, note: Note
) -> None:
    login(client, dpo)
    build(client, req, "draft")
    loc = f"records.Note:{note.pk}:body"
    page = client.get(url(req, "review"))
    html = html_of(page)
    assert page.status_code == 200
    # Each mark is highlighted, announced to screen readers, and labelled in visible text too.
    assert re.search(
        r'<mark class="steward-mark steward-mark--proposed" id="text-mark-\d+"><span class="govuk-visually-hidden">'
        r"Start of redaction 1, proposed, third party: </span>Kit Marlowe",
        html,
    )
    assert "[1: proposed, third party]" in html
    assert re.search(r'id="count-proposed">2<', html)
    first, second = marks(req)
    response = client.post(url(req, f"review/marks/{first.pk}"), {"decision": "accepted", "note": "A pupil."})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-records-Note-{note.pk}-body")
    first.refresh_from_db()
    assert (first.decision, first.note, first.decided_by) == ("accepted", "A pupil.", dpo)
    # Filter: only the undecided one is listed.
    filtered = html_of(client.get(url(req, "review") + "?undecided=1"))
    assert f'id="mark-{second.pk}"' in filtered and f'id="mark-{first.pk}"' not in filtered
    client.post(url(req, f"review/marks/{second.pk}"), {"decision": "removed"})
    assert RedactionMark.objects.get(pk=second.pk).decision == "removed"
    assert loc in {m.location for m in marks(req)}


def test_accept_all_on_a_text(client: Client, dpo: User, req: RightsRequest, note: Note) -> None:
    login(client, dpo)
    build(client, req, "draft")
    assert "Accept all 2 proposed" in text_of(client.get(url(req, "review")))
    client.post(url(req, "review/accept-all"), {"location": f"records.Note:{note.pk}:body"})
    assert {m.decision for m in marks(req)} == {"accepted"}


def test_the_reviewer_adds_redactions_by_typing_the_text(
    client: Client, dpo: User, req: RightsRequest, note: Note
) -> None:
    login(client, dpo)
    build(client, req, "draft")
    loc = f"records.Note:{note.pk}:body"
    prefix = f"item-records-Note-{note.pk}-body"

    def add(words: str, **kw: Any) -> Any:
        data = {
            f"{prefix}-location": loc,
            f"{prefix}-words": words,
            f"{prefix}-reason": "safeguarding_exemption",
        }
        data.update({f"{prefix}-{k}": v for k, v in kw.items()})
        return client.post(url(req, "review/add"), data)

    before = len(marks(req))
    response = add("at lunch")
    assert error_summary(response) == [
        "“at lunch” is not in this text: type it exactly as it appears (capitals, spaces, punctuation)."
    ]
    assert f'id="id_{prefix}-words-error"' in html_of(response)  # on the field, its box opened
    assert re.search(r'<details class="govuk-details govuk-!-margin-bottom-0" open>', html_of(response))
    assert error_summary(add("at break", occurrence="3")) == [
        "“at break” appears 2 times in this text, not 3."
    ]
    assert error_summary(add("Kit Marlowe")) == ["“Kit Marlowe” is already redacted here."]
    assert len(marks(req)) == before

    assert add("at break", occurrence="2").status_code == 302
    added = RedactionMark.objects.get(request=req, origin="dpo")
    assert NOTE[added.start : added.end] == "at break" and added.start == NOTE.rindex("at break")
    assert (added.reason, added.decision) == ("safeguarding_exemption", "accepted")
    assert add("fell out").status_code == 302  # every occurrence (one here)
    assert RedactionMark.objects.filter(request=req, origin="dpo").count() == 2


def test_finishing_the_review_is_refused_while_marks_are_undecided(
    client: Client, dpo: User, req: RightsRequest, note: Note
) -> None:
    login(client, dpo)
    build(client, req, "draft")
    response = client.post(url(req, "review/done"), {"note": "Read in full."})
    assert error_summary(response) == ["2 redaction(s) are still undecided: accept or remove each one first."]
    assert not req.events.filter(kind=EventKind.REDACTIONS_REVIEWED).exists()
    client.post(url(req, "review/accept-all"), {"location": f"records.Note:{note.pk}:body"})
    response = client.post(url(req, "review/done"), {"note": "Read in full."})
    assert response.status_code == 302
    event = req.events.get(kind=EventKind.REDACTIONS_REVIEWED)
    assert event.note == "2 redactions accepted, 0 removed. Read in full."
    assert build(client, req, "final").status_code == 302
    assert Bundle.objects.filter(request=req, state="final").exists()


# --- who may see what ---------------------------------------------------------------------------------------


def test_review_and_builds_are_for_the_dpo_and_dp_lead_only(
    client: Client, users: dict[str, User], req: RightsRequest, note: Note
) -> None:
    login(client, users["office_manager"])
    assert client.get(url(req, "review")).status_code == 404
    assert build(client, req, "draft").status_code == 404
    assert client.post(url(req, "review/done"), {"note": "x"}).status_code == 404
    assert not Bundle.objects.exists()
    assert url(req, "review") not in html_of(client.get(url(req, "response")))
    login(client, users["school_dpl"])
    assert client.get(url(req, "review")).status_code == 200
    assert build(client, req, "draft").status_code == 302


def test_another_school_a_teacher_and_another_kind_get_a_404(
    client: Client,
    users: dict[str, User],
    dpo: User,
    school_a: School,
    school_b: School,
    pupil_a: Pupil,
    pupil_b: Pupil,
) -> None:
    elsewhere = log(dpo, school_b, pupil_b)
    erasure = log(dpo, school_a, pupil_a, kind="erasure")
    login(client, users["office_manager"])
    for path in ("response", "searches/new", "review"):
        assert client.get(url(elsewhere, path)).status_code == 404
        assert client.get(url(erasure, path)).status_code == 404
    login(client, users["teacher"])
    req = log(dpo, school_a, pupil_a)
    assert client.get(url(req, "response")).status_code == 404
