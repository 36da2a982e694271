"""The one table of what a CTF carries: each element Steward writes and reads, and the registered field
it holds. The gate's categories, the disclosure log's field names and docs/ctf.md all come from here.

Element paths are below `CTfile/CTFpupilData/Pupil`. Registered fields not in this table never go in
a CTF: nationality, country of birth, contact court orders, medical records, behaviour, exclusions,
notes, photographs and, above all, safeguarding (child protection files move separately, rules.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import models

from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact
from steward.records.models import Assessment, AttendanceMark, SENNeed, SENProvision
from steward.registry.registry import entry_for


@dataclass(frozen=True)
class Carried:
    """One CTF element and the registered model field it carries."""

    element: str
    model: type[models.Model]
    field: str
    note: str = ""

    @property
    def name(self) -> str:
        """`app.Model.field`, the name the disclosure log records."""
        return f"{self.model._meta.label}.{self.field}"

    @property
    def category(self) -> str:
        return entry_for(self.model).field(self.field).category.key


_ADDR = "Address/AddressLines"
_CONTACT = "Contacts/Contact"
_SEN = "SENhistory/SEN"
_NEED = "SENhistory/SENneeds/SENneed"
_YEAR = "Attendance/YearData"
_ASSESS = "StageAssessments/KeyStage/StageAssessment"
_SCHOOL = "SchoolHistory/School"
_FSM = "FSMhistory/FSMinstance"

CARRIED: tuple[Carried, ...] = (
    Carried("UPN", Pupil, "upn"),
    Carried("UniqueLearnerNumber", Pupil, "uln"),
    Carried("Surname", Pupil, "legal_surname"),
    Carried("Forename", Pupil, "legal_forename"),
    Carried("DOB", Pupil, "date_of_birth"),
    Carried("Sex", Pupil, "sex"),
    Carried("BasicDetails/FormerUPN", Pupil, "former_upn"),
    Carried("BasicDetails/PreferredSurname", Pupil, "preferred_surname"),
    Carried("BasicDetails/FormerSurname", Pupil, "former_surname"),
    Carried("BasicDetails/PreferredForename", Pupil, "preferred_forename"),
    Carried("BasicDetails/MiddleNames", Pupil, "middle_names"),
    Carried("BasicDetails/NCyearActual", Pupil, "ncy"),
    Carried("BasicDetails/Ethnicity", Pupil, "ethnicity"),
    Carried("BasicDetails/EthnicitySource", Pupil, "ethnicity_source", "Steward's P/C/S codes"),
    Carried("BasicDetails/Languages/Type/Language", Pupil, "first_language", "LanguageType F (first)"),
    Carried("BasicDetails/EnrolStatus", Enrolment, "status", "of the enrolment at the sending school"),
    Carried("Email", Pupil, "email"),
    Carried(f"{_ADDR}/AddressLine1", PupilAddress, "line1", "current address only"),
    Carried(f"{_ADDR}/AddressLine2", PupilAddress, "line2"),
    Carried(f"{_ADDR}/AddressLine3", PupilAddress, "town"),
    Carried("Address/County", PupilAddress, "county"),
    Carried("Address/PostCode", PupilAddress, "postcode"),
    Carried(f"{_CONTACT}/Order", PupilContact, "priority"),
    Carried(f"{_CONTACT}/Title", Contact, "title"),
    Carried(f"{_CONTACT}/Surname", Contact, "surname"),
    Carried(f"{_CONTACT}/Forename", Contact, "forename"),
    Carried(f"{_CONTACT}/Relationship", PupilContact, "relationship"),
    Carried(f"{_CONTACT}/Responsibility", PupilContact, "parental_responsibility"),
    Carried(f"{_CONTACT}/Address/AddressLines/AddressLine1", Contact, "address_line1", "or AddressAsPupil"),
    Carried(f"{_CONTACT}/Address/AddressLines/AddressLine2", Contact, "address_line2"),
    Carried(f"{_CONTACT}/Address/AddressLines/AddressLine3", Contact, "town"),
    Carried(f"{_CONTACT}/Address/PostCode", Contact, "postcode"),
    Carried(f"{_CONTACT}/Phones/Phone[TelephoneType=H]/PhoneNo", Contact, "phone_home"),
    Carried(f"{_CONTACT}/Phones/Phone[TelephoneType=M]/PhoneNo", Contact, "phone_mobile"),
    Carried(f"{_CONTACT}/Phones/Phone[TelephoneType=W]/PhoneNo", Contact, "phone_work"),
    Carried(f"{_CONTACT}/Email", Contact, "email"),
    Carried(f"{_SEN}/StartDate", SENProvision, "start_date"),
    Carried(f"{_SEN}/EndDate", SENProvision, "end_date", "element name UNCONFIRMED (CTF 17+)"),
    Carried(f"{_SEN}/SENprovision", SENProvision, "provision"),
    Carried(f"{_NEED}/SENtype", SENNeed, "need"),
    Carried(f"{_NEED}/SENtypeRank", SENNeed, "rank"),
    Carried(f"{_YEAR}/Session* (totals)", AttendanceMark, "code", "totals per academic year"),
    Carried(f"{_YEAR}/AttendSessions/AttendanceStartDate", AttendanceMark, "date"),
    Carried(f"{_YEAR}/AttendSessions/AttendanceMarks", AttendanceMark, "session", "one mark per session"),
    Carried(f"{_ASSESS}/Year", Assessment, "academic_year", "statutory results only"),
    Carried("StageAssessments/KeyStage/Stage", Assessment, "stage"),
    Carried(f"{_ASSESS}/Subject", Assessment, "subject"),
    Carried(f"{_ASSESS}/Component", Assessment, "component"),
    Carried(f"{_ASSESS}/Result", Assessment, "result"),
    Carried(f"{_ASSESS}/ResultDate", Assessment, "result_date"),
    Carried(f"{_SCHOOL}/EntryDate", Enrolment, "admission_date"),
    Carried(f"{_SCHOOL}/LeavingDate", Enrolment, "leaving_date"),
    Carried(f"{_SCHOOL}/LeavingReason", Enrolment, "leaving_reason"),
    Carried(f"{_FSM}/FSMstartDate", FSMPeriod, "start_date"),
    Carried(f"{_FSM}/FSMendDate", FSMPeriod, "end_date"),
    Carried(f"{_FSM}/UKcountry", FSMPeriod, "country"),
)


def carried(model: type[models.Model], field: str) -> Carried:
    """The table row for a model field; KeyError when the CTF does not carry it."""
    for c in CARRIED:
        if c.model is model and c.field == field:
            return c
    raise KeyError(f"{model._meta.label}.{field} is not carried in a CTF")


@cache
def categories() -> tuple[str, ...]:
    """The registry categories of everything a CTF carries, in table order (what the gate checks)."""
    return tuple(dict.fromkeys(c.category for c in CARRIED))
