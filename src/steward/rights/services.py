"""Writes to rights requests. Keyword-only, typed, atomic; every write appends a `RequestEvent`.

Permissions: staff who may change pupils at the request's school (Action.CHANGE_PUPILS) log and
progress requests; only the trust DPO (Action.MANAGE_REGISTER) decides extensions and DPO decisions.
A request or pupil outside the actor's schools is a 404, as in `people.selectors.get_pupil`.
Rules: /work/shared/domain/rules.md §1 (SAR) and §3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil, PupilContact, age_on
from steward.rights import workflow
from steward.rights.models import (
    CLOSED_STATUSES,
    DISCLOSING_KINDS,
    CompetenceAssessment,
    CompetenceOutcome,
    DpoOutcome,
    EventKind,
    FeeDecision,
    PupilView,
    RequesterKind,
    RequestEvent,
    RequestKind,
    RightsRequest,
    Status,
)
from steward.rights.workflow import Refusal, TransitionRefused

# Policy (rules §1.5): in England there is no statutory age of competence; the ICO says the Scottish
# presumption at 12 "indicates an approach that will be reasonable in many cases". Steward treats a pupil
# of 12 or over on the day the request was received as likely competent: before a parent is sent the
# pupil's data, the pupil's consent must be recorded, or a DPO decision with reasons.
COMPETENCE_AGE = 12


# --- permissions -------------------------------------------------------------------------------


def _visible(actor: Any, school_id: int) -> None:
    if school_id not in scope_for(actor).school_ids():
        raise Http404("No such request")


def _require(actor: Any, school_id: int, action: Action = Action.CHANGE_PUPILS) -> None:
    _visible(actor, school_id)
    scope = scope_for(actor)
    # Handling requests means reading their data (pupil.rights): a DSL or SENCO changes pupils but
    # does not run rights requests.
    if not scope.may(action, school_id) or not scope.may_read("pupil.rights", school_id):
        what = (
            "make DPO decisions on rights requests"
            if action == Action.MANAGE_REGISTER
            else "log or progress rights requests"
        )
        raise PermissionDenied(f"You may not {what} at this school.")


def log_event(
    request: RightsRequest,
    *,
    actor: Any,
    kind: EventKind,
    on: dt.date,
    note: str = "",
    method: str = "",
    from_status: str = "",
    to_status: str = "",
) -> RequestEvent:
    """Append one entry to a request's log: the one writer of RequestEvent rows (other apps, such as the
    portal logging a family's request, call it too). Runs in the caller's transaction and audit context."""
    ev = RequestEvent(
        request=request,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        on=on,
        note=note,
        method=method,
        from_status=from_status,
        to_status=to_status,
    )
    ev.full_clean()
    ev.save()
    return ev


_event = log_event  # the name the rights app's own modules use


def _locked(request: RightsRequest) -> RightsRequest:
    """Re-read the request under a row lock so concurrent moves cannot both pass a guard."""
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


def _move(request: RightsRequest, *, actor: Any, to: Status, on: dt.date, note: str = "", **ctx: Any) -> None:
    """Apply a checked transition and log it (the caller is already atomic)."""
    workflow.check(request, to, reason=note, **ctx)
    source = request.status
    request.status = to
    if to in (Status.REFUSED, Status.WITHDRAWN):
        request.outcome_reason = note
    request.full_clean()
    request.save()
    _event(
        request, actor=actor, kind=EventKind.STATUS_CHANGE, on=on, note=note, from_status=source, to_status=to
    )


def _not_closed(request: RightsRequest) -> None:
    if request.status in CLOSED_STATUSES:
        raise TransitionRefused(
            Refusal.NOT_ALLOWED,
            f"The request is {request.get_status_display().lower()}; nothing more can be recorded.",
        )


def _restart_clock(request: RightsRequest) -> None:
    """The clock runs from the latest of receipt, ID received and fee received (rules §1.2, Art 12A)."""
    dates = [request.received_on, request.identity_verified_on, request.fee_received_on]
    request.clock_started_on = max(d for d in dates if d is not None)


# --- intake -------------------------------------------------------------------------------------


def _requester_link(pupil: Pupil, contact: Contact) -> PupilContact | None:
    return PupilContact.objects.filter(pupil=pupil, contact=contact).first()


@transaction.atomic
def request_log(
    *,
    actor: Any,
    school: School,
    pupil: Pupil | None,
    kind: RequestKind | str,
    requester_kind: RequesterKind | str,
    requester_contact: Contact | None = None,
    requester_name: str = "",
    authority: File | None = None,
    authority_description: str = "",
    received_on: dt.date,
    channel: str,
    description: str,
    assigned_to: Any = None,
    allow_duplicate: bool = False,
    duplicate_reason: str = "",
) -> RightsRequest:
    """Record a request received by letter, email, in person or through the portal.

    Refused (ValidationError naming the field) for an unknown subject, a requester with no link to the
    pupil, a contact without parental responsibility acting for the pupil, a third party without written
    authority, and a second open request for the same pupil and kind (unless `allow_duplicate` with a reason).
    """
    _require(actor, school.pk)
    if pupil is None or not Enrolment.objects.filter(pupil=pupil, school=school).exists():
        raise ValidationError(
            {
                "pupil": ValidationError(
                    "Unknown subject: choose a pupil on this school's register.", code="unknown_subject"
                )
            }
        )
    errors: dict[str, str] = {}
    if requester_contact is not None:
        link = _requester_link(pupil, requester_contact)
        if link is None:
            errors["requester_contact"] = (
                f"{requester_contact} is a requester with no link to the pupil: they are not one of "
                f"{pupil.display_name}'s contacts."
            )
        elif requester_kind == RequesterKind.PARENT and not link.parental_responsibility:
            errors["requester_contact"] = (
                f"{requester_contact} has no parental responsibility for {pupil.display_name}, so may not make "
                "a request on the pupil's behalf (they may act with the pupil's or a parent's written authority "
                "as a third party)."
            )
    if requester_kind == RequesterKind.THIRD_PARTY and not authority:
        errors["authority"] = (
            "A third party needs the written authority of the pupil or a parent (attach it)."
        )
    if errors:
        raise ValidationError(errors)
    existing = (
        RightsRequest.objects.filter(pupil=pupil, kind=kind)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        if not allow_duplicate:
            raise ValidationError(
                {
                    "kind": ValidationError(
                        f"Request #{existing.pk} ({existing.get_kind_display().lower()}, received "
                        f"{existing.received_on.day} {existing.received_on:%B %Y}) is still open for this pupil: add to it, or log "
                        "this one as a separate request with a reason.",
                        code="duplicate",
                        params={"existing": existing.pk},
                    )
                }
            )
        if not duplicate_reason.strip():
            raise ValidationError(
                {"duplicate_reason": "Say why a second open request of this kind is logged."}
            )
    if not requester_name and requester_kind == RequesterKind.PUPIL:
        requester_name = pupil.display_name
    if not requester_name and requester_contact is not None:
        requester_name = str(requester_contact)
    req = RightsRequest(
        school=school,
        pupil=pupil,
        kind=kind,
        requester_kind=requester_kind,
        requester_contact=requester_contact,
        requester_name=requester_name,
        authority_description=authority_description,
        received_on=received_on,
        clock_started_on=received_on,
        channel=channel,
        description=description,
        duplicate_of=existing if allow_duplicate else None,
        duplicate_reason=duplicate_reason if existing is not None else "",
        assigned_to=assigned_to,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if authority:
        req.authority.save(getattr(authority, "name", "authority") or "authority", authority, save=False)
    try:
        req.full_clean()
    except ValidationError:
        if req.authority:
            req.authority.delete(save=False)
        raise
    req.save()
    _event(req, actor=actor, kind=EventKind.LOGGED, on=received_on, method=channel, note=description)
    return req


# --- identity, clarification, fees, extension ---------------------------------------------------


@transaction.atomic
def identity_requested(*, actor: Any, request: RightsRequest, on: dt.date, note: str = "") -> RightsRequest:
    """ID is needed (ask only where it is: rules §1.2); the clock waits for it."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    if request.status == Status.RECEIVED:
        workflow.check(request, Status.AWAITING_IDENTITY)
    request.identity_required = True
    request.full_clean()
    request.save()
    _event(request, actor=actor, kind=EventKind.IDENTITY_REQUESTED, on=on, note=note)
    if request.status == Status.RECEIVED:
        _move(request, actor=actor, to=Status.AWAITING_IDENTITY, on=on)
    return request


