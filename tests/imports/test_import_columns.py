"""Header aliases of Arbor, SIMS and Bromcom exports, cell parsers, and the column doc."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.imports.columns import COLUMNS, alias_index, columns_markdown, normalise_header
from steward.imports.parsing import (
    CellError,
    parse_bool,
    parse_date,
    parse_ethnicity,
    parse_ncy,
    parse_relationship,
    parse_sex,
    read_table,
    sniff_delimiter,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-columns.md"


def mapped(headers: list[str]) -> dict[str, str]:
    return {h: alias_index()[normalise_header(h)].key for h in headers}


def test_arbor_headers() -> None:
    assert mapped(
        [
            "UPN",
            "Legal First Name",
            "Legal Last Name",
            "Preferred First Name",
            "Date of Birth",
            "Gender",
            "Ethnicity",
            "Year Group",
            "Registration Form",
            "Enrolment Status",
            "Start Date",
            "Primary Contact First Name",
            "Primary Contact Last Name",
            "Primary Contact Relationship",
            "Primary Contact Email Address",
            "Primary Contact Mobile Phone",
            "Secondary Contact Last Name",
        ]
    ) == {
        "UPN": "upn",
        "Legal First Name": "legal_forename",
        "Legal Last Name": "legal_surname",
        "Preferred First Name": "preferred_forename",
        "Date of Birth": "date_of_birth",
        "Gender": "sex",
        "Ethnicity": "ethnicity",
        "Year Group": "ncy",
        "Registration Form": "registration_group",
        "Enrolment Status": "enrolment_status",
        "Start Date": "admission_date",
        "Primary Contact First Name": "contact1_forename",
        "Primary Contact Last Name": "contact1_surname",
        "Primary Contact Relationship": "contact1_relationship",
        "Primary Contact Email Address": "contact1_email",
        "Primary Contact Mobile Phone": "contact1_phone_mobile",
        "Secondary Contact Last Name": "contact2_surname",
    }


def test_sims_headers() -> None:
    assert mapped(
        [
            "Unique Pupil Number",
            "Surname",
            "Forename",
            "Middle Name(s)",
            "DOB",
            "Gender",
            "Ethnic Code",
            "Year",
            "Reg Group",
            "Date of Admission",
            "Date of Leaving",
            "Post Code",
            "FSM Eligibility Start",
            "Contact 1 Surname",
            "Contact 1 Parental Responsibility",
            "Contact 1 Priority",
            "Contact 2 Home Telephone",
        ]
    ) == {
        "Unique Pupil Number": "upn",
        "Surname": "legal_surname",
        "Forename": "legal_forename",
        "Middle Name(s)": "middle_names",
        "DOB": "date_of_birth",
        "Gender": "sex",
        "Ethnic Code": "ethnicity",
        "Year": "ncy",
        "Reg Group": "registration_group",
        "Date of Admission": "admission_date",
        "Date of Leaving": "leaving_date",
        "Post Code": "address_postcode",
        "FSM Eligibility Start": "fsm_start",
        "Contact 1 Surname": "contact1_surname",
        "Contact 1 Parental Responsibility": "contact1_parental_responsibility",
        "Contact 1 Priority": "contact1_priority",
        "Contact 2 Home Telephone": "contact2_phone_home",
    }


def test_bromcom_headers_any_case_and_punctuation() -> None:
    assert mapped(
        [
            "upn",
            "LEGAL SURNAME",
            "legal_forename",
            "Sex",
            "Ethnicity Code",
            "NC Year",
            "Tutor Group",
            "Admission Date",
            "Priority 1 Contact Forename",
            "Priority 2 Contact Surname",
            "Priority 1 Contact Lives With Pupil",
            "Priority 2 Contact Court Order",
            "contact2_relationship",
        ]
    ) == {
        "upn": "upn",
        "LEGAL SURNAME": "legal_surname",
        "legal_forename": "legal_forename",
        "Sex": "sex",
        "Ethnicity Code": "ethnicity",
        "NC Year": "ncy",
        "Tutor Group": "registration_group",
        "Admission Date": "admission_date",
        "Priority 1 Contact Forename": "contact1_forename",
        "Priority 2 Contact Surname": "contact2_surname",
        "Priority 1 Contact Lives With Pupil": "contact1_lives_with",
        "Priority 2 Contact Court Order": "contact2_court_order",
        "contact2_relationship": "contact2_relationship",
    }


def test_no_two_columns_claim_a_spelling_and_the_doc_lists_them_all() -> None:
    index = alias_index()
    assert len({c.key for c in index.values()}) == len(COLUMNS) == 30 + 2 * 17
    doc = DOC.read_text(encoding="utf-8")
    assert columns_markdown() in doc, "regenerate the table in docs/import-columns.md from columns_markdown()"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-03-14", dt.date(2015, 3, 14)),
        ("14/03/2015", dt.date(2015, 3, 14)),
        ("4/3/2015", dt.date(2015, 3, 4)),
        ("14-03-2015", dt.date(2015, 3, 14)),
        ("14/03/2015 00:00", dt.date(2015, 3, 14)),
        ("2015-03-14T00:00:00", dt.date(2015, 3, 14)),
        ("  ", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["14/03/15", "2015/14/03", "31/02/2015", "March 2015"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(CellError):
        parse_date(text)


def test_codes_and_labels() -> None:
    assert [parse_sex(v) for v in ["M", "female", "Unknown", ""]] == ["M", "F", "U", ""]
    assert [parse_bool(v) for v in ["Yes", "n", "TRUE", "false", "1", ""]] == [
        True,
        False,
        True,
        False,
        True,
        None,
    ]
    assert [parse_ncy(v) for v in ["Year 7", "Y10", "07", "R", "Reception", "n1", "X", "14"]] == [
        "7",
        "10",
        "7",
        "R",
        "R",
        "N1",
        "X",
        "14",
    ]
    assert [parse_ethnicity(v) for v in ["wbri", "WENG", "WROG", "White - British", "Refused"]] == [
        "WBRI",
        "WBRI",
        "WROM",
        "WBRI",
        "REFU",
    ]
    assert [parse_relationship(v) for v in ["Mother", "PAF", "Step-father", "Mum", "Foster Carer"]] == [
        "PAM",
        "PAF",
        "STF",
        "PAM",
        "CAR",
    ]
    for parser, value in [
        (parse_sex, "Z"),
        (parse_ncy, "Year 15"),
        (parse_ethnicity, "XXXX"),
        (parse_bool, "maybe"),
    ]:
        with pytest.raises(CellError):
            parser(value)


def test_reading_a_file_keeps_physical_line_numbers() -> None:
    data = 'UPN;Surname;Notes\r\nA1;Smith;"two\r\nlines"\r\n\r\nB2;Jones;x\r\n'.encode("cp1252")
    table = read_table(data)
    assert (table.delimiter, table.encoding, table.header) == (";", "utf-8", ["UPN", "Surname", "Notes"])
    assert table.rows == [(2, ["A1", "Smith", "two\r\nlines"]), (5, ["B2", "Jones", "x"])]
    assert sniff_delimiter('"a,b"\tc\td') == "\t"
    assert read_table("Surname\r\nÓ Briain\r\n".encode("cp1252")).encoding == "cp1252"
