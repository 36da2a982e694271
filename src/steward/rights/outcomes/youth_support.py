"""Youth-support sharing (rules §6; Education and Skills Act 2008 s.14): who may limit what the school
passes to the local authority or its youth support services provider, and the pupil's current state.

s.14 (as summarised in rules §6): the relevant information is (a) the pupil's name, address and date of
birth, (b) a parent's name and address, and (c) other information the institution holds; (c) "must not be
provided if the pupil aged 16+, or a parent of a pupil under 16, has instructed the institution not to".
So a parent with parental responsibility decides until the day before the 16th birthday, and the pupil
decides from the 16th birthday. The recorded state carries over the birthday; only who may change it
passes to the pupil.

Birthdays use `people.models.age_on`: a pupil born on 29 February turns 16 on 1 March in a year that is
not a leap year (and on 29 February in a leap year), so a parent still decides on 28 February.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.people.models import Contact, Pupil, PupilContact, age_on
from steward.rights.models import (
    DecidedBy,
    EventKind,
    RequesterKind,
    RequestKind,
    RightsRequest,
    YouthSupportChoice,
    YouthSupportState,
)
from steward.rights.outcomes._common import require_for_pupil, require_in_progress, require_kind
from steward.rights.services import _event, _locked, _not_closed, _require

CONTROL_AGE = 16
S14 = (
    "Education and Skills Act 2008 s.14: information beyond the name, address and date of birth must not "
    "be provided if the pupil aged 16 or over, or a parent of a pupil under 16, has instructed the "
    "school not to"
)


@dataclass(frozen=True)
class YssState:
    """A pupil's youth-support sharing on a date: the state, where it came from, and who decides now."""

    state: YouthSupportState
    decided_by: str  # DecidedBy value of the latest choice; "" when none was recorded
    decided_on: dt.date | None
    contact: Contact | None
    choice: YouthSupportChoice | None
    age: int
    controller: DecidedBy  # who may change it now: PARENT before the 16th birthday, PUPIL from it

    @property
    def limited(self) -> bool:
        """Only name, address and date of birth may be passed on."""
        return self.state == YouthSupportState.LIMITED


def controller_on(pupil: Pupil, on: dt.date) -> DecidedBy:
    """Who decides on `on`: a parent until the day before the 16th birthday, the pupil from it."""
    return DecidedBy.PUPIL if age_on(pupil.date_of_birth, on) >= CONTROL_AGE else DecidedBy.PARENT


def youth_support_state(pupil: Pupil, on: dt.date) -> YssState:
    """The pupil's sharing state on `on`: the latest choice recorded for a date on or before it (ties by
    the order recorded), or 'not yet asked' when there is none. A choice made by a parent still applies
    after the 16th birthday until the pupil records their own."""
    choice = (
        YouthSupportChoice.objects.filter(pupil=pupil, on__lte=on)
        .select_related("contact")
        .order_by("-on", "-at", "-pk")
        .first()
    )
    return YssState(
        state=YouthSupportState(choice.state) if choice else YouthSupportState.UNSOUGHT,
        decided_by=choice.decided_by if choice else "",
        decided_on=choice.on if choice else None,
        contact=choice.contact if choice else None,
        choice=choice,
        age=age_on(pupil.date_of_birth, on),
        controller=controller_on(pupil, on),
    )


