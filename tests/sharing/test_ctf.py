"""The common transfer file: export through the gate and the disclosure log, import with validation,
and the round trip of every field Steward holds that a CTF carries."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree
from tests.conftest import make_pupil, make_upn, make_user

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import Closure, School, Term, Trust
from steward.people.models import Contact, FSMPeriod, Pupil, PupilAddress, PupilContact
from steward.records.models import Assessment, AttendanceMark, SafeguardingConcern, SENNeed, SENProvision
from steward.rights.models import Restriction
from steward.sharing import packages
from steward.sharing.ctf import xml
from steward.sharing.ctf.childprotection import mark_sent, owed, status
from steward.sharing.ctf.common import UNKNOWN, Destination, ctf_version, resolve_destination
from steward.sharing.ctf.export import CtfExport, export_ctf
from steward.sharing.ctf.fields import CARRIED, categories
from steward.sharing.ctf.importer import CtfInvalid, import_ctf
from steward.sharing.ctf.payload import pupil_payload
from steward.sharing.ctf.schema import schema
from steward.sharing.gate import Code, ShareRefused
from steward.sharing.log import verify_disclosures
from steward.sharing.models import Disclosure, ShareRun
from steward.sharing.models_transfer import ChildProtectionTransfer, CtfFile, TransferReceived

ON = dt.date(2026, 11, 24)
SAMPLES = Path(__file__).parent / "samples"
ULN = "1234567899"  # nine digits 123456789 give check digit 9


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    return school_a


@pytest.fixture
def other_trust(db: Any, system: Any) -> Trust:
    return Trust.objects.create(name="Riverside Schools Trust", dpo_email="dpo@riverside.example.com")


@pytest.fixture
def school_c(other_trust: Trust) -> School:
    return School.objects.create(
        trust=other_trust,
        urn="200003",
        la_code="873",
        estab="4002",
        name="Riverside Academy",
        phase="secondary",
        school_type="academy",
    )


@pytest.fixture
def dpo_c(other_trust: Trust, school_c: School) -> User:
    return make_user("dpo_c", "trust_dpo", other_trust, None)


def _marks(pupil: Pupil, school: School, start: dt.date, codes: str) -> None:
    """Marks on consecutive weekdays from `start`, two codes (AM, PM) per day."""
    day = start
    pairs = [codes[i : i + 2] for i in range(0, len(codes), 2)]
    for pair in pairs:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        for session, code in zip(("AM", "PM"), pair, strict=True):
            AttendanceMark.objects.create(pupil=pupil, school=school, date=day, session=session, code=code)
        day += dt.timedelta(days=1)


@pytest.fixture
def rich(trust: Trust, published: School) -> Pupil:
    """A pupil with something in every part of the CTF (and a few things that must never go in one)."""
    school = published
    p = make_pupil(
        trust,
        school,
        7,
        uln=ULN,
        former_upn=make_upn("201", "3001", 900),
        middle_names="Jo",
        preferred_forename="Lexi",
        preferred_surname="Smith-Jones",
        former_surname="Jones",
        ethnicity="MWBA",
        ethnicity_source="P",
        first_language="POL",
        email="lexi@pupils.example.com",
        nationality="Polish",
    )
    PupilAddress.objects.create(
        pupil=p, line1="12 Acacia Avenue", line2="Flat 2", town="Oakfield", county="Oakshire",
        postcode="OK1 2AB", start_date=dt.date(2020, 1, 1),
    )  # fmt: skip
    mum = Contact.objects.create(
        trust=trust, title="Ms", forename="Maria", surname="Jones", email="maria@example.com",
        phone_mobile="07700 900123", address_line1="12 Acacia Avenue", address_line2="Flat 2",
        town="Oakfield", postcode="OK1 2AB",
    )  # fmt: skip
    dad = Contact.objects.create(
        trust=trust, title="Mr", forename="Tom", surname="Smith", phone_home="0118 496 0000",
        phone_work="0118 496 0999", address_line1="3 Mill Lane", town="Riverton", postcode="RV2 9ZZ",
    )  # fmt: skip
    PupilContact.objects.create(
        pupil=p, contact=mum, relationship="PAM", parental_responsibility=True, priority=1
    )
    PupilContact.objects.create(
        pupil=p, contact=dad, relationship="PAF", parental_responsibility=True, priority=2,
        court_order=True, court_order_note="Contact order 2024",
    )  # fmt: skip
    SENProvision.objects.create(
        pupil=p, school=school, provision="K", start_date=dt.date(2022, 9, 5), end_date=dt.date(2024, 3, 1)
    )
    SENProvision.objects.create(pupil=p, school=school, provision="E", start_date=dt.date(2024, 3, 2))
    SENNeed.objects.create(pupil=p, school=school, need="SLCN", rank=1, notes="never sent")
    SENNeed.objects.create(pupil=p, school=school, need="SPLD", rank=2)
    FSMPeriod.objects.create(pupil=p, start_date=dt.date(2021, 4, 1), end_date=dt.date(2022, 4, 1))
    FSMPeriod.objects.create(pupil=p, start_date=dt.date(2024, 1, 10))
    # Two academic years of marks: 2024/25 and 2025/26.
    _marks(p, school, dt.date(2025, 6, 30), "/\\/\\LIMMGN/\\######")
    _marks(p, school, dt.date(2025, 10, 6), "/\\IIOU/\\RVPWBBCT")
    Assessment.objects.create(
        pupil=p, school=school, kind="statutory", stage="KS1", academic_year="2022/2023", subject="MAT",
        component="TA", result="EXS", result_date=dt.date(2023, 6, 30),
    )  # fmt: skip
    Assessment.objects.create(
        pupil=p, school=school, kind="statutory", stage="MTC", academic_year="2025/2026", subject="MAT",
        component="", result="23", result_date=dt.date(2026, 6, 19),
    )  # fmt: skip
    Assessment.objects.create(
        pupil=p, school=school, kind="internal", stage="INT", academic_year="2025/2026", subject="ENG",
        result="Secure", result_date=dt.date(2025, 12, 1),
    )  # fmt: skip
    return p


def export(actor: User, school: School, pupils: list[Pupil], dest: Destination, **kw: Any) -> CtfExport:
    with acting_as(actor, channel="cli"):
        return export_ctf(
            actor=actor, school=school, pupils=pupils, destination=dest, on=kw.pop("on", ON), **kw
        )


def counts() -> tuple[int, ...]:
    return (
        ShareRun.objects.count(),
        Disclosure.objects.count(),
        CtfFile.objects.count(),
        ChildProtectionTransfer.objects.count(),
        Pupil.objects.count(),
        TransferReceived.objects.count(),
        AuditEvent.objects.count(),
    )


# --- round trip ----------------------------------------------------------------------------------


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The payload without what the receiving school cannot hold the same: where marks were taken
    (they are kept at the importing school) and enrolments at schools outside the trust."""
    out = dict(data)
    out["attendance"] = [
        {k: v for k, v in y.items() if k not in {"la", "estab", "school_name"}} for y in data["attendance"]
    ]
    out.pop("school_history")
    return out