@transaction.atomic
def identity_verified(
    *, actor: Any, request: RightsRequest, on: dt.date, method: str, evidence_note: str
) -> RightsRequest:
    """Record who verified the requester's identity, how, and on what evidence; the clock starts then if later."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    if not method.strip():
        raise ValidationError({"method": "Say how identity was verified."})
    if on < request.received_on:
        raise ValidationError({"on": "Identity cannot be verified before the request was received."})
    request.identity_verified_on = on
    _restart_clock(request)
    request.full_clean()
    request.save()
    _event(request, actor=actor, kind=EventKind.IDENTITY_VERIFIED, on=on, method=method, note=evidence_note)
    if request.status == Status.AWAITING_IDENTITY:
        try:
            workflow.check(request, Status.IN_PROGRESS)
        except TransitionRefused:
            return request  # still waiting for a fee or clarification
        _move(request, actor=actor, to=Status.IN_PROGRESS, on=on)
    return request


@transaction.atomic
def clarification_asked(*, actor: Any, request: RightsRequest, on: dt.date, note: str) -> RightsRequest:
    """Ask the requester to specify what they want: the clock pauses from `on` (rules §1.2)."""
    _require(actor, request.school_id)
    request = _locked(request)
    if on < request.received_on:
        raise ValidationError({"on": "Clarification cannot be asked before the request was received."})
    if workflow._open_clarification(request):
        raise TransitionRefused(
            Refusal.CLARIFICATION_OUTSTANDING, "Clarification has already been asked for."
        )
    workflow.check(request, Status.AWAITING_CLARIFICATION)
    _event(request, actor=actor, kind=EventKind.CLARIFICATION_ASKED, on=on, note=note)
    _move(request, actor=actor, to=Status.AWAITING_CLARIFICATION, on=on)
    return request


@transaction.atomic
def clarification_received(
    *, actor: Any, request: RightsRequest, on: dt.date, note: str = ""
) -> RightsRequest:
    """The clarification arrived: the clock resumes from `on`."""
    _require(actor, request.school_id)
    request = _locked(request)
    if request.status != Status.AWAITING_CLARIFICATION:
        raise TransitionRefused(Refusal.NOT_ALLOWED, "No clarification is awaited on this request.")
    asked = request.events.filter(kind=EventKind.CLARIFICATION_ASKED).order_by("-at", "-pk").first()
    if asked is not None and on < asked.on:
        raise ValidationError({"on": "The clarification cannot arrive before it was asked for."})
    _event(request, actor=actor, kind=EventKind.CLARIFICATION_RECEIVED, on=on, note=note)
    try:
        workflow.check(request, Status.IN_PROGRESS)
    except TransitionRefused as refused:
        if refused.refusal == Refusal.IDENTITY_NOT_VERIFIED:
            _move(request, actor=actor, to=Status.AWAITING_IDENTITY, on=on)
        return request  # otherwise still waiting for the fee
    _move(request, actor=actor, to=Status.IN_PROGRESS, on=on)
    return request


@transaction.atomic
def fee_decided(
    *,
    actor: Any,
    request: RightsRequest,
    decision: FeeDecision | str,
    on: dt.date,
    amount: Decimal | None = None,
    reason: str = "",
    complaint_rights_told: bool = False,
) -> RightsRequest:
    """Normally no fee. Manifestly unfounded or excessive: a reasonable fee, or refusal with reasons (§1.4).

    A refusal closes the request and must record that the requester was told of the right to complain
    to the ICO and to seek a judicial remedy.
    """
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    decision = FeeDecision(decision)
    if decision == FeeDecision.REFUSED:
        workflow.check(request, Status.REFUSED, reason=reason)
    request.fee_decision = decision
    request.fee_amount = amount if decision == FeeDecision.FEE else None
    request.fee_reason = reason
    request.fee_decided_on = on
    request.complaint_rights_told = complaint_rights_told
    request.full_clean()
    request.save()
    note = reason if decision == FeeDecision.NONE else f"{decision.label}: {reason}"
    _event(request, actor=actor, kind=EventKind.FEE_DECIDED, on=on, note=note, method=str(amount or ""))
    if decision == FeeDecision.REFUSED:
        _move(request, actor=actor, to=Status.REFUSED, on=on, note=reason)
    return request


@transaction.atomic
def fee_received(*, actor: Any, request: RightsRequest, on: dt.date) -> RightsRequest:
    """The fee arrived: the clock runs from then if later than receipt and ID (§1.2)."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    if request.fee_decision != FeeDecision.FEE:
        raise ValidationError({"fee_received_on": "No fee was decided for this request."})
    request.fee_received_on = on
    _restart_clock(request)
    request.full_clean()
    request.save()
    _event(request, actor=actor, kind=EventKind.FEE_RECEIVED, on=on)
    return request


