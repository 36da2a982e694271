"""Rights requests through the REST API, at /api/requests: list, log, detail, and one POST per action.

Thin shells over `steward.rights.services` and `steward.rights.selectors`, run as the caller with
channel "api" (`auth.run_as_caller`). Errors keep the API's one shape, with two additions:

* 409 a refused transition or release (`TransitionRefused`): nothing changed; each reason's stable
  refusal code (`steward.rights.workflow.Refusal`) is in `errors[].codes`;
* 409 on create when an open request of the same kind exists for the pupil, with `duplicate_of`
  (send `allow_duplicate` and `duplicate_reason` to log it anyway).

A request at a school outside the caller's schools is a 404; at one of their schools where they may
not work on requests (a teacher) a 403. `log_request` and the `parse_*` helpers are shared with
`steward rights` (the CLI), so both refuse the same input with the same words.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures at import.

import datetime as dt
import functools
import math
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File as DjangoFile
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.api import rights_schemas as rs
from steward.api.auth import caller
from steward.api.errors import django_field_errors
from steward.api.schemas import ErrorOut
from steward.api.selectors import MAX_PAGE_SIZE, PAGE_SIZE
from steward.api.services import school_for
from steward.audit.services import Subject, record
from steward.core.validators import normalise_upn
from steward.organisations.models import School
from steward.people.models import Contact, Pupil
from steward.registry.registry import entry_for
from steward.rights import selectors, services
from steward.rights.models import (
    CLOSED_STATUSES,
    Channel,
    CompetenceOutcome,
    DpoOutcome,
    FeeDecision,
    PupilView,
    RequesterKind,
    RequestKind,
    RightsRequest,
)
from steward.rights.models import (
    Status as RequestStatus,
)
from steward.rights.workflow import Refusal, TransitionRefused

router = Router(tags=["requests"])


def _responses(status: int, schema: Any, *error_statuses: int) -> dict[int, Any]:
    out: dict[int, Any] = {status: schema, **dict.fromkeys((401, *error_statuses), ErrorOut)}
    return out


ACTION = (403, 404, 409, 422)


# -- shared with the CLI ------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def parse_choice(value: str, choices: type[models.TextChoices], field: str) -> str:
    """`value` (hyphens allowed for underscores) if it is one of `choices`, else a ValidationError on `field`."""
    normalised = (value or "").strip().replace("-", "_")
    if normalised in choices.values:
        return normalised
    allowed = ", ".join(str(v) for v in choices.values)
    raise ValidationError(
        {field: ValidationError(f"{value!r} is not one of: {allowed}.", code="invalid_choice")}
    )


def find_user(username: str, field: str) -> Any:
    """The active user called `username`, else a ValidationError on `field`."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError(
            {field: ValidationError(f"No active user called {username!r}.", code="unknown")}
        )
    return user


def pupil_at(school: School, *, pupil_id: int | None = None, upn: str = "") -> Pupil | None:
    """The pupil on the school's register with this id or UPN (None: the service refuses it as unknown)."""
    qs = Pupil.objects.filter(enrolments__school=school).distinct()
    if pupil_id is not None:
        return qs.filter(pk=pupil_id).first()
    if upn.strip():
        return qs.filter(upn=normalise_upn(upn)).first()
    return None


def contact_in(school: School, contact_id: int, field: str = "requester_contact") -> Contact:
    contact = Contact.objects.filter(pk=contact_id, trust_id=school.trust_id).first()
    if contact is None:
        raise ValidationError(
            {field: ValidationError(f"No contact with id {contact_id} in this trust.", code="unknown")}
        )
    return contact


def request_for(actor: Any, pk: Any) -> RightsRequest:
    """A request the actor may work on; 403 at their own school when they may not, 404 otherwise."""
    try:
        return selectors.get_request(actor, pk)
    except Http404:
        school_id = RightsRequest.objects.filter(pk=pk).values_list("school_id", flat=True).first()
        if school_id is not None and school_id in scope_for(actor).school_ids():
            raise PermissionDenied("You may not see or work on rights requests at this school.") from None
        raise


def duplicate_of(exc: ValidationError) -> int | None:
    """The open request's id when `request_log` refused a duplicate, else None."""
    for err in getattr(exc, "error_dict", {}).get("kind", []):
        if err.code == "duplicate" and err.params:
            return int(err.params["existing"])
    return None


