"""The work on a rights request through the REST API: manual search tasks, response bundles, the redaction
review, and applying outcomes (rectification, erasure, restriction, objection, youth-support sharing,
withdrawal of consent).

Mounted at the API's root (`api.add_router("", ...)` in `api.py`) so that it can hold paths under
`/api/requests/{request_id}/...` beside `steward.api.rights` and the one pupil-level read,
`/api/pupils/{pupil_id}/restrictions`. Thin shells over `rights.tasks`, `rights.bundle`, `rights.review`
and `rights.outcomes`, run as the caller with channel "api". Errors as in `steward.api.rights`:

* 404 a request outside the caller's schools (or a task, bundle, mark or restriction not of this request);
* 403 at one of their schools without the permission the service asks for (teachers; non-reviewers for
  bundles and redactions; anyone but the trust DPO for erasure, lifting a restriction and objections);
* 409 a refused step (`TransitionRefused`: a closed request, a final bundle while searches are open or
  redactions undecided), nothing changed, its code in `errors[].codes`;
* 422 invalid input, each field named.

The `find_*`, `add_mark`, `rectify_changes`, `bundle_download` and `audit_*` helpers are shared with
`steward rights_work` (the CLI), so both refuse the same input with the same words.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures at import.

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from steward.accounts.scope import scope_for
from steward.api import rights_schemas as rs
from steward.api import rights_work_schemas as ws
from steward.api.auth import caller
from steward.api.rights import (
    ACTION,
    _responses,
    audit_view,
    contact_in,
    find_user,
    parse_choice,
    refusals_to_409,
    request_for,
    today,
)
from steward.audit.services import Subject, record
from steward.people.models import Pupil
from steward.register.models import Purpose, System
from steward.register.resolve import effective, load_snapshot
from steward.registry.registry import entry_for
from steward.registry.taxonomy import taxonomy
from steward.rights import outcomes, review, tasks
from steward.rights.bundle import build, collect
from steward.rights.bundle.build import require_readable
from steward.rights.models import (
    Bundle,
    DecidedBy,
    ManualTask,
    MarkDecision,
    ObjectionOutcome,
    RedactionMark,
    Restriction,
    RestrictionGround,
    RightsRequest,
    YouthSupportChoice,
    YouthSupportState,
)
from steward.rights.outcomes._common import require_for_pupil

router = Router(tags=["requests"])
router.add_decorator(refusals_to_409)  # a refused step is a 409 with its code, as in steward.api.rights

R = "/requests/{request_id}"
READ = (403, 404, 422)
# Query parameters of type date (module-level: a call in a default is evaluated once anyway).
PLAN_ON = Query(None, description="Measure retention periods to this day (default today).")
RESTRICTIONS_ON = Query(None, description="In force on this day (default today).")
STATE_ON = Query(None, description="The state on this day (default today).")

# -- shared with the CLI ------------------------------------------------------------------------


def _on(value: dt.date | None) -> dt.date:
    return value or today()


def find_task(request: RightsRequest, task_id: Any) -> ManualTask:
    """The request's task with this id, else 404."""
    task = (
        ManualTask.objects.filter(pk=task_id, request=request)
        .select_related("request", "system", "assigned_to", "completed_by")
        .first()
    )
    if task is None:
        raise Http404("No such task for this request")
    return task


def find_bundle(request: RightsRequest, bundle_id: Any) -> Bundle:
    bundle = Bundle.objects.filter(pk=bundle_id, request=request).select_related("built_by").first()
    if bundle is None:
        raise Http404("No such bundle for this request")
    return bundle


def find_mark(request: RightsRequest, mark_id: Any) -> RedactionMark:
    mark = RedactionMark.objects.filter(pk=mark_id, request=request).first()
    if mark is None:
        raise Http404("No such redaction for this request")
    return mark


def find_restriction(request: RightsRequest, restriction_id: Any) -> Restriction:
    """A restriction on the request's pupil (made by this request or not), else 404."""
    r = Restriction.objects.filter(pk=restriction_id, pupil_id=request.pupil_id).first()
    if r is None:
        raise Http404("No such restriction on this pupil")
    return r