def _first_month_end(request: RightsRequest) -> dt.date:
    """The unextended due date: the end of the first month, within which the requester must be told."""
    try:
        deadline = due(request, extended=False)
    except ImportError:  # deadlines.py not installed: the corresponding date, last day when none
        return request.clock_started_on + relativedelta(months=1)
    if deadline.due is not None:
        return deadline.due  # type: ignore[no-any-return]
    return request.clock_started_on + relativedelta(months=1)


@transaction.atomic
def extension_decided(
    *, actor: Any, request: RightsRequest, reason: str, decided_on: dt.date, requester_told_on: dt.date
) -> RightsRequest:
    """Extend by two further months (complex or numerous requests, §1.3); trust DPO only.

    Refused when the requester was told after the first month, or without a reason.
    """
    _require(actor, request.school_id, Action.MANAGE_REGISTER)
    request = _locked(request)
    _not_closed(request)
    if request.kind == RequestKind.EDUCATIONAL_RECORD:
        raise ValidationError(
            {"extension_reason": "The 15-school-day educational record limit cannot be extended."}
        )
    if not reason.strip():
        raise ValidationError(
            {"extension_reason": "Give the reason for the extension (it is told to the requester)."}
        )
    if request.extension_decided_on is not None:
        raise ValidationError({"extension_reason": "The request has already been extended."})
    limit = _first_month_end(request)
    if requester_told_on > limit:
        raise ValidationError(
            {
                "extension_told_on": ValidationError(
                    f"The requester must be told of an extension within the first month (by {limit.day} {limit:%B %Y}); "
                    f"telling them on {requester_told_on.day} {requester_told_on:%B %Y} is too late.",
                    code="extension_too_late",
                )
            }
        )
    if requester_told_on < decided_on:
        raise ValidationError(
            {"extension_told_on": "The requester cannot be told before the extension is decided."}
        )
    request.extension_reason = reason
    request.extension_decided_on = decided_on
    request.extension_told_on = requester_told_on
    request.full_clean()
    request.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.EXTENSION_DECIDED,
        on=decided_on,
        note=f"{reason} (requester told {requester_told_on.isoformat()})",
    )
    return request


