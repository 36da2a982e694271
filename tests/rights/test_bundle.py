"""The access and portability bundle: every registry category, the ZIP and the PDF, redactions applied,
refusals, the search log, the hash recorded on release, and scoping."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from pypdf import PdfReader
from tests.conftest import make_pupil, make_user
from tests.rights.conftest import ON, link, log, release, to_ready

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.records.models import Note, SafeguardingConcern
from steward.register.services import load_default_register
from steward.registry.registry import registered_models
from steward.registry.taxonomy import taxonomy
from steward.rights import review, services, tasks
from steward.rights.bundle import NO_DISCLOSURES, build, disclosures_for
from steward.rights.models import (
    Bundle,
    EventKind,
    RedactionMark,
    RightsRequest,
    SearchLogEntry,
    Status,
)
from steward.rights.workflow import Refusal, TransitionRefused

NOTE = (
    "Alex argued with Sam Otherkid at lunch and Sam's dad was called on 07700 900123. "
    "Alex apologised afterwards."
)


@pytest.fixture
def dpo(users: dict[str, User]) -> User:
    return users["trust_dpo"]


@pytest.fixture
def register(trust: Trust, dpo: User) -> None:
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo)


@pytest.fixture
def other(trust: Trust, school_a: School, system: Any) -> Pupil:
    """Another pupil of the trust, whose father's mobile is on the register."""
    sam = make_pupil(trust, school_a, 31, legal_forename="Sam", legal_surname="Otherkid")
    dad = Contact.objects.create(trust=trust, forename="Dev", surname="Otherkid", phone_mobile="07700 900123")
    PupilContact.objects.create(pupil=sam, contact=dad, relationship="PAF", parental_responsibility=True)
    return sam


@pytest.fixture
def noted(pupil_a: Pupil, school_a: School, other: Pupil, system: Any) -> Note:
    return Note.objects.create(pupil=pupil_a, school=school_a, title="Lunchtime", body=NOTE)


