"""Objection (UK GDPR Art 21): record the decision, refusing an outcome the law does not allow.

rules §3: the right to object (Art 21(1)) applies to processing under public task (Art 6(1)(e)) or
legitimate interests (6(1)(f)); the school must stop unless it shows compelling legitimate grounds or
needs the data for legal claims. There is no Art 21 right against processing under legal obligation
(6(1)(c)). Processing on consent is stopped by withdrawing consent, so an objection to it is upheld.
While the objection is decided the data can be restricted (Art 18(1)(d)): `objection_pending`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.accounts.roles import Action
from steward.register.choices import Art6
from steward.register.models import Purpose
from steward.register.resolve import effective, load_snapshot
from steward.rights.models import (
    EventKind,
    ObjectionDecision,
    ObjectionOutcome,
    RequestKind,
    Restriction,
    RestrictionGround,
    RightsRequest,
)
from steward.rights.outcomes._common import require_in_progress, require_kind
from steward.rights.outcomes.restriction import lift_restriction, restrict
from steward.rights.services import _event, _locked, _not_closed, _require

QUALIFIED = frozenset({Art6.PUBLIC_TASK, Art6.LEGITIMATE_INTERESTS})


def allowed_outcomes(purpose: Purpose | None) -> tuple[frozenset[str], str]:
    """The outcomes the law allows for an objection to `purpose`'s processing, and why."""
    bases = set(purpose.bases.values_list("basis", flat=True)) if purpose is not None else set()
    if purpose is None:
        return (
            frozenset(
                {ObjectionOutcome.UPHELD, ObjectionOutcome.COMPELLING_GROUNDS, ObjectionOutcome.LEGAL_CLAIMS}
            ),
            "the processing is not in the register, so no legal obligation can be shown: the objection is "
            "upheld, or refused for compelling legitimate grounds or legal claims (Art 21(1))",
        )
    if bases & QUALIFIED:
        return (
            frozenset(
                {ObjectionOutcome.UPHELD, ObjectionOutcome.COMPELLING_GROUNDS, ObjectionOutcome.LEGAL_CLAIMS}
            ),
            f"'{purpose.name}' rests on public task or legitimate interests, so the right to object applies "
            "(UK GDPR Art 21(1)): uphold it, or show compelling legitimate grounds or legal claims",
        )
    if Art6.LEGAL_OBLIGATION in bases:
        return (
            frozenset({ObjectionOutcome.NO_RIGHT}),
            f"'{purpose.name}' rests on a legal obligation (UK GDPR Art 6(1)(c)): there is no right to object "
            "to it (Art 21(1) covers only Art 6(1)(e) and (f)), so the outcome is 'no right to object'",
        )
    return (
        frozenset({ObjectionOutcome.UPHELD}),
        f"'{purpose.name}' rests on {', '.join(sorted(bases)) or 'no recorded basis'}, not on public task or "
        "legitimate interests: processing on consent stops when the person says so (Art 7(3)), so the "
        "objection is upheld",
    )


def _purpose_in_register(request: RightsRequest, purpose: Purpose | None) -> None:
    if purpose is None:
        return
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    if purpose.pk not in {p.pk for p in eff.purposes}:
        raise ValidationError({"purpose": f"'{purpose}' is not a purpose in this school's register."})


@transaction.atomic
def objection_pending(
    *, actor: Any, request: RightsRequest, on: dt.date, categories: list[str] | None = None, note: str = ""
) -> Restriction:
    """Restrict the pupil's data (`categories`, or every category) while an objection is decided
    (Art 18(1)(d)). `objection_decided` lifts it, with the person told on the decision date."""
    _require(actor, request.school_id)
    request = _locked(request)
    require_kind(request, RequestKind.OBJECTION)
    _not_closed(request)
    return restrict(
        actor=actor,
        pupil=request.pupil,
        ground=RestrictionGround.OBJECTION_PENDING,
        categories=categories,
        on=on,
        request=request,
        note=note,
    )


@transaction.atomic
def objection_decided(
    *,
    actor: Any,
    request: RightsRequest,
    purpose: Purpose | None,
    processing: str,
    outcome: ObjectionOutcome | str,
    reasons: str,
    on: dt.date,
) -> ObjectionDecision:
    """Record the trust DPO's decision on an objection request in progress (Action.MANAGE_REGISTER).

    Refused, changing nothing (ValidationError naming `outcome`), when the outcome contradicts the law
    for the purpose's lawful bases (`allowed_outcomes`): e.g. upholding or weighing an objection to
    processing under legal obligation, or answering "no right to object" to public-task or
    legitimate-interests processing. Any restriction pending the decision is lifted, the decision date
    being the day the person is told.
    """
    _require(actor, request.school_id, Action.MANAGE_REGISTER)
    request = _locked(request)
    require_kind(request, RequestKind.OBJECTION)
    require_in_progress(request)
    if ObjectionDecision.objects.filter(request=request).exists():
        raise ValidationError({"outcome": "This objection has already been decided."})
    _purpose_in_register(request, purpose)
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": f"Unknown outcome {outcome!r}."})
    allowed, why = allowed_outcomes(purpose)
    if outcome not in allowed:
        raise ValidationError({"outcome": f"'{ObjectionOutcome(outcome).label}' is not open here: {why}."})
    if not processing.strip():
        raise ValidationError({"processing": "Say which processing the objection is to."})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision."})
    decision = ObjectionDecision(
        request=request,
        purpose=purpose,
        processing=processing.strip(),
        outcome=outcome,
        reasons=reasons.strip(),
        decided_on=on,
        decided_by=actor if getattr(actor, "pk", None) else None,
    )
    decision.full_clean()
    decision.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.OUTCOME_APPLIED,
        on=on,
        method="objection",
        note=f"Objection decided: {ObjectionOutcome(outcome).label}"
        + (f" ('{purpose.name}')." if purpose is not None else "."),
    )
    pending = Restriction.objects.filter(
        request=request, ground=RestrictionGround.OBJECTION_PENDING, lifted_on__isnull=True
    )
    for r in pending:
        lift_restriction(
            actor=actor,
            restriction=r,
            on=max(on, r.started_on),
            told_on=on,
            reason=f"The objection was decided: {ObjectionOutcome(outcome).label}.",
        )
    return decision