# --- competence (rules §1.5) --------------------------------------------------------------------


def _competence(request: RightsRequest) -> CompetenceAssessment:
    try:
        return request.competence
    except CompetenceAssessment.DoesNotExist:
        return CompetenceAssessment(request=request)


def _parent_request(request: RightsRequest) -> None:
    if request.requester_kind != RequesterKind.PARENT:
        raise ValidationError(
            {"requester_kind": "Competence is assessed for a request made by a parent about the pupil."}
        )


@transaction.atomic
def competence_assessed(
    *, actor: Any, request: RightsRequest, on: dt.date, outcome: CompetenceOutcome | str, note: str = ""
) -> CompetenceAssessment:
    """Record whether the pupil is competent to exercise their own rights (age recorded as at `on`)."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    _parent_request(request)
    c = _competence(request)
    c.assessed_by = actor if getattr(actor, "pk", None) else None
    c.assessed_on = on
    c.pupil_age = age_on(request.pupil.date_of_birth, on)
    c.outcome = CompetenceOutcome(outcome)
    c.assessment_note = note
    c.full_clean()
    c.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.COMPETENCE_ASSESSED,
        on=on,
        method=c.outcome,
        note=f"Aged {c.pupil_age}. {note}".strip(),
    )
    return c


@transaction.atomic
def pupil_view_recorded(
    *, actor: Any, request: RightsRequest, on: dt.date, view: PupilView | str, note: str = ""
) -> CompetenceAssessment:
    """Record the pupil's view on release to the parent (consents, objects, or not asked with the reason)."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    _parent_request(request)
    view = PupilView(view)
    if view == PupilView.NOT_ASKED and not note.strip():
        raise ValidationError({"pupil_view_note": "Say why the pupil's view was not asked."})
    c = _competence(request)
    c.pupil_view = view
    c.pupil_view_note = note
    c.pupil_view_on = on
    c.full_clean()
    c.save()
    _event(request, actor=actor, kind=EventKind.PUPIL_VIEW_RECORDED, on=on, method=view, note=note)
    return c


