"""Withdrawal of consent (UK GDPR Art 7(3)): apply it in the consent ledger, and say what relied on it.

The request names a consent purpose of the school (by key or name, among `consent.selectors.purposes_for`).
The withdrawal is recorded in the consent ledger as the requester's own decision, through
`consent.services.record_consent`, so it takes effect at once: the replayed state is "withdrawn", the
sharing gate leaves the pupil out of consent-based shares and the photo export leaves out their
photographs (and for biometrics, the template deletion task is raised). Who made the request decides:

- a parent (`requester_contact`): as that parent, who must have parental responsibility and no court
  order, for a consent a parent may give;
- the pupil: as the pupil, for a consent the pupil decides at their age (for biometrics, at any age);
- a third party acting under written authority: not in the ledger (it records the decisions of parents
  and pupils): record the decision of the person they act for.

How it reached the school is how it was made: a letter, an email, the portal; in person is verbal, which a
written-only consent refuses (the child's biometric objection excepted, s.26(5)).

Every refusal is a ValidationError naming the field (`purpose_name` for the purpose, `requester` for who
asked, `channel` for how, `on` for the date), and nothing is written: neither the ledger nor the request's
log. The request's log then records the withdrawal and what relies on it (`consent.enforcement`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.consent.enforcement import withdrawal_report
from steward.consent.models import ConsentAction, DecidedBy, Method
from steward.consent.selectors import consent_state, purpose_rows, purposes_for
from steward.consent.services import record_consent
from steward.register.choices import Art6, Art9
from steward.register.models import ConsentPurpose
from steward.register.resolve import Effective, effective, load_snapshot
from steward.rights.models import Channel, EventKind, RequesterKind, RequestKind, RightsRequest
from steward.rights.outcomes._common import require_in_progress, require_kind
from steward.rights.services import _event, _locked, _require

# How the request reached the school -> how the decision is recorded in the ledger.
METHOD_OF_CHANNEL: dict[str, str] = {
    Channel.LETTER: Method.LETTER,
    Channel.EMAIL: Method.EMAIL,
    Channel.PORTAL: Method.PORTAL,
    Channel.IN_PERSON: Method.VERBAL,
}

# record_consent's field names -> the request's (who asked, how it came, which purpose).
_FIELD = {"by": "requester", "contact": "requester", "method": "channel", "purpose": "purpose_name"}


@dataclass(frozen=True)
class ConsentWithdrawal:
    """The withdrawal as applied: the consent purpose (`purpose_name`, `purpose_key`), the register
    purpose it serves, the data categories and recipients of that register purpose, the consent's state
    now (from the ledger), and what relies on it, to act on (`consent.enforcement.withdrawal_report`)."""

    purpose_name: str
    purpose_key: str
    categories: tuple[str, ...]
    recipients: tuple[str, ...]
    register_purpose: str = ""
    state: str = ""
    relies_on: tuple[str, ...] = ()
    event_id: int | None = None

    @property
    def found(self) -> bool:
        return bool(self.purpose_key)


def _consent_based(eff: Effective, purpose: Any) -> bool:
    return any(b.basis == Art6.CONSENT for b in eff.bases(purpose)) or any(
        c.condition == Art9.EXPLICIT_CONSENT for c in eff.conditions(purpose)
    )


def _matches(wanted: str, name: str, key: str) -> bool:
    return wanted.casefold() in (name.casefold(), key.casefold())


def _find(request: RightsRequest, wanted: str, eff: Effective) -> ConsentPurpose:
    """The school's active consent purpose called `wanted` (name or key); else why not, on purpose_name."""
    school = request.school
    active = purposes_for(school)
    found = next((p for p in active if _matches(wanted, p.name, p.key)), None)
    if found is not None:
        return found
    asked = ", ".join(f"'{p.name}'" for p in active) or "nothing"
    off = next((p for p in purpose_rows(school) if _matches(wanted, p.name, p.key)), None)
    if off is not None:
        message = (
            f"'{off.name}' is not active at {school.name}: no consent for it can be given, so none is "
            "withdrawn. Check with the DPO what the family agreed to."
        )
    else:
        register = next((p for p in eff.purposes if _matches(wanted, p.name, p.key)), None)
        if register is not None and not _consent_based(eff, register):
            message = (
                f"'{register.name}' does not rest on consent, so there is no consent to withdraw: the person "
                "may object to it instead (an objection request)."
            )
        elif register is not None:
            linked = [p for p in active if p.purpose_key == register.key]
            message = (
                f"'{register.name}' is a purpose of the register; the consents {school.name} asks for it are "
                + (", ".join(f"'{p.name}'" for p in linked) or "none")
                + ": name the one withdrawn (one request may record several, one at a time)."
            )
        else:
            message = f"{school.name} asks no consent called '{wanted}'. It asks for: {asked}."
    raise ValidationError({"purpose_name": message})


