"""The sharing pages through the test client: the overview (runs, notice-review flags, child protection
files owed, the disclosure log's check), the youth-support run and the statutory extract (preview, run,
encrypted one-time package, gate refusals with every reason and nothing logged, the DPO's override),
ad-hoc disclosures, CTF export and import, agreements, the pupil page's disclosures; and who may use
them (404 outside scope, 403 when a service refuses the person)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.conftest import make_pupil, make_user

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilAddress, PupilContact
from steward.records.models import BehaviourIncident, SafeguardingConcern
from steward.rights.models import YouthSupportChoice
from steward.sharing import packages
from steward.sharing.models import AdHocRequest, Agreement, Disclosure, NoticeReviewFlag, ShareRun
from steward.sharing.models_transfer import ChildProtectionTransfer, CtfFile, TransferReceived

TODAY = timezone.localdate()
SAMPLE = Path(__file__).parent / "samples" / "8231234_CTF_8734002_001.xml"


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def published(loaded: Any, school_a: School, school_b: School, dpo: User) -> School:
    """Both schools with the default register and the parent notice published; returns the secondary."""
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
        publish_notice(actor=dpo, school=school_b, audience="parent")
    return school_b


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dates(name: str, day: dt.date) -> dict[str, Any]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def teen(trust: Trust, school: School, serial: int, name: str, dob: dt.date, limited: bool = False) -> Pupil:
    with acting_as(None, channel="system", system_label="test fixture"):
        p = make_pupil(trust, school, serial, legal_forename=name, date_of_birth=dob, ncy="10")
        PupilAddress.objects.create(
            pupil=p, line1=f"{serial} Orchard Lane", town="Exampleton", postcode="EX1 2AB"
        )
        parent = Contact.objects.create(
            trust=trust, forename=f"Parent{serial}", surname="Carer", email=f"p{serial}@example.com"
        )
        PupilContact.objects.create(pupil=p, contact=parent, relationship="PAM", parental_responsibility=True)
        if limited:
            YouthSupportChoice.objects.create(
                pupil=p,
                state="limited",
                decided_by="parent",
                contact=parent,
                on=TODAY - dt.timedelta(days=30),
            )
    return p


def _passphrase(html: str) -> str:
    match = re.search(r'id="passphrase"[^>]*>([^<]+)<', html)
    assert match, "no passphrase on the page"
    return match[1].strip()


def _download(c: Client, html: str) -> tuple[str, bytes]:
    match = re.search(r'href="(/sharing/download/[^"]+/)"', html)
    assert match, "no download link"
    response = c.get(match[1])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    # Once only.
    assert c.get(match[1]).status_code == 404
    return match[1], response.content


# --- navigation and the overview -------------------------------------------------------------------------


def test_the_overview_is_for_those_who_share_and_the_cp_section_for_those_who_keep_cp_files(
    published: School, school_a: School, users: dict[str, User], dpo: User
) -> None:
    html = _client(dpo).get(f"/sharing/?school={published.urn}").content.decode()
    assert "Recent shares" in html and 'id="no-runs"' in html and "Child protection files owed" in html
    office = _client(users["office_manager"])
    page = office.get("/sharing/")
    assert page.status_code == 200 and "Recent shares" in page.content.decode()
    assert "Child protection files owed" not in page.content.decode()  # not safeguarding staff
    # School B is outside the office manager's scope.
    assert office.get(f"/sharing/?school={published.urn}").status_code == 404
    # The DSL keeps CP files but shares nothing: the page shows only that section.
    dsl = _client(users["dsl"]).get("/sharing/").content.decode()
    assert "Child protection files owed" in dsl and "Recent shares" not in dsl
    for role in ("teacher", "auditor", "teacher_b"):
        assert _client(users[role]).get("/sharing/").status_code == 404, role
        assert _client(users[role]).get("/sharing/youth-support/").status_code == 404, role
    assert _client(users["dsl"]).get("/sharing/youth-support/").status_code == 404


def test_verify_the_disclosure_log(published: School, dpo: User) -> None:
    c = _client(dpo)
    html = c.get(f"/sharing/?school={published.urn}&verify=1").content.decode()
    assert 'id="chain-result"' in html and "Intact" in html


# --- youth support ----------------------------------------------------------------------------------------


def test_youth_support_preview_run_package_and_the_pupil_page(
    published: School, trust: Trust, dpo: User
) -> None:
    limited = teen(trust, published, 11, "OptedDown", dt.date(2012, 5, 1), limited=True)
    teen(trust, published, 12, "FullShare", dt.date(2012, 6, 1))
    teen(trust, published, 13, "TooYoung", TODAY - dt.timedelta(days=365 * 12))
    c = _client(dpo)
    form = {"school": published.urn, **_dates("on", TODAY)}
    preview = c.post("/sharing/youth-support/", {**form, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "would cover 2 pupils" in html
    assert "1 limited to name, address and date of birth" in html
    assert not ShareRun.objects.exists()  # a preview sends and logs nothing
    done = c.post("/sharing/youth-support/", {**form, "action": "run"})
    html = done.content.decode()
    assert done.status_code == 200 and "Youth support services run done" in html
    assert re.search(r'data-status="limited">\s*<td class="govuk-table__cell">OptedDown', html)
    passphrase = _passphrase(html)
    _url, data = _download(c, html)
    (content,) = packages.read(data, passphrase).values()
    assert b"OptedDown" in content and b"FullShare" in content and b"TooYoung" not in content
    assert AuditEvent.objects.filter(action="export", actor=dpo, detail__encrypted=True).exists()
    row = Disclosure.objects.get(pupil_ref=limited.pk)
    assert row.limited and row.recipient_key == "youth_support_13"
    # The pupil page lists the disclosure.
    page = c.get(f"/pupils/{limited.pk}/").content.decode()
    section = page[page.index('id="disclosures"') :]
    assert row.recipient_name in section and "Limited" in section
    assert "Youth support services and careers" in section
    # And the overview lists the run.
    overview = c.get(f"/sharing/?school={published.urn}").content.decode()
    assert "Youth support services (13+ and 16+)" in overview and row.run.package_sha256 in overview


def test_the_outbox_keeps_only_encrypted_packages(
    published: School, trust: Trust, dpo: User, storage: Path
) -> None:
    teen(trust, published, 14, "Someone", dt.date(2012, 6, 1))
    c = _client(dpo)
    c.post("/sharing/youth-support/", {"school": published.urn, **_dates("on", TODAY), "action": "run"})
    files = list(storage.rglob("*"))
    stored = [f for f in files if f.is_file()]
    assert stored and all(f.suffix == ".zip" for f in stored)
    assert all(b"Someone" not in f.read_bytes() for f in stored)
    assert all(oct(f.stat().st_mode)[-3:] == "600" for f in stored)


def test_a_refused_run_shows_every_reason_logs_nothing_and_the_dpo_may_override(
    loaded: Any, school_b: School, trust: Trust, dpo: User
) -> None:
    teen(trust, school_b, 15, "Someone", dt.date(2012, 6, 1))  # no notice is published at school B
    c = _client(dpo)
    form = {"school": school_b.urn, **_dates("on", TODAY), "action": "run"}
    refused = c.post("/sharing/youth-support/", form)
    html = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in html
    assert "no_published_notice" in html and "No privacy notice for pupils or parents" in html
    assert 'name="override_reason"' in html  # the DPO's override box
    assert not ShareRun.objects.exists() and not Disclosure.objects.exists()
    # The override needs a reason.
    empty = c.post("/sharing/youth-support/", {**form, "override_reason": " "}).content.decode()
    assert "Enter the reason for overriding the gate" in empty and not ShareRun.objects.exists()
    done = c.post("/sharing/youth-support/", {**form, "override_reason": "The LA needs the file this week."})
    html = done.content.decode()
    assert 'id="overridden"' in html
    run = ShareRun.objects.get()
    assert run.override_reason == "The LA needs the file this week."
    assert Disclosure.objects.get().override
    flag = NoticeReviewFlag.objects.get()
    overview = c.get(f"/sharing/?school={school_b.urn}").content.decode()
    assert f"/sharing/flags/{flag.pk}/resolve/" in overview and "DPO override" in overview
    # The DPO resolves the flag (a reason is required).
    empty = c.post(f"/sharing/flags/{flag.pk}/resolve/", {"resolution": ""}).content.decode()
    assert "There is a problem" in empty and NoticeReviewFlag.objects.get().resolved_on is None
    response = c.post(f"/sharing/flags/{flag.pk}/resolve/", {"resolution": "Notice republished."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved_on == TODAY and flag.resolution == "Notice republished."


def test_staff_who_are_not_the_dpo_get_no_override(
    loaded: Any, school_b: School, trust: Trust, users: dict[str, User]
) -> None:
    teen(trust, school_b, 16, "Someone", dt.date(2012, 6, 1))
    c = _client(make_user("office_b", "office_manager", trust, school_b))
    form = {"school": school_b.urn, **_dates("on", TODAY), "action": "run"}
    html = c.post("/sharing/youth-support/", form).content.decode()
    assert "no_published_notice" in html and 'name="override_reason"' not in html
    forced = c.post("/sharing/youth-support/", {**form, "override_reason": "Please"}).content.decode()
    assert "Only the DPO may override the gate." in forced
    assert not ShareRun.objects.exists() and not NoticeReviewFlag.objects.exists()


def test_youth_support_permissions(published: School, school_a: School, users: dict[str, User]) -> None:
    head = _client(users["headteacher"])
    assert head.get("/sharing/youth-support/").status_code == 200
    # School B is not the headteacher's: the form refuses the choice, nothing runs.
    html = head.post(
        "/sharing/youth-support/", {"school": published.urn, **_dates("on", TODAY), "action": "run"}
    ).content.decode()
    assert "School: select one of the options" in html and not ShareRun.objects.exists()
    assert _client(users["senco"]).post("/sharing/youth-support/", {}).status_code == 404


# --- statutory --------------------------------------------------------------------------------------------


def test_statutory_extract_and_its_refusal(
    loaded: Any, school_a: School, pupil_a: Pupil, users: dict[str, User], dpo: User
) -> None:
    c = _client(users["office_manager"])
    page = c.get("/sharing/statutory/").content.decode()
    assert 'value="dfe"' in page and 'value="police_courts"' not in page
    form = {"school": school_a.urn, "recipient": "dfe", **_dates("on", TODAY)}
    refused = c.post("/sharing/statutory/", form).content.decode()
    assert "no_published_notice" in refused and not ShareRun.objects.exists()
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    done = c.post("/sharing/statutory/", form)
    html = done.content.decode()
    assert done.status_code == 200 and "Statutory return extract done" in html
    passphrase = _passphrase(html)
    _url, data = _download(c, html)
    (content,) = packages.read(data, passphrase).values()
    assert pupil_a.upn.encode() in content
    assert Disclosure.objects.get(pupil_ref=pupil_a.pk).recipient_key == "dfe"


# --- ad-hoc disclosures -----------------------------------------------------------------------------------


def _adhoc_form(school: School, pupil: Pupil, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "school": school.urn,
        "recipient": "police_courts",
        "requester_organisation": "Exampleshire Police",
        "requester_name": "DC Example",
        "reference": "DP-2026-0042",
        **_dates("received_on", TODAY),
        "upns": pupil.upn,
        "asked_for": "Attendance and behaviour records for an investigation.",
        "purpose": "investigate_crime",
        "lawful_basis": "legal_obligation",
        "exemption": "sch2_para2",
    }
    data.update(kw)
    return data


def test_an_adhoc_request_is_logged_decided_by_the_dpo_and_shows_what_was_disclosed(
    published: School, school_a: School, pupil_a: Pupil, users: dict[str, User], dpo: User, trust: Trust
) -> None:
    with acting_as(dpo, channel="web"):
        BehaviourIncident.objects.create(
            pupil=pupil_a, school=school_a, occurred_at=timezone.now(), kind="negative",
            category="Fighting", description="Scuffle at the gate.",
        )  # fmt: skip
    office = _client(users["office_manager"])
    bad = office.post(
        "/sharing/adhoc/new/", _adhoc_form(school_a, pupil_a, upns="X000000000000", asked_for="")
    )
    html = bad.content.decode()
    assert "Not pupils of Oakfield Primary: X000000000000" in html or "Enter the what" in html
    assert not AdHocRequest.objects.exists()
    response = office.post("/sharing/adhoc/new/", _adhoc_form(school_a, pupil_a))
    req = AdHocRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sharing/adhoc/{req.pk}/"
    detail = office.get(response["Location"]).content.decode()
    assert "Awaiting a decision" in detail and "The data protection officer decides" in detail
    assert "Exampleshire Police" in office.get(f"/sharing/adhoc/?school={school_a.urn}").content.decode()
    # Only the DPO decides.
    assert office.get(f"/sharing/adhoc/{req.pk}/decide/").status_code == 404
    assert _client(users["headteacher"]).post(f"/sharing/adhoc/{req.pk}/decide/", {}).status_code == 404
    # Out of scope: a headteacher of school B does not see school A's request.
    other = make_user("head_b", "headteacher", trust, published)
    assert _client(other).get(f"/sharing/adhoc/{req.pk}/").status_code == 404
    c = _client(dpo)
    page = c.get(f"/sharing/adhoc/{req.pk}/decide/").content.decode()
    assert 'value="pupil.behaviour"' in page and "Behaviour" in page
    done = c.post(
        f"/sharing/adhoc/{req.pk}/decide/",
        {"decision": "disclosed", "reasons": "Sch 2 para 2 applies.", "categories": ["pupil.behaviour"]},
    )
    html = done.content.decode()
    assert done.status_code == 200 and 'id="passphrase"' in html
    assert "Alex Testpupil1" in html and "description" in html
    passphrase = _passphrase(html)
    _url, data = _download(c, html)
    assert b"Scuffle at the gate." in packages.read(data, passphrase)[f"disclosure-{req.pk}.json"]
    req.refresh_from_db()
    assert req.decision == "disclosed" and req.approved_by == dpo
    later = c.get(f"/sharing/adhoc/{req.pk}/").content.decode()
    assert 'id="passphrase"' not in later and "Behaviour" in later


def test_a_refused_adhoc_disclosure_shows_the_reason_and_logs_nothing(
    published: School, school_a: School, pupil_a: Pupil, dpo: User
) -> None:
    c = _client(dpo)
    c.post("/sharing/adhoc/new/", _adhoc_form(school_a, pupil_a, exemption="none"))
    req = AdHocRequest.objects.get()
    assert req.exemption == ""
    html = c.post(
        f"/sharing/adhoc/{req.pk}/decide/",
        {"decision": "disclosed", "reasons": "Asked nicely.", "categories": ["pupil.attendance"]},
    ).content.decode()
    assert "purpose_not_covered" in html and "There is a problem" in html
    req.refresh_from_db()
    assert req.decision == "pending" and not ShareRun.objects.exists()
    refused = c.post(f"/sharing/adhoc/{req.pk}/decide/", {"decision": "refused", "reasons": "No exemption."})
    assert refused.status_code == 302
    req.refresh_from_db()
    assert req.decision == "refused" and not Disclosure.objects.exists()


# --- CTF --------------------------------------------------------------------------------------------------


def test_ctf_export_package_cp_owed_and_mark_sent(
    published: School, school_a: School, pupil_a: Pupil, users: dict[str, User], dpo: User
) -> None:
    with acting_as(dpo, channel="web"):
        SafeguardingConcern.objects.create(
            pupil=pupil_a, school=school_a, raised_at=timezone.now(), raised_by_name="A Teacher",
            category="neglect", narrative="n",
        )  # fmt: skip
    office = _client(users["office_manager"])
    unknown = office.post(
        "/sharing/ctf/export/", {"school": school_a.urn, "upns": pupil_a.upn, "destination": "999999"}
    ).content.decode()
    assert "No school with URN 999999 is known to Steward" in unknown and not CtfFile.objects.exists()
    done = office.post(
        "/sharing/ctf/export/", {"school": school_a.urn, "upns": pupil_a.upn, "destination": published.urn}
    )
    html = done.content.decode()
    assert done.status_code == 200 and "Common transfer file exported" in html and 'id="cp-owed"' in html
    passphrase = _passphrase(html)
    _url, data = _download(office, html)
    ((name, xml),) = packages.read(data, passphrase).items()
    assert name.endswith(".xml") and pupil_a.upn.encode() in xml and b"neglect" not in xml
    listing = office.get(f"/sharing/ctf/?school={school_a.urn}").content.decode()
    assert CtfFile.objects.get().file_name in listing
    # The DSL sees the child protection file owed and records it as sent.
    transfer = ChildProtectionTransfer.objects.get()
    dsl = _client(users["dsl"])
    overview = dsl.get("/sharing/").content.decode()
    assert f"/sharing/child-protection/{transfer.pk}/sent/" in overview and "Alex Testpupil1" in overview
    assert office.get(f"/sharing/child-protection/{transfer.pk}/sent/").status_code == 404
    bad = dsl.post(f"/sharing/child-protection/{transfer.pk}/sent/", {**_dates("sent_on", TODAY)})
    assert "Select the how it was sent" in bad.content.decode()
    ok = dsl.post(
        f"/sharing/child-protection/{transfer.pk}/sent/", {**_dates("sent_on", TODAY), "method": "by_hand"}
    )
    assert ok.status_code == 302
    transfer.refresh_from_db()
    assert transfer.sent_on == TODAY and transfer.sent_by == users["dsl"]


def test_ctf_import_dry_run_then_confirm_and_a_malformed_file(
    published: School, school_a: School, users: dict[str, User]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    office = _client(users["office_manager"])
    malformed = office.post(
        "/sharing/ctf/import/",
        {
            "school": school_a.urn,
            "file": SimpleUploadedFile("bad.xml", b"<CTfile><Header></Header></CTfile>"),
        },
    )
    html = malformed.content.decode()
    assert "bad.xml is not a valid CTF: nothing was imported" in html and "Line 1, element" in html
    assert not TransferReceived.objects.exists()
    check = office.post(
        "/sharing/ctf/import/",
        {"school": school_a.urn, "file": SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes())},
    )
    html = check.content.decode()
    assert check.status_code == 200 and "Check the import" in html and 'id="dry-run"' in html
    assert not TransferReceived.objects.exists()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    assert fields["step"] == "confirm"
    wrong = office.post(f"/sharing/ctf/import/?school={school_a.urn}", {**fields, "key": "wrong-key-0000"})
    assert wrong.status_code == 404 and not TransferReceived.objects.exists()
    done = office.post(f"/sharing/ctf/import/?school={school_a.urn}", fields)
    assert done.status_code == 302
    received = TransferReceived.objects.get()
    assert received.school == school_a and received.file_name == SAMPLE.name
    assert SAMPLE.name in office.get(done["Location"]).content.decode()
    # The headteacher may not import (no import permission anywhere): the page does not exist.
    assert _client(users["headteacher"]).get("/sharing/ctf/import/").status_code == 404


# --- agreements ------------------------------------------------------------------------------------------


def test_agreements_list_and_the_dpo_records_one(
    published: School, users: dict[str, User], dpo: User
) -> None:
    c = _client(dpo)
    assert "No agreement is in force." in c.get("/sharing/agreements/").content.decode()
    # First the recipient, from the register (those needing an agreement first).
    choose = c.get("/sharing/agreements/new/").content.decode()
    assert "recipient=ap_providers" in choose and "Agreement required" in choose
    form = {
        "title": "AP placements agreement",
        "parties": "The trust and its AP providers",
        "purposes": ["alternative_provision"],
        "categories": ["pupil.identity", "pupil.attendance"],
        **_dates("starts_on", TODAY - dt.timedelta(days=10)),
        "onward_sharing": "Back to the school only.",
        "document": SimpleUploadedFile("signed.pdf", b"%PDF-1.4", content_type="application/pdf"),
    }
    # A category the register does not share with the recipient is refused, nothing saved.
    bad = c.post("/sharing/agreements/new/?recipient=ap_providers", {**form, "categories": ["pupil.image"]})
    assert bad.status_code == 200 and "not shared with" in bad.content.decode()
    form["document"].seek(0)
    response = c.post("/sharing/agreements/new/?recipient=ap_providers", form)
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.recipient_key == "ap_providers" and agreement.purposes == ["alternative_provision"]
    assert agreement.document.name.endswith(".pdf")
    assert "AP placements agreement" in c.get("/sharing/agreements/").content.decode()
    head = _client(users["headteacher"])
    assert head.get("/sharing/agreements/").status_code == 200
    assert head.get("/sharing/agreements/new/").status_code == 404
    assert _client(users["teacher"]).get("/sharing/agreements/").status_code == 404