def find_system(request: RightsRequest, key: str) -> System | None:
    """The system with this key in the school's effective register (None for no key), else 422."""
    key = (key or "").strip()
    if not key:
        return None
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    system = next((s for s in eff.systems if s.key == key), None)
    if system is None:
        raise ValidationError(
            {"system": ValidationError(f"No system {key!r} in this school's register.", code="unknown")}
        )
    return system


def find_purpose(request: RightsRequest, key: str) -> Purpose | None:
    """The purpose with this key in the school's effective register (None for no key), else 422."""
    key = (key or "").strip()
    if not key:
        return None
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    purpose = next((p for p in eff.purposes if p.key == key), None)
    if purpose is None:
        raise ValidationError(
            {"purpose": ValidationError(f"No purpose {key!r} in this school's register.", code="unknown")}
        )
    return purpose


def find_record(label: str, pk: Any) -> models.Model:
    """The record `label` ("app.Model") #`pk`, else a ValidationError naming `model` or `id`."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationError(
            {"model": ValidationError(f"No record type {label!r} (use app.Model).", code="unknown")}
        ) from None
    try:
        obj = model._default_manager.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        obj = None
    if obj is None:
        raise ValidationError({"id": ValidationError(f"No {label} with id {pk}.", code="unknown")})
    return obj  # type: ignore[no-any-return]


def rectify_changes(
    *,
    actor: Any,
    request: RightsRequest,
    changes: list[tuple[str, Any, str, Any]],
    statement: str,
    on: dt.date,
) -> list[Any]:
    """Apply `(model label, id, field, value or outcomes.UNCHANGED)` changes: all of them or none."""
    targets = [(find_record(label, pk), field, value) for label, pk, field, value in changes]
    return outcomes.rectify_many(actor=actor, request=request, changes=targets, on=on, statement=statement)


def add_mark(
    *,
    actor: Any,
    request: RightsRequest,
    location: str,
    reason: str,
    note: str = "",
    start: int | None = None,
    end: int | None = None,
    text: str = "",
    occurrence: int | None = None,
) -> RedactionMark:
    """The reviewer's own redaction, by offsets or by the exact text (its `occurrence`-th appearance)."""
    if text:
        if start is not None or end is not None:
            raise ValidationError({"text": "Give the text to redact or its start and end, not both."})
        review.require_reviewer(actor, request)
        source = {t.location: t.text for t in review.texts_for(request)}.get(location)
        if source is None:
            raise ValidationError(
                {"location": f"No text to review at {location!r} in this request's bundle."}
            )
        found: list[int] = []
        at = source.find(text)
        while at >= 0:
            found.append(at)
            at = source.find(text, at + 1)
        if not found:
            raise ValidationError({"text": f"{text!r} does not occur in the text at {location}."})
        if occurrence is None and len(found) > 1:
            raise ValidationError(
                {
                    "occurrence": f"{text!r} occurs {len(found)} times at {location}: say which (1 to "
                    f"{len(found)}), or give its start and end."
                }
            )
        n = occurrence or 1
        if not 1 <= n <= len(found):
            raise ValidationError({"occurrence": f"{text!r} occurs only {len(found)} time(s) at {location}."})
        start, end = found[n - 1], found[n - 1] + len(text)
    elif start is None or end is None:
        raise ValidationError({"start": "Give the start and end of the span, or the exact text to redact."})
    return review.add(
        actor=actor, request=request, location=location, start=start, end=end, reason=reason, note=note
    )


def review_for(actor: Any, request: RightsRequest, via: dict[str, Any]) -> list[review.ReviewItem]:
    """The texts under review and their marks, for a reviewer who may read every category holding data;
    logged as a view of those categories."""
    review.require_reviewer(actor, request)
    collection = collect(request.pupil, request=request)
    require_readable(actor, request, collection)
    items = review.review_items(request)
    held = collection.held()
    record(
        "view",
        model=RedactionMark._meta.label,
        subject=Subject(school_id=request.school_id, pupil_id=request.pupil_id),
        categories=sorted({s.key for s in held} | {"pupil.rights"}),
        special=any(s.category.special for s in held),
        detail={**via, "request": request.pk, "texts": len(items)},
    )
    return items