def test_round_trip_reproduces_every_field_the_ctf_carries(
    rich: Pupil, published: School, dpo: User, school_c: School, dpo_c: User, tmp_path: Path
) -> None:
    sent = pupil_payload(rich, published, ON)
    result = export(dpo, published, [rich], Destination.of(school_c))
    (ctf,) = result.files
    assert ctf.name == "2013001_CTF_8734002_001.xml"
    path = tmp_path / ctf.name
    path.write_bytes(ctf.xml)
    with acting_as(dpo_c, channel="cli"):
        imported = import_ctf(actor=dpo_c, school=school_c, file=path, admission_date=ON)
    assert imported.counts() == {"created": 1, "updated": 0, "unchanged": 0}
    twin = Pupil.objects.get(trust=school_c.trust, upn=rich.upn)
    assert twin.source == "previous_school"
    got = pupil_payload(twin, school_c, ON)
    expected, actual = _comparable(sent.data), _comparable(got.data)
    for section in expected:
        assert actual[section] == expected[section], section
    history = {
        "people.Enrolment.admission_date",
        "people.Enrolment.leaving_date",
        "people.Enrolment.leaving_reason",
    }
    assert [f for f in got.fields if f not in history] == [f for f in sent.fields if f not in history]
    # Never carried: nationality, court orders, SEN notes, internal assessments.
    assert twin.nationality == ""
    assert not PupilContact.objects.filter(pupil=twin, court_order=True).exists()
    assert SENNeed.objects.filter(pupil=twin, notes="").count() == 2
    assert not Assessment.objects.filter(pupil=twin, stage="INT").exists()
    assert set(AttendanceMark.objects.filter(pupil=twin).values_list("source", flat=True)) == {
        "previous_school"
    }
    # The enrolment at the importing school, with the status the CTF gave.
    (enrolment,) = twin.enrolments.all()
    assert (enrolment.school, enrolment.admission_date, enrolment.status) == (school_c, ON, "C")
    # The receipt is recorded: which file, from where, which pupils.
    received = TransferReceived.objects.get()
    assert (received.source_la, received.source_estab, received.source_urn) == ("201", "3001", "100001")
    assert received.pupil_refs == [twin.pk] and received.ctf_version == "26.0"
    # Writes were audited as the importing user.
    assert AuditEvent.objects.filter(actor_label="dpo_c", model="people.Pupil", action="create").exists()
    # Importing the same file again changes nothing.
    with acting_as(dpo_c, channel="cli"):
        again = import_ctf(actor=dpo_c, school=school_c, file=path)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 1}


