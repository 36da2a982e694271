"""The role-permission table: what each role may do and which data categories it may read.

Category grants are taxonomy prefixes and match on the whole ancestor chain, so a grant of
`pupil.health` covers `pupil.health.allergy`. `system.*` metadata is visible to every staff role.
Safeguarding (`pupil.safeguarding`) is granted only to the DSL and the trust DPO; medical and SEN
only to the roles listed with them. Outside a role's scope a record is a 404, never a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """Things a user can do, each checked by services before acting."""

    VIEW_PUPILS = "view_pupils"  # search and open pupil records (subject to category grants)
    CHANGE_PUPILS = "change_pupils"  # create and edit pupils, contacts and category records
    IMPORT = "import"  # run MIS imports
    EXPORT = "export"  # export pupil data
    VIEW_DATAMAP = "view_datamap"  # read the personal-data registry
    VIEW_AUDIT = "view_audit"  # read the audit log
    MANAGE_REGISTER = "manage_register"  # edit the register of processing and publish notices
    MANAGE_USERS = "manage_users"  # invite staff and assign roles


BASIC_RECORD = (
    "pupil.identity",
    "pupil.enrolment",
    "pupil.attendance",
    "pupil.assessment",
    "pupil.behaviour.incident",
    "pupil.image",
    "pupil.trip",
    # Staff who take photographs or run trips must see whether the family consented.
    "pupil.consent",
)
ALL_PERSONAL = ("pupil", "contact", "staff")
ALL_BUT_SAFEGUARDING = (
    *BASIC_RECORD,
    "pupil.contact",
    "pupil.characteristics",
    "pupil.health",
    "pupil.sen",
    "pupil.behaviour",
    "pupil.post16",
    "pupil.note",
    "pupil.rights",
    "contact",
)
ALWAYS = ("system",)


@dataclass(frozen=True)
class Role:
    """One row of the role-permission table."""

    key: str
    label: str
    description: str
    categories: tuple[str, ...]
    actions: frozenset[Action]
    trust_wide: bool = False  # granted across every school of the trust
    staff: bool = True  # False for portal roles (provider, parent, pupil), which have no staff pages

    def may_read(self, category_key: str) -> bool:
        return any(category_key == p or category_key.startswith(p + ".") for p in (*self.categories, *ALWAYS))


A = Action
ROLES: dict[str, Role] = {
    r.key: r
    for r in [
        Role(
            "trust_dpo",
            "Trust data protection officer",
            "Sees and manages all data in every school of the trust, including safeguarding; keeps the register.",
            ALL_PERSONAL,
            frozenset(A),
            trust_wide=True,
        ),
        Role(
            "school_dpl",
            "School data protection lead",
            "Runs data protection for one school: all categories except safeguarding; imports, exports, audit.",
            ALL_BUT_SAFEGUARDING,
            frozenset({A.VIEW_PUPILS, A.CHANGE_PUPILS, A.IMPORT, A.EXPORT, A.VIEW_DATAMAP, A.VIEW_AUDIT}),
        ),
        Role(
            "headteacher",
            "Headteacher",
            "Leads the school: all categories except safeguarding (hold the DSL role too to see it).",
            ALL_BUT_SAFEGUARDING,
            frozenset({A.VIEW_PUPILS, A.CHANGE_PUPILS, A.EXPORT, A.VIEW_DATAMAP, A.VIEW_AUDIT}),
        ),
        Role(
            "office_manager",
            "Office / data manager",
            "Keeps the pupil and contact record and runs MIS imports; medical for first aid, no SEN or safeguarding.",
            (
                *BASIC_RECORD,
                "pupil.contact",
                "pupil.characteristics",
                "pupil.health",
                "pupil.behaviour",
                "pupil.post16",
                "pupil.rights",  # office staff log and progress rights requests
                "contact",
            ),
            frozenset({A.VIEW_PUPILS, A.CHANGE_PUPILS, A.IMPORT, A.EXPORT, A.VIEW_DATAMAP}),
        ),
        Role(
            "dsl",
            "Designated safeguarding lead",
            "Keeps child protection records: safeguarding, health, SEN, behaviour and contacts (incl. court orders).",
            (
                *BASIC_RECORD,
                "pupil.safeguarding",
                "pupil.health",
                "pupil.sen",
                "pupil.behaviour",
                "pupil.contact",
                "pupil.characteristics",
                "pupil.note",
                "contact",
            ),
            frozenset({A.VIEW_PUPILS, A.CHANGE_PUPILS, A.VIEW_DATAMAP}),
        ),
        Role(
            "senco",
            "Special educational needs co-ordinator",
            "Keeps SEN records and EHC plans; sees health, behaviour and contacts; no safeguarding.",
            (*BASIC_RECORD, "pupil.sen", "pupil.health", "pupil.behaviour", "pupil.contact", "contact"),
            frozenset({A.VIEW_PUPILS, A.CHANGE_PUPILS, A.VIEW_DATAMAP}),
        ),
        Role(
            "teacher",
            "Teacher",
            "Sees the basic record (identity, enrolment, attendance, assessment, behaviour incidents); no special-category data.",
            BASIC_RECORD,
            frozenset({A.VIEW_PUPILS}),
        ),
        Role(
            "auditor",
            "Read-only auditor",
            "Reads the audit log, the data map and the basic record; changes nothing, no special-category data.",
            BASIC_RECORD,
            frozenset({A.VIEW_PUPILS, A.VIEW_DATAMAP, A.VIEW_AUDIT}),
            trust_wide=True,
        ),
        Role(
            "provider",
            "Alternative provision provider",
            "Sees only the pupils and categories shared with it, only while its placement and agreement run.",
            (),
            frozenset(),
            staff=False,
        ),
        Role(
            "parent",
            "Parent or carer",
            "Sees their own children's notices, consents and requests in the portal.",
            (),
            frozenset(),
            staff=False,
        ),
        Role(
            "pupil",
            "Pupil",
            "Sees their own notices, consents and requests in the portal.",
            (),
            frozenset(),
            staff=False,
        ),
    ]
}


def role(key: str) -> Role:
    try:
        return ROLES[key]
    except KeyError:
        raise KeyError(f"unknown role {key!r}; roles are: {', '.join(ROLES)}") from None


def role_choices() -> list[tuple[str, str]]:
    return [(r.key, r.label) for r in ROLES.values()]
