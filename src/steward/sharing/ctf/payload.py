"""A pupil's CTF content as plain data: what export writes and what import reads back.

Both directions go through this one shape, so the round trip can be checked on it, the disclosure log
hashes exactly what was written, and the field names logged are the ones with values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact
from steward.records.attendance import totals
from steward.records.models import Assessment, AttendanceMark, SENNeed, SENProvision
from steward.sharing.ctf import attendance
from steward.sharing.ctf.common import academic_year_start
from steward.sharing.ctf.fields import CARRIED

PUPIL_FIELDS = (
    "upn",
    "uln",
    "legal_surname",
    "legal_forename",
    "date_of_birth",
    "sex",
    "former_upn",
    "preferred_surname",
    "former_surname",
    "preferred_forename",
    "middle_names",
    "ncy",
    "ethnicity",
    "ethnicity_source",
    "first_language",
    "email",
)
ADDRESS_FIELDS = ("line1", "line2", "town", "county", "postcode")
CONTACT_FIELDS = ("title", "surname", "forename", "email", "phone_home", "phone_mobile", "phone_work")
CONTACT_ADDRESS = ("address_line1", "address_line2", "town", "postcode")
LINK_FIELDS = ("priority", "relationship", "parental_responsibility")
SEN_FIELDS = ("provision", "start_date", "end_date")
NEED_FIELDS = ("need", "rank")
ASSESSMENT_FIELDS = ("stage", "academic_year", "subject", "component", "result", "result_date")
FSM_FIELDS = ("start_date", "end_date", "country")
# Statutory stages a CTF's StageAssessments holds; internal tracking stays at the school.
CTF_STAGES = ("EYFSP", "PHON", "KS1", "MTC", "KS2", "KS4", "KS5")

# Which models a payload section's keys belong to (for the field names the disclosure log records).
SECTION_MODELS: dict[str, tuple[type[models.Model], ...]] = {
    "pupil": (Pupil,),
    "enrolment": (Enrolment,),
    "address": (PupilAddress,),
    "contacts": (PupilContact, Contact),
    "sen_provisions": (SENProvision,),
    "sen_needs": (SENNeed,),
    "assessments": (Assessment,),
    "school_history": (Enrolment,),
    "fsm": (FSMPeriod,),
}
SCHOOL_HISTORY_KEYS = {"admission_date", "leaving_date", "leaving_reason"}


@dataclass
class Payload:
    """One pupil's CTF content, the registered fields it carries, and anything written approximately."""

    data: dict[str, Any]
    fields: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _row(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def current_address(pupil: Pupil) -> PupilAddress | None:
    """The open address with the latest start date (the one a CTF carries)."""
    open_ = [a for a in pupil.addresses.all() if a.end_date is None]
    return max(open_, key=lambda a: (a.start_date or dt.date.min, a.pk), default=None)


def _same_address(contact: Contact, address: dict[str, Any] | None) -> bool:
    if not address or not contact.address_line1:
        return False
    return (contact.address_line1, contact.address_line2, contact.town, contact.postcode) == (
        address["line1"],
        address["line2"],
        address["town"],
        address["postcode"],
    )


def _contacts(pupil: Pupil, address: dict[str, Any] | None) -> list[dict[str, Any]]:
    out = []
    links = pupil.contact_links.select_related("contact").order_by("priority", "pk")
    for link in links:
        row = {**_row(link, LINK_FIELDS), **_row(link.contact, CONTACT_FIELDS)}
        if _same_address(link.contact, address):
            row["address_as_pupil"] = True
        else:
            row["address_as_pupil"] = False
            row.update(_row(link.contact, CONTACT_ADDRESS))
        out.append(row)
    return out


def _attendance(pupil: Pupil, warnings: list[str]) -> list[dict[str, Any]]:
    """One YearData per academic year and school, from the marks (totals computed, never typed in)."""
    groups: dict[tuple[int, int], list[AttendanceMark]] = defaultdict(list)
    marks = AttendanceMark.objects.filter(pupil=pupil).select_related("school").order_by("date", "session")
    for m in marks:
        groups[(academic_year_start(m.date), m.school_id)].append(m)
    out = []
    for (year, _school_id), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0].date)):
        school = rows[0].school
        t = totals(m.code for m in rows)
        start, text, shortened = attendance.encode((m.date, m.session, m.code) for m in rows)
        if shortened:
            warnings.append(
                f"{year}/{year + 1}: {shortened} two-character attendance code(s) written as their "
                "pre-2024 single letter (the CTF mark string has one character per session)"
            )
        out.append(
            {
                "year": year,
                "la": school.la_code,
                "estab": school.estab,
                "school_name": school.name,
                "possible": t.possible,
                "authorised": t.authorised,
                "attended": t.attended,
                "unauthorised": t.unauthorised,
                "start_date": start,
                "marks": text,
            }
        )
    return out


def _fields(data: dict[str, Any]) -> list[str]:
    """The registered fields with a value in the payload (`app.Model.field`), in table order."""
    present: set[str] = set()
    for section, models_ in SECTION_MODELS.items():
        value = data.get(section)
        rows = value if isinstance(value, list) else [value] if value else []
        for row in rows:
            for key, v in row.items():
                if v in ("", None) or (section == "school_history" and key not in SCHOOL_HISTORY_KEYS):
                    continue
                for model in models_:
                    present.add(f"{model._meta.label}.{key}")
        if section == "contacts":
            for row in rows:
                if row.get("address_as_pupil"):
                    present.update(f"people.Contact.{k}" for k in CONTACT_ADDRESS)
    if data.get("attendance"):
        present.update(f"records.AttendanceMark.{k}" for k in ("date", "session", "code"))
    return [c.name for c in dict.fromkeys(CARRIED) if c.name in present]


def pupil_payload(pupil: Pupil, school: School, on: dt.date) -> Payload:
    """What a CTF from `school` carries about `pupil` on `on` (never safeguarding or health)."""
    warnings: list[str] = []
    here = pupil.enrolments.filter(school=school).order_by("-admission_date").first()
    addr = current_address(pupil)
    address = _row(addr, ADDRESS_FIELDS) if addr else None
    data: dict[str, Any] = {
        "pupil": _row(pupil, PUPIL_FIELDS),
        "enrolment": {"status": here.status} if here else {},
        "address": address,
        "contacts": _contacts(pupil, address),
        "sen_provisions": [
            _row(p, SEN_FIELDS) for p in SENProvision.objects.filter(pupil=pupil).order_by("start_date", "pk")
        ],
        "sen_needs": [
            _row(n, NEED_FIELDS)
            for n in SENNeed.objects.filter(pupil=pupil).order_by("rank", "pk")
            if n.end_date is None or n.end_date >= on
        ],
        "attendance": _attendance(pupil, warnings),
        "assessments": [
            _row(a, ASSESSMENT_FIELDS)
            for a in Assessment.objects.filter(pupil=pupil, kind="statutory", stage__in=CTF_STAGES).order_by(
                "result_date", "stage", "subject", "pk"
            )
        ],
        "school_history": [
            {
                "la": e.school.la_code,
                "estab": e.school.estab,
                "school_name": e.school.name,
                "admission_date": e.admission_date,
                "leaving_date": e.leaving_date,
                "leaving_reason": e.leaving_reason,
            }
            for e in pupil.enrolments.select_related("school").order_by("admission_date", "pk")
        ],
        "fsm": [_row(f, FSM_FIELDS) for f in pupil.fsm_periods.order_by("start_date", "pk")],
    }
    return Payload(data=data, fields=_fields(data), warnings=warnings)
