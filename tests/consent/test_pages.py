"""The staff consent pages through the test client: the overview (per purpose, per registration group),
a pupil's consents and ledger, recording a paper decision with its scan (and refusals with nothing
written), the withdrawal report, biometric deletion tasks, the photo export; and who may use them."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.consent.conftest import DAY, TODAY, Family, notify, purpose, record

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.consent.models import BiometricDeletionTask, ConsentEvent
from steward.organisations.models import School
from steward.people.models import Enrolment
from steward.records.models import Photograph
from steward.register.models import ConsentPurpose


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dates(name: str, day: Any) -> dict[str, Any]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_the_overview_counts_per_purpose_and_per_group(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    Enrolment.objects.filter(pupil=family.pupil).update(tutor_group="6K")
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "trips"),
        action="grant",
        by="parent",
        contact=family.mum,
    )
    page = _client(office).get(f"/consent/?school={school_a.urn}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trips and off-site activities" in html and "Not active" in html  # biometrics awaiting a DPIA
    assert "6K" in html and "1 of 1" in html
    group = _client(office).get(f"/consent/?school={school_a.urn}&group=6K")
    assert family.pupil.display_name in group.content.decode()
    assert AuditEvent.objects.filter(action="view", model="consent.ConsentEvent").exists()


def test_a_pupils_page_shows_states_and_the_ledger(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_website"),
        action="grant",
        by="parent",
        contact=family.mum,
        note="Signed at parents' evening",
    )
    html = _client(office).get(f"/consent/pupils/{family.pupil.pk}/").content.decode()
    assert "Maya Parent consented" in html and "Signed at parents&#x27; evening" in html
    assert "Paper form (scanned)" in html


def test_recording_a_paper_decision_with_its_scan(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = _client(office).post(
        f"/consent/pupils/{family.pupil.pk}/record/",
        {
            "purpose": "photos_press",
            "action": "grant",
            "by": "parent",
            "contact": family.mum.pk,
            "method": "paper",
            **_dates("on", TODAY),
            "evidence": scan,
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = ConsentEvent.objects.get()
    assert (event.purpose.key, event.contact, bool(event.evidence)) == ("photos_press", family.mum, True)


def test_a_refused_decision_is_shown_on_the_form_and_nothing_is_written(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    response = _client(users["office_manager"]).post(
        f"/consent/pupils/{family.pupil.pk}/record/",
        {
            "purpose": "photos_press",
            "action": "grant",
            "by": "parent",
            "contact": family.carer.pk,
            "method": "paper",
            **_dates("on", TODAY),
        },
    )
    assert response.status_code == 200
    assert "does not have parental responsibility" in response.content.decode()
    response = _client(users["office_manager"]).post(
        f"/consent/pupils/{family.pupil.pk}/record/",
        {"purpose": "trips", "action": "grant", "by": "pupil", "method": "paper", **_dates("on", TODAY)},
    )
    assert "decided by a parent with parental responsibility, not by the pupil" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_a_withdrawal_shows_what_relies_on_the_consent(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_website"),
        action="grant",
        by="parent",
        contact=family.mum,
        on=TODAY - DAY,
    )
    c = _client(office)
    response = c.post(
        f"/consent/pupils/{family.pupil.pk}/record/",
        {
            "purpose": "photos_website",
            "action": "withdraw",
            "by": "parent",
            "contact": family.mum.pk,
            "method": "email",
            **_dates("on", TODAY),
        },
        follow=True,
    )
    html = response.content.decode()
    assert (
        "What relies on" in html
        and "The school website" in html
        and "photo export for &#x27;website&#x27;" in html
    )
    assert "Withdrawn" in html


def test_deletion_tasks_are_listed_and_marked_done(
    family: Family, school_a: School, biometric: ConsentPurpose, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    notify(office, family, biometric, TODAY - 5 * DAY)
    record(
        office,
        pupil=family.pupil,
        purpose=biometric,
        action="grant",
        by="parent",
        contact=family.mum,
        on=TODAY - 4 * DAY,
    )
    record(office, pupil=family.pupil, purpose=biometric, action="object", by="pupil", method="verbal")
    task = BiometricDeletionTask.objects.get()
    c = _client(office)
    html = c.get(f"/consent/deletions/?school={school_a.urn}").content.decode()
    assert family.pupil.display_name in html and f"{task.due_on:%-d %B %Y}" in html
    response = c.post(f"/consent/deletions/{task.pk}/done/", {"note": "Removed, ref 42"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_on == TODAY and task.note == "Removed, ref 42"


def test_the_photo_export_page_previews_and_downloads(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    p = Photograph(
        pupil=family.pupil, school=school_a, purpose="social", taken_on=TODAY - 9 * DAY, caption="Choir"
    )
    p.image.save("c.jpg", ContentFile(b"\xff\xd8 fictional"), save=False)
    p.save()
    c = _client(office)
    preview = c.get(
        f"/consent/photos/?school={school_a.urn}&use=social&{'&'.join(f'{k}={v}' for k, v in _dates('on', TODAY).items())}"
    )
    assert "0 photographs included, 1 left out" in preview.content.decode()
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_social"),
        action="grant",
        by="parent",
        contact=family.dad,
    )
    response = c.post(
        "/consent/photos/", {"school_urn": school_a.urn, "use": "social", **_dates("on", TODAY)}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 1
    assert AuditEvent.objects.filter(action="export", model="records.Photograph").exists()


def test_who_may_use_the_pages(
    family: Family, school_a: School, biometric: ConsentPurpose, users: dict[str, User]
) -> None:
    teacher = _client(users["teacher"])
    for url in (
        "/consent/",
        f"/consent/pupils/{family.pupil.pk}/",
        f"/consent/pupils/{family.pupil.pk}/record/",
        "/consent/deletions/",
        "/consent/photos/",
    ):
        assert teacher.get(url).status_code == 404, url
    # The DSL may change pupils but not export: the export page is not there for them.
    assert _client(users["dsl"]).get("/consent/").status_code == 200
    assert _client(users["dsl"]).get(f"/consent/photos/?school={school_a.urn}").status_code == 404
    # Another school's teacher cannot reach this pupil by guessing the id.
    assert _client(users["teacher_b"]).get(f"/consent/pupils/{family.pupil.pk}/").status_code == 404