@transaction.atomic
def dpo_decision(
    *, actor: Any, request: RightsRequest, on: dt.date, decision: DpoOutcome | str, reasons: str
) -> CompetenceAssessment:
    """The trust DPO decides whether the parent is sent the pupil's data, with reasons (§1.5 factors)."""
    _require(actor, request.school_id, Action.MANAGE_REGISTER)
    request = _locked(request)
    _not_closed(request)
    _parent_request(request)
    if not reasons.strip():
        raise ValidationError({"dpo_reasons": "A DPO decision needs its reasons."})
    c = _competence(request)
    c.dpo_decision = DpoOutcome(decision)
    c.dpo_reasons = reasons
    c.dpo_decided_by = actor if getattr(actor, "pk", None) else None
    c.dpo_decided_on = on
    c.full_clean()
    c.save()
    _event(request, actor=actor, kind=EventKind.DPO_DECISION, on=on, method=c.dpo_decision, note=reasons)
    return c


# --- workflow -----------------------------------------------------------------------------------


@transaction.atomic
def transition(
    *, actor: Any, request: RightsRequest, to: Status | str, on: dt.date, note: str = ""
) -> RightsRequest:
    """Move a request along the state machine (`workflow.TRANSITIONS`); refused moves change nothing."""
    _require(actor, request.school_id)
    request = _locked(request)
    target = Status(to)
    if target == Status.AWAITING_CLARIFICATION:
        return clarification_asked(actor=actor, request=request, on=on, note=note)
    _move(request, actor=actor, to=target, on=on, note=note)
    return request