def bundle_download(actor: Any, request: RightsRequest, bundle: Bundle, fmt: str, via: dict[str, Any]) -> Any:
    """The bundle's PDF or ZIP as an open file, for a reviewer who may read every category it holds;
    audited as an export."""
    review.require_reviewer(actor, request)
    held = [c["key"] for c in (bundle.manifest or {}).get("categories", []) if c.get("records")]
    scope = scope_for(actor)
    tax = taxonomy()
    hidden = sorted({tax.get(k).label for k in held if k in tax and not scope.may_read(k, request.school_id)})
    if hidden:
        raise PermissionDenied(
            f"The bundle holds {', '.join(hidden)}, which your roles may not read: the trust DPO downloads it."
        )
    record(
        "export",
        model=Bundle._meta.label,
        object_id=bundle.pk,
        subject=Subject(school_id=request.school_id, pupil_id=request.pupil_id),
        categories=sorted(held),
        special=any(k in tax and tax.get(k).special for k in held),
        detail={**via, "request": request.pk, "state": bundle.state, "sha256": bundle.sha256, "format": fmt},
    )
    field = bundle.pdf if fmt == "pdf" else bundle.archive
    return field.open("rb")


def bundle_filename(bundle: Bundle, fmt: str) -> str:
    return f"request-{bundle.request_id}-{bundle.state}-bundle-{bundle.pk}.{fmt}"


def audit_read(model: type[models.Model], request: RightsRequest, via: dict[str, Any]) -> None:
    """Log that the current actor read `model` rows of a request's pupil (categories, never values)."""
    entry = entry_for(model)
    record(
        "view",
        model=entry.label,
        subject=Subject(school_id=request.school_id, pupil_id=request.pupil_id),
        categories=sorted(c.key for c in entry.categories),
        detail={**via, "request": request.pk},
    )


def pupil_restrictions(actor: Any, pupil_id: Any, on: dt.date, include_lifted: bool) -> list[Restriction]:
    """The pupil's restrictions in force on `on` (or every one), for staff who handle requests at one of
    the pupil's schools; audited as a view. 404 outside scope, 403 without the permission."""
    pupil = Pupil.objects.filter(pk=pupil_id).first()
    if pupil is None:
        raise Http404("No such pupil")
    try:
        school_id = require_for_pupil(actor, pupil)
    except PermissionDenied:
        raise PermissionDenied("You may not see the restrictions on this pupil's data.") from None
    if include_lifted:
        rows = list(Restriction.objects.filter(pupil=pupil).order_by("started_on", "pk"))
    else:
        rows = list(outcomes.active_restrictions(pupil, on))
    entry = entry_for(Restriction)
    record(
        "view",
        model=entry.label,
        subject=Subject(school_id=school_id, pupil_id=pupil.pk),
        categories=sorted(c.key for c in entry.categories),
        detail={"restrictions": len(rows), "on": on.isoformat()},
    )
    return rows


# -- manual search tasks ------------------------------------------------------------------------


