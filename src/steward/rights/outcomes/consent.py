"""Withdrawal of consent (UK GDPR Art 7(3)): record it on the request and say what relied on it.

Issue 6 brings the consent ledger (who consented to what, when, for which pupil); it takes this over and
will stop the processing itself. Until then this records the withdrawal in the request's log and, where
the school's register has a consent-based purpose of that name, lists the data categories and recipients
that rely on it, so staff know what to stop (and can follow with an erasure request for that data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.register.choices import Art6, Art9
from steward.register.resolve import Effective, effective, load_snapshot
from steward.rights.models import EventKind, RequestKind, RightsRequest
from steward.rights.outcomes._common import require_in_progress, require_kind
from steward.rights.services import _event, _locked, _require


@dataclass(frozen=True)
class ConsentWithdrawal:
    """What relied on the withdrawn consent (empty when the register has no such consent-based purpose)."""

    purpose_name: str
    purpose_key: str
    categories: tuple[str, ...]
    recipients: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.purpose_key)


def _consent_based(eff: Effective, purpose: Any) -> bool:
    return any(b.basis == Art6.CONSENT for b in eff.bases(purpose)) or any(
        c.condition == Art9.EXPLICIT_CONSENT for c in eff.conditions(purpose)
    )


@transaction.atomic
def consent_withdrawn(
    *, actor: Any, request: RightsRequest, purpose_name: str, on: dt.date
) -> ConsentWithdrawal:
    """Record that consent for `purpose_name` (a purpose's name or key) was withdrawn, on a
    withdraw-consent request in progress, and return what relies on that consent in the school's
    register. A purpose of that name that does not rest on consent is refused (naming `purpose_name`):
    the person can object to it instead. Issue 6's consent ledger takes this over."""
    _require(actor, request.school_id)
    request = _locked(request)
    require_kind(request, RequestKind.WITHDRAW_CONSENT)
    require_in_progress(request)
    wanted = purpose_name.strip()
    if not wanted:
        raise ValidationError({"purpose_name": "Name the purpose the consent was for."})
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    purpose = next(
        (p for p in eff.purposes if wanted.casefold() in (p.name.casefold(), p.key.casefold())), None
    )
    if purpose is not None and not _consent_based(eff, purpose):
        raise ValidationError(
            {
                "purpose_name": f"'{purpose.name}' does not rest on consent, so there is no consent to withdraw: "
                "the person may object to it instead (an objection request)."
            }
        )
    if purpose is None:
        result = ConsentWithdrawal(wanted, "", (), ())
        note = f"Consent withdrawn for '{wanted}' (no consent-based purpose of that name in the register)."
    else:
        result = ConsentWithdrawal(
            purpose.name,
            purpose.key,
            tuple(u.category_key for u, keys in eff.uses if purpose.key in keys),
            tuple(r.key for r, keys in eff.recipients if purpose.key in keys),
        )
        note = (
            f"Consent withdrawn for '{purpose.name}' ({purpose.key}); relying on it: "
            + (", ".join(result.categories) or "no category use")
            + (f"; shared with {', '.join(result.recipients)}" if result.recipients else "")
            + "."
        )
    _event(request, actor=actor, kind=EventKind.OUTCOME_APPLIED, on=on, method="withdraw_consent", note=note)
    return result