def release_blockers(request: RightsRequest) -> list[tuple[Refusal, str]]:
    """Everything that stops this request being released to its requester now (empty: may release)."""
    blockers: list[tuple[Refusal, str]] = []
    if request.status != Status.READY:
        blockers.append(
            (
                Refusal.NOT_READY,
                f"The request is {request.get_status_display().lower()}: a response is released only once "
                "it has been reviewed and marked ready.",
            )
        )
    contact = request.requester_contact
    if contact is not None:
        link = PupilContact.objects.filter(pupil_id=request.pupil_id, contact=contact).first()
        if link is None:
            blockers.append((Refusal.NO_LINK, f"{contact} is no longer linked to the pupil."))
        else:
            if link.court_order:
                blockers.append(
                    (
                        Refusal.COURT_ORDER,
                        f"A court order is recorded for {contact}: nothing is released to them without the "
                        "DPO checking the order.",
                    )
                )
            if request.requester_kind == RequesterKind.PARENT and not link.parental_responsibility:
                blockers.append(
                    (
                        Refusal.NO_PARENTAL_RESPONSIBILITY,
                        f"{contact} has no parental responsibility for the pupil.",
                    )
                )
    if request.requester_kind == RequesterKind.PARENT and request.kind in DISCLOSING_KINDS:
        age = age_on(request.pupil.date_of_birth, request.received_on)
        if age >= COMPETENCE_AGE:
            c = CompetenceAssessment.objects.filter(request=request).first()
            if c is not None and c.dpo_decision == DpoOutcome.WITHHOLD:
                blockers.append((Refusal.DPO_WITHHELD, f"The DPO decided not to release: {c.dpo_reasons}"))
            elif c is None or not (
                c.pupil_view == PupilView.CONSENTS or c.dpo_decision == DpoOutcome.RELEASE
            ):
                blockers.append(
                    (
                        Refusal.PUPIL_VIEW_OR_DPO_DECISION_REQUIRED,
                        f"The pupil was {age} when the request was received: a pupil of {COMPETENCE_AGE} or "
                        "over is treated as likely competent (rules §1.5), so record the pupil's consent to "
                        "release to the parent, or a DPO decision with reasons, before releasing.",
                    )
                )
    if request.kind in workflow.BUNDLE_KINDS:
        # Access and portability: what is released is the final bundle, built after the last redaction
        # decision (rights/bundle/build.py); imported here because the bundle builds on these services.
        from steward.rights.bundle import release_blocker

        stale = release_blocker(request)
        if stale is not None:
            blockers.append(stale)
    return blockers


@transaction.atomic
def release(
    *,
    actor: Any,
    request: RightsRequest,
    on: dt.date,
    method: str,
    sent_to: str = "",
    bundle_sha256: str = "",
) -> RightsRequest:
    """Release the reviewed response: what was sent, to whom, how. Refused with every reason, changing nothing.

    For access and portability the hash of the final bundle's ZIP is recorded automatically (a
    `bundle_sha256` passed in must match it); other kinds may pass the hash of what they sent.
    """
    _require(actor, request.school_id)
    request = _locked(request)
    blockers = release_blockers(request)
    if blockers:
        raise TransitionRefused(blockers[0][0], " ".join(msg for _, msg in blockers))
    if not method.strip():
        raise ValidationError({"release_method": "Say how the response was sent."})
    if request.kind in workflow.BUNDLE_KINDS:
        from steward.rights.bundle import latest_final

        final = latest_final(request)  # release_blockers has refused already when there is none
        if final is not None:
            if bundle_sha256 and bundle_sha256 != final.sha256:
                raise ValidationError(
                    {
                        "bundle_sha256": "That is not the hash of the final bundle: leave it empty to record it."
                    }
                )
            bundle_sha256 = final.sha256
    request.released_on = on
    request.released_to = sent_to or request.requester_name
    request.release_method = method
    request.bundle_sha256 = bundle_sha256
    _move(request, actor=actor, to=Status.RELEASED, on=on, via_release=True)
    _event(
        request,
        actor=actor,
        kind=EventKind.RELEASED,
        on=on,
        method=method,
        note=f"Sent to {request.released_to}"
        + (f"; bundle SHA-256 {bundle_sha256}" if bundle_sha256 else ""),
    )
    return request


