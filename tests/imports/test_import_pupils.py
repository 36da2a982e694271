"""The MIS pupil import: all or nothing, every bad row reported by line, idempotent, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.conftest import make_upn

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.imports.services import ImportFailed, Problem, import_pupils
from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact

UPN1 = make_upn("201", "3001", 101)
UPN2 = make_upn("201", "3001", 102)
UPN3 = make_upn("201", "3001", 103)

# A SIMS-style header: "Surname", "Forename", "Gender", "DOB", "Reg Group", UK dates.
SIMS_HEADER = [
    "UPN",
    "Surname",
    "Forename",
    "Preferred Forename",
    "DOB",
    "Gender",
    "Ethnicity",
    "First Language",
    "Year",
    "Reg Group",
    "Admission Date",
    "Address Line 1",
    "Town",
    "Postcode",
    "FSM Eligibility Start",
    "Contact 1 Title",
    "Contact 1 Forename",
    "Contact 1 Surname",
    "Contact 1 Relationship",
    "Contact 1 Parental Responsibility",
    "Contact 1 Email",
    "Contact 1 Mobile",
    "Contact 2 Forename",
    "Contact 2 Surname",
    "Contact 2 Relationship",
    "Contact 2 Parental Responsibility",
    "Contact 2 Court Order",
    "Contact 2 Home Phone",
]


def sims_row(upn: str, surname: str, **overrides: str) -> dict[str, str]:
    row = {
        "UPN": upn,
        "Surname": surname,
        "Forename": "Robin",
        "Preferred Forename": "",
        "DOB": "14/03/2015",
        "Gender": "Female",
        "Ethnicity": "WENG",  # an extended code: the pupil record holds its main code, WBRI
        "First Language": "English",
        "Year": "Year 6",
        "Reg Group": "6B",
        "Admission Date": "2019-09-04",
        "Address Line 1": "12 Larkspur Lane",
        "Town": "Meadowbank",
        "Postcode": "mb1  2ab",
        "FSM Eligibility Start": "01/10/2024",
        "Contact 1 Title": "Mrs",
        "Contact 1 Forename": "Jo",
        "Contact 1 Surname": surname,
        "Contact 1 Relationship": "Mother",
        "Contact 1 Parental Responsibility": "Yes",
        "Contact 1 Email": f"jo.{surname.lower()}@example.com",
        "Contact 1 Mobile": "07700 900123",
        "Contact 2 Forename": "Chris",
        "Contact 2 Surname": surname,
        "Contact 2 Relationship": "PAF",
        "Contact 2 Parental Responsibility": "N",
        "Contact 2 Court Order": "true",
        "Contact 2 Home Phone": "01632 960456",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    header: list[str] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header or SIMS_HEADER, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def office(users: dict[str, Any]) -> Any:
    return users["office_manager"]


def run_import(path: Any, school: Any, actor: Any) -> Any:
    with acting_as(actor, channel="cli"):
        return import_pupils(path_or_file=path, school=school, actor=actor)


def test_import_creates_pupils_enrolments_addresses_and_contacts(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    path = write_csv(tmp_path / "sims.csv", [sims_row(UPN1, "Ashdown"), sims_row(UPN2, "Birchall")])
    result = run_import(path, school_a, office)

    assert result.counts() == {
        "pupils": {"created": 2, "updated": 0, "unchanged": 0},
        "contacts": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert (result.rows, result.file_name, result.warnings) == (2, "sims.csv", [])
    pupil = Pupil.objects.get(upn=UPN1)
    assert (
        pupil.trust_id,
        pupil.legal_forename,
        pupil.legal_surname,
        pupil.date_of_birth,
        pupil.sex,
        pupil.ethnicity,
        pupil.first_language,
        pupil.ncy,
        pupil.source,
    ) == (school_a.trust_id, "Robin", "Ashdown", dt.date(2015, 3, 14), "F", "WBRI", "ENG", "6", "mis_import")
    enrolment = Enrolment.objects.get(pupil=pupil)
    assert (enrolment.school, enrolment.admission_date, enrolment.tutor_group, enrolment.status) == (
        school_a,
        dt.date(2019, 9, 4),
        "6B",
        "C",
    )
    address = PupilAddress.objects.get(pupil=pupil)
    assert (address.line1, address.town, address.postcode, address.end_date) == (
        "12 Larkspur Lane",
        "Meadowbank",
        "MB1 2AB",
        None,
    )
    assert list(FSMPeriod.objects.filter(pupil=pupil).values_list("start_date", "end_date")) == [
        (dt.date(2024, 10, 1), None)
    ]
    links = list(PupilContact.objects.filter(pupil=pupil).order_by("priority").select_related("contact"))
    assert [
        (
            lk.contact.title,
            lk.contact.forename,
            lk.contact.surname,
            lk.relationship,
            lk.parental_responsibility,
            lk.priority,
            lk.court_order,
        )
        for lk in links
    ] == [
        ("Mrs", "Jo", "Ashdown", "PAM", True, 1, False),
        ("", "Chris", "Ashdown", "PAF", False, 2, True),
    ]
    assert (links[0].contact.email, links[0].contact.phone_mobile, links[1].contact.phone_home) == (
        "jo.ashdown@example.com",
        "07700 900123",
        "01632 960456",
    )


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path, school_a: Any, office: Any) -> None:
    path = write_csv(tmp_path / "sims.csv", [sims_row(UPN1, "Ashdown"), sims_row(UPN2, "Birchall")])
    run_import(path, school_a, office)
    events_before = AuditEvent.objects.count()
    updated_before = {p.pk: p.updated_at for p in Pupil.objects.all()}

    result = run_import(path, school_a, office)

    assert result.counts() == {
        "pupils": {"created": 0, "updated": 0, "unchanged": 2},
        "contacts": {"created": 0, "updated": 0, "unchanged": 4},
    }
    new_events = list(AuditEvent.objects.order_by("id")[events_before:].values_list("action", flat=True))
    assert new_events == ["import"]  # only the summary: no create or update events
    assert {p.pk: p.updated_at for p in Pupil.objects.all()} == updated_before
    assert (Pupil.objects.count(), Contact.objects.count(), PupilAddress.objects.count()) == (2, 4, 2)


def test_a_changed_value_updates_the_pupil_and_is_audited(tmp_path: Path, school_a: Any, office: Any) -> None:
    run_import(write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")]), school_a, office)
    pupil = Pupil.objects.get(upn=UPN1)
    PupilAddress.objects.update(start_date=dt.date(2024, 1, 1))  # recorded by an import last year
    events_before = AuditEvent.objects.count()

    changed = sims_row(UPN1, "Ashdown", **{"Preferred Forename": "Bobbie", "Postcode": "MB2 9ZZ"})
    result = run_import(write_csv(tmp_path / "b.csv", [changed]), school_a, office)

    assert result.counts()["pupils"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.counts()["contacts"] == {"created": 0, "updated": 0, "unchanged": 2}
    events = list(
        AuditEvent.objects.order_by("id")[events_before:].values_list(
            "action", "model", "fields", "pupil_id_ref"
        )
    )
    # The old address is kept as history (ended today) and the new one added.
    assert events[:3] == [
        ("update", "people.Pupil", ["preferred_forename"], pupil.pk),
        ("update", "people.PupilAddress", ["end_date"], pupil.pk),
        (
            "create",
            "people.PupilAddress",
            ["line1", "line2", "town", "county", "postcode", "start_date", "end_date"],
            pupil.pk,
        ),
    ]
    assert events[3][0] == "import" and len(events) == 4
    pupil.refresh_from_db()
    assert pupil.preferred_forename == "Bobbie"
    assert list(PupilAddress.objects.order_by("id").values_list("postcode", "start_date", "end_date")) == [
        ("MB1 2AB", dt.date(2024, 1, 1), timezone.localdate()),
        ("MB2 9ZZ", timezone.localdate(), None),
    ]


def test_an_address_corrected_on_the_day_it_was_recorded_is_fixed_in_place(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    run_import(write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")]), school_a, office)
    fixed = sims_row(UPN1, "Ashdown", Postcode="MB1 2AC")
    run_import(write_csv(tmp_path / "b.csv", [fixed]), school_a, office)
    assert list(PupilAddress.objects.values_list("postcode", "end_date")) == [("MB1 2AC", None)]


def test_two_bad_rows_are_both_reported_by_line_and_field_and_nothing_is_written(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    wrong_letter = "Z" + UPN2[1:]
    rows = [
        sims_row(UPN1, "Ashdown"),  # line 2
        sims_row(wrong_letter, "Birchall"),  # line 3: bad UPN check letter
        sims_row(UPN3, "Cole"),  # line 4
        sims_row(make_upn("201", "3001", 104), "Dunn", DOB="31/02/2015"),  # line 5: no such date
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    events_before = AuditEvent.objects.count()

    with pytest.raises(ImportFailed) as caught:
        run_import(path, school_a, office)

    assert [str(p) for p in caught.value.problems] == [
        f"line 3, field UPN: UPN check letter is wrong: expected {UPN2[0]} for {UPN2[1:]}.",
        "line 5, field DOB: '31/02/2015' is not a real date",
    ]
    assert (Pupil.objects.count(), Contact.objects.count(), AuditEvent.objects.count()) == (
        0,
        0,
        events_before,
    )


def test_a_missing_required_column_is_reported_before_any_row(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    header = [h for h in SIMS_HEADER if h != "DOB"]
    row = {k: v for k, v in sims_row(UPN1, "Ashdown").items() if k != "DOB"}
    with pytest.raises(ImportFailed) as caught:
        run_import(write_csv(tmp_path / "nodob.csv", [row], header), school_a, office)
    assert caught.value.problems == [
        Problem(
            1,
            "date_of_birth",
            "required column is missing (accepted headers: 'Date of Birth', 'DOB', 'Birth Date', 'Birthdate')",
        )
    ]
    assert Pupil.objects.count() == 0


def test_duplicate_upn_missing_values_and_incomplete_contacts_are_reported(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    rows = [
        sims_row(UPN1, "Ashdown"),
        sims_row(UPN1.lower(), "Ashdown"),  # same UPN once normalised
        sims_row(UPN2, "Birchall", Gender="", **{"Contact 2 Relationship": "", "Year": "Year 15"}),
    ]
    with pytest.raises(ImportFailed) as caught:
        run_import(write_csv(tmp_path / "dup.csv", rows), school_a, office)
    assert [str(p) for p in caught.value.problems] == [
        f"line 3, field UPN: UPN {UPN1} is also on line 2",
        "line 4, field Year: 'Year 15' is not a national curriculum year (N1, N2, R, 1-14, X)",
        "line 4, field Gender: a value is required",
        "line 4, field Contact 2 Relationship: contact 2 has details but no relationship",
    ]


def test_semicolons_cp1252_bom_and_unknown_columns(tmp_path: Path, school_a: Any, office: Any) -> None:
    header = [
        "Legal Surname",
        "Legal Forename",
        "UPN",
        "DOB",
        "Sex",
        "NC Year",
        "Date of Admission",
        "Shoe Size",
    ]
    row = {
        "Legal Surname": "Ó Briain",
        "Legal Forename": "Zoë",
        "UPN": UPN1,
        "DOB": "2012-01-31",
        "Sex": "F",
        "NC Year": "9",
        "Date of Admission": "03/09/2023",
        "Shoe Size": "4",
    }
    result = run_import(
        write_csv(tmp_path / "cp.csv", [row], header, delimiter=";", encoding="cp1252"), school_a, office
    )
    assert result.warnings == ["column 'Shoe Size' is not recognised and was ignored"]
    pupil = Pupil.objects.get(upn=UPN1)
    assert (pupil.legal_forename, pupil.legal_surname, pupil.ethnicity, pupil.first_language) == (
        "Zoë",
        "Ó Briain",
        "NOBT",
        "NOT",
    )

    tab = tmp_path / "bom.tsv"
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t").writerows(
        [["Unique Pupil Number", "Legal Last Name", "Legal First Name", "Date of Birth", "Gender", "Year Group",
          "Admission Date"],
         [UPN2, "Çelik", "Ada", "2016-05-01", "M", "R", "2021-09-01"]]
    )  # fmt: skip
    tab.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    run_import(tab, school_a, office)
    assert Pupil.objects.get(upn=UPN2).legal_surname == "Çelik"


def test_contacts_are_matched_by_name_and_email_or_phone(tmp_path: Path, school_a: Any, office: Any) -> None:
    run_import(write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")]), school_a, office)
    mother = Contact.objects.get(forename="Jo")
    # Same person (same email), new mobile: updated in place. Contact 2 now has a new phone and
    # so is a different person to the stored one: created and linked.
    row = sims_row(
        UPN1, "Ashdown", **{"Contact 1 Mobile": "07700 900999", "Contact 2 Home Phone": "01632 960999"}
    )
    result = run_import(write_csv(tmp_path / "b.csv", [row]), school_a, office)
    assert result.counts()["contacts"] == {"created": 1, "updated": 1, "unchanged": 0}
    mother.refresh_from_db()
    assert mother.phone_mobile == "07700 900999"
    assert PupilContact.objects.filter(pupil__upn=UPN1).count() == 3


def test_only_importers_at_the_school_may_import(
    tmp_path: Path, school_a: Any, users: dict[str, Any]
) -> None:
    path = write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")])
    with pytest.raises(PermissionDenied):
        run_import(path, school_a, users["teacher"])
    assert Pupil.objects.count() == 0


def test_cli_imports_and_audits_as_the_actor_on_the_cli_channel(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    path = write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")])
    out = io.StringIO()
    events_before = AuditEvent.objects.count()

    call_command("import", "pupils", str(path), school="100001", actor="office_manager", stdout=out)

    assert out.getvalue() == (
        "Imported 1 row(s) from a.csv into Oakfield Primary:\n"
        "  pupils:   1 created, 0 updated, 0 unchanged\n"
        "  contacts: 2 created, 0 updated, 0 unchanged\n"
    )
    events = list(AuditEvent.objects.order_by("id")[events_before:])
    assert {(e.actor_id, e.actor_label, e.channel) for e in events} == {(office.pk, "office_manager", "cli")}
    assert [e.model for e in events if e.action == "create"] == [
        "people.Pupil",
        "people.Enrolment",
        "people.PupilAddress",
        "people.FSMPeriod",
        "people.Contact",
        "people.PupilContact",
        "people.Contact",
        "people.PupilContact",
    ]
    summary = events[-1]
    assert summary.action == "import" and summary.school_id_ref == school_a.pk
    assert summary.detail == {
        "kind": "pupils",
        "file": "a.csv",
        "sha256": summary.detail["sha256"],
        "rows": 1,
        "school_urn": "100001",
        "pupils": {"created": 1, "updated": 0, "unchanged": 0},
        "contacts": {"created": 2, "updated": 0, "unchanged": 0},
    }
    assert len(summary.detail["sha256"]) == 64
    assert "Ashdown" not in str(summary.detail) and "pupil.characteristics.ethnicity" in summary.categories


def test_cli_reports_every_problem_on_stderr_and_exits_non_zero(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    rows = [sims_row(UPN1, "Ashdown", Gender="X"), sims_row(UPN2, "Birchall", **{"Admission Date": "soon"})]
    path = write_csv(tmp_path / "bad.csv", rows)
    err = io.StringIO()
    with pytest.raises(
        CommandError, match=r"import failed: 2 problem\(s\) listed above; nothing was written"
    ):
        call_command("import", "pupils", str(path), school="100001", actor="office_manager", stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2, field Gender: 'X' is not a sex: use M, F or U (Male, Female, Unknown)",
        "line 3, field Admission Date: 'soon' is not a date: use YYYY-MM-DD or DD/MM/YYYY",
    ]
    assert Pupil.objects.count() == 0


def test_cli_needs_a_known_school_and_actor(tmp_path: Path, school_a: Any, office: Any) -> None:
    path = write_csv(tmp_path / "a.csv", [sims_row(UPN1, "Ashdown")])
    with pytest.raises(CommandError, match="no school with URN '999999'"):
        call_command("import", "pupils", str(path), school="999999", actor="office_manager")
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("import", "pupils", str(path), school="100001", actor="nobody")


def test_a_contact_without_its_relationship_column_is_reported_once(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    header = [h for h in SIMS_HEADER if h != "Contact 2 Relationship"]
    row = {k: v for k, v in sims_row(UPN1, "Ashdown").items() if k != "Contact 2 Relationship"}
    with pytest.raises(ImportFailed) as caught:
        run_import(write_csv(tmp_path / "a.csv", [row], header), school_a, office)
    assert [str(p) for p in caught.value.problems] == [
        "line 2, field contact2_relationship: contact 2 has details but no relationship"
    ]


def test_siblings_share_their_parents(tmp_path: Path, school_a: Any, office: Any) -> None:
    # Two children of the same family on two rows: one record per parent, linked to both.
    rows = [
        sims_row(UPN1, "Ashdown"),
        sims_row(UPN2, "Ashdown", Forename="Sam", DOB="02/02/2017", Year="Year 4"),
    ]
    result = run_import(write_csv(tmp_path / "family.csv", rows), school_a, office)
    assert result.counts()["contacts"] == {"created": 2, "updated": 0, "unchanged": 2}
    assert Contact.objects.count() == 2
    mother = Contact.objects.get(forename="Jo", surname="Ashdown")
    assert set(mother.pupil_links.values_list("pupil__upn", flat=True)) == {UPN1, UPN2}
    # Importing the file again changes nothing.
    again = run_import(write_csv(tmp_path / "family.csv", rows), school_a, office)
    assert again.counts()["contacts"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert Contact.objects.count() == 2


def test_a_sibling_in_a_later_file_links_the_existing_parent(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    run_import(write_csv(tmp_path / "first.csv", [sims_row(UPN1, "Ashdown")]), school_a, office)
    later = [sims_row(UPN2, "Ashdown", Forename="Sam", DOB="02/02/2017", Year="Year 4")]
    result = run_import(write_csv(tmp_path / "later.csv", later), school_a, office)
    assert result.counts()["contacts"]["created"] == 0
    assert Contact.objects.count() == 2
    assert PupilContact.objects.filter(pupil__upn=UPN2).count() == 2


def test_the_same_new_parent_with_different_details_is_refused(
    tmp_path: Path, school_a: Any, office: Any
) -> None:
    rows = [
        sims_row(UPN1, "Ashdown"),
        sims_row(UPN2, "Ashdown", Forename="Sam", **{"Contact 1 Title": "Dr"}),
    ]
    with pytest.raises(ImportFailed) as exc:
        run_import(write_csv(tmp_path / "clash.csv", rows), school_a, office)
    assert (
        "line 3, field Contact 1 Forename: contact 1 is also a contact on line 2 with different details"
        in str(exc.value)
    )
    assert Contact.objects.count() == 0
