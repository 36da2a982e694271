"""Request and response shapes of the work on a rights request (`steward.api.rights_work`), and the functions
that fill them.

Manual search tasks, response bundles, the redaction review and applying outcomes (rectification,
erasure, restriction, objection, youth-support sharing, withdrawal of consent). As in `rights_schemas`,
each `*_data` function builds a plain dict in the shape of its `*Out` schema, and `steward rights_work
--format json` prints the same dicts, so the API and the CLI say the same thing. Dates are ISO; `on`
in an action defaults to today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from steward.rights.models import (
    Bundle,
    ErasureEntry,
    ManualTask,
    ManualTaskFile,
    ObjectionDecision,
    Rectification,
    RedactionMark,
    Restriction,
    YouthSupportChoice,
)
from steward.rights.outcomes import ConsentWithdrawal, ErasurePlan, PlanItem, RecipientToTell, YssState
from steward.rights.redaction import ReasonCode
from steward.rights.review import Proposal, ReviewItem
from steward.rights.tasks import Suggestion


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class OnIn(Schema):
    on: dt.date | None = Field(None, description="Effective date (default: today).")


# -- manual search tasks ------------------------------------------------------------------------


class TaskFileOut(Schema):
    id: int
    name: str = Field(..., description="The file's original name.")
    content_type: str
    sha256: str
    uploaded_by: str | None = None
    uploaded_at: dt.datetime


class TaskOut(Schema):
    """A search of a system Steward cannot reach, assigned to a member of staff."""

    id: int
    request_id: int
    system: str | None = Field(None, description="Key of the register system searched (null: another place).")
    system_name: str
    instructions: str
    assigned_to: str | None = Field(None, description="Username of the member of staff searching.")
    due_on: dt.date
    status: str = Field(..., description="open, done, nothing_found or cancelled.")
    status_label: str
    result_note: str = Field(..., description="What was found, or why the search was cancelled.")
    completed_on: dt.date | None = None
    completed_by: str | None = None
    created_at: dt.datetime
    files: list[TaskFileOut] = Field(default_factory=list, description="Files returned, with their SHA-256.")


class SuggestionOut(Schema):
    """A system of the school's register holding pupil data, to search by hand."""

    system: str = Field(
        ..., description="The register system's key (send it as `system` to create the task)."
    )
    name: str
    function: str
    categories: list[str]
    instructions: str
    has_task: bool = Field(..., description="Whether a task (not cancelled) already exists for it.")


class TaskCreateIn(Schema):
    system: str = Field("", description="Key of a system in the school's register (or give `system_name`).")
    system_name: str = Field("", description="The system or place to search (default: the system's name).")
    instructions: str = ""
    assigned_to: str = Field(..., description="Username of the member of staff to search.")
    due_on: dt.date | None = Field(None, description="Default: a week before the legal deadline.")


class TaskCompleteIn(OnIn):
    """Multipart form fields; the returned files go in `files` (one part per file)."""

    note: str = Field("", description="What was found.")
    nothing_found: bool = Field(False, description="Nothing is held in this system (send no files).")


class TaskCancelIn(OnIn):
    reason: str = Field(..., description="Why the search is not needed.")


def task_file_data(f: ManualTaskFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.original_name,
        "content_type": f.content_type,
        "sha256": f.sha256,
        "uploaded_by": _username(f.uploaded_by),
        "uploaded_at": f.uploaded_at,
    }


def task_data(task: ManualTask) -> dict[str, Any]:
    """A task (`TaskOut`) with its returned files."""
    return {
        "id": task.pk,
        "request_id": task.request_id,
        "system": task.system.key if task.system is not None else None,
        "system_name": task.system_name,
        "instructions": task.instructions,
        "assigned_to": _username(task.assigned_to),
        "due_on": task.due_on,
        "status": task.status,
        "status_label": task.get_status_display(),
        "result_note": task.result_note,
        "completed_on": task.completed_on,
        "completed_by": _username(task.completed_by),
        "created_at": task.created_at,
        "files": [task_file_data(f) for f in task.files.select_related("uploaded_by").order_by("pk")],
    }


def suggestion_data(s: Suggestion) -> dict[str, Any]:
    return {
        "system": s.system.key,
        "name": s.name,
        "function": s.function,
        "categories": list(s.categories),
        "instructions": s.instructions,
        "has_task": s.has_task,
    }


# -- bundles ------------------------------------------------------------------------------------


class BundleBuildIn(Schema):
    final: bool = Field(
        False,
        description="false: a draft for the reviewer (runs the automatic redaction pass, shows marks "
        "highlighted); true: the final bundle (accepted redactions applied), refused (409) while a search "
        "is open or a redaction undecided.",
    )


