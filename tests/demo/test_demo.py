"""The demo trust: deterministic for a seed, valid, fictional, audited, with every kind of case."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory
from tests.conftest import make_pupil

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.audit.services import verify_chain
from steward.core.validators import validate_uln, validate_upn
from steward.demo.calendar import academic_year_of, closures_for, terms_for, year_label
from steward.demo.export import pupils_csv
from steward.demo.services import DEMO_TRUST_NAME, DemoResult, build_demo
from steward.imports.services import import_pupils
from steward.organisations.models import Closure, School, Term, Trust
from steward.people.models import Contact, Enrolment, Pupil, PupilContact, age_on
from steward.records.models import (
    EHCP,
    Allergy,
    AttendanceMark,
    MedicalCondition,
    Post16Destination,
    SafeguardingConcern,
    SENProvision,
    Trip,
    TripParticipant,
)
from steward.registry.registry import registered_models

TODAY = dt.date(2026, 11, 24)
PASSWORD = "correct horse battery staple"
RESERVED = re.compile(r"@([a-z0-9-]+\.)*(example\.com|example\.org|[a-z0-9-]+\.invalid)$")
DRAMA_PHONE = re.compile(r"^(07700 900\d{3}|01632 960\d{3}|0161 496 0\d{3})$")


def snapshot() -> dict[str, Any]:
    return {
        "schools": list(
            School.objects.order_by("urn").values_list("urn", "la_code", "estab", "name", "phase")
        ),
        "pupils": list(
            Pupil.objects.order_by("upn").values_list(
                "upn", "uln", "legal_forename", "legal_surname", "date_of_birth"
            )
        ),
        "contacts": sorted(Contact.objects.values_list("forename", "surname", "email", "phone_mobile")),
        "leavers": sorted(
            Enrolment.objects.exclude(leaving_date=None).values_list("pupil__upn", "leaving_date")
        ),
        "concerns": sorted(Counter(SafeguardingConcern.objects.values_list("category", flat=True)).items()),
    }


@pytest.fixture
def demo(db: Any) -> DemoResult:
    with acting_as(None, channel="cli", system_label="steward demo"):
        return build_demo(schools=2, pupils=60, seed=7, password=PASSWORD, today=TODAY)


def test_the_cli_is_deterministic_for_a_seed_and_prints_a_working_dpo_login(db: Any) -> None:
    out = io.StringIO()
    call_command("demo", pupils=60, schools=2, seed=7, stdout=out)
    first = snapshot()
    password = re.search(r"password: (\S+)", out.getvalue())
    assert password is not None
    dpo = authenticate(RequestFactory().post("/sign-in/"), username="dpo", password=password.group(1))
    assert dpo is not None
    assert list(RoleAssignment.objects.filter(user=dpo).values_list("role", "school")) == [
        ("trust_dpo", None)
    ]
    assert "username: dpo" in out.getvalue()

    out = io.StringIO()
    call_command("demo", pupils=60, schools=2, seed=7, replace=True, password=PASSWORD, stdout=out)
    assert snapshot() == first
    assert Trust.objects.filter(name=DEMO_TRUST_NAME).count() == 1
    assert (
        authenticate(RequestFactory().post("/sign-in/"), username="dsl-2", password=PASSWORD) is not None
    )  # logins reused, new password

    call_command("demo", pupils=60, schools=2, seed=8, replace=True, password=PASSWORD, stdout=io.StringIO())
    assert snapshot()["pupils"] != first["pupils"]


def test_the_cli_refuses_to_overwrite_a_demo_or_someone_elses_login(db: Any, users: dict[str, Any]) -> None:
    # The shared fixtures already have a user called "dpo" who is not a demo login.
    with pytest.raises(CommandError, match="a user called 'dpo' already exists and is not a demo login"):
        call_command("demo", pupils=10, schools=2, password=PASSWORD, stdout=io.StringIO())
    assert not Trust.objects.filter(name=DEMO_TRUST_NAME).exists()


def test_an_existing_demo_needs_replace(demo: DemoResult) -> None:
    with pytest.raises(CommandError, match="already exists; use --replace to rebuild it"):
        call_command("demo", pupils=10, schools=2, password=PASSWORD, stdout=io.StringIO())


def test_a_weak_password_is_refused(db: Any) -> None:
    with pytest.raises(CommandError, match="--password: This password is too short"):
        call_command("demo", pupils=10, schools=2, password="short", stdout=io.StringIO())


def test_the_demo_shape(demo: DemoResult) -> None:
    trust = demo.trust
    assert [(s.phase, s.school_type) for s in demo.schools] == [
        ("primary", "academy"),
        ("secondary", "academy"),
    ]
    assert Pupil.objects.filter(trust=trust).count() == 60 == demo.pupils
    assert demo.usernames == ["dpo", "dsl-1", "senco-1", "teacher-1", "office-1", "dsl-2", "senco-2", "teacher-2",
                              "office-2"]  # fmt: skip
    assert set(RoleAssignment.objects.filter(trust=trust).values_list("role", flat=True)) == {
        "trust_dpo",
        "dsl",
        "senco",
        "teacher",
        "office_manager",
        "provider",  # the AP provider's sign-in (its portal role, held at the secondary school)
        "parent",  # the demo family's portal sign-in
    }
    # Ages 4 to 19 (last summer's Year 13 leavers), leavers about 10%.
    ages = [age_on(d, TODAY) for d in Pupil.objects.values_list("date_of_birth", flat=True)]
    assert min(ages) == 4 and max(ages) in {18, 19}
    assert Enrolment.objects.exclude(leaving_date=None).count() == 6
    assert not Enrolment.objects.filter(leaving_date__gte=TODAY).exists()
    # Every kind of case shows, however small the demo.
    for model in (
        SafeguardingConcern,
        SENProvision,
        EHCP,
        MedicalCondition,
        Allergy,
        Post16Destination,
        Trip,
    ):
        assert model.objects.exists(), model
    assert TripParticipant.objects.exists()
    assert PupilContact.objects.filter(court_order=True).exists()
    assert PupilContact.objects.filter(parental_responsibility=False).exists()
    per_pupil = Pupil.objects.annotate(n=Count("contact_links")).values_list("n", flat=True)
    assert min(per_pupil) >= 1 and max(per_pupil) <= 3
    # Terms for the current and next year, with INSET days.
    year = academic_year_of(TODAY)
    for school in demo.schools:
        labels = set(Term.objects.filter(school=school).values_list("academic_year", flat=True))
        assert {year_label(year), year_label(year + 1)} <= labels
        assert Closure.objects.filter(school=school, reason="INSET day").count() == 6
    # Attendance: current pupils only, AM and PM, the last 20 school days before today.
    days = sorted(set(AttendanceMark.objects.values_list("date", flat=True)))
    assert len(days) == 20 and days[-1] < TODAY
    assert not AttendanceMark.objects.filter(pupil__enrolments__leaving_date__isnull=False).exists()


def test_identifiers_validate_and_everything_is_fictional(demo: DemoResult) -> None:
    for pupil in Pupil.objects.all():
        validate_upn(pupil.upn)
        if age_on(pupil.date_of_birth, TODAY) >= 14:
            validate_uln(pupil.uln)
        else:
            assert pupil.uln == ""
    emails = [e for e in Pupil.objects.values_list("email", flat=True) if e]
    emails += [e for e in Contact.objects.values_list("email", flat=True) if e]
    emails += list(User.objects.filter(username__in=demo.usernames).values_list("email", flat=True))
    emails += [s.email for s in demo.schools] + [demo.trust.dpo_email]
    assert emails and [e for e in emails if not RESERVED.search(e)] == []
    phones = [p for c in Contact.objects.all() for p in (c.phone_home, c.phone_mobile, c.phone_work) if p]
    phones += [s.phone for s in demo.schools] + [demo.trust.dpo_phone]
    assert phones and [p for p in phones if not DRAMA_PHONE.match(p)] == []
    assert {s.urn for s in demo.schools} == {"990001", "990002"}


def test_a_sample_of_every_model_passes_full_clean(demo: DemoResult) -> None:
    failures = []
    for entry in registered_models():
        if entry.model in {User, AuditEvent} or entry.model._meta.app_label == "api":
            continue
        for obj in entry.model._default_manager.order_by("pk")[:15]:
            try:
                obj.full_clean()
            except ValidationError as exc:
                failures.append((entry.label, obj.pk, exc.message_dict))
    for model in (Term, Closure, Trip):
        for obj in model.objects.order_by("pk")[:15]:
            try:
                obj.full_clean()
            except ValidationError as exc:
                failures.append((model._meta.label, obj.pk, exc.message_dict))
    assert failures == []


def test_bulk_writes_are_audited_as_one_summary_per_model(demo: DemoResult) -> None:
    marks = AuditEvent.objects.get(model="records.AttendanceMark", action="create")
    assert (marks.actor, marks.actor_label, marks.channel) == (None, "steward demo", "cli")
    assert marks.detail == {
        "count": AttendanceMark.objects.count(),
        "generator": "steward demo",
        "seed": 7,
        "by_school": {
            s.urn: AttendanceMark.objects.filter(school=s).count()
            for s in demo.schools
            if AttendanceMark.objects.filter(school=s).exists()
        },
    }
    assert marks.categories == ["pupil.attendance"] and marks.special is False
    concerns = AuditEvent.objects.get(model="records.SafeguardingConcern", action="create")
    assert concerns.categories == ["pupil.safeguarding"] and concerns.special is True
    pupils = AuditEvent.objects.get(model="people.Pupil", action="create")
    assert pupils.detail["count"] == 60 and pupils.pupil_id_ref is None
    # No per-row events for the bulk rows; the one other pupil event is the showcase's rectification,
    # written through the rights service like any other correction.
    per_row = AuditEvent.objects.filter(model="people.Pupil").exclude(pk=pupils.pk)
    assert [(e.action, e.fields) for e in per_row] == [("update", ["middle_names"])]
    assert verify_chain().ok


def test_replace_removes_only_the_demo_trust(trust: Trust, school_a: School, demo: DemoResult) -> None:
    mine = make_pupil(trust, school_a, 42)
    with acting_as(None, channel="cli", system_label="steward demo"):
        build_demo(schools=2, pupils=60, seed=7, password=PASSWORD, today=TODAY, replace=True)
    assert Pupil.objects.filter(pk=mine.pk).exists()
    assert Pupil.objects.count() == 61 and Trust.objects.count() == 2
    deleted = AuditEvent.objects.get(model="records.AttendanceMark", action="delete")
    assert deleted.detail == {
        "count": deleted.detail["count"],
        "trust": DEMO_TRUST_NAME,
        "reason": "demo replaced",
    }
    assert deleted.detail["count"] > 0 and verify_chain().ok


def test_the_actor_is_audited_when_given(db: Any, users: dict[str, Any]) -> None:
    # A fixture user may run the demo; its logins are distinct from the fixtures' usernames.
    User.objects.filter(username="dpo").update(username="fixture-dpo")
    call_command(
        "demo", pupils=10, schools=2, actor="office_manager", password=PASSWORD, stdout=io.StringIO()
    )
    event = AuditEvent.objects.get(model="people.Pupil", action="create")
    assert (event.actor, event.channel) == (users["office_manager"], "cli")


def test_a_demo_school_exports_a_file_the_import_reads_back(
    demo: DemoResult, trust: Trust, school_b: School
) -> None:
    source = demo.schools[0]
    office = User.objects.create_user("importer")
    RoleAssignment.objects.create(user=office, role="office_manager", trust=trust, school=school_b)
    with acting_as(office, channel="cli"):
        text = pupils_csv(source)
        result = import_pupils(path_or_file=io.BytesIO(text.encode()), school=school_b, actor=office)
    fields = ("upn", "legal_forename", "legal_surname", "date_of_birth", "sex", "ethnicity", "ncy", "email")
    enrolled = Enrolment.objects.filter(school=source).values_list("pupil", flat=True)
    assert sorted(Pupil.objects.filter(trust=trust).values_list(*fields)) == sorted(
        Pupil.objects.filter(pk__in=enrolled).values_list(*fields)
    )
    assert result.counts()["pupils"] == {"created": len(enrolled), "updated": 0, "unchanged": 0}


def test_the_calendar_of_a_school_year() -> None:
    terms = terms_for(2026)
    assert [(t.name, t.start, t.end) for t in terms] == [
        ("Autumn 1", dt.date(2026, 9, 2), dt.date(2026, 10, 23)),
        ("Autumn 2", dt.date(2026, 11, 2), dt.date(2026, 12, 18)),
        ("Spring 1", dt.date(2027, 1, 5), dt.date(2027, 2, 12)),
        ("Spring 2", dt.date(2027, 2, 22), dt.date(2027, 3, 19)),
        ("Summer 1", dt.date(2027, 4, 5), dt.date(2027, 5, 28)),
        ("Summer 2", dt.date(2027, 6, 7), dt.date(2027, 7, 22)),
    ]
    assert closures_for(terms) == [
        (dt.date(2026, 9, 2), "INSET day"),
        (dt.date(2027, 1, 5), "INSET day"),
        (dt.date(2027, 5, 3), "Bank holiday: May Day"),
    ]


def test_the_demo_trust_starts_with_a_complete_default_register(demo: DemoResult) -> None:
    from steward.register.models import Purpose
    from steward.register.selectors import register_problems

    assert Purpose.objects.filter(trust=demo.trust).exists()
    for school in demo.schools:
        blocking = [p for p in register_problems(school) if p.severity == "error"]
        assert blocking == [], school


def test_replace_works_after_notices_were_published(demo: DemoResult) -> None:
    from steward.notices.models import NoticeVersion

    # The demo publishes four notices per school; replacing it takes their history with the trust.
    first = set(NoticeVersion.objects.values_list("pk", flat=True))
    assert len(first) == 4 * len(demo.schools)
    with acting_as(None, channel="cli", system_label="steward demo"):
        build_demo(schools=2, pupils=60, seed=7, password=PASSWORD, today=TODAY, replace=True)
    again = set(NoticeVersion.objects.values_list("pk", flat=True))
    assert len(again) == len(first) and not first & again
