"""Request and response shapes of the REST API (they make up the OpenAPI document).

Detail responses carry only the fields whose data category the caller may read: a field the
caller may not read is absent (not null), and `withheld_categories` names what was left out.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

# -- errors -------------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    """What is wrong with one field (`field` is null for a rule about the whole record)."""

    field: str | None = Field(..., examples=["upn"])
    messages: list[str] = Field(..., examples=[["UPN check letter is wrong: expected H for 201300125001."]])
    codes: list[str] = Field(default_factory=list, examples=[["upn_check_letter"]])


class ErrorOut(Schema):
    """Every error response: a sentence, and for 422s the fields and rules that failed."""

    detail: str
    errors: list[FieldErrorOut] = Field(default_factory=list)


# -- me -----------------------------------------------------------------------------------------


class RoleOut(Schema):
    key: str
    label: str


class SchoolRolesOut(Schema):
    id: int
    urn: str
    name: str
    roles: list[RoleOut]
    actions: list[str]


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    auth: str = Field(..., description="How this call signed in: 'token' or 'session'.")
    token: TokenInfoOut | None = None
    schools: list[SchoolRolesOut]


# -- pupils -------------------------------------------------------------------------------------


class PupilListItemOut(Schema):
    id: int
    upn: str
    legal_forename: str
    middle_names: str
    legal_surname: str
    preferred_forename: str
    preferred_surname: str
    date_of_birth: dt.date
    ncy: str = Field(..., description="National curriculum year code.")
    current_school_urn: str | None = Field(
        None, description="URN of the pupil's current school among the caller's schools, if any."
    )


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class PupilPageOut(PageOut):
    items: list[PupilListItemOut]


class EnrolmentOut(Schema):
    id: int
    school_urn: str
    school_name: str
    admission_date: dt.date | None = None
    leaving_date: dt.date | None = None
    leaving_reason: str | None = None
    status: str | None = None
    tutor_group: str | None = None


class PupilContactLinkOut(Schema):
    """The fields of a pupil-contact link (relationship, responsibility, court order), each only when readable."""

    relationship: str | None = None
    parental_responsibility: bool | None = None
    priority: int | None = None
    lives_with: bool | None = None
    court_order: bool | None = None
    court_order_note: str | None = None


class LinkedContactOut(PupilContactLinkOut):
    """A contact linked to the pupil; relationship and court-order fields only when readable."""

    contact_id: int
    title: str | None = None
    forename: str | None = None
    surname: str | None = None


class PupilDetailOut(Schema):
    """One pupil: each field present only if the caller may read its category at the pupil's schools."""

    id: int
    upn: str | None = None
    former_upn: str | None = None
    uln: str | None = None
    legal_forename: str | None = None
    middle_names: str | None = None
    legal_surname: str | None = None
    preferred_forename: str | None = None
    preferred_surname: str | None = None
    former_surname: str | None = None
    date_of_birth: dt.date | None = None
    sex: str | None = None
    ethnicity: str | None = None
    ethnicity_source: str | None = None
    first_language: str | None = None
    nationality: str | None = None
    country_of_birth: str | None = None
    ncy: str | None = None
    email: str | None = None
    enrolments: list[EnrolmentOut] | None = None
    contacts: list[LinkedContactOut] | None = None
    withheld_categories: list[str] = Field(
        default_factory=list, description="Data category keys of this record the caller may not read."
    )


class EnrolmentIn(Schema):
    admission_date: dt.date
    leaving_date: dt.date | None = None
    leaving_reason: str = ""
    status: str = Field("C", description="Enrolment status code (C = current single registration).")
    tutor_group: str = ""


class PupilCreateIn(Schema):
    """A new pupil and their enrolment at one of the caller's schools."""

    school: str = Field(..., description="URN of the school the pupil joins.", examples=["100001"])
    enrolment: EnrolmentIn
    upn: str
    former_upn: str = ""
    uln: str = ""
    legal_forename: str
    middle_names: str = ""
    legal_surname: str
    preferred_forename: str = ""
    preferred_surname: str = ""
    former_surname: str = ""
    date_of_birth: dt.date
    sex: str = Field(..., description="CBDS sex code: M or F.")
    ethnicity: str | None = Field(None, description="CBDS ethnicity code; omitted means 'not obtained'.")
    ethnicity_source: str = ""
    first_language: str | None = Field(None, description="CBDS language code; omitted means 'not obtained'.")
    nationality: str = ""
    country_of_birth: str = ""
    ncy: str = Field(..., description="National curriculum year code, e.g. R, 1-14.")
    email: str = ""


# -- pupil records (the profile) ----------------------------------------------------------------


class IdentityCellOut(Schema):
    category: str
    field: str
    value: str


class CellOut(Schema):
    field: str
    value: str


class RecordRowOut(Schema):
    id: int
    cells: list[CellOut]


class SectionOut(Schema):
    model: str
    title: str
    category_key: str
    category_label: str
    special: bool
    columns: list[str]
    rows: list[RecordRowOut]
    total: int


class PupilRecordsOut(Schema):
    """The pupil page's content as display strings, grouped by data category."""

    pupil_id: int
    identity: list[IdentityCellOut]
    sections: list[SectionOut]
    hidden_categories: list[str]


# -- contacts -----------------------------------------------------------------------------------


class ContactListItemOut(Schema):
    id: int
    title: str
    forename: str
    surname: str


class ContactPageOut(PageOut):
    items: list[ContactListItemOut]


class LinkedPupilOut(PupilContactLinkOut):
    """A visible pupil the contact is linked to; link fields only when readable."""

    pupil_id: int
    pupil_name: str


class ContactDetailOut(Schema):
    id: int
    title: str | None = None
    forename: str | None = None
    surname: str | None = None
    email: str | None = None
    phone_home: str | None = None
    phone_mobile: str | None = None
    phone_work: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    town: str | None = None
    postcode: str | None = None
    pupils: list[LinkedPupilOut]
    withheld_categories: list[str] = Field(default_factory=list)