class BundleOut(Schema):
    id: int
    request_id: int
    state: str = Field(..., description="draft or final.")
    state_label: str
    built_at: dt.datetime
    built_by: str | None = None
    sha256: str = Field(..., description="SHA-256 of the ZIP (which holds the PDF): name it on release.")
    categories: list[dict[str, Any]] = Field(
        default_factory=list, description="Each data category with its record count (from the manifest)."
    )
    redactions_applied: dict[str, int] = Field(
        default_factory=dict, description="Final: redactions by reason."
    )
    pdf_url: str
    zip_url: str


def bundle_data(b: Bundle) -> dict[str, Any]:
    base = f"/api/requests/{b.request_id}/bundles/{b.pk}"
    manifest = b.manifest or {}
    return {
        "id": b.pk,
        "request_id": b.request_id,
        "state": b.state,
        "state_label": b.get_state_display(),
        "built_at": b.built_at,
        "built_by": _username(b.built_by),
        "sha256": b.sha256,
        "categories": [
            {"key": c.get("key"), "label": c.get("label"), "records": c.get("records", 0)}
            for c in manifest.get("categories", [])
        ],
        "redactions_applied": manifest.get("redactions_applied", {}),
        "pdf_url": f"{base}/pdf",
        "zip_url": f"{base}/zip",
    }


# -- the redaction review -------------------------------------------------------------------------


class MarkOut(Schema):
    id: int
    location: str = Field(..., description='"<app.Model>:<pk>:<field>" or "task-file:<pk>".')
    start: int
    end: int
    text: str = Field(..., description="The text the redaction covers.")
    kind: str
    reason: str
    reason_label: str
    person: str = Field(..., description='The known person matched ("pupil:<id>", "contact:<id>"), if any.')
    origin: str = Field(..., description="auto (the automatic pass) or dpo (added by the reviewer).")
    decision: str = Field(..., description="proposed, accepted or removed.")
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str


class ReviewItemOut(Schema):
    location: str
    label: str
    text: str = Field(..., description="The current text (redactions are offsets into it).")
    undecided: int
    marks: list[MarkOut]


class ReviewOut(Schema):
    undecided: int = Field(..., description="Marks still to accept or remove (the final bundle waits).")
    marks: int
    items: list[ReviewItemOut]


class ProposalOut(Schema):
    proposed: int = Field(..., description="New marks proposed by this run.")
    kept: int = Field(..., description="Marks kept from earlier runs (their decisions stand).")
    dropped: int = Field(..., description="Marks dropped because their text changed or is no longer found.")


class DecideIn(Schema):
    decision: str = Field(..., description="accepted (applied in the final bundle) or removed (disclosed).")
    note: str = ""


class MarkAddIn(Schema):
    """The reviewer's own redaction: by offsets (`start`, `end`), or by the exact `text` to cover."""

    location: str = Field(..., description="Where the text is (as in the review's `location`).")
    start: int | None = Field(None, description="First character covered (0-based).")
    end: int | None = Field(None, description="One past the last character covered.")
    text: str = Field("", description="Instead of offsets: the exact text to redact.")
    occurrence: int | None = Field(
        None,
        ge=1,
        description="Which occurrence of `text` (1 = the first); needed when it occurs more than once.",
    )
    reason: str = Field(..., description=", ".join(r.value for r in ReasonCode))
    note: str = ""


class ReviewDoneIn(OnIn):
    note: str = ""


def mark_data(m: RedactionMark) -> dict[str, Any]:
    reason = ReasonCode(m.reason).label if m.reason in ReasonCode.__members__.values() else m.reason
    return {
        "id": m.pk,
        "location": m.location,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "kind": m.kind,
        "reason": m.reason,
        "reason_label": reason,
        "person": m.person,
        "origin": m.origin,
        "decision": m.decision,
        "decided_by": _username(m.decided_by),
        "decided_at": m.decided_at,
        "note": m.note,
    }


def review_data(items: list[ReviewItem], *, marked_only: bool = False) -> dict[str, Any]:
    shown = [i for i in items if i.marks or not marked_only]
    return {
        "undecided": sum(i.undecided for i in items),
        "marks": sum(len(i.marks) for i in items),
        "items": [
            {
                "location": i.location,
                "label": i.label,
                "text": i.text,
                "undecided": i.undecided,
                "marks": [mark_data(m) for m in i.marks],
            }
            for i in shown
        ],
    }


def proposal_data(p: Proposal) -> dict[str, Any]:
    return {"proposed": p.proposed, "kept": p.kept, "dropped": p.dropped}


