"""Request and response shapes of the rights-request API, and the functions that fill them.

`summary(request, on)` and `detail(request, on, events)` build plain dicts in the shape of
`RequestListItemOut` and `RequestDetailOut`; the CLI's `--format json` prints the same dicts, so the
API and the CLI say the same thing. Every date in a body is ISO (YYYY-MM-DD); `on` in an action
defaults to today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from steward.api.schemas import ErrorOut, PageOut
from steward.rights import services, workflow
from steward.rights.models import CompetenceAssessment, RequestEvent, RightsRequest
from steward.rights.reminders import due_status

# -- responses ----------------------------------------------------------------------------------


class DuplicateErrorOut(ErrorOut):
    """409 when an open request of the same kind exists for the pupil: its id, to add to it instead."""

    duplicate_of: int = Field(..., description="Id of the open request of the same kind for this pupil.")


class DeadlineOut(Schema):
    """The legal deadline (`steward deadline` arithmetic) as it stands today."""

    due: dt.date | None = Field(None, description="Null while a clarification pause is open, or on error.")
    days_left: int | None = Field(None, description="Calendar days to the due date; negative once overdue.")
    working_days_left: int | None = Field(
        None, description="Working days after today up to the due date (England and Wales bank holidays)."
    )
    overdue: bool
    paused: bool
    state: str = Field(..., description="running, overdue, paused, closed or unknown (see `error`).")
    start: dt.date | None = Field(None, description="The day the clock started.")
    extended: bool
    paused_days: int
    pause_method: str | None = None
    rule: str = Field("", description="How the due date was reached, in one sentence.")
    steps: list[str] = Field(default_factory=list)
    error: str = Field("", description="Why no due date can be worked out (e.g. no term dates).")


class RequestListItemOut(Schema):
    id: int
    school_urn: str
    school_name: str
    pupil_id: int
    pupil_name: str
    pupil_upn: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    requester_kind: str
    requester_name: str
    received_on: dt.date
    clock_started_on: dt.date
    assigned_to: str | None = Field(None, description="Username of the assignee.")
    due: dt.date | None = None
    days_left: int | None = None
    overdue: bool
    paused: bool


class RequestPageOut(PageOut):
    items: list[RequestListItemOut]


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    on: dt.date = Field(..., description="The date it took effect.")
    at: dt.datetime = Field(..., description="When it was recorded.")
    actor: str | None = Field(None, description="Username of who recorded it (null: a system process).")
    from_status: str
    to_status: str
    method: str
    note: str


class CompetenceOut(Schema):
    """For a parent's request: the competence assessment, the pupil's view and any DPO decision."""

    assessed_on: dt.date | None = None
    assessed_by: str | None = None
    pupil_age: int | None = None
    outcome: str
    assessment_note: str
    pupil_view: str
    pupil_view_note: str
    pupil_view_on: dt.date | None = None
    dpo_decision: str
    dpo_reasons: str
    dpo_decided_by: str | None = None
    dpo_decided_on: dt.date | None = None


class BlockerOut(Schema):
    code: str = Field(..., description="Stable refusal code (as in a 409's `codes`).")
    message: str


class RequestDetailOut(RequestListItemOut):
    requester_contact_id: int | None = None
    has_authority: bool = Field(..., description="Whether written authority is on file.")
    authority_description: str
    channel: str
    description: str
    identity_required: bool
    identity_verified_on: dt.date | None = None
    duplicate_of: int | None = None
    duplicate_reason: str
    extension_reason: str
    extension_decided_on: dt.date | None = None
    extension_told_on: dt.date | None = None
    fee_decision: str
    fee_amount: Decimal | None = None
    fee_reason: str
    fee_decided_on: dt.date | None = None
    fee_received_on: dt.date | None = None
    complaint_rights_told: bool
    outcome_reason: str
    released_on: dt.date | None = None
    released_to: str
    release_method: str
    bundle_sha256: str
    created_by: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    deadline: DeadlineOut
    competence: CompetenceOut | None = None
    release_blockers: list[BlockerOut] = Field(
        default_factory=list, description="What stops release now (empty: it may be released)."
    )
    allowed_transitions: list[str] = Field(
        default_factory=list, description="Statuses the request may move to next (guards aside)."
    )
    events: list[EventOut] = Field(default_factory=list, description="The request's log, oldest first.")


# -- request bodies -----------------------------------------------------------------------------


class RequestCreateIn(Schema):
    """A request received by letter, email, in person or through the portal (multipart form fields)."""

    school: str = Field(..., description="URN of the school.", examples=["100001"])
    pupil: int | None = Field(None, description="Id of the pupil the request is about (or give `upn`).")
    upn: str = Field("", description="UPN of the pupil, instead of `pupil`.")
    kind: str = Field(..., description="access, educational_record, rectification, erasure, ...")
    requester_kind: str = Field(..., description="pupil, parent or third_party.")
    requester_contact: int | None = Field(None, description="Id of the contact who made the request.")
    requester_name: str = Field("", description="The third party's name (defaults for pupil and contact).")
    authority_description: str = ""
    received_on: dt.date
    channel: str = Field(..., description="letter, email, in_person or portal.")
    description: str = Field(..., description="What is asked.")
    identity_required: bool = Field(False, description="Ask for identity evidence (the clock waits).")
    assigned_to: str = Field("", description="Username of the member of staff to assign it to.")
    allow_duplicate: bool = Field(False, description="Log it although an open request of its kind exists.")
    duplicate_reason: str = Field("", description="Why a second open request is logged.")


class OnIn(Schema):
    on: dt.date | None = Field(None, description="Effective date (default: today).")


class NoteIn(OnIn):
    note: str = ""


class RequiredNoteIn(OnIn):
    note: str


class AssignIn(OnIn):
    assigned_to: str | None = Field(..., description="Username to assign to; null to unassign.")


class IdentityVerifiedIn(OnIn):
    method: str = Field(..., description="How identity was verified.", examples=["passport seen in person"])
    evidence_note: str = ""


class FeeIn(OnIn):
    decision: str = Field(..., description="none, fee or refused.")
    amount: Decimal | None = None
    reason: str = ""
    complaint_rights_told: bool = False


class ExtensionIn(Schema):
    reason: str
    decided_on: dt.date | None = Field(None, description="Default: today.")
    requester_told_on: dt.date | None = Field(None, description="Default: the day decided.")


class CompetenceIn(OnIn):
    outcome: str = Field(..., description="competent or not_competent.")
    note: str = ""


class PupilViewIn(OnIn):
    view: str = Field(..., description="consents, objects or not_asked (say why in `note`).")
    note: str = ""


class DpoDecisionIn(OnIn):
    decision: str = Field(..., description="release or withhold.")
    reasons: str


class TransitionIn(OnIn):
    to: str = Field(..., description="The status to move to.", examples=["in_progress"])
    note: str = Field("", description="Reason (refusal, withdrawal) or review note (ready).")


class ReleaseIn(OnIn):
    method: str = Field(..., examples=["secure email"])
    sent_to: str = Field("", description="Default: the requester's name.")
    bundle_sha256: str = ""


# -- filling them -------------------------------------------------------------------------------


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def summary(request: RightsRequest, on: dt.date) -> dict[str, Any]:
    """A list item (`RequestListItemOut`) for a request as it stands on `on`."""
    status = due_status(request, on)
    return {
        "id": request.pk,
        "school_urn": request.school.urn,
        "school_name": request.school.name,
        "pupil_id": request.pupil_id,
        "pupil_name": request.pupil.display_name,
        "pupil_upn": request.pupil.upn,
        "kind": request.kind,
        "kind_label": request.get_kind_display(),
        "status": request.status,
        "status_label": request.get_status_display(),
        "requester_kind": request.requester_kind,
        "requester_name": request.requester_name,
        "received_on": request.received_on,
        "clock_started_on": request.clock_started_on,
        "assigned_to": _username(request.assigned_to),
        "due": status.due,
        "days_left": status.days_left,
        "overdue": status.overdue,
        "paused": status.paused,
    }


def event_data(ev: RequestEvent) -> dict[str, Any]:
    return {
        "id": ev.pk,
        "kind": ev.kind,
        "kind_label": ev.get_kind_display(),
        "on": ev.on,
        "at": ev.at,
        "actor": _username(ev.actor),
        "from_status": ev.from_status,
        "to_status": ev.to_status,
        "method": ev.method,
        "note": ev.note,
    }


def _competence(request: RightsRequest) -> dict[str, Any] | None:
    c = (
        CompetenceAssessment.objects.filter(request=request)
        .select_related("assessed_by", "dpo_decided_by")
        .first()
    )
    if c is None:
        return None
    return {
        "assessed_on": c.assessed_on,
        "assessed_by": _username(c.assessed_by),
        "pupil_age": c.pupil_age,
        "outcome": c.outcome,
        "assessment_note": c.assessment_note,
        "pupil_view": c.pupil_view,
        "pupil_view_note": c.pupil_view_note,
        "pupil_view_on": c.pupil_view_on,
        "dpo_decision": c.dpo_decision,
        "dpo_reasons": c.dpo_reasons,
        "dpo_decided_by": _username(c.dpo_decided_by),
        "dpo_decided_on": c.dpo_decided_on,
    }


def detail(request: RightsRequest, on: dt.date, events: Iterable[RequestEvent]) -> dict[str, Any]:
    """Everything about one request (`RequestDetailOut`): its log, competence, what blocks release,
    and the due date with the arithmetic behind it, as on `on`."""
    blockers = services.release_blockers(request) if request.is_open else []
    return {
        **summary(request, on),
        "requester_contact_id": request.requester_contact_id,
        "has_authority": bool(request.authority),
        "authority_description": request.authority_description,
        "channel": request.channel,
        "description": request.description,
        "identity_required": request.identity_required,
        "identity_verified_on": request.identity_verified_on,
        "duplicate_of": request.duplicate_of_id,
        "duplicate_reason": request.duplicate_reason,
        "extension_reason": request.extension_reason,
        "extension_decided_on": request.extension_decided_on,
        "extension_told_on": request.extension_told_on,
        "fee_decision": request.fee_decision,
        "fee_amount": request.fee_amount,
        "fee_reason": request.fee_reason,
        "fee_decided_on": request.fee_decided_on,
        "fee_received_on": request.fee_received_on,
        "complaint_rights_told": request.complaint_rights_told,
        "outcome_reason": request.outcome_reason,
        "released_on": request.released_on,
        "released_to": request.released_to,
        "release_method": request.release_method,
        "bundle_sha256": request.bundle_sha256,
        "created_by": _username(request.created_by),
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "deadline": due_status(request, on).as_dict(),
        "competence": _competence(request),
        "release_blockers": [{"code": code.value, "message": msg} for code, msg in blockers],
        "allowed_transitions": [s.value for s in workflow.allowed_targets(request.status)],
        "events": [event_data(ev) for ev in events],
    }