def test_attendance_totals_per_academic_year(
    rich: Pupil, published: School, dpo: User, school_b: School
) -> None:
    result = export(dpo, published, [rich], Destination.of(school_b))
    root = etree.fromstring(result.files[0].xml)
    years = {
        y.findtext("Year"): [
            int(y.findtext(t) or -1)
            for t in ("SessionsPossible", "SessionsAuthorised", "SessionsAttended", "SessionsUnauthorised")
        ]
        for y in root.iter("YearData")
    }
    # 2024/25: / \ / \ L I M M G N / \ then five # (closure: not possible) -> 12 possible,
    # attended / \ / \ L / \ = 7, authorised I M M = 3, unauthorised G N = 2.
    # 2025/26: / \ I I O U / \ R V P W B B C T -> 16 possible; attended / \ / \ V P W B B = 9,
    # authorised I I R C T = 5, unauthorised O U = 2.
    assert years == {"2024": [12, 3, 7, 2], "2025": [16, 5, 9, 2]}


def test_merge_by_upn_updates_what_the_ctf_has_and_keeps_the_rest(
    rich: Pupil,
    published: School,
    dpo: User,
    school_c: School,
    dpo_c: User,
    tmp_path: Path,
    other_trust: Trust,
) -> None:
    existing = make_pupil(
        other_trust, school_c, 1, upn=rich.upn, legal_surname="Old", nationality="Polish", ethnicity="NOBT"
    )
    result = export(dpo, published, [rich], Destination.of(school_c))
    path = tmp_path / result.files[0].name
    path.write_bytes(result.files[0].xml)
    with acting_as(dpo_c, channel="cli"):
        done = import_ctf(actor=dpo_c, school=school_c, file=path)
    (summary,) = done.pupils
    assert summary.status == "updated"
    assert {"legal_surname", "ethnicity", "uln"} <= set(summary.changed)
    existing.refresh_from_db()
    assert (existing.legal_surname, existing.ethnicity, existing.nationality) == (
        "Testpupil7",
        "MWBA",
        "Polish",
    )
    assert existing.enrolments.count() == 1  # the open enrolment at the school is kept


def test_dry_run_writes_nothing(
    rich: Pupil, published: School, dpo: User, school_c: School, dpo_c: User, tmp_path: Path
) -> None:
    result = export(dpo, published, [rich], Destination.of(school_c))
    path = tmp_path / result.files[0].name
    path.write_bytes(result.files[0].xml)
    before = counts()
    call_command(
        "ctf",
        "import",
        str(path),
        "--school",
        "200003",
        "--actor",
        "dpo_c",
        "--dry-run",
        stdout=(out := io.StringIO()),
    )
    assert "Dry run (nothing written)" in out.getvalue() and "1 created" in out.getvalue()
    assert counts() == before


