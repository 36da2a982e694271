"""The columns a pupil import understands, and every header spelling accepted for each.

Arbor, SIMS and Bromcom name the same column differently ("Legal Surname", "Surname",
"Legal Last Name"). Headers are compared after `normalise_header` (case, spaces and punctuation
ignored), so "Date of Birth", "date_of_birth" and "DATE OF BIRTH" are one spelling.

This module is the single alias table: the importer, the CSV writer of the demo and
docs/import-columns.md (see `columns_markdown`) all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


def normalise_header(text: str) -> str:
    """A header reduced to lower-case letters and digits ("Middle Name(s)" -> "middlenames")."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@dataclass(frozen=True)
class Column:
    """One canonical import column.

    `target` names where the value goes: "pupil.<field>", "enrolment.<field>", "address.<field>",
    "fsm.<field>", "contact.<field>" or "link.<field>" (the PupilContact row). `kind` names the
    parser applied to the cell (see steward.imports.parsing.PARSERS).
    """

    key: str
    target: str
    kind: str
    description: str
    aliases: tuple[str, ...]
    required: bool = False
    contact: int = 0  # 0 for pupil columns, else which contact (1 or 2) of the row

    @property
    def header(self) -> str:
        """The preferred spelling, used when Steward writes a file."""
        return self.aliases[0]

    @property
    def model_field(self) -> str:
        return self.target.split(".", 1)[1]


def _c(key: str, target: str, kind: str, description: str, *aliases: str, required: bool = False) -> Column:
    return Column(key, target, kind, description, tuple(aliases), required)