def _decider(request: RightsRequest) -> tuple[str, Any]:
    """(by, contact) of the requester as the ledger records a decision."""
    if request.requester_kind == RequesterKind.PARENT:
        return DecidedBy.PARENT, request.requester_contact
    if request.requester_kind == RequesterKind.PUPIL:
        return DecidedBy.PUPIL, None
    raise ValidationError(
        {
            "requester": "A third party cannot withdraw consent in the consent ledger, which records the "
            "decisions of parents and pupils: record the decision of the parent or pupil they act for "
            "(their written authority is on the request)."
        }
    )


def _renamed(exc: ValidationError) -> ValidationError:
    """record_consent's refusal, on the request's fields."""
    if not hasattr(exc, "error_dict"):
        return exc
    out: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        out.setdefault(_FIELD.get(key, key), []).extend(messages)
    return ValidationError(out)


@transaction.atomic
def consent_withdrawn(
    *, actor: Any, request: RightsRequest, purpose_name: str, on: dt.date
) -> ConsentWithdrawal:
    """Withdraw the requester's consent for `purpose_name` (a consent purpose's name or key at the
    request's school) in the consent ledger, on a withdraw-consent request in progress; record it in the
    request's log and return what relies on that consent. Refused with a ValidationError naming the
    field, with nothing written, when there is no such active consent purpose (one resting on another
    basis can be objected to instead) or the requester may not withdraw it."""
    _require(actor, request.school_id)
    request = _locked(request)
    require_kind(request, RequestKind.WITHDRAW_CONSENT)
    require_in_progress(request)
    wanted = purpose_name.strip()
    if not wanted:
        raise ValidationError({"purpose_name": "Name the purpose the consent was for."})
    school = request.school
    eff = effective(load_snapshot(school.trust_id), school)
    purpose = _find(request, wanted, eff)
    by, contact = _decider(request)
    method = METHOD_OF_CHANNEL.get(request.channel, Method.VERBAL)
    portal = method == Method.PORTAL
    try:
        event = record_consent(
            actor=actor,
            pupil=request.pupil,
            purpose=purpose,
            action=ConsentAction.WITHDRAW,
            by=by,
            contact=contact,
            method=method,
            on=on,
            note=f"Withdrawal of consent, rights request {request.pk}.",
            # A request made in the portal is the signed-in parent's or pupil's own decision.
            portal_contact=contact if portal and by == DecidedBy.PARENT else None,
            portal_pupil=request.pupil if portal and by == DecidedBy.PUPIL else None,
        )
    except ValidationError as exc:
        raise _renamed(exc) from None
    state = consent_state(request.pupil, purpose, on)
    relies = tuple(withdrawal_report(pupil=request.pupil, purpose=purpose, school=school))
    register = purpose.purpose_key
    result = ConsentWithdrawal(
        purpose_name=purpose.name,
        purpose_key=purpose.key,
        categories=tuple(u.category_key for u, keys in eff.uses if register and register in keys),
        recipients=tuple(r.key for r, keys in eff.recipients if register and register in keys),
        register_purpose=register,
        state=state.state,
        relies_on=relies,
        event_id=event.pk,
    )
    note = (
        f"Consent withdrawn for '{purpose.name}' ({purpose.key}) in the consent ledger, as "
        f"{event.who}; its state is now {state.label.lower()}. Relying on it: "
        + ("; ".join(relies) or "nothing recorded")
        + "."
    )
    _event(request, actor=actor, kind=EventKind.OUTCOME_APPLIED, on=on, method="withdraw_consent", note=note)
    return result