def test_a_sample_from_another_mis_imports(school_c: School, dpo_c: User) -> None:
    """A fictional CTF as another MIS might write it: BS7666 address, Gender, elements Steward ignores."""
    with acting_as(dpo_c, channel="cli"):
        done = import_ctf(actor=dpo_c, school=school_c, file=SAMPLES / "8231234_CTF_8734002_001.xml")
    assert done.counts()["created"] == 2
    p = Pupil.objects.get(upn="B823123425001")
    assert (p.sex, p.ethnicity, p.first_language) == ("M", "WBRI", "OTH")  # WENG rolled up; unknown language
    addr = p.addresses.get()
    assert (addr.line1, addr.town, addr.postcode) == ("4 Long Row", "Oakfield", "OK3 4CD")
    mtc = Assessment.objects.get(pupil=p)
    assert (mtc.stage, mtc.academic_year, mtc.result, mtc.component) == ("MTC", "2025/2026", "21", "")
    assert any("WENG" in w for w in done.warnings)
    assert not any("addressed to" in w for w in done.warnings)  # DestSchool is this school


# --- malformed files -----------------------------------------------------------------------------


def _good(rich: Pupil, published: School, dpo: User, school_c: School) -> bytes:
    return export(dpo, published, [rich], Destination.of(school_c)).files[0].xml


RICH_UPN = b"G201300125007"  # make_upn("201", "3001", 7)


@pytest.mark.parametrize(
    ("mutate", "element", "reason"),
    [
        (lambda x: b"this is not XML <", "(document)", "not well-formed XML"),
        (
            lambda x: x.replace(b"<CTfile>", b"<ATfile>").replace(b"</CTfile>", b"</ATfile>"),
            "/ATfile",
            "the root element must be CTfile, not ATfile",
        ),
        (
            lambda x: x.replace(b"<UPN>" + RICH_UPN + b"</UPN>", b""),
            "/CTfile/CTFpupilData/Pupil/UniqueLearnerNumber",
            "This element is not expected. Expected is one of ( ApplicationReference, UPN )",
        ),
        (
            lambda x: x.replace(b"<UPN>" + RICH_UPN, b"<UPN>A" + RICH_UPN[1:]),
            "/CTfile/CTFpupilData/Pupil/UPN",
            "UPN check letter is wrong: expected G",
        ),
        (
            lambda x: x.replace(b"<DOB>2015-03-14</DOB>", b"<DOB>2015-02-30</DOB>"),
            "/CTfile/CTFpupilData/Pupil/DOB",
            "'2015-02-30' is not a valid value of the atomic type 'xs:date'",
        ),
        (
            lambda x: x.replace(b"<Ethnicity>MWBA</Ethnicity>", b"<Ethnicity>ZZZZ</Ethnicity>"),
            "/CTfile/CTFpupilData/Pupil/BasicDetails/Ethnicity",
            "ethnicity: Value 'ZZZZ' is not a valid choice",
        ),
    ],
    ids=["not-xml", "wrong-root", "missing-upn", "bad-check-letter", "bad-date", "bad-code"],
)
def test_a_malformed_ctf_is_refused_with_line_element_and_reason_and_nothing_written(
    rich: Pupil, published: School, dpo: User, school_c: School, dpo_c: User, tmp_path: Path,
    mutate: Any, element: str, reason: str,
) -> None:  # fmt: skip
    assert rich.upn == RICH_UPN.decode()
    good = _good(rich, published, dpo, school_c)
    path = tmp_path / "bad.xml"
    path.write_bytes(mutate(good))
    before = counts()
    with acting_as(dpo_c, channel="cli"), pytest.raises(CtfInvalid) as refused:
        import_ctf(actor=dpo_c, school=school_c, file=path)
    assert len(refused.value.problems) == 1, refused.value
    (problem,) = refused.value.problems
    assert (problem.path, reason in problem.message) == (element, True), refused.value
    assert problem.line > 0 and f"line {problem.line}, element {element}: " in str(refused.value)
    assert counts() == before
    with pytest.raises(CommandError, match=f"(?s)bad.xml: not a valid CTF.*line {problem.line}, element"):
        call_command("ctf", "import", str(path), "--school", "200003", "--actor", "dpo_c")
    assert counts() == before


