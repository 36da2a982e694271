"""Notice pages: the public notice (no sign-in), and the staff preview, publish, history and checker."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices import selectors
from steward.notices.models import NoticeVersion
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.register import services as register_services
from steward.register.models import Purpose, Register

SEEDS = Path(__file__).parent / "seeds"


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any, tmp_path: Path) -> None:
    # As in tests/web: {% static %} without a collected tree.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    cache.clear()


def today() -> dt.date:
    return timezone.localdate()


def long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def publish(actor: Any, school: School, audience: str = "parent", days: int = 0) -> NoticeVersion:
    with acting_as(actor, channel="web"):
        return publish_notice(
            actor=actor, school=school, audience=audience, effective_from=today() + dt.timedelta(days=days)
        )


def reword_library(actor: Any, trust: Trust, description: str) -> None:
    purpose = Purpose.objects.get(trust=trust, school=None, key="library")
    with acting_as(actor, channel="web"):
        register_services.purpose_update(actor=actor, purpose=purpose, description=description)


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- public pages -------------------------------------------------------------------------------------


def test_the_public_notice_needs_no_sign_in(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    v1 = publish(dpo, school_b)
    reword_library(dpo, trust, "To lend books, e-books and audiobooks to pupils.")
    v2 = publish(dpo, school_b, days=30)
    response = Client().get("/notices/100002/parent/")
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(html)
    assert (
        "Privacy notice for parents and carers: how we use information about pupils and their families"
        in page
    )
    assert f"Version 1, in effect from {long(v1.effective_from)}" in page
    assert "This is the current version." in page
    assert "to lend books and other resources to pupils" in page and "audiobooks" not in page
    assert 'href="/notices/100002/parent/v1.pdf"' in html
    assert 'href="/notices/100002/parent/v2/"' in html  # the other versions are linked
    assert '<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">' in html
    # Version 2 has its own page, which says when it takes effect.
    upcoming = text_of(Client().get("/notices/100002/parent/v2/").content.decode())
    assert f"This version takes effect on {long(v2.effective_from)}." in upcoming
    assert "audiobooks" in upcoming
    # ?on= answers what it said on a date.
    on_later = text_of(
        Client()
        .get(f"/notices/100002/parent/?on={(today() + dt.timedelta(days=31)).isoformat()}")
        .content.decode()
    )
    assert f"This is the version that was in effect on {long(today() + dt.timedelta(days=31))}." in on_later
    assert f"Version 2, in effect from {long(v2.effective_from)}" in on_later


def test_the_public_notice_answers_404_and_400(
    loaded: Register, school_a: School, school_b: School, dpo: Any
) -> None:
    missing = Client().get("/notices/100002/parent/")
    assert missing.status_code == 404
    assert "Oakfield Secondary has not published this privacy notice yet." in text_of(
        missing.content.decode()
    )
    publish(dpo, school_b, days=2)
    before = Client().get(f"/notices/100002/parent/?on={today().isoformat()}")
    assert before.status_code == 404
    assert (
        f"No version of this notice was in effect on {long(today())}. The first version took effect on "
        f"{long(today() + dt.timedelta(days=2))}."
    ) in text_of(before.content.decode())
    # Published but not yet in effect: the page shows what is coming rather than nothing.
    coming = Client().get("/notices/100002/parent/")
    assert coming.status_code == 200
    assert f"This version takes effect on {long(today() + dt.timedelta(days=2))}." in text_of(
        coming.content.decode()
    )
    bad = Client().get("/notices/100002/parent/?on=31-02-2026")
    assert bad.status_code == 400
    assert "'31-02-2026' is not a date. Enter a date like 2026-09-01." in text_of(bad.content.decode())
    assert Client().get("/notices/999999/parent/").status_code == 404
    assert Client().get("/notices/100002/staff/").status_code == 404
    assert Client().get("/notices/100002/parent/v9/").status_code == 404
    assert Client().get("/notices/100001/pupil/").status_code == 404


def test_the_public_pdf_is_rendered_once(
    loaded: Register, school_b: School, dpo: Any, monkeypatch: Any
) -> None:
    publish(dpo, school_b, "pupil-young")
    calls: list[str] = []
    real = selectors.render_version

    def counting(version: NoticeVersion, fmt: str) -> Any:
        calls.append(fmt)
        return real(version, fmt)

    monkeypatch.setattr("steward.notices.views.render_version", counting)
    first = Client().get("/notices/100002/pupil-young.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'inline; filename="100002-pupil-young-notice-v1.pdf"'
    assert first.content.startswith(b"%PDF-")
    again = Client().get("/notices/100002/pupil-young/v1.pdf")
    assert again.content == first.content
    assert calls == ["pdf"]
    assert Client().get("/notices/100002/parent.pdf").status_code == 404


def test_the_public_school_page_lists_its_notices(loaded: Register, school_b: School, dpo: Any) -> None:
    assert Client().get("/notices/100002/").status_code == 404
    publish(dpo, school_b, "pupil")
    publish(dpo, school_b, "parent")
    html = Client().get("/notices/100002/").content.decode()
    assert 'href="/notices/100002/pupil/">Privacy notice for pupils</a>' in html
    assert 'href="/notices/100002/parent/">Privacy notice for parents and carers</a>' in html
    assert "/notices/100002/ap/" not in html


# --- staff pages -----------------------------------------------------------------------------------


def test_staff_pages_are_for_data_map_readers_and_the_dpo(
    loaded: Register, school_a: School, school_b: School, users: dict[str, Any]
) -> None:
    assert Client().get("/notices/").status_code == 302  # sign in first
    for role in ("teacher", "teacher_b"):
        client = signed_in(users[role])
        assert client.get("/notices/").status_code == 404
        assert client.get("/notices/manage/100001/pupil/").status_code == 404
        assert client.get("/notices/check/").status_code == 404
    headteacher = signed_in(users["headteacher"])  # school A only
    index = headteacher.get("/notices/").content.decode()
    assert "Oakfield Primary" in index and "Oakfield Secondary" not in index
    assert headteacher.get("/notices/manage/100002/pupil/").status_code == 404  # out of scope
    preview = headteacher.get("/notices/manage/100001/pupil/")
    assert preview.status_code == 200
    assert 'name="effective_from_day"' not in preview.content.decode()  # may preview, not publish
    assert headteacher.post("/notices/manage/100001/pupil/", {}).status_code == 404
    dpo_index = signed_in(users["trust_dpo"]).get("/notices/").content.decode()
    assert "Oakfield Primary" in dpo_index and "Oakfield Secondary" in dpo_index
    assert "Preview and publish" in dpo_index


def test_preview_shows_the_compiled_notice_and_what_blocks_it(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any], system: Any
) -> None:
    client = signed_in(users["trust_dpo"])
    response = client.get("/notices/manage/100002/parent/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    page = text_of(response.content.decode())
    assert "Privacy notice for parents and carers" in page
    assert "Notice checker 17 of 17 required items present; 0 problems" in page
    assert "Publish version 1" in page
    assert "What the register lacks" not in page
    assert "Who we are" in page and "The National Pupil Database (NPD)" in page
    trust.dpo_email = ""
    trust.save()
    blocked = text_of(client.get("/notices/manage/100002/parent/").content.decode())
    assert "This notice cannot be published until the register is fixed." in blocked
    assert "No contact details for the data protection officer" in blocked
    draft = client.get("/notices/manage/100002/parent/draft.md")
    assert draft["Content-Type"] == "text/markdown; charset=utf-8"
    assert draft["Content-Disposition"] == 'attachment; filename="100002-parent-notice-draft.md"'
    assert draft.content.decode().startswith("# Privacy notice for parents and carers")
    pdf = client.get("/notices/manage/100002/pupil-young/draft.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.get("/notices/manage/100002/parent/draft.docx").status_code == 404
    assert not NoticeVersion.objects.exists()  # previews and drafts change nothing


def test_publishing_from_the_preview(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any]
) -> None:
    client = signed_in(users["trust_dpo"])
    day = today() + dt.timedelta(days=5)
    response = client.post(
        "/notices/manage/100002/parent/",
        {
            "effective_from_day": str(day.day),
            "effective_from_month": str(day.month),
            "effective_from_year": str(day.year),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/notices/manage/100002/parent/history/"
    version = NoticeVersion.objects.get()
    assert (version.number, version.effective_from, version.published_by) == (1, day, users["trust_dpo"])
    event = AuditEvent.objects.get(model="notices.NoticeVersion", action="create")
    assert (event.actor_label, event.channel) == ("dpo", "web")
    history = client.get(response["Location"])
    assert f"Version 1 of the parents and carers notice is published, in effect from {long(day)}" in text_of(
        history.content.decode()
    )


def test_a_refused_publish_shows_an_error_summary(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any], system: Any
) -> None:
    trust.dpo_email = ""
    trust.save()
    client = signed_in(users["trust_dpo"])
    past = today() - dt.timedelta(days=3)
    response = client.post(
        "/notices/manage/100002/parent/",
        {
            "effective_from_day": str(past.day),
            "effective_from_month": str(past.month),
            "effective_from_year": str(past.year),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[
        html.index('<div class="govuk-error-summary"') : html.index(
            "</ul>", html.index("govuk-error-summary")
        )
    ]
    assert "There is a problem" in summary
    assert "No contact details for the data protection officer" in summary
    assert (
        f'<a href="#id_effective_from_day">Takes effect from: The effective date {long(past)} is in the past: a '
        "notice cannot take effect before it is published.</a>"
    ) in summary.replace("&#x27;", "'")
    assert html.count("govuk-error-message") == 1  # the date field shows its own error
    assert not NoticeVersion.objects.exists()
    empty = client.post("/notices/manage/100002/parent/", {})
    assert (
        '<a href="#id_effective_from_day">Enter the date the new version takes effect</a>'
        in empty.content.decode()
    )


def test_history_shows_versions_and_diffs(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any]
) -> None:
    dpo = users["trust_dpo"]
    publish(dpo, school_b)
    reword_library(dpo, trust, "To lend books, e-books and audiobooks to pupils.")
    publish(dpo, school_b, days=1)
    reword_library(dpo, trust, "To lend books.")
    publish(dpo, school_b, days=2)
    client = signed_in(users["school_dpl"])  # data map readers may see the history (of school A only)
    assert client.get("/notices/manage/100002/parent/history/").status_code == 404
    client = signed_in(dpo)
    html = client.get("/notices/manage/100002/parent/history/").content.decode()
    assert "Changes from version 2 to version 3" in html  # the latest change by default
    assert "<ins>books.</ins>" in html
    older = client.get("/notices/manage/100002/parent/history/?old=1&new=3").content.decode()
    assert "Changes from version 1 to version 3" in older
    assert "<del>books and other resources to pupils and keep track of loans.</del>" in older
    same = client.get("/notices/manage/100002/parent/history/?old=2&new=2").content.decode()
    assert '<a href="#id_new">Select two different versions</a>' in same
    missing = client.get("/notices/manage/100002/parent/history/?old=1&new=9").content.decode()
    assert '<a href="#id_new">Select one of the published versions</a>' in missing


def test_checker_upload_reports_a_seed(users: dict[str, Any]) -> None:
    client = signed_in(users["school_dpl"])
    assert client.get("/notices/check/").status_code == 200
    seed = (SEEDS / "003_12312462d6893b60.txt").read_bytes()
    response = client.post(
        "/notices/check/", {"file": SimpleUploadedFile("st-neots.txt", seed, "text/plain")}
    )
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "Report for st-neots.txt" in page
    assert "15 of 17 required items present; 8 problems." in page
    assert "Automated decision-making and profiling Missing" in page
    assert "189 Inconsistent contact - Paul Stratford, The ICT Service" in page
    assert "Line 17: We, St Neots Learning Partnership are the ‘data controller’" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "The selected file is empty"),
        ("blank.txt", b"  \n\n ", "The selected file cannot be checked: blank.txt: the file is empty"),
        (
            "notice.pdf",
            b"not a pdf at all",
            "The selected file cannot be checked: notice.pdf: is named .pdf but is not a PDF",
        ),
        ("notice.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "is an old binary Word/Office file"),
    ],
)
def test_checker_upload_of_an_unreadable_file_is_a_form_error(
    users: dict[str, Any], name: str, data: bytes, message: str
) -> None:
    client = signed_in(users["trust_dpo"])
    response = client.post("/notices/check/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "There is a problem" in html and message in html
    assert "Report for" not in html


def test_checker_upload_with_no_file(users: dict[str, Any]) -> None:
    response = signed_in(users["trust_dpo"]).post("/notices/check/", {})
    assert '<a href="#id_file">Select a privacy notice file to check</a>' in response.content.decode()
