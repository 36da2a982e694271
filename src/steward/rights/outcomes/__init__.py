"""Applying the outcome of a rights request (issue 4 part 7): rectification, erasure, restriction,
objection, youth-support opt-down and withdrawal of consent. Each writes through the ORM (so the audit
signals log field names and categories, never values) and appends an OUTCOME_APPLIED event to the request.

Rules: /work/shared/domain/rules.md §3 (Arts 16-21), §5 (retention) and §6 (youth support services).
The UI, API and CLI call the specific functions; `apply_outcome` dispatches by request kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from steward.rights.models import RequestKind, RightsRequest
from steward.rights.outcomes.consent import ConsentWithdrawal, consent_withdrawn
from steward.rights.outcomes.erasure import ErasurePlan, PlanItem, decide, erase, erasure_plan
from steward.rights.outcomes.objection import allowed_outcomes, objection_decided, objection_pending
from steward.rights.outcomes.recipients import RecipientToTell, recipients_to_tell
from steward.rights.outcomes.rectification import UNCHANGED, rectify, rectify_many
from steward.rights.outcomes.restriction import (
    ALL,
    AllCategories,
    active_restrictions,
    is_restricted,
    lift_restriction,
    restrict,
    restricted_categories,
)
from steward.rights.outcomes.youth_support import (
    YssState,
    apply_opt_down,
    controller_on,
    record_youth_support_choice,
    youth_support_state,
)


def apply_outcome(*, actor: Any, request: RightsRequest, on: dt.date, **details: Any) -> Any:
    """Apply the outcome of `request` by its kind, passing `details` to the specific function:
    rectification -> `rectify`; erasure -> `erase`; restriction -> `restrict` (the request's pupil);
    objection -> `objection_decided`; withdraw consent -> `consent_withdrawn`; youth-support opt-down ->
    `apply_opt_down`. Access, educational-record and portability requests are answered by release."""
    kind = RequestKind(request.kind)
    if kind == RequestKind.RECTIFICATION:
        return rectify(actor=actor, request=request, on=on, **details)
    if kind == RequestKind.ERASURE:
        return erase(actor=actor, request=request, on=on, **details)
    if kind == RequestKind.RESTRICTION:
        return restrict(actor=actor, pupil=request.pupil, request=request, on=on, **details)
    if kind == RequestKind.OBJECTION:
        return objection_decided(actor=actor, request=request, on=on, **details)
    if kind == RequestKind.WITHDRAW_CONSENT:
        return consent_withdrawn(actor=actor, request=request, on=on, **details)
    if kind == RequestKind.YOUTH_SUPPORT_OPT_DOWN:
        return apply_opt_down(actor=actor, request=request, on=on, **details)
    raise ValidationError({"kind": f"A {kind.label.lower()} request is answered by releasing a response."})


__all__ = [
    "ALL",
    "UNCHANGED",
    "AllCategories",
    "ConsentWithdrawal",
    "ErasurePlan",
    "PlanItem",
    "RecipientToTell",
    "YssState",
    "active_restrictions",
    "allowed_outcomes",
    "apply_opt_down",
    "apply_outcome",
    "consent_withdrawn",
    "controller_on",
    "decide",
    "erase",
    "erasure_plan",
    "is_restricted",
    "lift_restriction",
    "objection_decided",
    "objection_pending",
    "recipients_to_tell",
    "record_youth_support_choice",
    "rectify",
    "rectify_many",
    "restrict",
    "restricted_categories",
    "youth_support_state",
]