# --- destinations, names, versions ---------------------------------------------------------------


def test_unknown_destination_one_pupil_per_file_with_the_xxx_codes(
    trust: Trust, rich: Pupil, published: School, dpo: User
) -> None:
    second = make_pupil(trust, published, 8)
    result = export(dpo, published, [rich, second], resolve_destination("unknown"))
    assert [f.name for f in result.files] == ["2013001_CTF_XXXXXXX_001.xml", "2013001_CTF_XXXXXXX_002.xml"]
    for f in result.files:
        root = etree.fromstring(f.xml)
        assert (root.findtext("Header/DestSchool/LEA"), root.findtext("Header/DestSchool/Estab")) == (
            "XXX",
            "XXXX",
        )
        assert len(root.findall("CTFpupilData/Pupil")) == 1
    # Sequence numbers continue per destination.
    again = export(dpo, published, [second], UNKNOWN)
    assert again.files[0].name == "2013001_CTF_XXXXXXX_003.xml"


def test_a_destination_steward_does_not_know_is_refused(rich: Pupil, published: School, dpo: User) -> None:
    for code in ("999999", "9999999", "next door", "MMMMMMM"):
        with pytest.raises(ValidationError) as refused:
            resolve_destination(code)
        assert "destination" in refused.value.message_dict
    before = counts()
    with pytest.raises(ValidationError, match="No school with LA/establishment number 9999999"):
        export(dpo, published, [rich], Destination(la="999", estab="9999"))
    assert counts() == before


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (dt.date(2025, 8, 31), "24.0"),
        (dt.date(2025, 9, 1), "25.0"),
        (dt.date(2026, 8, 31), "25.0"),
        (dt.date(2026, 9, 1), "26.0"),
    ],
)
def test_ctf_version_follows_the_academic_year(
    on: dt.date, version: str, rich: Pupil, published: School, school_b: School
) -> None:
    assert ctf_version(on) == version
    body = xml.document(
        school=published,
        destination=Destination.of(school_b),
        on=on,
        at=dt.datetime(2026, 1, 1, 9, 0),
        pupils=[pupil_payload(rich, published, on).data],
    )
    root = etree.fromstring(body)
    assert root.findtext("Header/CTFversion") == version
    assert root.findtext("Header/SourceSchool/AcademicYear") == f"20{version[:2]}"
    assert schema().validate(root.getroottree())


# --- the gate and the log ------------------------------------------------------------------------


def test_disclosure_rows_one_per_pupil_with_the_fields_carried(
    trust: Trust, rich: Pupil, published: School, dpo: User, school_b: School
) -> None:
    second = make_pupil(trust, published, 8)
    result = export(dpo, published, [rich, second], Destination.of(school_b))
    run = result.run
    assert (run.kind, run.recipient_key, run.purpose_key) == ("ctf", "next_school", "statutory_returns")
    rows = list(Disclosure.objects.filter(run=run).order_by("id"))
    assert [r.pupil_ref for r in rows] == [rich.pk, second.pk]
    assert rows[0].categories == list(categories())
    assert "people.Pupil.upn" in rows[0].fields and "records.AttendanceMark.code" in rows[0].fields
    assert "records.AttendanceMark.code" not in rows[1].fields  # no marks for the second pupil
    assert set(rows[0].fields) <= {c.name for c in CARRIED}
    assert verify_disclosures().ok
    assert CtfFile.objects.get(run=run).file_name == result.files[0].name