# -- rectification and Art 19 ---------------------------------------------------------------------


class RectifyChangeIn(Schema):
    model: str = Field(..., description="The record type, as app.Model.", examples=["people.Pupil"])
    id: str = Field(..., description="The record's id.")
    field: str = Field(..., description="The personal field to correct.", examples=["legal_surname"])
    value: Any = Field(
        None, description="The corrected value; leave it out to record only the supplementary statement."
    )


class RectifyIn(OnIn):
    changes: list[RectifyChangeIn] = Field(..., min_length=1, description="All applied, or none.")
    statement: str = Field("", description="A supplementary statement, recorded with each change.")


class RectificationOut(Schema):
    id: int
    model: str
    object_id: str
    field: str
    category: str
    before: str
    after: str
    statement: str
    on: dt.date
    actor: str | None = None


class RecipientOut(Schema):
    key: str
    name: str
    categories: list[str] = Field(..., description="The changed categories this recipient receives.")


def rectification_data(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.pk,
        "model": r.model,
        "object_id": r.object_id,
        "field": r.field,
        "category": r.category,
        "before": r.before,
        "after": r.after,
        "statement": r.statement,
        "on": r.on,
        "actor": _username(r.actor),
    }


def recipient_data(r: RecipientToTell) -> dict[str, Any]:
    return {"key": r.key, "name": r.name, "categories": list(r.categories)}


# -- erasure --------------------------------------------------------------------------------------


class PlanItemOut(Schema):
    model: str
    action: str = Field(..., description="deleted, anonymised or kept.")
    fields: list[str]
    categories: list[str]
    reason: str
    rows: int


class ErasurePlanOut(Schema):
    request_id: int
    on: dt.date = Field(..., description="The day retention periods are measured to.")
    pupil_deleted: bool
    deleted: int = Field(..., description="Records deleted.")
    anonymised: int = Field(..., description="Records emptied of erasable fields.")
    kept: int = Field(..., description="Records (or fields) kept, each with its reason.")
    items: list[PlanItemOut]


class ErasureEntryOut(Schema):
    id: int
    model: str
    fields: list[str]
    categories: list[str]
    rows: int
    action: str
    reason: str
    on: dt.date
    actor: str | None = None


def plan_item_data(i: PlanItem) -> dict[str, Any]:
    return {
        "model": i.label,
        "action": str(i.action),
        "fields": list(i.fields),
        "categories": list(i.categories),
        "reason": i.reason,
        "rows": i.rows,
    }


def erasure_plan_data(plan: ErasurePlan) -> dict[str, Any]:
    return {
        "request_id": plan.request.pk,
        "on": plan.on,
        "pupil_deleted": plan.pupil_deleted,
        "deleted": sum(i.rows for i in plan.deleted),
        "anonymised": sum(i.rows for i in plan.anonymised),
        "kept": sum(i.rows for i in plan.kept),
        "items": [plan_item_data(i) for i in plan.items],
    }


def erasure_entry_data(e: ErasureEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "model": e.model,
        "fields": list(e.fields),
        "categories": list(e.categories),
        "rows": e.rows,
        "action": e.action,
        "reason": e.reason,
        "on": e.on,
        "actor": _username(e.actor),
    }


# -- restriction ----------------------------------------------------------------------------------


class RestrictIn(OnIn):
    ground: str = Field(..., description="accuracy, unlawful, legal_claims or objection_pending.")
    categories: list[str] | None = Field(
        None, description="Data category keys; null or empty: every category."
    )
    note: str = ""


class LiftIn(OnIn):
    told_on: dt.date | None = Field(..., description="When the person was told, before lifting (Art 18(3)).")
    reason: str


class RestrictionOut(Schema):
    id: int
    pupil_id: int
    request_id: int | None = None
    categories: list[str] = Field(..., description="Restricted category keys (empty: every category).")
    all_categories: bool
    ground: str
    ground_label: str
    note: str
    started_on: dt.date
    lifted_on: dt.date | None = None
    lift_reason: str
    told_before_lift_on: dt.date | None = None
    active: bool
    created_by: str | None = None


def restriction_data(r: Restriction) -> dict[str, Any]:
    return {
        "id": r.pk,
        "pupil_id": r.pupil_id,
        "request_id": r.request_id,
        "categories": list(r.categories or []),
        "all_categories": not r.categories,
        "ground": r.ground,
        "ground_label": r.get_ground_display(),
        "note": r.note,
        "started_on": r.started_on,
        "lifted_on": r.lifted_on,
        "lift_reason": r.lift_reason,
        "told_before_lift_on": r.told_before_lift_on,
        "active": r.is_active,
        "created_by": _username(r.created_by),
    }


