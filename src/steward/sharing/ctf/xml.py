"""Writing a CTF document from payloads (`payload.py`), in the element order of rules.md §8.2."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from lxml import etree

from steward.organisations.models import School
from steward.sharing.ctf.common import (
    DOCUMENT_NAME,
    SUPPLIER_ID,
    Destination,
    academic_year_start,
    ctf_version,
)

PHONE_TYPES = (("H", "phone_home"), ("M", "phone_mobile"), ("W", "phone_work"))
# Steward's MTC results are statutory KS2 results; DfE's own generator files them under Stage KS2.
STAGE_OUT = {"MTC": "KS2"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sub(
    parent: etree._Element, tag: str, value: Any = None, *, always: bool = False
) -> etree._Element | None:
    """Append <tag>value</tag>; an empty value is left out (the CTF omits what is not known)."""
    text = _text(value)
    if not text and not always:
        return None
    el = etree.SubElement(parent, tag)
    el.text = text
    return el


def _school(
    parent: etree._Element, tag: str, la: str, estab: str, urn: str, name: str, year: int | None
) -> None:
    el = etree.SubElement(parent, tag)
    _sub(el, "LEA", la)
    _sub(el, "Estab", estab)
    _sub(el, "URN", urn)
    _sub(el, "SchoolName", name)
    if year is not None:
        _sub(el, "AcademicYear", year)


def _address(parent: etree._Element, lines: Sequence[Any], county: str, postcode: str) -> None:
    el = etree.SubElement(parent, "Address")
    box = etree.SubElement(el, "AddressLines")
    for i, line in enumerate(lines, start=1):
        _sub(box, f"AddressLine{i}", line)
    _sub(el, "County", county)
    _sub(el, "PostCode", postcode)


def _phones(parent: etree._Element, row: dict[str, Any]) -> None:
    present = [(t, row[k]) for t, k in PHONE_TYPES if row.get(k)]
    if not present:
        return
    phones = etree.SubElement(parent, "Phones")
    for kind, number in present:
        phone = etree.SubElement(phones, "Phone")
        _sub(phone, "TelephoneType", kind)
        _sub(phone, "PhoneNo", number)


def _pupil(parent: etree._Element, data: dict[str, Any]) -> None:
    p = data["pupil"]
    el = etree.SubElement(parent, "Pupil")
    _sub(el, "UPN", p["upn"])
    _sub(el, "UniqueLearnerNumber", p["uln"])
    _sub(el, "Surname", p["legal_surname"])
    _sub(el, "Forename", p["legal_forename"])
    _sub(el, "DOB", p["date_of_birth"])
    _sub(el, "Sex", p["sex"])

    basic = etree.SubElement(el, "BasicDetails")
    _sub(basic, "FormerUPN", p["former_upn"])
    _sub(basic, "PreferredSurname", p["preferred_surname"])
    _sub(basic, "FormerSurname", p["former_surname"])
    _sub(basic, "PreferredForename", p["preferred_forename"])
    _sub(basic, "MiddleNames", p["middle_names"])
    _sub(basic, "NCyearActual", p["ncy"])
    _sub(basic, "Ethnicity", p["ethnicity"])
    _sub(basic, "EthnicitySource", p["ethnicity_source"])
    if p["first_language"]:
        lang = etree.SubElement(etree.SubElement(basic, "Languages"), "Type")
        _sub(lang, "LanguageType", "F")  # first language
        _sub(lang, "Language", p["first_language"])
    _sub(basic, "EnrolStatus", data["enrolment"].get("status"))

    if data["sen_provisions"] or data["sen_needs"]:
        sen = etree.SubElement(el, "SENhistory")
        for row in data["sen_provisions"]:
            s = etree.SubElement(sen, "SEN")
            _sub(s, "StartDate", row["start_date"])
            _sub(s, "EndDate", row["end_date"])
            _sub(s, "SENprovision", row["provision"])
        if data["sen_needs"]:
            needs = etree.SubElement(sen, "SENneeds")
            for row in data["sen_needs"]:
                n = etree.SubElement(needs, "SENneed")
                _sub(n, "SENtype", row["need"])
                _sub(n, "SENtypeRank", row["rank"])

    a = data["address"]
    if a:
        _address(el, [a["line1"], a["line2"], a["town"]], a["county"], a["postcode"])
    _sub(el, "Email", p["email"])

    if data["contacts"]:
        contacts = etree.SubElement(el, "Contacts")
        for row in data["contacts"]:
            c = etree.SubElement(contacts, "Contact")
            _sub(c, "Order", row["priority"])
            _sub(c, "Title", row["title"])
            _sub(c, "Surname", row["surname"])
            _sub(c, "Forename", row["forename"])
            _sub(c, "Relationship", row["relationship"])
            _sub(c, "Responsibility", row["parental_responsibility"], always=True)
            if row["address_as_pupil"]:
                _sub(c, "AddressAsPupil", True)
            elif row.get("address_line1"):
                _address(c, [row["address_line1"], row["address_line2"], row["town"]], "", row["postcode"])
            _phones(c, row)
            _sub(c, "Email", row["email"])

    if data["attendance"]:
        att = etree.SubElement(el, "Attendance")
        for row in data["attendance"]:
            y = etree.SubElement(att, "YearData")
            _sub(y, "Year", row["year"])
            _sub(y, "LEA", row["la"])
            _sub(y, "Estab", row["estab"])
            _sub(y, "SchoolName", row["school_name"])
            _sub(y, "SessionsPossible", row["possible"], always=True)
            _sub(y, "SessionsAuthorised", row["authorised"], always=True)
            _sub(y, "SessionsAttended", row["attended"], always=True)
            _sub(y, "SessionsUnauthorised", row["unauthorised"], always=True)
            sessions = etree.SubElement(y, "AttendSessions")
            _sub(sessions, "AttendanceStartDate", row["start_date"])
            _sub(sessions, "AttendanceMarks", row["marks"])

    if data["assessments"]:
        stages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in data["assessments"]:
            stages[STAGE_OUT.get(row["stage"], row["stage"])].append(row)
        sa = etree.SubElement(el, "StageAssessments")
        for stage, rows in stages.items():
            ks = etree.SubElement(sa, "KeyStage")
            _sub(ks, "Stage", stage)
            for row in rows:
                r = etree.SubElement(ks, "StageAssessment")
                _sub(r, "Locale", "ENG")
                _sub(r, "Year", _result_year(row["academic_year"]))
                _sub(r, "Subject", row["subject"])
                if row["stage"] == "MTC":
                    _sub(r, "Method", "TT")
                _sub(r, "Component", row["component"] or ("MTC" if row["stage"] == "MTC" else ""))
                _sub(r, "Result", row["result"], always=True)
                _sub(r, "ResultDate", row["result_date"])

    if data["school_history"]:
        hist = etree.SubElement(el, "SchoolHistory")
        for row in data["school_history"]:
            s = etree.SubElement(hist, "School")
            _sub(s, "LEA", row["la"])
            _sub(s, "Estab", row["estab"])
            _sub(s, "SchoolName", row["school_name"])
            _sub(s, "EntryDate", row["admission_date"])
            _sub(s, "LeavingDate", row["leaving_date"])
            _sub(s, "LeavingReason", row["leaving_reason"])

    if data["fsm"]:
        fsm = etree.SubElement(el, "FSMhistory")
        for row in data["fsm"]:
            f = etree.SubElement(fsm, "FSMinstance")
            _sub(f, "FSMstartDate", row["start_date"])
            _sub(f, "FSMendDate", row["end_date"])
            _sub(f, "UKcountry", row["country"])


def _result_year(academic_year: str) -> str:
    """The calendar year results are taken in (the summer that ends the school year): 2024/2025 -> 2025,
    as DfE's MTC generator writes it. A label Steward cannot read is written as it stands."""
    parts = academic_year.split("/")
    return parts[1] if len(parts) == 2 and parts[1].isdigit() and len(parts[1]) == 4 else academic_year


def document(
    *,
    school: School,
    destination: Destination,
    on: dt.date,
    at: dt.datetime,
    pupils: Sequence[dict[str, Any]],
) -> bytes:
    """A CTF document for `pupils` (payload data), from `school` to `destination`, dated `at`."""
    root = etree.Element("CTfile")
    header = etree.SubElement(root, "Header")
    _sub(header, "DocumentName", DOCUMENT_NAME)
    _sub(header, "CTFversion", ctf_version(on))
    _sub(header, "DateTime", at.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "DocumentQualifier", "full")
    _sub(header, "SupplierID", SUPPLIER_ID)
    _school(
        header, "SourceSchool", school.la_code, school.estab, school.urn, school.name, academic_year_start(on)
    )
    _school(header, "DestSchool", destination.la, destination.estab, destination.urn, "", None)
    data = etree.SubElement(root, "CTFpupilData")
    for p in pupils:
        _pupil(data, p)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
