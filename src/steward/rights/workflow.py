"""The rights-request state machine: every allowed transition, its guard, and why a move is refused.

`TRANSITIONS` is the whole table. A move not listed is refused with `Refusal.NOT_ALLOWED`; a listed
move whose guard fails is refused with the guard's code. Services call `check(...)` before writing
anything, so a refused move changes nothing. Release (ready -> released) has further checks in
`services.release` (competence, parental responsibility, court orders: rules §1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError

from steward.rights.models import EventKind, FeeDecision, MarkDecision, RequestKind, RightsRequest, Status

# Requests answered with a bundle of the pupil's data (rights/bundle/): access and portability.
BUNDLE_KINDS = frozenset({RequestKind.ACCESS, RequestKind.PORTABILITY})


class Refusal(StrEnum):
    """Why a transition or release was refused (stable codes for the API and CLI)."""

    NOT_ALLOWED = "transition_not_allowed"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    FEE_NOT_RECEIVED = "fee_not_received"
    CLARIFICATION_OUTSTANDING = "clarification_outstanding"
    NOT_REVIEWED = "not_reviewed"
    RELEASE_ONLY_VIA_RELEASE = "release_only_via_release"
    REASON_REQUIRED = "reason_required"
    NOT_READY = "not_ready"
    PUPIL_VIEW_OR_DPO_DECISION_REQUIRED = "pupil_view_or_dpo_decision_required"
    DPO_WITHHELD = "dpo_withheld"
    COURT_ORDER = "court_order"
    NO_PARENTAL_RESPONSIBILITY = "no_parental_responsibility"
    NO_LINK = "no_link_to_pupil"
    # Access and portability responses (rights/review.py, rights/bundle/):
    REDACTIONS_UNDECIDED = "redactions_undecided"
    TASKS_OPEN = "tasks_open"
    NO_BUNDLE = "no_bundle"
    NO_FINAL_BUNDLE = "no_final_bundle"
    BUNDLE_OUT_OF_DATE = "bundle_out_of_date"


class TransitionRefused(ValidationError):
    """A transition or release was refused; nothing was changed. `refusal` is the stable code."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message, code=refusal.value)
        self.refusal = refusal


Guard = Callable[[RightsRequest, dict[str, Any]], "tuple[Refusal, str] | None"]