def refusal_errors(
    exc: TransitionRefused, blockers: list[tuple[Refusal, str]] | None = None
) -> list[dict[str, Any]]:
    """The `errors` of a 409: one entry per reason, each with its refusal code."""
    if blockers:
        return [{"field": None, "messages": [msg], "codes": [code.value]} for code, msg in blockers]
    return [{"field": None, "messages": list(exc.messages), "codes": [exc.refusal.value]}]


def log_request(
    *,
    actor: Any,
    school: School,
    pupil: Pupil | None,
    kind: str,
    requester_kind: str,
    requester_contact: Contact | None = None,
    requester_name: str = "",
    authority: Any = None,
    authority_description: str = "",
    received_on: dt.date,
    channel: str,
    description: str,
    identity_required: bool = False,
    assign_to: Any = None,
    allow_duplicate: bool = False,
    duplicate_reason: str = "",
) -> RightsRequest:
    """Log a request and, in the same transaction, ask for ID and assign it when told to."""
    kind = parse_choice(kind, RequestKind, "kind")
    requester_kind = parse_choice(requester_kind, RequesterKind, "requester_kind")
    channel = parse_choice(channel, Channel, "channel")
    if assign_to is not None and not scope_for(assign_to).may(Action.CHANGE_PUPILS, school.pk):
        raise ValidationError({"assigned_to": f"{assign_to} cannot work on requests at this school."})
    req: RightsRequest | None = None
    try:
        with transaction.atomic():
            req = services.request_log(
                actor=actor,
                school=school,
                pupil=pupil,
                kind=kind,
                requester_kind=requester_kind,
                requester_contact=requester_contact,
                requester_name=requester_name,
                authority=authority,
                authority_description=authority_description,
                received_on=received_on,
                channel=channel,
                description=description,
                allow_duplicate=allow_duplicate,
                duplicate_reason=duplicate_reason,
            )
            if identity_required:
                req = services.identity_requested(actor=actor, request=req, on=received_on)
            if assign_to is not None:
                req = services.assign(actor=actor, request=req, to=assign_to, on=received_on)
    except Exception:
        if req is not None and req.authority:
            req.authority.delete(save=False)  # the row was rolled back; do not leave its file behind
        raise
    return req


# -- refusals as 409s ---------------------------------------------------------------------------


def refusals_to_409(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """A refused transition (nothing changed) answers 409 with its refusal code."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view_func(request, *args, **kwargs)
        except TransitionRefused as exc:
            return Status(409, {"detail": " ".join(exc.messages), "errors": refusal_errors(exc)})

    return wrapper


router.add_decorator(refusals_to_409)  # wraps each view, after input validation


def _audit(action: str, *, request: RightsRequest | None = None, detail: dict[str, Any]) -> None:
    entry = entry_for(RightsRequest)
    record(
        action,
        model=entry.label,
        object_id=request.pk if request else None,
        subject=Subject(school_id=request.school_id, pupil_id=request.pupil_id) if request else None,
        categories=sorted(c.key for c in entry.categories),
        detail=detail,
    )


def audit_view(request: RightsRequest, via: dict[str, Any]) -> None:
    """Log that the current actor read one request (its categories; never its values)."""
    _audit("view", request=request, detail=via)


def audit_search(via: dict[str, Any]) -> None:
    """Log that the current actor listed requests."""
    _audit("search", detail=via)


def detail_of(actor: Any, pk: Any, on: dt.date | None = None) -> dict[str, Any]:
    """The request's detail as it is now (re-read after a write)."""
    req = selectors.get_request(actor, pk)
    return rs.detail(req, on or today(), selectors.request_events(actor, pk))


# -- list, create, detail -----------------------------------------------------------------------


@router.get("", response=_responses(200, rs.RequestPageOut, 422), summary="List rights requests")
def list_requests(
    request: HttpRequest,
    status: str = Query("", description="Only requests with this status."),
    kind: str = Query("", description="Only requests of this kind."),
    school: str = Query("", description="Only requests at the school with this URN."),
    pupil: int | None = Query(None, description="Only requests about this pupil (id)."),
    open_only: bool | None = Query(None, alias="open", description="true: open requests; false: closed."),
    page: int = Query(1, ge=1),
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    """Requests at the schools where the caller handles them, newest first, each with its due date."""
    user = caller(request)
    qs = selectors.requests_visible_to(user).select_related("assigned_to")
    if status:
        qs = qs.filter(status=parse_choice(status, RequestStatus, "status"))
    if kind:
        qs = qs.filter(kind=parse_choice(kind, RequestKind, "kind"))
    if school:
        qs = qs.filter(school__urn=school)
    if pupil is not None:
        qs = qs.filter(pupil_id=pupil)
    if open_only is True:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif open_only is False:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    count = qs.count()
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size]) if start < count else []
    on = today()
    audit_search({"api": "request list", "page": page, "results": len(items)})
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": math.ceil(count / page_size) if count else 0,
        "items": [rs.summary(r, on) for r in items],
    }