# -- objection ------------------------------------------------------------------------------------


class ObjectionIn(OnIn):
    purpose: str = Field("", description="Key of the purpose in the school's register (empty: not in it).")
    processing: str = Field(..., description="The processing objected to.")
    outcome: str = Field(..., description="upheld, compelling, legal_claims or no_right.")
    reasons: str


class ObjectionPendingIn(OnIn):
    categories: list[str] | None = Field(None, description="Category keys to restrict; null: every category.")
    note: str = ""


class ObjectionOut(Schema):
    id: int
    request_id: int
    purpose: str | None = Field(None, description="The purpose's key.")
    purpose_name: str | None = None
    processing: str
    outcome: str
    outcome_label: str
    reasons: str
    decided_on: dt.date
    decided_by: str | None = None


def objection_data(d: ObjectionDecision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "request_id": d.request_id,
        "purpose": d.purpose.key if d.purpose is not None else None,
        "purpose_name": d.purpose.name if d.purpose is not None else None,
        "processing": d.processing,
        "outcome": d.outcome,
        "outcome_label": d.get_outcome_display(),
        "reasons": d.reasons,
        "decided_on": d.decided_on,
        "decided_by": _username(d.decided_by),
    }


# -- youth-support sharing and consent ------------------------------------------------------------


class YouthSupportOut(Schema):
    """The pupil's youth-support sharing on a date, and who may change it then."""

    pupil_id: int
    on: dt.date
    state: str = Field(..., description="unsought, no_response, full or limited.")
    state_label: str
    limited: bool = Field(..., description="Only name, address and date of birth may be passed on.")
    decided_by: str = Field(..., description='parent, pupil or school ("" when nothing is recorded).')
    decided_on: dt.date | None = None
    contact_id: int | None = None
    age: int
    controller: str = Field(..., description="Who decides now: parent (under 16) or pupil (16 and over).")


class YouthSupportChoiceIn(OnIn):
    state: str = Field(..., description="unsought, no_response, full or limited.")
    decided_by: str = Field(..., description="parent, pupil or school.")
    contact: int | None = Field(None, description="Id of the parent who decided (decided_by parent).")
    note: str = ""


class YouthSupportChoiceOut(Schema):
    id: int
    pupil_id: int
    request_id: int | None = None
    state: str
    state_label: str
    decided_by: str
    contact_id: int | None = None
    on: dt.date
    note: str
    recorded_by: str | None = None
    at: dt.datetime


class ConsentWithdrawalIn(OnIn):
    purpose_name: str = Field(
        ..., description="The consent purpose's name or key (from /consent/ or the register)."
    )


class ConsentWithdrawalOut(Schema):
    found: bool = Field(..., description="Always true: an unknown consent purpose is refused (422).")
    purpose_name: str
    purpose_key: str = Field(..., description="The consent purpose's key.")
    state: str = Field("", description="The consent's state from the ledger after the withdrawal.")
    categories: list[str] = Field(..., description="Data categories relying on that consent.")
    recipients: list[str] = Field(..., description="Recipients (register keys) relying on it.")
    relies_on: list[str] = Field(
        default_factory=list, description="What to act on now (photographs, shares...)."
    )


def youth_support_data(pupil_id: int, on: dt.date, s: YssState) -> dict[str, Any]:
    return {
        "pupil_id": pupil_id,
        "on": on,
        "state": str(s.state),
        "state_label": s.state.label,
        "limited": s.limited,
        "decided_by": s.decided_by,
        "decided_on": s.decided_on,
        "contact_id": s.contact.pk if s.contact is not None else None,
        "age": s.age,
        "controller": str(s.controller),
    }


def youth_support_choice_data(c: YouthSupportChoice) -> dict[str, Any]:
    return {
        "id": c.pk,
        "pupil_id": c.pupil_id,
        "request_id": c.request_id,
        "state": c.state,
        "state_label": c.get_state_display(),
        "decided_by": c.decided_by,
        "contact_id": c.contact_id,
        "on": c.on,
        "note": c.note,
        "recorded_by": _username(c.recorded_by),
        "at": c.at,
    }


def consent_withdrawal_data(w: ConsentWithdrawal) -> dict[str, Any]:
    return {
        "found": w.found,
        "purpose_name": w.purpose_name,
        "purpose_key": w.purpose_key,
        "state": w.state,
        "categories": list(w.categories),
        "recipients": list(w.recipients),
        "relies_on": list(w.relies_on),
    }