def test_a_restricted_pupil_is_refused_by_the_gate_and_nothing_is_logged(
    rich: Pupil, published: School, dpo: User, school_b: School, tmp_path: Path
) -> None:
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(
            pupil=rich, categories=["pupil.attendance"], ground="accuracy", started_on=ON
        )
    before = counts()
    with pytest.raises(ShareRefused) as refused:
        export(dpo, published, [rich], Destination.of(school_b), package_to=tmp_path / "out.zip")
    assert {f.code for f in refused.value.failures} == {Code.RESTRICTED}
    assert rich.upn in refused.value.failures[0].message
    assert counts() == before
    assert not (tmp_path / "out.zip").exists()


def test_no_published_notice_refuses_the_ctf(
    loaded: Any, school_b: School, users: dict[str, User], trust: Trust, school_a: School
) -> None:
    pupil = make_pupil(trust, school_b, 3)
    dpo = users["trust_dpo"]
    with pytest.raises(ShareRefused) as refused:
        export(dpo, school_b, [pupil], Destination.of(school_a))
    assert Code.NO_NOTICE in {f.code for f in refused.value.failures}


# --- child protection ----------------------------------------------------------------------------


def test_safeguarding_never_in_the_ctf_and_the_cp_file_is_owed_in_five_school_days(
    rich: Pupil, published: School, dpo: User, school_b: School
) -> None:
    Term.objects.create(
        school=published,
        academic_year="2026/2027",
        name="Autumn",
        start=dt.date(2026, 9, 2),
        end=dt.date(2026, 12, 18),
    )
    Closure.objects.create(school=published, date=dt.date(2026, 11, 27), reason="INSET")
    SafeguardingConcern.objects.create(
        pupil=rich, school=published, raised_at=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
        raised_by_name="A Teacher", category="neglect", narrative="Zebra-unique-narrative", referral="csc",
    )  # fmt: skip
    result = export(dpo, published, [rich], Destination.of(school_b))
    text = result.files[0].xml.decode()
    assert "Zebra-unique-narrative" not in text and "neglect" not in text.lower()
    assert "pupil.safeguarding" not in Disclosure.objects.get(run=result.run).categories
    (cp,) = result.child_protection
    # Tue 24 Nov export: Wed 25, Thu 26, (Fri 27 INSET), Mon 30, Tue 1, Wed 2 December.
    assert (cp.pupil, cp.due_on, cp.dest_estab, cp.ctf.file_name) == (
        rich,
        dt.date(2026, 12, 2),
        "4001",
        result.files[0].name,
    )
    assert "term dates" in cp.due_basis
    call_command(
        "ctf",
        "child-protection",
        "--school",
        "100001",
        "--format",
        "json",
        "--actor",
        "dpo",
        stdout=(out := io.StringIO()),
    )
    rows = json.loads(out.getvalue())
    assert rows == [
        {
            "upn": rich.upn, "from_school": "100001", "destination": "2014001", "destination_name": "Oakfield Secondary",
            "exported_on": "2026-11-24", "due_on": "2026-12-02", "status": rows[0]["status"], "due_basis": cp.due_basis,
        }
    ]  # fmt: skip
    # Only those who read safeguarding see the list, and seeing it is audited as a special-category view.
    call_command(
        "ctf",
        "child-protection",
        "--format",
        "json",
        "--actor",
        "office_manager",
        stdout=(out := io.StringIO()),
    )
    assert json.loads(out.getvalue()) == []
    assert AuditEvent.objects.filter(
        model="sharing.ChildProtectionTransfer", action="view", special=True
    ).exists()


def test_without_term_dates_the_cp_due_date_counts_weekdays(
    rich: Pupil, published: School, dpo: User, school_b: School
) -> None:
    SafeguardingConcern.objects.create(
        pupil=rich, school=published, raised_at=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
        raised_by_name="A Teacher", category="online", narrative="n",
    )  # fmt: skip
    (cp,) = export(
        dpo, published, [rich], Destination.of(school_b), on=dt.date(2026, 12, 22)
    ).child_protection
    # Wed 23, Thu 24, (25, 26 bank holidays and 28 substitute), Tue 29, Wed 30, Thu 31 December.
    assert cp.due_on == dt.date(2026, 12, 31)
    assert "no term dates" in cp.due_basis