@router.post(
    "",
    response={**_responses(201, rs.RequestDetailOut, 403, 404, 422), 409: rs.DuplicateErrorOut},
    summary="Log a rights request",
)
def create_request(
    request: HttpRequest,
    payload: Form[rs.RequestCreateIn],
    authority: File[UploadedFile | None] = None,
) -> Any:
    """Record a request received by letter, email, in person or through the portal (multipart form).

    A third party must attach the written authority as the `authority` file. A second open request of the
    same kind for the pupil is a 409 naming the open one (`duplicate_of`) unless `allow_duplicate`
    is sent with a `duplicate_reason`.
    """
    user = caller(request)
    school = school_for(user, payload.school)
    contact = contact_in(school, payload.requester_contact) if payload.requester_contact else None
    assignee = find_user(payload.assigned_to, "assigned_to") if payload.assigned_to.strip() else None
    try:
        req = log_request(
            actor=user,
            school=school,
            pupil=pupil_at(school, pupil_id=payload.pupil, upn=payload.upn),
            kind=payload.kind,
            requester_kind=payload.requester_kind,
            requester_contact=contact,
            requester_name=payload.requester_name,
            authority=DjangoFile(authority, name=authority.name) if authority is not None else None,
            authority_description=payload.authority_description,
            received_on=payload.received_on,
            channel=payload.channel,
            description=payload.description,
            identity_required=payload.identity_required,
            assign_to=assignee,
            allow_duplicate=payload.allow_duplicate,
            duplicate_reason=payload.duplicate_reason,
        )
    except ValidationError as exc:
        existing = duplicate_of(exc)
        if existing is None:
            raise
        return Status(
            409,
            {
                "detail": f"Request #{existing} of this kind is still open for this pupil.",
                "errors": django_field_errors(exc),
                "duplicate_of": existing,
            },
        )
    return Status(201, detail_of(user, req.pk))


@router.get("/{request_id}", response=_responses(200, rs.RequestDetailOut, 403, 404), summary="Get a request")
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """One request: its log, competence, what blocks release, and the due date with its arithmetic."""
    user = caller(request)
    req = request_for(user, request_id)
    data = rs.detail(req, today(), selectors.request_events(user, request_id))
    audit_view(req, {"api": "request detail"})
    return data


# -- actions ------------------------------------------------------------------------------------


def _on(value: dt.date | None) -> dt.date:
    return value or today()