def in_progress(actor: User, school: School, pupil: Pupil, **kw: Any) -> RightsRequest:
    req = log(actor, school, pupil, **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def built(actor: User, req: RightsRequest, *, final: bool) -> Bundle:
    with acting_as(actor, channel="web"):
        return build(actor=actor, request=req, final=final)


def accept_all(actor: User, req: RightsRequest) -> None:
    with acting_as(actor, channel="web"):
        for m in req.redactions.filter(decision="proposed"):
            review.decide(actor=actor, mark=m, decision="accepted")


def unzip(bundle: Bundle) -> dict[str, bytes]:
    with bundle.archive.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as z:
        return {n: z.read(n) for n in z.namelist()}


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def expected_categories() -> set[str]:
    keys = {k for k, c in taxonomy().categories.items() if c.personal and c.within("pupil")}
    for e in registered_models(subject="pupil"):
        keys.update(c.key for c in e.categories)
    return keys


def test_every_registry_category_in_the_zip_with_json_and_csv_and_the_pdf_opens(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    bundle = built(dpo, req, final=False)
    files = unzip(bundle)
    manifest = json.loads(files["manifest.json"])
    listed = {c["key"] for c in manifest["categories"]}
    assert expected_categories() <= listed
    assert "contact.relationship" in listed  # the pupil's contacts section
    for key in listed:
        data = json.loads(files[f"{key}.json"].decode("utf-8"))
        assert data["category"] == key
        rows = list(csv.reader(io.StringIO(files[f"{key}.csv"].decode("utf-8"))))
        assert rows[0][:2] == ["record", "record_id"]  # a header row even when nothing is held
        assert len(rows) - 1 == len(data["records"])
    names = {c["key"]: c["records"] for c in manifest["categories"]}
    assert names["pupil.identity.name"] == 1
    assert names["pupil.note"] == 1
    assert names["pupil.safeguarding"] == 0
    text = pdf_text(files["bundle.pdf"])
    assert text == pdf_text(bundle.pdf.read())
    assert "About this information (UK GDPR Art 15)" in text
    assert "Why we hold the information and our lawful bases" in text
    assert NO_DISCLOSURES in text and disclosures_for(pupil_a) == []
    assert "Information Commissioner's Office" in text
    assert "DRAFT FOR REVIEW" in text
    art15 = json.loads(files["art15.json"])
    assert art15["purposes"] and art15["retention"] and art15["recipients"]
    assert "None held." in text


def test_contacts_section_names_who_the_pupils_contacts_are(
    dpo: User, school_a: School, pupil_a: Pupil, register: None
) -> None:
    link(pupil_a, "Morgan")
    bundle = built(dpo, in_progress(dpo, school_a, pupil_a), final=False)
    rows = list(csv.DictReader(io.StringIO(unzip(bundle)["contact.relationship.csv"].decode("utf-8"))))
    assert [(r["contact_name"], r["relationship_code"], r["parental_responsibility"]) for r in rows] == [
        ("Morgan Parentson", "PAM", "Yes")
    ]
    assert "court_order_note" not in rows[0]  # court orders are the contact's data, not the pupil's


def test_third_party_name_and_phone_redacted_in_the_final_bundle_subject_name_kept(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    draft = built(dpo, req, final=False)
    kinds = sorted((m.kind, m.text) for m in req.redactions.all())
    assert ("name", "Sam Otherkid") in kinds and ("phone", "07700 900123") in kinds
    assert "[[PROPOSED third party: Sam Otherkid]]" in unzip(draft)["pupil.note.csv"].decode()
    accept_all(dpo, req)
    final = built(dpo, req, final=True)
    files = unzip(final)
    note_csv = files["pupil.note.csv"].decode("utf-8")
    text = pdf_text(files["bundle.pdf"])
    for where in (note_csv, text, files["pupil.note.json"].decode("utf-8")):
        assert "Otherkid" not in where
        assert "07700 900123" not in where
        assert "Alex argued with [REDACTED: third party]" in where.replace("\n", " ")
    assert "DRAFT" not in text
    assert json.loads(files["manifest.json"])["redactions_applied"] == {"third_party": 3}


def test_final_refused_while_redactions_undecided_nothing_written(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    built(dpo, req, final=False)
    before = (Bundle.objects.count(), SearchLogEntry.objects.count(), req.events.count())
    with pytest.raises(TransitionRefused) as exc:
        built(dpo, req, final=True)
    assert exc.value.refusal == Refusal.REDACTIONS_UNDECIDED
    assert "3 redaction(s) are still undecided" in exc.value.message
    assert (Bundle.objects.count(), SearchLogEntry.objects.count(), req.events.count()) == before


def test_final_refused_when_text_changed_since_the_automatic_pass(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note, system: Any
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    built(dpo, req, final=False)
    accept_all(dpo, req)
    Note.objects.create(pupil=pupil_a, school=school_a, title="Later", body="Sat with Sam Otherkid.")
    with pytest.raises(TransitionRefused) as exc:
        built(dpo, req, final=True)
    assert "not yet reviewed" in exc.value.message


def test_final_refused_while_a_manual_search_is_open(
    dpo: User, users: dict[str, User], school_a: School, pupil_a: Pupil, register: None
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    with acting_as(dpo, channel="web"):
        tasks.create_task(
            actor=dpo,
            request=req,
            system_name="CCTV",
            instructions="Stills from the playground camera",
            assigned_to=users["office_manager"],
        )
    with pytest.raises(TransitionRefused) as exc:
        built(dpo, req, final=True)
    assert exc.value.refusal == Refusal.TASKS_OPEN
    assert "Manual searches are still open: CCTV (due " in exc.value.message
    assert not Bundle.objects.exists()


def test_search_log_one_row_per_source_and_a_searched_event(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    built(dpo, req, final=False)
    log_rows = {e.source: e for e in SearchLogEntry.objects.filter(request=req)}
    models = {e.label for e in registered_models(subject="pupil")}
    assert models | {"people.PupilContact"} == set(log_rows)
    assert log_rows["records.Note"].rows == 1 and log_rows["records.Note"].categories == ["pupil.note"]
    assert log_rows["people.Pupil"].rows == 1 and log_rows["records.AttendanceMark"].rows == 0
    assert all(e.actor == dpo for e in log_rows.values())
    assert req.events.filter(kind=EventKind.SEARCHED).count() == 1
    assert req.events.get(kind=EventKind.BUNDLE_BUILT).method == "draft"


def test_same_data_same_hash(
    dpo: User, school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    built(dpo, req, final=False)
    accept_all(dpo, req)
    first, second = built(dpo, req, final=True), built(dpo, req, final=True)
    assert first.sha256 == second.sha256
    with first.archive.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == first.sha256


def test_hash_recorded_on_release_equals_sha256_of_the_stored_zip(
    users: dict[str, User], school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    dpl = users["school_dpl"]
    req = to_ready(dpl, log(dpl, school_a, pupil_a))
    req = release(dpl, req)
    final = Bundle.objects.get(request=req, state="final")
    with final.archive.open("rb") as fh:
        assert req.bundle_sha256 == hashlib.sha256(fh.read()).hexdigest() == final.sha256
    assert f"bundle SHA-256 {final.sha256}" in req.events.get(kind=EventKind.RELEASED).note


def test_release_needs_a_final_bundle_built_after_the_last_decision(
    users: dict[str, User], school_a: School, pupil_a: Pupil, register: None, noted: Note
) -> None:
    dpl = users["school_dpl"]
    req = in_progress(dpl, school_a, pupil_a)
    built(dpl, req, final=False)
    accept_all(dpl, req)
    with acting_as(dpl, channel="web"):
        services.transition(actor=dpl, request=req, to=Status.AWAITING_REVIEW, on=ON)
        services.transition(actor=dpl, request=req, to=Status.READY, on=ON, note="Reviewed.")
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.NO_FINAL_BUNDLE
    built(dpl, req, final=True)
    mark = RedactionMark.objects.filter(request=req).first()
    assert mark is not None
    with acting_as(dpl, channel="web"):
        review.decide(actor=dpl, mark=mark, decision="removed", note="Sam's name is known to the requester.")
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.BUNDLE_OUT_OF_DATE
    assert RightsRequest.objects.get(pk=req.pk).status == Status.READY
    built(dpl, req, final=True)
    assert release(dpl, req).status == Status.RELEASED


def test_bundle_for_a_pupil_outside_the_actors_schools_is_a_404(
    trust: Trust, school_a: School, school_b: School, pupil_a: Pupil, dpo: User, system: Any
) -> None:
    req = in_progress(dpo, school_a, pupil_a)
    outsider = make_user("dpl_b", "school_dpl", trust, school_b)
    with pytest.raises(Http404), acting_as(outsider, channel="web"):
        build(actor=outsider, request=req, final=False)
    assert not Bundle.objects.exists()


def test_only_the_dpo_or_dp_lead_builds_and_safeguarding_needs_the_trust_dpo(
    users: dict[str, User], school_a: School, pupil_a: Pupil, register: None, system: Any
) -> None:
    dpl, office = users["school_dpl"], users["office_manager"]
    req = in_progress(dpl, school_a, pupil_a)
    with pytest.raises(PermissionDenied), acting_as(office, channel="web"):
        build(actor=office, request=req, final=False)
    SafeguardingConcern.objects.create(
        pupil=pupil_a,
        school=school_a,
        raised_at=dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC),
        raised_by_name="Class teacher",
        category="other",
        narrative="A concern.",
    )
    with pytest.raises(PermissionDenied) as exc, acting_as(dpl, channel="web"):
        build(actor=dpl, request=req, final=False)
    assert "Safeguarding" in str(exc.value)
    assert not Bundle.objects.exists()
    assert json.loads(unzip(built(users["trust_dpo"], req, final=False))["manifest.json"])["categories"]


def test_parent_of_a_14_year_old_still_blocked_with_a_final_bundle(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact, register: None
) -> None:
    dpl = users["school_dpl"]
    req = to_ready(dpl, log(dpl, school_a, teen, requester_kind="parent", requester_contact=parent_of_teen))
    assert Bundle.objects.filter(request=req, state="final").exists()
    with pytest.raises(TransitionRefused) as exc:
        release(dpl, req)
    assert exc.value.refusal == Refusal.PUPIL_VIEW_OR_DPO_DECISION_REQUIRED
    assert RightsRequest.objects.get(pk=req.pk).status == Status.READY