@router.get(f"{R}/tasks", response=_responses(200, list[ws.TaskOut], *READ), summary="List manual searches")
def list_tasks(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """The request's searches of systems Steward cannot reach, with the files returned."""
    req = request_for(caller(request), request_id)
    rows = [ws.task_data(t) for t in req.tasks.select_related("system", "assigned_to", "completed_by")]
    audit_read(ManualTask, req, {"api": "task list"})
    return rows


@router.get(
    f"{R}/tasks/suggested",
    response=_responses(200, list[ws.SuggestionOut], *READ),
    summary="Suggest manual searches",
)
def suggested_tasks(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """The systems of the school's register holding pupil data, and whether each already has a task."""
    req = request_for(caller(request), request_id)
    rows = [ws.suggestion_data(s) for s in tasks.suggest_tasks(req)]
    audit_view(req, {"api": "task suggestions"})  # the instructions name the pupil
    return rows


@router.post(f"{R}/tasks", response=_responses(201, ws.TaskOut, *ACTION), summary="Create a manual search")
def create_task(request: HttpRequest, request_id: int, payload: ws.TaskCreateIn) -> Status[dict[str, Any]]:
    """Ask a member of staff to search a system by hand (access and portability requests)."""
    user = caller(request)
    req = request_for(user, request_id)
    task = tasks.create_task(
        actor=user,
        request=req,
        system=find_system(req, payload.system),
        system_name=payload.system_name,
        instructions=payload.instructions,
        assigned_to=find_user(payload.assigned_to, "assigned_to"),
        due_on=payload.due_on,
    )
    return Status(201, ws.task_data(find_task(req, task.pk)))


@router.post(
    f"{R}/tasks/{{task_id}}/complete",
    response=_responses(200, ws.TaskOut, *ACTION),
    summary="Complete a manual search",
)
def complete_task(
    request: HttpRequest,
    request_id: int,
    task_id: int,
    payload: Form[ws.TaskCompleteIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    """Record what the search found (multipart: the files, each stored with its SHA-256), or that
    nothing is held (`nothing_found`, no files)."""
    user = caller(request)
    req = request_for(user, request_id)
    task = find_task(req, task_id)
    tasks.complete_task(
        actor=user,
        task=task,
        files=list(files or []),
        note=payload.note,
        nothing_found=payload.nothing_found,
        on=_on(payload.on),
    )
    return ws.task_data(find_task(req, task_id))


@router.post(
    f"{R}/tasks/{{task_id}}/cancel",
    response=_responses(200, ws.TaskOut, *ACTION),
    summary="Cancel a manual search",
)
def cancel_task(
    request: HttpRequest, request_id: int, task_id: int, payload: ws.TaskCancelIn
) -> dict[str, Any]:
    """Withdraw a search that is not needed, with the reason."""
    user = caller(request)
    req = request_for(user, request_id)
    tasks.cancel_task(actor=user, task=find_task(req, task_id), reason=payload.reason, on=_on(payload.on))
    return ws.task_data(find_task(req, task_id))


# -- bundles ------------------------------------------------------------------------------------


@router.post(
    f"{R}/bundles", response=_responses(201, ws.BundleOut, *ACTION), summary="Build the response bundle"
)
def build_bundle(request: HttpRequest, request_id: int, payload: ws.BundleBuildIn) -> Status[dict[str, Any]]:
    """Build a draft (for the reviewer) or the final bundle: a PDF and a ZIP of JSON and CSV.
    The trust DPO or the school's data protection lead; audited as an export."""
    user = caller(request)
    req = request_for(user, request_id)
    bundle = build(actor=user, request=req, final=payload.final)
    return Status(201, ws.bundle_data(find_bundle(req, bundle.pk)))


@router.get(f"{R}/bundles", response=_responses(200, list[ws.BundleOut], *READ), summary="List bundles")
def list_bundles(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """Every bundle built for the request, newest first, with its hash and record counts."""
    req = request_for(caller(request), request_id)
    rows = [ws.bundle_data(b) for b in req.bundles.select_related("built_by").order_by("-built_at", "-pk")]
    audit_read(Bundle, req, {"api": "bundle list"})
    return rows


def _file_op(fmt: str, media: str) -> dict[str, Any]:
    return {
        "response": _responses(200, None, *READ),
        "openapi_extra": {
            "responses": {
                "200": {
                    "description": f"The bundle's {fmt.upper()} file.",
                    "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                }
            }
        },
    }


@router.get(
    f"{R}/bundles/{{bundle_id}}/pdf", summary="Download a bundle's PDF", **_file_op("pdf", "application/pdf")
)
def bundle_pdf(request: HttpRequest, request_id: int, bundle_id: int) -> Any:
    """The readable copy (reviewers who may read every category it holds); audited as an export."""
    return _download(request, request_id, bundle_id, "pdf", "application/pdf")


@router.get(
    f"{R}/bundles/{{bundle_id}}/zip", summary="Download a bundle's ZIP", **_file_op("zip", "application/zip")
)
def bundle_zip(request: HttpRequest, request_id: int, bundle_id: int) -> Any:
    """The machine-readable copy (JSON and CSV per category, with the PDF); audited as an export."""
    return _download(request, request_id, bundle_id, "zip", "application/zip")


def _download(request: HttpRequest, request_id: int, bundle_id: int, fmt: str, media: str) -> FileResponse:
    user = caller(request)
    req = request_for(user, request_id)
    bundle = find_bundle(req, bundle_id)
    fh = bundle_download(user, req, bundle, fmt, {"api": f"bundle {fmt}"})
    response = FileResponse(fh, as_attachment=True, filename=bundle_filename(bundle, fmt), content_type=media)
    response["X-Bundle-SHA256"] = bundle.sha256
    return response


# -- the redaction review -------------------------------------------------------------------------


@router.get(
    f"{R}/redactions", response=_responses(200, ws.ReviewOut, *ACTION), summary="The redaction review"
)
def list_redactions(
    request: HttpRequest,
    request_id: int,
    marked_only: bool = Query(False, description="Only the texts with redactions."),
) -> dict[str, Any]:
    """Every text of the bundle with its redactions (reviewers who may read every category holding data);
    audited as a view of those categories."""
    user = caller(request)
    req = request_for(user, request_id)
    return ws.review_data(review_for(user, req, {"api": "redaction review"}), marked_only=marked_only)


@router.post(
    f"{R}/redactions/propose",
    response=_responses(200, ws.ProposalOut, *ACTION),
    summary="Run the automatic redaction pass",
)
def propose_redactions(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Store what the third-party pass finds as proposed redactions; earlier decisions are kept."""
    user = caller(request)
    req = request_for(user, request_id)
    return ws.proposal_data(review.propose(actor=user, request=req))


@router.post(
    f"{R}/redactions/done",
    response=_responses(201, rs.EventOut, *ACTION),
    summary="Record the redaction review done",
)
def redactions_done(
    request: HttpRequest, request_id: int, payload: ws.ReviewDoneIn
) -> Status[dict[str, Any]]:
    """Refused (422 on `decision`) while any redaction is undecided."""
    user = caller(request)
    req = request_for(user, request_id)
    event = review.review_done(actor=user, request=req, on=_on(payload.on), note=payload.note)
    return Status(201, rs.event_data(event))


@router.post(
    f"{R}/redactions/{{mark_id}}/decide",
    response=_responses(200, ws.MarkOut, *ACTION),
    summary="Accept or remove a redaction",
)
def decide_redaction(
    request: HttpRequest, request_id: int, mark_id: int, payload: ws.DecideIn
) -> dict[str, Any]:
    user = caller(request)
    req = request_for(user, request_id)
    mark = find_mark(req, mark_id)
    decision = parse_choice(payload.decision, MarkDecision, "decision")
    return ws.mark_data(review.decide(actor=user, mark=mark, decision=decision, note=payload.note))


@router.post(f"{R}/redactions", response=_responses(201, ws.MarkOut, *ACTION), summary="Add a redaction")
def add_redaction(request: HttpRequest, request_id: int, payload: ws.MarkAddIn) -> Status[dict[str, Any]]:
    """The reviewer's own redaction (accepted as made), by `start` and `end`, or by the exact `text`."""
    user = caller(request)
    req = request_for(user, request_id)
    mark = add_mark(
        actor=user,
        request=req,
        location=payload.location,
        reason=payload.reason,
        note=payload.note,
        start=payload.start,
        end=payload.end,
        text=payload.text,
        occurrence=payload.occurrence,
    )
    return Status(201, ws.mark_data(mark))


# -- rectification --------------------------------------------------------------------------------


@router.post(
    f"{R}/rectifications",
    response=_responses(201, list[ws.RectificationOut], *ACTION),
    summary="Rectify records",
)
def rectify(request: HttpRequest, request_id: int, payload: ws.RectifyIn) -> Status[list[dict[str, Any]]]:
    """Correct fields of the pupil's records (all or none), or record a supplementary statement (a change
    with no `value`). The value before is kept beside the value after."""
    user = caller(request)
    req = request_for(user, request_id)
    changes = [
        (c.model, c.id, c.field, c.value if "value" in c.model_fields_set else outcomes.UNCHANGED)
        for c in payload.changes
    ]
    done = rectify_changes(
        actor=user, request=req, changes=changes, statement=payload.statement, on=_on(payload.on)
    )
    return Status(201, [ws.rectification_data(r) for r in done])


@router.get(
    f"{R}/recipients-to-tell",
    response=_responses(200, list[ws.RecipientOut], *READ),
    summary="Recipients to tell (Art 19)",
)
def recipients_to_tell(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """Recipients in the school's register that receive a category this request rectified, erased or
    restricted."""
    req = request_for(caller(request), request_id)
    return [ws.recipient_data(r) for r in outcomes.recipients_to_tell(req)]


# -- erasure --------------------------------------------------------------------------------------


@router.get(
    f"{R}/erasure-plan", response=_responses(200, ws.ErasurePlanOut, *READ), summary="The erasure plan"
)
def erasure_plan(
    request: HttpRequest,
    request_id: int,
    on: dt.date | None = PLAN_ON,
) -> dict[str, Any]:
    """What erasure would delete, anonymise and keep, record type by record type, each with its reason."""
    req = request_for(caller(request), request_id)
    plan = outcomes.erasure_plan(req, _on(on))
    audit_view(req, {"api": "erasure plan"})
    return ws.erasure_plan_data(plan)


@router.post(
    f"{R}/erasure",
    response=_responses(201, list[ws.ErasureEntryOut], *ACTION),
    summary="Apply erasure (trust DPO)",
)
def erase(request: HttpRequest, request_id: int, payload: ws.OnIn) -> Status[list[dict[str, Any]]]:
    """Apply the erasure plan to an erasure request in progress: all of it or none; what was deleted,
    anonymised and kept is recorded with the reasons (never a value)."""
    user = caller(request)
    req = request_for(user, request_id)
    entries = outcomes.erase(actor=user, request=req, on=_on(payload.on))
    return Status(201, [ws.erasure_entry_data(e) for e in entries])


# -- restriction ----------------------------------------------------------------------------------


@router.post(
    f"{R}/restrictions", response=_responses(201, ws.RestrictionOut, *ACTION), summary="Restrict processing"
)
def restrict(request: HttpRequest, request_id: int, payload: ws.RestrictIn) -> Status[dict[str, Any]]:
    """Restrict the pupil's data in `categories` (none: every category) for a restriction, rectification
    or objection request."""
    user = caller(request)
    req = request_for(user, request_id)
    r = outcomes.restrict(
        actor=user,
        pupil=req.pupil,
        ground=parse_choice(payload.ground, RestrictionGround, "ground"),
        categories=payload.categories,
        on=_on(payload.on),
        request=req,
        note=payload.note,
    )
    return Status(201, ws.restriction_data(r))


@router.post(
    f"{R}/restrictions/{{restriction_id}}/lift",
    response=_responses(200, ws.RestrictionOut, *ACTION),
    summary="Lift a restriction (trust DPO)",
)
def lift(request: HttpRequest, request_id: int, restriction_id: int, payload: ws.LiftIn) -> dict[str, Any]:
    """Only once the person was told (`told_on` on or before `on`), with a reason."""
    user = caller(request)
    req = request_for(user, request_id)
    r = outcomes.lift_restriction(
        actor=user,
        restriction=find_restriction(req, restriction_id),
        on=_on(payload.on),
        told_on=payload.told_on,
        reason=payload.reason,
    )
    return ws.restriction_data(r)


@router.get(
    "/pupils/{pupil_id}/restrictions",
    response=_responses(200, list[ws.RestrictionOut], *READ),
    tags=["pupils"],
    summary="A pupil's restrictions",
)
def list_pupil_restrictions(
    request: HttpRequest,
    pupil_id: int,
    on: dt.date | None = RESTRICTIONS_ON,
    include_lifted: bool = Query(False, description="Every restriction, lifted or not."),
) -> list[dict[str, Any]]:
    """Restrictions of processing on the pupil's data (staff who handle rights requests at the pupil's
    school): data in these categories may be stored but not shared or used."""
    rows = pupil_restrictions(caller(request), pupil_id, _on(on), include_lifted)
    return [ws.restriction_data(r) for r in rows]


# -- objection ------------------------------------------------------------------------------------


@router.post(
    f"{R}/objection",
    response=_responses(201, ws.ObjectionOut, *ACTION),
    summary="Decide an objection (trust DPO)",
)
def objection(request: HttpRequest, request_id: int, payload: ws.ObjectionIn) -> Status[dict[str, Any]]:
    """Refused (422 on `outcome`) when the outcome contradicts the purpose's lawful basis. Any restriction
    pending the decision is lifted."""
    user = caller(request)
    req = request_for(user, request_id)
    decision = outcomes.objection_decided(
        actor=user,
        request=req,
        purpose=find_purpose(req, payload.purpose),
        processing=payload.processing,
        outcome=parse_choice(payload.outcome, ObjectionOutcome, "outcome"),
        reasons=payload.reasons,
        on=_on(payload.on),
    )
    return Status(201, ws.objection_data(decision))


@router.post(
    f"{R}/objection/pending",
    response=_responses(201, ws.RestrictionOut, *ACTION),
    summary="Restrict while an objection is decided",
)
def objection_pending(
    request: HttpRequest, request_id: int, payload: ws.ObjectionPendingIn
) -> Status[dict[str, Any]]:
    user = caller(request)
    req = request_for(user, request_id)
    r = outcomes.objection_pending(
        actor=user, request=req, on=_on(payload.on), categories=payload.categories, note=payload.note
    )
    return Status(201, ws.restriction_data(r))


# -- youth-support sharing and consent ------------------------------------------------------------


@router.get(
    f"{R}/youth-support", response=_responses(200, ws.YouthSupportOut, *READ), summary="Youth-support sharing"
)
def youth_support(
    request: HttpRequest,
    request_id: int,
    on: dt.date | None = STATE_ON,
) -> dict[str, Any]:
    """The pupil's youth-support sharing state and who decides on the day (a parent until 16)."""
    req = request_for(caller(request), request_id)
    day = _on(on)
    data = ws.youth_support_data(req.pupil_id, day, outcomes.youth_support_state(req.pupil, day))
    audit_read(YouthSupportChoice, req, {"api": "youth-support state"})
    return data


@router.post(
    f"{R}/youth-support",
    response=_responses(201, ws.YouthSupportChoiceOut, *ACTION),
    summary="Record a youth-support sharing choice",
)
def youth_support_choose(
    request: HttpRequest, request_id: int, payload: ws.YouthSupportChoiceIn
) -> Status[dict[str, Any]]:
    """A parent's choice (parental responsibility, no court order, pupil under 16), the pupil's (16 and
    over), or the school recording that it asked."""
    user = caller(request)
    req = request_for(user, request_id)
    choice = outcomes.record_youth_support_choice(
        actor=user,
        pupil=req.pupil,
        state=parse_choice(payload.state, YouthSupportState, "state"),
        decided_by=parse_choice(payload.decided_by, DecidedBy, "decided_by"),
        contact=contact_in(req.school, payload.contact, "contact") if payload.contact else None,
        on=_on(payload.on),
        request=req,
        note=payload.note,
    )
    return Status(201, ws.youth_support_choice_data(choice))


@router.post(
    f"{R}/youth-support/opt-down",
    response=_responses(201, ws.YouthSupportChoiceOut, *ACTION),
    summary="Apply a youth-support opt-down",
)
def youth_support_opt_down(request: HttpRequest, request_id: int, payload: ws.OnIn) -> Status[dict[str, Any]]:
    """Name, address and date of birth only, as the requester's choice (the age rule applied on `on`)."""
    user = caller(request)
    req = request_for(user, request_id)
    choice = outcomes.apply_opt_down(actor=user, request=req, on=_on(payload.on))
    return Status(201, ws.youth_support_choice_data(choice))


@router.post(
    f"{R}/consent-withdrawal",
    response=_responses(201, ws.ConsentWithdrawalOut, *ACTION),
    summary="Record consent withdrawn",
)
def consent_withdrawal(
    request: HttpRequest, request_id: int, payload: ws.ConsentWithdrawalIn
) -> Status[dict[str, Any]]:
    """Record the withdrawal on a withdraw-consent request and say what relies on that consent."""
    user = caller(request)
    req = request_for(user, request_id)
    result = outcomes.consent_withdrawn(
        actor=user, request=req, purpose_name=payload.purpose_name, on=_on(payload.on)
    )
    return Status(201, ws.consent_withdrawal_data(result))
