"""What a family decides in the portal: consents (through the consent ledger) and youth-support sharing.

Consents are recorded by `steward.consent.services.record_consent` with method "portal"; the ledger
decides who may give each one and refuses anyone else with the reason. The consent app is imported when
used, so the portal works (without its consent page) where it is not installed.

Youth-support sharing (Education and Skills Act 2008 s.14): a parent with parental responsibility decides
until the pupil's 16th birthday, the pupil from it. `rights.outcomes.youth_support.record_youth_support_choice`
checks that its actor is staff at the pupil's school, which a family member is not, so the portal appends
the same ledger entry here after checking that the person may see the child, and applies the same
decider rule (`check_decider`: age, parental responsibility, court order) so the rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from steward.people.models import Pupil
from steward.portal.models import PortalLink, PortalRole
from steward.portal.selectors import children, require_link, today
from steward.rights.models import DecidedBy, YouthSupportChoice, YouthSupportState

# --- consents -------------------------------------------------------------------------------------------

PORTAL_CONSENT_ACTIONS = ("grant", "refuse", "withdraw")


def consent_available() -> bool:
    """Whether the consent ledger is installed (its pages are offered only then)."""
    return importlib.util.find_spec("steward.consent") is not None


def _child(actor: Any, pupil: Pupil) -> Pupil:
    found = children(actor).filter(pk=pupil.pk).first()
    if found is None:
        raise Http404("No such page")
    return found


def consent_rows(*, user: Any, pupil: Pupil, on: dt.date | None = None) -> list[tuple[Any, Any]]:
    """The child's consents as the ledger states them today: (purpose, state) pairs."""
    from steward.consent.selectors import consent_states

    pupil = _child(user, pupil)
    return list(consent_states(pupil, on=on or today()))


def _by(link: PortalLink) -> str:
    return "parent" if link.role == PortalRole.PARENT else "pupil"


@transaction.atomic
def decide_consent(
    *, actor: Any, pupil: Pupil, purpose_key: str, action: str, on: dt.date | None = None
) -> Any:
    """Give, refuse or withdraw one consent for the child (or, for a pupil, themself), as the signed-in
    person, method "portal". The ledger refuses with the reason (ValidationError) anyone who may not."""
    from steward.consent.services import record_consent

    link = require_link(actor)
    pupil = _child(actor, pupil)
    if action not in PORTAL_CONSENT_ACTIONS:
        raise ValidationError({"action": "Choose to give, refuse or withdraw consent."})
    purposes = {p.key: p for p, _ in consent_rows(user=actor, pupil=pupil, on=on)}
    purpose = purposes.get(purpose_key)
    if purpose is None:
        raise ValidationError({"purpose": "Choose one of the consents listed."})
    parent = link.role == PortalRole.PARENT
    return record_consent(
        actor=actor,
        pupil=pupil,
        purpose=purpose,
        action=action,
        by=_by(link),
        contact=link.contact if parent else None,
        method="portal",
        on=on or today(),
        portal_contact=link.contact if parent else None,
        portal_pupil=None if parent else pupil,
    )


# --- youth-support sharing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class YouthSupport:
    """A child's youth-support sharing as the family sees it, and whether this person decides now."""

    state: Any  # rights.outcomes.youth_support.YssState
    limited: bool
    may_decide: bool
    why_not: str  # why this person cannot change it now (empty when they can)


def youth_support(*, user: Any, pupil: Pupil, on: dt.date | None = None) -> YouthSupport:
    from steward.rights.outcomes.youth_support import CONTROL_AGE, youth_support_state

    link = require_link(user)
    pupil = _child(user, pupil)
    on = on or today()
    state = youth_support_state(pupil, on)
    parent = link.role == PortalRole.PARENT
    why = ""
    if parent and state.controller == DecidedBy.PUPIL:
        why = (
            f"{pupil.forename} is {state.age}. From their {CONTROL_AGE}th birthday the law (Education and "
            f"Skills Act 2008, section 14) says only {pupil.forename} can decide this, so you cannot change it."
        )
    elif not parent and state.controller == DecidedBy.PARENT:
        why = (
            f"You are {state.age}. Until your {CONTROL_AGE}th birthday the law (Education and Skills Act "
            "2008, section 14) says a parent decides this, so you cannot change it yet. Talk to your "
            "parent or carer."
        )
    return YouthSupport(state=state, limited=state.limited, may_decide=not why, why_not=why)


@transaction.atomic
def choose_youth_support(
    *, actor: Any, pupil: Pupil, limited: bool, on: dt.date | None = None
) -> YouthSupportChoice:
    """Opt the child's youth-support sharing down to name, address and date of birth (`limited`), or back
    up to full sharing, as the signed-in parent (pupil under 16) or the pupil (16 and over).

    Refused (ValidationError naming the field, nothing written): the wrong person for the pupil's age
    (`decided_by`, with the reason), a contact without parental responsibility or with a court order
    (`contact`), or a choice that is already the recorded one (`state`). Another family's child is a 404.
    """
    from steward.rights.outcomes.youth_support import check_decider, youth_support_state

    link = require_link(actor)
    pupil = _child(actor, pupil)
    on = on or today()
    state = YouthSupportState.LIMITED if limited else YouthSupportState.FULL
    decided_by = DecidedBy.PARENT if link.role == PortalRole.PARENT else DecidedBy.PUPIL
    contact = link.contact if decided_by == DecidedBy.PARENT else None
    check_decider(pupil, str(state), str(decided_by), contact, on)
    if youth_support_state(pupil, on).state == state:
        raise ValidationError({"state": "That is already the choice recorded."})
    choice = YouthSupportChoice(
        pupil=pupil,
        state=state,
        decided_by=decided_by,
        contact=contact,
        on=on,
        note="Chosen in the portal.",
        recorded_by=actor,
    )
    choice.full_clean()
    choice.save()
    return choice