@transaction.atomic
def assign(*, actor: Any, request: RightsRequest, to: Any, on: dt.date) -> RightsRequest:
    """Give the request to a member of staff who may work on it at its school (None: unassign)."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    if to is not None and not scope_for(to).may(Action.CHANGE_PUPILS, request.school_id):
        raise ValidationError({"assigned_to": f"{to} cannot work on requests at this school."})
    request.assigned_to = to
    request.save(update_fields=["assigned_to", "updated_at"])
    label = (to.get_full_name() or to.get_username()) if to is not None else "nobody"
    _event(request, actor=actor, kind=EventKind.ASSIGNED, on=on, note=f"Assigned to {label}.")
    return request


@transaction.atomic
def note_added(*, actor: Any, request: RightsRequest, on: dt.date, note: str) -> RequestEvent:
    """Add a note to the request's log."""
    _require(actor, request.school_id)
    if not note.strip():
        raise ValidationError({"note": "Write the note."})
    return _event(request, actor=actor, kind=EventKind.NOTE, on=on, note=note)


# --- deadline -----------------------------------------------------------------------------------


def pauses_from(events: Iterable[RequestEvent], clock_start: dt.date) -> tuple[Any, ...]:
    """Clarification pauses as `deadlines.Pause(start, end)` from a request's events (oldest first; the
    last with end None if still open).

    A pause that ended before the clock (re)started is dropped, and one that straddles the start is cut
    to begin there: when ID or a fee arrives after a clarification, the clock starts afresh from that
    day (rules §1.2), so earlier waiting does not count twice.
    """
    from steward.rights.deadlines import Pause

    raw: list[tuple[dt.date, dt.date | None]] = []
    start: dt.date | None = None
    for ev in events:
        if ev.kind == EventKind.CLARIFICATION_ASKED:
            start = ev.on
        elif ev.kind == EventKind.CLARIFICATION_RECEIVED and start is not None:
            raw.append((start, ev.on))
            start = None
    if start is not None:
        raw.append((start, None))
    return tuple(
        Pause(max(begin, clock_start), end) for begin, end in raw if end is None or end > clock_start
    )


def pauses(request: RightsRequest) -> tuple[Any, ...]:
    """The request's clarification pauses (see `pauses_from`)."""
    events = request.events.filter(
        kind__in=[EventKind.CLARIFICATION_ASKED, EventKind.CLARIFICATION_RECEIVED]
    ).order_by("at", "pk")
    return pauses_from(events, request.clock_started_on)


# Request kinds as `deadlines.due_date` names them. Withdrawing consent (Art 7(3)) and the youth-support
# opt-down are answered within the same one month as the Art 15-21 rights (Art 12(3)), with no other rule.
DEADLINE_KIND = {
    RequestKind.ACCESS: "access",
    RequestKind.EDUCATIONAL_RECORD: "educational-record",
    RequestKind.RECTIFICATION: "rectification",
    RequestKind.ERASURE: "erasure",
    RequestKind.RESTRICTION: "restriction",
    RequestKind.OBJECTION: "objection",
    RequestKind.PORTABILITY: "portability",
    RequestKind.WITHDRAW_CONSENT: "objection",
    RequestKind.YOUTH_SUPPORT_OPT_DOWN: "objection",
}


def due(
    request: RightsRequest,
    *,
    extended: bool | None = None,
    pause_method: str = "suspend",
    events: Iterable[RequestEvent] | None = None,
) -> Any:
    """The request's legal deadline (`rights.deadlines.Deadline`) from the clock start, honouring the
    recorded clarification pauses and any extension. `.due` is None while a pause is open.

    `extended` defaults to whether an extension was decided. The educational record (15 school days)
    has no pause and no extension, so neither is passed for it. `events`: the request's events already
    in memory, oldest first (a dashboard prefetches them), instead of a query.
    """
    from steward.rights.deadlines import due_date

    kind = DEADLINE_KIND[RequestKind(request.kind)]
    if extended is None:
        extended = request.extension_decided_on is not None
    if kind == "educational-record":
        return due_date(kind, request.clock_started_on, school=request.school)
    return due_date(
        kind,
        request.clock_started_on,
        school=request.school,
        extended=extended,
        pauses=pauses(request) if events is None else pauses_from(events, request.clock_started_on),
        pause_method=pause_method,
    )