PUPIL_COLUMNS: tuple[Column, ...] = (
    _c(
        "upn",
        "pupil.upn",
        "upn",
        "Unique pupil number, permanent or temporary; the import matches pupils on it.",
        "UPN",
        "Unique Pupil Number",
        "Pupil UPN",
        required=True,
    ),
    _c("former_upn", "pupil.former_upn", "upn", "A previous UPN.", "Former UPN", "Previous UPN", "Old UPN"),
    _c("uln", "pupil.uln", "uln", "Unique learner number (10 digits).", "ULN", "Unique Learner Number"),
    _c(
        "legal_surname",
        "pupil.legal_surname",
        "text",
        "Legal surname.",
        "Legal Surname",
        "Surname",
        "Legal Last Name",
        "Last Name",
        "Family Name",
        required=True,
    ),
    _c(
        "legal_forename",
        "pupil.legal_forename",
        "text",
        "Legal forename.",
        "Legal Forename",
        "Forename",
        "Legal First Name",
        "First Name",
        "Given Name",
        required=True,
    ),
    _c(
        "middle_names",
        "pupil.middle_names",
        "text",
        "Middle names.",
        "Middle Names",
        "Middle Name",
        "Middle Name(s)",
        "Legal Middle Name",
        "Legal Middle Names",
        "Other Forenames",
    ),
    _c(
        "preferred_surname",
        "pupil.preferred_surname",
        "text",
        "Preferred surname, if different.",
        "Preferred Surname",
        "Preferred Last Name",
        "Known As Surname",
    ),
    _c(
        "preferred_forename",
        "pupil.preferred_forename",
        "text",
        "Preferred forename, if different.",
        "Preferred Forename",
        "Preferred First Name",
        "Preferred Name",
        "Known As",
        "Chosen Name",
    ),
    _c(
        "former_surname",
        "pupil.former_surname",
        "text",
        "A previous surname.",
        "Former Surname",
        "Previous Surname",
        "Former Last Name",
    ),
    _c(
        "date_of_birth",
        "pupil.date_of_birth",
        "date",
        "Date of birth.",
        "Date of Birth",
        "DOB",
        "Birth Date",
        "Birthdate",
        required=True,
    ),
    _c("sex", "pupil.sex", "sex", "Sex: M, F or U (Male, Female, Unknown).", "Sex", "Gender", required=True),
    _c(
        "ethnicity",
        "pupil.ethnicity",
        "ethnicity",
        "DfE ethnicity code or its label; extended codes are rolled up to the main code. "
        "Empty keeps the current value (NOBT for a new pupil).",
        "Ethnicity",
        "Ethnic Code",
        "Ethnicity Code",
        "Ethnic Group",
        "Ethnic Origin",
    ),
    _c(
        "ethnicity_source",
        "pupil.ethnicity_source",
        "ethnicity_source",
        "Who gave the ethnicity: P (parent), C (pupil) or S (previous school).",
        "Ethnicity Source",
        "Ethnic Source",
        "Source of Ethnicity",
    ),
    _c(
        "first_language",
        "pupil.first_language",
        "language",
        "DfE first-language code or its label (ENG, English). Empty keeps the current value.",
        "First Language",
        "Home Language",
        "First Language Code",
        "Language",
    ),
    _c("nationality", "pupil.nationality", "text", "Nationality.", "Nationality"),
    _c(
        "country_of_birth",
        "pupil.country_of_birth",
        "text",
        "Country of birth.",
        "Country of Birth",
        "Birth Country",
    ),
    _c(
        "ncy",
        "pupil.ncy",
        "ncy",
        "National curriculum year: N1, N2, R, 1-14 or X (also 'Year 7', 'Y7', 'Reception').",
        "NC Year",
        "Year",
        "Year Group",
        "National Curriculum Year",
        "NC Year Actual",
        "Curriculum Year",
        required=True,
    ),
    _c(
        "email",
        "pupil.email",
        "email",
        "The pupil's own email address.",
        "Pupil Email",
        "Email",
        "Email Address",
        "Pupil Email Address",
        "School Email",
    ),
    _c(
        "admission_date",
        "enrolment.admission_date",
        "date",
        "Date of admission to this school.",
        "Admission Date",
        "Date of Admission",
        "Start Date",
        "Enrolment Date",
        "Entry Date",
        "Date of Entry",
        required=True,
    ),
    _c(
        "leaving_date",
        "enrolment.leaving_date",
        "date",
        "Date the pupil left (empty while on roll).",
        "Leaving Date",
        "Date of Leaving",
        "Leave Date",
        "End Date",
    ),
    _c(
        "leaving_reason",
        "enrolment.leaving_reason",
        "text",
        "Why the pupil left.",
        "Leaving Reason",
        "Reason for Leaving",
    ),
    _c(
        "enrolment_status",
        "enrolment.status",
        "enrolment_status",
        "C (single registration), M (main dual), S (subsidiary dual), G (guest), or the label. "
        "Empty keeps the current value (C for a new enrolment).",
        "Enrolment Status",
        "Enrollment Status",
        "Registration Status",
    ),
    _c(
        "registration_group",
        "enrolment.tutor_group",
        "text",
        "Registration (form, tutor) group.",
        "Reg Group",
        "Registration Group",
        "Form",
        "Form Group",
        "Tutor Group",
        "Reg Form",
        "Registration Form",
        "Class",
    ),
    _c(
        "address_line1",
        "address.line1",
        "text",
        "Home address, first line.",
        "Address Line 1",
        "Address 1",
        "Street",
        "Home Address Line 1",
    ),
    _c(
        "address_line2",
        "address.line2",
        "text",
        "Home address, second line.",
        "Address Line 2",
        "Address 2",
        "Locality",
        "Home Address Line 2",
    ),
    _c("address_town", "address.town", "text", "Town.", "Town", "Town/City", "City", "Post Town"),
    _c("address_county", "address.county", "text", "County.", "County"),
    _c(
        "address_postcode",
        "address.postcode",
        "postcode",
        "Postcode.",
        "Postcode",
        "Post Code",
        "Postal Code",
    ),
    _c(
        "fsm_start",
        "fsm.start_date",
        "date",
        "Start of the current free school meal eligibility period.",
        "FSM Eligibility Start",
        "FSM Start Date",
        "FSM Start",
        "FSM Eligibility Start Date",
        "Free School Meals Start Date",
    ),
    _c(
        "fsm_end",
        "fsm.end_date",
        "date",
        "End of that period (needs a start).",
        "FSM Eligibility End",
        "FSM End Date",
        "FSM End",
        "FSM Eligibility End Date",
        "Free School Meals End Date",
    ),
)

# Contact columns are a prefix (which contact) followed by a field suffix. Any listed prefix
# combined with any listed suffix is accepted: "Contact 1 Surname", "Primary Contact Last Name".
CONTACT_PREFIXES: dict[int, tuple[str, ...]] = {
    1: ("Contact 1", "Priority 1 Contact", "Primary Contact", "Main Contact", "Parent 1"),
    2: ("Contact 2", "Priority 2 Contact", "Secondary Contact", "Parent 2"),
}