def _always(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    return None


def _reason(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    if not str(ctx.get("reason") or "").strip():
        return Refusal.REASON_REQUIRED, "Give the reason (it is recorded and told to the requester)."
    return None


def _open_clarification(request: RightsRequest) -> bool:
    asked = request.events.filter(kind=EventKind.CLARIFICATION_ASKED).count()
    received = request.events.filter(kind=EventKind.CLARIFICATION_RECEIVED).count()
    return asked > received


def _can_work(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    """Work starts once any ID asked for has been verified, any fee paid and any clarification received."""
    if request.identity_required and request.identity_verified_on is None:
        return Refusal.IDENTITY_NOT_VERIFIED, "Identity evidence was asked for and has not been verified."
    if request.fee_decision == FeeDecision.FEE and request.fee_received_on is None:
        return Refusal.FEE_NOT_RECEIVED, "A fee was decided and has not been received."
    if _open_clarification(request):
        return Refusal.CLARIFICATION_OUTSTANDING, "Clarification was asked for and has not been received."
    return None


def _clarified(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    if _open_clarification(request):
        return Refusal.CLARIFICATION_OUTSTANDING, "Clarification was asked for and has not been received."
    return None


def _reviewed(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    if not str(ctx.get("reason") or "").strip():
        return (
            Refusal.NOT_REVIEWED,
            "Record the review (what was checked, redactions accepted) before marking the response ready.",
        )
    if request.kind in BUNDLE_KINDS:
        from steward.rights.review import AUTOMATIC_PASS

        if not request.events.filter(kind=EventKind.NOTE, method=AUTOMATIC_PASS).exists():
            return (
                Refusal.NO_BUNDLE,
                "Build the draft bundle first: it runs the redaction pass that the review decides on.",
            )
        undecided = request.redactions.filter(decision=MarkDecision.PROPOSED).count()
        if undecided:
            return (
                Refusal.REDACTIONS_UNDECIDED,
                f"{undecided} redaction(s) are still undecided: accept or remove each one before marking "
                "the response ready.",
            )
    return None


def _via_release(request: RightsRequest, ctx: dict[str, Any]) -> tuple[Refusal, str] | None:
    if not ctx.get("via_release"):
        return (
            Refusal.RELEASE_ONLY_VIA_RELEASE,
            "A response is released only through release(), which runs its checks.",
        )
    return None


S = Status


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    guard: Guard
    description: str


TRANSITIONS: dict[tuple[Status, Status], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.RECEIVED, S.AWAITING_IDENTITY, _always, "ID is needed: ask for it (the clock waits)"),
        Transition(
            S.RECEIVED, S.AWAITING_CLARIFICATION, _always, "ask the requester to clarify (clock paused)"
        ),
        Transition(S.RECEIVED, S.IN_PROGRESS, _can_work, "start work (ID, fee and clarification settled)"),
        Transition(S.RECEIVED, S.REFUSED, _reason, "refuse, with reasons"),
        Transition(S.RECEIVED, S.WITHDRAWN, _reason, "the requester withdrew"),
        Transition(S.AWAITING_IDENTITY, S.IN_PROGRESS, _can_work, "identity verified: start work"),
        Transition(S.AWAITING_IDENTITY, S.AWAITING_CLARIFICATION, _always, "ask to clarify as well"),
        Transition(S.AWAITING_IDENTITY, S.REFUSED, _reason, "refuse, with reasons"),
        Transition(S.AWAITING_IDENTITY, S.WITHDRAWN, _reason, "the requester withdrew"),
        Transition(S.AWAITING_CLARIFICATION, S.IN_PROGRESS, _can_work, "clarification received: resume"),
        Transition(S.AWAITING_CLARIFICATION, S.AWAITING_IDENTITY, _clarified, "clarified; ID still awaited"),
        Transition(S.AWAITING_CLARIFICATION, S.REFUSED, _reason, "refuse, with reasons"),
        Transition(S.AWAITING_CLARIFICATION, S.WITHDRAWN, _reason, "the requester withdrew"),
        Transition(
            S.IN_PROGRESS, S.AWAITING_CLARIFICATION, _always, "ask the requester to clarify (clock paused)"
        ),
        Transition(S.IN_PROGRESS, S.AWAITING_REVIEW, _always, "response drafted: send for review"),
        Transition(S.IN_PROGRESS, S.REFUSED, _reason, "refuse, with reasons"),
        Transition(S.IN_PROGRESS, S.WITHDRAWN, _reason, "the requester withdrew"),
        Transition(S.AWAITING_REVIEW, S.READY, _reviewed, "reviewed: ready to release"),
        Transition(S.AWAITING_REVIEW, S.IN_PROGRESS, _always, "sent back by the reviewer"),
        Transition(S.AWAITING_REVIEW, S.REFUSED, _reason, "refuse, with reasons"),
        Transition(S.AWAITING_REVIEW, S.WITHDRAWN, _reason, "the requester withdrew"),
        Transition(S.READY, S.RELEASED, _via_release, "released (only through release())"),
        Transition(S.READY, S.IN_PROGRESS, _always, "reopened before release"),
        Transition(S.READY, S.WITHDRAWN, _reason, "the requester withdrew"),
    ]
}


def allowed_targets(status: Status | str) -> list[Status]:
    """The statuses a request in `status` may move to (guards aside)."""
    return [t.target for (src, _), t in TRANSITIONS.items() if src == status]


def check(request: RightsRequest, to: Status | str, **ctx: Any) -> Transition:
    """The transition from the request's status to `to`, or TransitionRefused with the reason."""
    source = Status(request.status)
    target = Status(to)
    t = TRANSITIONS.get((source, target))
    if t is None:
        allowed = ", ".join(s.label for s in allowed_targets(source)) or "nothing (the request is closed)"
        raise TransitionRefused(
            Refusal.NOT_ALLOWED,
            f"A request that is {source.label.lower()} cannot move to {target.label.lower()}; "
            f"it may move to: {allowed}.",
        )
    refused = t.guard(request, ctx)
    if refused is not None:
        raise TransitionRefused(*refused)
    return t
