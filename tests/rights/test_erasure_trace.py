"""Erasure leaves no trace (issue 4, "Done when"): after erasing, no erased value is found in any column of
any table of the database (tables found by `connection.introspection`, not from a list of models) or in
any file under MEDIA_ROOT, except where the rules say it must be kept. Kept data is still there, and the
audit log holds field names, never values.

Runs on SQLite here and on PostgreSQL in CI (plain SELECTs of every column, values compared in Python).

Exceptions the rules allow, and where this test meets them:
- Safeguarding, identity (legal obligation) and health records are kept (rules §3 and §5): their values
  are in the KEPT list below, and must still be found.
- Records of the rights requests themselves are kept (Art 5(2), Art 17(3)(e)). They hold no erased value
  here: request descriptions and event notes never quote data, and the copies of erased values in an
  earlier rectification are emptied by the erasure (checked by searching for the old and new values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from tests.rights.conftest import ON, log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.records.models import (
    Allergy,
    HealthcarePlan,
    Note,
    Photograph,
    SafeguardingConcern,
    Trip,
    TripParticipant,
)
from steward.register.services import category_use_upsert, purpose_create
from steward.rights import outcomes, services
from steward.rights.models import ErasureAction, ErasureEntry, Rectification, RightsRequest, Status

D = dt.date

# Values in categories this school holds only on consent: each must vanish everywhere.
ERASED = [
    "Zephyrine-Caption-Q7",  # photograph caption, and inside the image file
    "Marmalade-Otter-Title-X9",  # a note's title (notes: consent-only at this school)
    "Marmalade-Otter-Body-X9",  # the note's body
    "Marmalade-Otter-Before-X9",  # the note's title before an earlier rectification
    "Bartholomew Quince-Zanzibar",  # who gave consent for the optional club trip
]
# Values in categories the law requires the school to keep: each must still be found.
KEPT = [
    "Vantablackington",  # the pupil's surname (identity: census and registers, legal obligation)
    "Kept-Epipen-Trip-Note",  # medical notes for the trip (health: keep children safe, legal obligation)
    "Kept-Safeguarding-Narrative",  # safeguarding: always kept
    "Kept-Allergen-Sesame",  # allergy (health)
    "Kept-Plan-File-Contents",  # inside a healthcare plan document (a file that stays)
]


def consent_only_register(dpo: User, school: School) -> None:
    """At this school photographs, notes and optional-club trips are held only with consent."""
    trust = school.trust
    with acting_as(dpo, channel="web"):
        purpose_create(
            actor=dpo,
            trust=trust,
            school=school,
            key="optional_clubs",
            name="Optional clubs and activities",
            description="To run optional after-school clubs and their outings, only with consent.",
            bases=[{"basis": "consent", "explanation": "Parents opt in and can withdraw at any time."}],
        )
        for key, purposes in [
            ("pupil.image", ["publicity"]),
            ("pupil.note", ["optional_clubs"]),
            ("pupil.trip", ["optional_clubs"]),
        ]:
            category_use_upsert(
                actor=dpo,
                trust=trust,
                school=school,
                category_key=key,
                provision="optional",
                sources=["parents", "school"],
                purposes=purposes,
                consequence="",
            )


@pytest.fixture
def subject(trust: Any, school_a: School, system: Any) -> Pupil:
    from tests.conftest import make_pupil

    pupil = make_pupil(trust, school_a, 41, legal_surname="Vantablackington", date_of_birth=D(2015, 6, 1))
    p = Photograph(
        pupil=pupil, school=school_a, purpose="website", taken_on=D(2026, 1, 10), caption=ERASED[0]
    )
    p.image.save("sports.jpg", ContentFile(b"\xff\xd8 fictional image " + ERASED[0].encode()), save=False)
    p.save()
    Note.objects.create(pupil=pupil, school=school_a, title="Marmalade-Otter-Before-X9", body=ERASED[2])
    trip = Trip.objects.create(
        school=school_a,
        name="Chess club outing",
        destination="Museum",
        start_date=D(2026, 2, 1),
        end_date=D(2026, 2, 1),
    )
    TripParticipant.objects.create(
        pupil=pupil,
        school=school_a,
        trip=trip,
        consent_given=True,
        consent_date=D(2026, 1, 20),
        consent_by=ERASED[4],
        medical_notes=KEPT[1],
    )
    SafeguardingConcern.objects.create(
        pupil=pupil,
        school=school_a,
        raised_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        raised_by_name="A. Teacher",
        category="neglect",
        narrative=KEPT[2],
    )
    Allergy.objects.create(pupil=pupil, school=school_a, allergen=KEPT[3], severity="severe")
    plan = HealthcarePlan(pupil=pupil, school=school_a, title="Asthma plan", start_date=D(2025, 9, 1))
    plan.document.save("plan.pdf", ContentFile(b"%PDF fictional " + KEPT[4].encode()), save=False)
    plan.save()
    return pupil


def in_progress(actor: User, school: School, pupil: Pupil, kind: str) -> RightsRequest:
    req = log(actor, school, pupil, kind=kind, description="Asked in person at the school office.")
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def database_text() -> list[tuple[str, str]]:
    """(table.column, value as text) for every non-null value of every column of every table the
    database has (found by introspection, so tables no model list names are searched too)."""
    found: list[tuple[str, str]] = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            # Names come from introspection and are quoted by the backend; no value is interpolated.
            cursor.execute(f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", "replace")
                    else:
                        text = str(value)
                    found.append((f"{table}.{column}", text))
    return found


def database_hits(needle: str, dump: list[tuple[str, str]]) -> list[str]:
    """Every table.column whose value contains `needle`."""
    return sorted({where for where, text in dump if needle in text})


def files_under(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def file_hits(needle: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return [str(p.relative_to(root)) for p in files_under(root) if needle.encode() in p.read_bytes()]


def test_erasure_leaves_no_trace_of_erased_values_and_keeps_what_the_law_requires(
    users: dict[str, User],
    school_a: School,
    subject: Pupil,
    loaded: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dpo, dpl = users["trust_dpo"], users["school_dpl"]
    consent_only_register(dpo, school_a)
    # An earlier rectification of the note's title: its history holds the old and the new value.
    rect_req = in_progress(dpl, school_a, subject, "rectification")
    note = Note.objects.get(pupil=subject)
    with acting_as(dpl, channel="web"):
        outcomes.rectify(actor=dpl, request=rect_req, target=note, field="title", value=ERASED[1], on=ON)
    assert Rectification.objects.filter(before=ERASED[3], after=ERASED[1]).exists()
    dump = database_text()
    for value in ERASED + KEPT:
        assert database_hits(value, dump) or file_hits(value), f"set-up: {value!r} not stored"
    photo_file = Photograph.objects.get(pupil=subject).image.name

    req = in_progress(dpl, school_a, subject, "erasure")
    plan = outcomes.erasure_plan(req, ON)
    assert plan.item("records.Photograph", ErasureAction.DELETED) is not None
    assert plan.item("records.Note", ErasureAction.DELETED) is not None
    assert plan.item("records.TripParticipant", ErasureAction.ANONYMISED) is not None
    with django_capture_on_commit_callbacks(execute=True), acting_as(dpo, channel="web"):
        entries = outcomes.erase(actor=dpo, request=req, on=ON)

    # Nothing erased remains: not in any table, not in any file.
    dump = database_text()
    for value in ERASED:
        assert database_hits(value, dump) == [], f"{value!r} still in the database"
        assert file_hits(value) == [], f"{value!r} still in a file"
    assert not (Path(settings.MEDIA_ROOT) / photo_file).exists()
    # What the law requires is kept, in the database and in its files.
    for value in KEPT:
        assert database_hits(value, dump) or file_hits(value), f"{value!r} was erased but must be kept"
    subject.refresh_from_db()
    assert subject.legal_surname == "Vantablackington"
    tp = TripParticipant.objects.get(pupil=subject)
    assert (tp.consent_by, tp.consent_date, tp.medical_notes) == ("", None, KEPT[1])
    assert Rectification.objects.filter(request=rect_req, field="title", before="", after="").exists()

    # The entries say what was done and why, and hold no value.
    by = {(e.model, e.action): e for e in entries}
    assert by[("records.Photograph", ErasureAction.DELETED)].rows == 1
    assert by[("records.Note", ErasureAction.DELETED)].categories == ["pupil.note"]
    anon = by[("records.TripParticipant", ErasureAction.ANONYMISED)]
    assert set(anon.fields) == {"consent_given", "consent_date", "consent_by"}
    kept_trip = by[("records.TripParticipant", ErasureAction.KEPT)]
    assert kept_trip.fields == ["medical_notes"] and "Art 17(3)(b)" in kept_trip.reason
    assert (
        "Keeping Children Safe in Education" in by[("records.SafeguardingConcern", ErasureAction.KEPT)].reason
    )
    assert by[("rights.Rectification", ErasureAction.ANONYMISED)].rows == 1
    assert ErasureEntry.objects.filter(request=req).count() == len(entries)

    # The audit log names fields and categories, never values.
    deleted = AuditEvent.objects.filter(action="delete", model__in=["records.Photograph", "records.Note"])
    assert deleted.count() == 2
    update = AuditEvent.objects.filter(action="update", model="records.TripParticipant").latest("pk")
    assert set(update.fields) == {"consent_given", "consent_date", "consent_by"}
    assert update.categories == ["pupil.trip"]