# (field key, target, kind, description, suffixes)
CONTACT_FIELDS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("title", "contact.title", "text", "Title (Mrs, Mr, Dr, ...).", ("Title",)),
    (
        "forename",
        "contact.forename",
        "text",
        "Forename; needed when any cell of the contact is filled.",
        ("Forename", "First Name", "Legal Forename", "Legal First Name", "Given Name"),
    ),
    (
        "surname",
        "contact.surname",
        "text",
        "Surname; needed when any cell of the contact is filled.",
        ("Surname", "Last Name", "Legal Surname", "Legal Last Name", "Family Name"),
    ),
    (
        "relationship",
        "link.relationship",
        "relationship",
        "Relationship code (PAM, PAF, CAR, ...) or its label (Mother, Father, Carer, ...).",
        ("Relationship", "Relationship to Pupil", "Relationship to Student", "Relationship Code", "Relation"),
    ),
    (
        "parental_responsibility",
        "link.parental_responsibility",
        "bool",
        "Has parental responsibility: yes/no.",
        ("Parental Responsibility", "Has Parental Responsibility", "PR"),
    ),
    (
        "priority",
        "link.priority",
        "priority",
        "Contact priority, 1 first (default: the contact's number).",
        ("Priority", "Contact Priority", "Priority Order"),
    ),
    (
        "lives_with",
        "link.lives_with",
        "bool",
        "The pupil lives with this contact: yes/no.",
        ("Lives With Pupil", "Lives With", "Lives With Student", "Resides With Pupil", "Resides With"),
    ),
    (
        "court_order",
        "link.court_order",
        "bool",
        "A court order is in place: yes/no.",
        ("Court Order", "Has Court Order", "Court Order in Place"),
    ),
    (
        "court_order_note",
        "link.court_order_note",
        "text",
        "Court order details.",
        ("Court Order Details", "Court Order Note", "Court Order Notes"),
    ),
    ("email", "contact.email", "email", "Email address.", ("Email", "Email Address", "Main Email")),
    (
        "phone_home",
        "contact.phone_home",
        "phone",
        "Home telephone.",
        ("Home Phone", "Home Telephone", "Telephone Home", "Home Tel", "Telephone"),
    ),
    (
        "phone_mobile",
        "contact.phone_mobile",
        "phone",
        "Mobile telephone.",
        ("Mobile", "Mobile Phone", "Mobile Telephone", "Mobile Number", "Telephone Mobile", "Mobile Tel"),
    ),
    (
        "phone_work",
        "contact.phone_work",
        "phone",
        "Work telephone.",
        ("Work Phone", "Work Telephone", "Telephone Work", "Work Tel"),
    ),
    (
        "address_line1",
        "contact.address_line1",
        "text",
        "Address, first line.",
        ("Address Line 1", "Address 1"),
    ),
    (
        "address_line2",
        "contact.address_line2",
        "text",
        "Address, second line.",
        ("Address Line 2", "Address 2"),
    ),
    ("town", "contact.town", "text", "Town.", ("Town", "Town/City", "City")),
    ("postcode", "contact.postcode", "postcode", "Postcode.", ("Postcode", "Post Code")),
)


def _contact_columns() -> tuple[Column, ...]:
    made = []
    for n, prefixes in CONTACT_PREFIXES.items():
        for key, target, kind, description, suffixes in CONTACT_FIELDS:
            aliases = tuple(f"{p} {s}" for p in prefixes for s in suffixes)
            made.append(Column(f"contact{n}_{key}", target, kind, description, aliases, contact=n))
    return tuple(made)


CONTACT_COLUMNS: tuple[Column, ...] = _contact_columns()
COLUMNS: tuple[Column, ...] = PUPIL_COLUMNS + CONTACT_COLUMNS
REQUIRED: tuple[Column, ...] = tuple(c for c in COLUMNS if c.required)


@cache
def alias_index() -> dict[str, Column]:
    """Normalised header -> column. Raises at first use if two columns claim one spelling."""
    index: dict[str, Column] = {}
    for col in COLUMNS:
        for spelling in (col.key, *col.aliases):
            norm = normalise_header(spelling)
            other = index.get(norm)
            if other is not None and other.key != col.key:
                raise RuntimeError(f"header {spelling!r} is claimed by both {other.key} and {col.key}")
            index[norm] = col
    return index


def column(key: str) -> Column:
    for col in COLUMNS:
        if col.key == key:
            return col
    raise KeyError(key)


def columns_markdown() -> str:
    """The column reference of docs/import-columns.md, generated so the doc cannot drift."""
    lines = [
        "| column | required | accepted headers | value |",
        "|---|---|---|---|",
    ]
    for col in PUPIL_COLUMNS:
        aliases = ", ".join(f"`{a}`" for a in col.aliases)
        lines.append(f"| `{col.key}` | {'yes' if col.required else ''} | {aliases} | {col.description} |")
    lines += [
        "",
        "Contact columns: a prefix naming the contact, then a field suffix.",
        "",
        "| contact | accepted prefixes |",
        "|---|---|",
    ]
    for n, prefixes in CONTACT_PREFIXES.items():
        lines.append(f"| {n} | {', '.join(f'`{p}`' for p in prefixes)} |")
    lines += [
        "",
        "| column (N = 1 or 2) | accepted suffixes | value |",
        "|---|---|---|",
    ]
    for key, _target, _kind, description, suffixes in CONTACT_FIELDS:
        lines.append(f"| `contactN_{key}` | {', '.join(f'`{s}`' for s in suffixes)} | {description} |")
    return "\n".join(lines) + "\n"