# --- packages and the CLI ------------------------------------------------------------------------


def test_cli_export_writes_an_encrypted_package_and_prints_the_passphrase_once(
    rich: Pupil, published: School, dpo: User, school_b: School, tmp_path: Path
) -> None:
    out = io.StringIO()
    target = tmp_path / "to-next-school.zip"
    call_command(
        "ctf", "export", "--school", "100001", "--upn", rich.upn, "--to", "100002", "--output", str(target),
        "--on", "2026-11-24", "--actor", "dpo", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    passphrase = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Passphrase: "))
    assert "by another channel" in text
    data = target.read_bytes()
    files = packages.read(data, passphrase)
    assert list(files) == ["2013001_CTF_2014001_001.xml"]
    assert (
        etree.fromstring(files["2013001_CTF_2014001_001.xml"]).findtext("CTFpupilData/Pupil/UPN") == rich.upn
    )
    run = ShareRun.objects.get()
    assert run.package_sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert passphrase not in json.dumps(run.summary) and passphrase.encode() not in data
    # Not without the passphrase: plain zipfile cannot read WinZip AES, a wrong passphrase fails.
    with pytest.raises((RuntimeError, NotImplementedError)):
        zipfile.ZipFile(io.BytesIO(data)).read("2013001_CTF_2014001_001.xml")
    with pytest.raises(RuntimeError):
        packages.read(data, "wrong-pass-phrase")
    # The same output file is never overwritten.
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "ctf", "export", "--school", "100001", "--upn", rich.upn, "--to", "100002", "--output", str(target),
            "--actor", "dpo", stdout=io.StringIO(),
        )  # fmt: skip
    assert ShareRun.objects.count() == 1


def test_leavers_on_selects_pupils_leaving_that_day(
    trust: Trust, rich: Pupil, published: School, dpo: User, tmp_path: Path
) -> None:
    rich.enrolments.update(leaving_date=dt.date(2026, 11, 20))
    call_command(
        "ctf", "export", "--school", "100001", "--leavers-on", "2026-11-20", "--to", "unknown",
        "--output", str(tmp_path / "lost.zip"), "--actor", "dpo", stdout=(out := io.StringIO()),
    )  # fmt: skip
    assert "2013001_CTF_XXXXXXX_001.xml  1 pupil(s)" in out.getvalue()
    with pytest.raises(CommandError, match="no pupil leaves"):
        call_command(
            "ctf", "export", "--school", "100001", "--leavers-on", "2026-11-21", "--to", "unknown",
            "--output", str(tmp_path / "none.zip"), "--actor", "dpo",
        )  # fmt: skip


def test_marking_a_cp_file_sent_takes_it_off_the_list(
    rich: Pupil, published: School, dpo: User, school_b: School
) -> None:
    SafeguardingConcern.objects.create(
        pupil=rich, school=published, raised_at=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
        raised_by_name="A Teacher", category="online", narrative="n",
    )  # fmt: skip
    (cp,) = export(dpo, published, [rich], Destination.of(school_b)).child_protection
    assert status(cp, cp.due_on + dt.timedelta(days=1)) == "overdue"
    with acting_as(dpo, channel="web"):
        with pytest.raises(ValidationError, match="before the file was sent"):
            mark_sent(
                actor=dpo,
                transfer=cp,
                sent_on=ON,
                method="by_hand",
                receipt_confirmed_on=ON - dt.timedelta(days=1),
            )
        mark_sent(actor=dpo, transfer=cp, sent_on=ON, method="by_hand", receipt_confirmed_on=ON)
    assert not owed(school=published).exists()
    call_command("ctf", "child-protection", "--actor", "dpo", stdout=(out := io.StringIO()))
    assert "No child protection files are waiting" in out.getvalue()


def test_docs_list_every_element_the_ctf_carries() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ctf.md").read_text()
    for c in CARRIED:
        assert f"| `{c.element}` | `{c.name}` | `{c.category}` |" in doc, c