def check_decider(pupil: Pupil, state: str, decided_by: str, contact: Contact | None, on: dt.date) -> None:
    """Refuse (ValidationError naming the field) a choice its maker may not make on `on`: a parent needs
    parental responsibility, no court order and a pupil under 16; a pupil must be 16 or over; the school
    records only that it asked. Staff services and the portal both call it."""
    age = age_on(pupil.date_of_birth, on)
    if decided_by == DecidedBy.PARENT:
        if contact is None:
            raise ValidationError({"contact": "Name the parent who made the choice."})
        if age >= CONTROL_AGE:
            raise ValidationError(
                {
                    "decided_by": f"{pupil.display_name} was {age} on {on:%d %B %Y}: from the 16th birthday only "
                    f"the pupil decides ({S14})."
                }
            )
        link = PupilContact.objects.filter(pupil=pupil, contact=contact).first()
        if link is None:
            raise ValidationError({"contact": f"{contact} is not one of {pupil.display_name}'s contacts."})
        if not link.parental_responsibility:
            raise ValidationError({"contact": f"{contact} has no parental responsibility for the pupil."})
        if link.court_order:
            raise ValidationError(
                {"contact": f"A court order is recorded for {contact}: the DPO must check it first."}
            )
    elif decided_by == DecidedBy.PUPIL:
        if contact is not None:
            raise ValidationError({"contact": "A pupil's own choice names no parent."})
        if age < CONTROL_AGE:
            raise ValidationError(
                {
                    "decided_by": f"{pupil.display_name} was {age} on {on:%d %B %Y}: until the 16th birthday a "
                    f"parent decides, not the pupil ({S14})."
                }
            )
    elif decided_by == DecidedBy.SCHOOL:
        if contact is not None:
            raise ValidationError({"contact": "The school's own entry names no parent."})
        if state not in (YouthSupportState.UNSOUGHT, YouthSupportState.NO_RESPONSE):
            raise ValidationError(
                {"state": "The school records only that it asked (or has not); the choice is the family's."}
            )
    else:
        raise ValidationError({"decided_by": f"Unknown decider {decided_by!r}."})


@transaction.atomic
def record_youth_support_choice(
    *,
    actor: Any,
    pupil: Pupil,
    state: YouthSupportState | str,
    decided_by: DecidedBy | str,
    contact: Contact | None = None,
    on: dt.date,
    request: RightsRequest | None = None,
    note: str = "",
) -> YouthSupportChoice:
    """Append a youth-support sharing choice (the ledger is append-only; the latest entry is the state).

    A parent's choice needs parental responsibility and no court order and is refused on or after the
    pupil's 16th birthday; a pupil's choice is refused before it (s.14); the school may only record that
    it asked. Staff who may change pupils at one of the pupil's schools record it.
    """
    if request is not None:
        _require(actor, request.school_id)
        request = _locked(request)
        _not_closed(request)
        if request.pupil_id != pupil.pk:
            raise ValidationError({"request": "The request is about another pupil."})
    else:
        require_for_pupil(actor, pupil)
    if state not in YouthSupportState.values:
        raise ValidationError({"state": f"Unknown sharing state {state!r}."})
    check_decider(pupil, str(state), str(decided_by), contact, on)
    choice = YouthSupportChoice(
        pupil=pupil,
        state=state,
        decided_by=decided_by,
        contact=contact,
        request=request,
        on=on,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    choice.full_clean()
    choice.save()
    if request is not None:
        _event(
            request,
            actor=actor,
            kind=EventKind.OUTCOME_APPLIED,
            on=on,
            method="youth_support",
            note=f"Youth-support sharing set to '{YouthSupportState(state).label}' "
            f"({DecidedBy(decided_by).label}).",
        )
    return choice


@transaction.atomic
def apply_opt_down(*, actor: Any, request: RightsRequest, on: dt.date) -> YouthSupportChoice:
    """Apply a youth-support opt-down request in progress: sharing becomes name, address and date of birth
    only, as the choice of its requester (a parent contact, or the pupil). The age rule is applied on
    `on`: a parent's request applied on or after the 16th birthday is refused (the pupil decides then)."""
    _require(actor, request.school_id)
    request = _locked(request)
    require_kind(request, RequestKind.YOUTH_SUPPORT_OPT_DOWN)
    require_in_progress(request)
    if request.requester_kind == RequesterKind.PARENT:
        decided_by, contact = DecidedBy.PARENT, request.requester_contact
    elif request.requester_kind == RequesterKind.PUPIL:
        decided_by, contact = DecidedBy.PUPIL, None
    else:
        raise ValidationError(
            {
                "requester_kind": "The choice is the parent's (under 16) or the pupil's (16 and over): record it "
                "as theirs once they confirm it."
            }
        )
    return record_youth_support_choice(
        actor=actor,
        pupil=request.pupil,
        state=YouthSupportState.LIMITED,
        decided_by=decided_by,
        contact=contact,
        on=on,
        request=request,
        note="Opt-down requested: name, address and date of birth only.",
    )