@router.post("/{request_id}/assign", response=_responses(200, rs.RequestDetailOut, *ACTION), summary="Assign")
def assign(request: HttpRequest, request_id: int, payload: rs.AssignIn) -> dict[str, Any]:
    """Give the request to a member of staff who may work on it at its school (null: unassign)."""
    user = caller(request)
    req = request_for(user, request_id)
    to = find_user(payload.assigned_to, "assigned_to") if payload.assigned_to else None
    services.assign(actor=user, request=req, to=to, on=_on(payload.on))
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/identity-requested",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Ask for identity evidence",
)
def identity_requested(request: HttpRequest, request_id: int, payload: rs.NoteIn) -> dict[str, Any]:
    """ID is needed (ask only where it is); the clock waits for it."""
    user = caller(request)
    req = request_for(user, request_id)
    services.identity_requested(actor=user, request=req, on=_on(payload.on), note=payload.note)
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/identity-verified",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record identity verified",
)
def identity_verified(
    request: HttpRequest, request_id: int, payload: rs.IdentityVerifiedIn
) -> dict[str, Any]:
    """How identity was verified and on what evidence; the clock runs from then if later."""
    user = caller(request)
    req = request_for(user, request_id)
    services.identity_verified(
        actor=user,
        request=req,
        on=_on(payload.on),
        method=payload.method,
        evidence_note=payload.evidence_note,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/clarification-asked",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Ask the requester to clarify (clock paused)",
)
def clarification_asked(request: HttpRequest, request_id: int, payload: rs.RequiredNoteIn) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    services.clarification_asked(actor=user, request=req, on=_on(payload.on), note=payload.note)
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/clarification-received",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record the clarification received (clock resumed)",
)
def clarification_received(request: HttpRequest, request_id: int, payload: rs.NoteIn) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    services.clarification_received(actor=user, request=req, on=_on(payload.on), note=payload.note)
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/fee", response=_responses(200, rs.RequestDetailOut, *ACTION), summary="Decide the fee"
)
def fee(request: HttpRequest, request_id: int, payload: rs.FeeIn) -> dict[str, Any]:
    """Normally none; manifestly unfounded or excessive: a fee, or refusal with reasons (closes it)."""
    user = caller(request)
    req = request_for(user, request_id)
    services.fee_decided(
        actor=user,
        request=req,
        decision=parse_choice(payload.decision, FeeDecision, "decision"),
        on=_on(payload.on),
        amount=payload.amount,
        reason=payload.reason,
        complaint_rights_told=payload.complaint_rights_told,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/fee-received",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record the fee received",
)
def fee_received(request: HttpRequest, request_id: int, payload: rs.OnIn) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    services.fee_received(actor=user, request=req, on=_on(payload.on))
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/extension",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Extend by two further months (trust DPO)",
)
def extension(request: HttpRequest, request_id: int, payload: rs.ExtensionIn) -> dict[str, Any]:
    """Complex or numerous requests; the requester must be told within the first month."""
    user = caller(request)
    req = request_for(user, request_id)
    decided = _on(payload.decided_on)
    services.extension_decided(
        actor=user,
        request=req,
        reason=payload.reason,
        decided_on=decided,
        requester_told_on=payload.requester_told_on or decided,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/competence",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record the pupil's competence",
)
def competence(request: HttpRequest, request_id: int, payload: rs.CompetenceIn) -> dict[str, Any]:
    """For a parent's request: whether the pupil is competent to exercise their own rights."""
    user = caller(request)
    req = request_for(user, request_id)
    services.competence_assessed(
        actor=user,
        request=req,
        on=_on(payload.on),
        outcome=parse_choice(payload.outcome, CompetenceOutcome, "outcome"),
        note=payload.note,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/pupil-view",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record the pupil's view on release to the parent",
)
def pupil_view(request: HttpRequest, request_id: int, payload: rs.PupilViewIn) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    services.pupil_view_recorded(
        actor=user,
        request=req,
        on=_on(payload.on),
        view=parse_choice(payload.view, PupilView, "view"),
        note=payload.note,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/dpo-decision",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Record the DPO's decision on release to the parent (trust DPO)",
)
def dpo_decision(request: HttpRequest, request_id: int, payload: rs.DpoDecisionIn) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    services.dpo_decision(
        actor=user,
        request=req,
        on=_on(payload.on),
        decision=parse_choice(payload.decision, DpoOutcome, "decision"),
        reasons=payload.reasons,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/transition",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Move the request to another status",
)
def transition(request: HttpRequest, request_id: int, payload: rs.TransitionIn) -> dict[str, Any]:
    """Along the state machine only; a refused move is a 409 with its code and changes nothing."""
    user = caller(request)
    req = request_for(user, request_id)
    services.transition(
        actor=user,
        request=req,
        to=parse_choice(payload.to, RequestStatus, "to"),
        on=_on(payload.on),
        note=payload.note,
    )
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/release",
    response=_responses(200, rs.RequestDetailOut, *ACTION),
    summary="Release the response",
)
def release(request: HttpRequest, request_id: int, payload: rs.ReleaseIn) -> Any:
    """What was sent, to whom, how. Refused (409) with every reason and code while anything blocks it."""
    user = caller(request)
    req = request_for(user, request_id)
    try:
        services.release(
            actor=user,
            request=req,
            on=_on(payload.on),
            method=payload.method,
            sent_to=payload.sent_to,
            bundle_sha256=payload.bundle_sha256,
        )
    except TransitionRefused as exc:
        blockers = services.release_blockers(request_for(user, request_id))
        return Status(409, {"detail": " ".join(exc.messages), "errors": refusal_errors(exc, blockers)})
    return detail_of(user, request_id)


@router.post(
    "/{request_id}/notes",
    response=_responses(201, rs.EventOut, *ACTION),
    summary="Add a note to the request's log",
)
def add_note(request: HttpRequest, request_id: int, payload: rs.RequiredNoteIn) -> Status[dict[str, Any]]:
    user = caller(request)
    req = request_for(user, request_id)
    event = services.note_added(actor=user, request=req, on=_on(payload.on), note=payload.note)
    return Status(201, rs.event_data(event))
