"""Rights-request pages: the dashboard, logging a request, one request with its deadline and log, and
one small page per action on it. Thin shells: every write is one call to `rights.services` (which
enforces the rules, the workflow and the permission), every read goes through `rights.selectors`.

Who may use them: staff who may change pupils (`CHANGE_PUPILS`) at the request's school; a request at
another school is a 404, as everywhere in the staff UI. Extensions and DPO decisions are for the trust
DPO (`MANAGE_REGISTER`): for anyone else those pages do not exist (404) and no link leads to them.

A refused write (ValidationError, TransitionRefused, PermissionDenied) comes back on the same form in
the GOV.UK error summary, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import age_on
from steward.rights import selectors, services, workflow
from steward.rights.forms import (
    AssignForm,
    ClarificationAskedForm,
    ClarificationReceivedForm,
    CompetenceForm,
    DashboardFilterForm,
    DpoDecisionForm,
    ExtensionForm,
    FeeDecidedForm,
    FeeReceivedForm,
    IdentityRequestedForm,
    IdentityVerifiedForm,
    NoteForm,
    PupilFindForm,
    PupilViewForm,
    ReleaseForm,
    RequestLogForm,
    RightsForm,
    TransitionForm,
)
from steward.rights.models import (
    DISCLOSING_KINDS,
    Channel,
    CompetenceAssessment,
    CompetenceOutcome,
    DpoOutcome,
    EventKind,
    FeeDecision,
    PupilView,
    RequesterKind,
    RequestKind,
    RightsRequest,
    Status,
)
from steward.rights.workflow import Refusal, TransitionRefused
from steward.web.access import require
from steward.web.views import staff_page

RESULTS_SHOWN = 50


def _today() -> dt.date:
    return timezone.localdate()


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def request_url(req: RightsRequest) -> str:
    return reverse("rights:detail", args=[req.pk])


def _is_dpo(user: Any, req: RightsRequest) -> bool:
    return scope_for(user).may(Action.MANAGE_REGISTER, req.school_id)


# --- the dashboard -------------------------------------------------------------------------------


@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open requests, soonest legal due date first (paused ones after), or the closed ones."""
    scope = require(request.user, Action.CHANGE_PUPILS)
    schools = School.objects.filter(pk__in=scope.school_ids(Action.CHANGE_PUPILS)).order_by("name")
    form = DashboardFilterForm(request.GET, schools=schools)
    filters = form.filters()
    pupil = None
    if filters.get("pupil_id") is not None:
        pupil = selectors.request_pupil(request.user, filters["pupil_id"])  # Http404 outside scope
    board = selectors.dashboard(request.user, today=_today(), **filters)
    # Links to the other list keep the filters (but not a status of the other list).
    keep = request.GET.copy()
    keep.pop("closed", None)
    keep.pop("status", None)
    keep.pop("page", None)
    base = keep.urlencode()
    return render(
        request,
        "rights/dashboard.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "board": board,
            "pupil": pupil,
            "schools": schools,
            "open_href": "?" + base if base else "?",
            "closed_href": "?" + (base + "&" if base else "") + "closed=1",
            "filtered": any(request.GET.get(k) for k in ("school", "status", "kind", "mine")),
        },
    )


# --- logging a request -----------------------------------------------------------------------------


def _duplicate_of(exc: ValidationError) -> int | None:
    """The open request a duplicate refusal names, if it is one."""
    for error in getattr(exc, "error_dict", {}).get("kind", []):
        if error.code == "duplicate" and error.params:
            existing = error.params.get("existing")
            return int(existing) if existing is not None else None
    return None


@staff_page
def create(request: HttpRequest) -> HttpResponse:
    """Log a request: first find the pupil, then the request's details."""
    require(request.user, Action.CHANGE_PUPILS)
    pupil_id = request.GET.get("pupil")
    if not pupil_id:
        find = PupilFindForm(request.GET)
        query = find.cleaned_data.get("q", "") if find.is_valid() else ""
        results = list(selectors.request_pupils(request.user, query)[:RESULTS_SHOWN]) if query else []
        return render(
            request,
            "rights/find_pupil.html",
            {"form": find, "results": results, "searched": bool(query), "error_summary": []},
        )
    pupil = selectors.request_pupil(request.user, pupil_id)  # Http404 outside the user's schools
    schools = selectors.request_schools(request.user, pupil)
    links = list(selectors.pupil_contact_links(pupil))
    staff = {s.pk: list(selectors.assignable_staff(s)) for s in schools}
    form = RequestLogForm(
        _post(request),
        request.FILES or None,
        schools=schools,
        links=links,
        staff_by_school=staff,
        today=_today(),
    )
    duplicate: RightsRequest | None = None
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            # request_log takes no "identity required": asking for ID is its own service, run in the
            # same transaction so a refusal of either logs nothing.
            with transaction.atomic():
                req = services.request_log(actor=request.user, pupil=pupil, **values)
                if form.cleaned_data.get("identity_required"):
                    services.identity_requested(
                        actor=request.user,
                        request=req,
                        on=values["received_on"],
                        note="Asked for when the request was logged.",
                    )
        except ValidationError as exc:
            form.add_refusal(exc)
            existing = _duplicate_of(exc)
            if existing is not None:
                duplicate = selectors.requests_visible_to(request.user).filter(pk=existing).first()
                form.duplicate_number = existing  # type: ignore[attr-defined]
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{req.get_kind_display()} request #{req.pk} logged")
            return redirect(request_url(req))
    show_duplicate = bool(getattr(form, "duplicate_number", None)) or (
        form.is_bound and bool(form.data.get("allow_duplicate"))
    )
    age = age_on(pupil.date_of_birth, _today())
    return render(
        request,
        "rights/create.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "pupil": pupil,
            "pupil_age": age,
            "links": links,
            "duplicate": duplicate,
            "show_duplicate": show_duplicate,
            "competence_age": services.COMPETENCE_AGE,
        },
    )


# --- one request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One action on a request: its page, its form, the one service it calls, and when it is offered."""

    slug: str
    label: str  # the link on the request page
    title: str  # the action page's heading
    button: str
    form: type[RightsForm]
    run: Callable[[Any, RightsRequest, dict[str, Any]], object]
    done: str
    offered: Callable[[RightsRequest], bool]
    dpo_only: bool = False
    intro: str = ""


def _open(r: RightsRequest) -> bool:
    return r.is_open


def _parent(r: RightsRequest) -> bool:
    return r.is_open and r.requester_kind == RequesterKind.PARENT


def _move(actor: Any, r: RightsRequest, d: dict[str, Any]) -> object:
    try:
        return services.transition(actor=actor, request=r, to=d["to"], on=d["on"], note=d.get("note") or "")
    except TransitionRefused as exc:
        # The reason a guard asks for belongs in the note box, so the error summary links to it.
        if exc.refusal in (Refusal.REASON_REQUIRED, Refusal.NOT_REVIEWED):
            raise ValidationError({"note": exc.messages[0]}) from exc
        raise


ACTS: dict[str, Act] = {
    a.slug: a
    for a in (
        Act(
            "assign",
            "Assign",
            "Assign the request",
            "Assign",
            AssignForm,
            lambda u, r, d: services.assign(actor=u, request=r, to=d.get("assigned_to"), on=_today()),
            "Assignment saved",
            _open,
        ),
        Act(
            "identity-requested",
            "Ask for proof of identity",
            "Ask for proof of identity",
            "Record that ID was asked for",
            IdentityRequestedForm,
            lambda u, r, d: services.identity_requested(
                actor=u, request=r, on=d["on"], note=d.get("note") or ""
            ),
            "Recorded that identity evidence was asked for",
            lambda r: r.is_open and r.identity_verified_on is None,
            intro="Ask only where you cannot be sure who the requester is. The one-month clock starts again "
            "from the day the evidence arrives.",
        ),
        Act(
            "identity-verified",
            "Record identity verified",
            "Record that identity was verified",
            "Record identity verified",
            IdentityVerifiedForm,
            lambda u, r, d: services.identity_verified(
                actor=u,
                request=r,
                on=d["on"],
                method=d.get("method") or "",
                evidence_note=d.get("evidence_note") or "",
            ),
            "Identity verified",
            lambda r: r.is_open and r.identity_verified_on is None,
        ),
        Act(
            "clarification-asked",
            "Ask the requester to clarify",
            "Ask the requester to clarify",
            "Record that clarification was asked for",
            ClarificationAskedForm,
            lambda u, r, d: services.clarification_asked(
                actor=u, request=r, on=d["on"], note=d.get("note") or ""
            ),
            "Clarification asked for: the clock is paused",
            lambda r: Status.AWAITING_CLARIFICATION in workflow.allowed_targets(r.status),
            intro="Ask only when you genuinely need to know what the requester wants (for example, which "
            "years). The clock pauses until they answer.",
        ),
        Act(
            "clarification-received",
            "Record the clarification received",
            "Record the clarification received",
            "Record clarification received",
            ClarificationReceivedForm,
            lambda u, r, d: services.clarification_received(
                actor=u, request=r, on=d["on"], note=d.get("note") or ""
            ),
            "Clarification received: the clock runs again",
            lambda r: r.status == Status.AWAITING_CLARIFICATION,
        ),
        Act(
            "fee",
            "Fee decision",
            "Decide on a fee",
            "Save the fee decision",
            FeeDecidedForm,
            lambda u, r, d: services.fee_decided(
                actor=u,
                request=r,
                decision=d["decision"],
                on=d["on"],
                amount=d.get("amount"),
                reason=d.get("reason") or "",
                complaint_rights_told=bool(d.get("complaint_rights_told")),
            ),
            "Fee decision saved",
            _open,
            intro="Normally there is no fee. Only for a manifestly unfounded or excessive request may you "
            "charge a reasonable fee, or refuse with reasons (telling the requester of their right to "
            "complain to the ICO and to a court).",
        ),
        Act(
            "fee-received",
            "Record the fee received",
            "Record the fee received",
            "Record fee received",
            FeeReceivedForm,
            lambda u, r, d: services.fee_received(actor=u, request=r, on=d["on"]),
            "Fee received",
            lambda r: r.is_open and r.fee_decision == FeeDecision.FEE and r.fee_received_on is None,
        ),
        Act(
            "extension",
            "Extend the deadline",
            "Extend the deadline by two months",
            "Extend the deadline",
            ExtensionForm,
            lambda u, r, d: services.extension_decided(
                actor=u,
                request=r,
                reason=d.get("reason") or "",
                decided_on=d["decided_on"],
                requester_told_on=d["requester_told_on"],
            ),
            "Deadline extended by two months",
            lambda r: (
                r.is_open and r.kind != RequestKind.EDUCATIONAL_RECORD and r.extension_decided_on is None
            ),
            dpo_only=True,
            intro="Only for a complex request, or numerous requests from the same person. The requester must "
            "be told, with the reason, within the first month.",
        ),
        Act(
            "competence",
            "Record the competence assessment",
            "Is the pupil competent?",
            "Save the assessment",
            CompetenceForm,
            lambda u, r, d: services.competence_assessed(
                actor=u, request=r, on=d["on"], outcome=d["outcome"], note=d.get("note") or ""
            ),
            "Competence assessment saved",
            _parent,
        ),
        Act(
            "pupil-view",
            "Record the pupil's view",
            "The pupil's view on release to the parent",
            "Save the pupil's view",
            PupilViewForm,
            lambda u, r, d: services.pupil_view_recorded(
                actor=u, request=r, on=d["on"], view=d["view"], note=d.get("note") or ""
            ),
            "Pupil's view recorded",
            _parent,
        ),
        Act(
            "dpo-decision",
            "Record a DPO decision",
            "DPO decision on release to the parent",
            "Save the decision",
            DpoDecisionForm,
            lambda u, r, d: services.dpo_decision(
                actor=u, request=r, on=d["on"], decision=d["decision"], reasons=d.get("reasons") or ""
            ),
            "DPO decision saved",
            _parent,
            dpo_only=True,
        ),
        Act(
            "move",
            "Change the status",
            "Change the status",
            "Change the status",
            TransitionForm,
            _move,
            "Status changed",
            lambda r: bool(_targets(r)),
        ),
        Act(
            "release",
            "Release the response",
            "Release the response",
            "Record the release",
            ReleaseForm,
            lambda u, r, d: services.release(
                actor=u, request=r, on=d["on"], method=d.get("method") or "", sent_to=d.get("sent_to") or ""
            ),
            "Response released",
            _open,
        ),
        Act(
            "note",
            "Add a note",
            "Add a note",
            "Add note",
            NoteForm,
            lambda u, r, d: services.note_added(actor=u, request=r, on=d["on"], note=d.get("note") or ""),
            "Note added",
            lambda r: True,
        ),
    )
}


def _targets(req: RightsRequest) -> list[tuple[Status, str]]:
    """The statuses this page can move the request to (release has its own page), with descriptions."""
    out: list[tuple[Status, str]] = []
    for target in workflow.allowed_targets(req.status):
        if target == Status.RELEASED:
            continue
        out.append((target, workflow.TRANSITIONS[(Status(req.status), target)].description))
    return out


def _reason_needed(req: RightsRequest) -> list[str]:
    """The moves from here whose guard asks for a reason (refused without one, allowed with one)."""
    out = []
    for target, _ in _targets(req):
        t = workflow.TRANSITIONS[(Status(req.status), target)]
        if t.guard(req, {}) is not None and t.guard(req, {"reason": "given"}) is None:
            out.append(target.label.lower())
    return out


def _offered(user: Any, req: RightsRequest) -> list[Act]:
    dpo = _is_dpo(user, req)
    return [a for a in ACTS.values() if a.offered(req) and (dpo or not a.dpo_only)]


def _competence(req: RightsRequest) -> CompetenceAssessment | None:
    return (
        CompetenceAssessment.objects.filter(request=req)
        .select_related("assessed_by", "dpo_decided_by")
        .first()
    )


def _context(user: Any, req: RightsRequest) -> dict[str, Any]:
    """What the request page and every action page show about the request."""
    today = _today()
    blockers = services.release_blockers(req) if req.is_open else []
    age = age_on(req.pupil.date_of_birth, req.received_on)
    return {
        "req": req,
        "deadline": selectors.deadline_view(req, today=today),
        "pauses": services.pauses(req),
        "blockers": [message for _, message in blockers],
        "competence": _competence(req) if req.requester_kind == RequesterKind.PARENT else None,
        "pupil_age": age,
        "competence_applies": req.requester_kind == RequesterKind.PARENT
        and req.kind in DISCLOSING_KINDS
        and age >= services.COMPETENCE_AGE,
        "competence_age": services.COMPETENCE_AGE,
        "is_dpo": _is_dpo(user, req),
        "today": today,
    }


# An event's `method` holds a code for these kinds: show its label.
_METHOD_CHOICES: dict[str, type[models.TextChoices]] = {
    EventKind.LOGGED: Channel,
    EventKind.COMPETENCE_ASSESSED: CompetenceOutcome,
    EventKind.PUPIL_VIEW_RECORDED: PupilView,
    EventKind.DPO_DECISION: DpoOutcome,
}


def _method_label(kind: str, method: str) -> str:
    choices = _METHOD_CHOICES.get(kind)
    if choices is not None and method in choices.values:
        return str(choices(method).label)
    if kind == EventKind.FEE_DECIDED and method:
        return f"£{method}"
    return method


@staff_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: its summary, the deadline and its arithmetic, what blocks release, the log, the actions."""
    require(request.user, Action.CHANGE_PUPILS)
    req = selectors.get_request(request.user, pk)  # Http404 outside the user's schools
    context = _context(request.user, req)
    context["events"] = [
        {"event": e, "method": _method_label(e.kind, e.method)}
        for e in selectors.request_events(request.user, pk)
    ]
    context["acts"] = [
        {"act": a, "href": reverse(f"rights:{a.slug}", args=[req.pk])} for a in _offered(request.user, req)
    ]
    return render(request, "rights/detail.html", context)


def _form(act: Act, request: HttpRequest, req: RightsRequest) -> RightsForm:
    data = _post(request)
    if act.form is AssignForm:
        return AssignForm(
            data,
            staff=selectors.assignable_staff(req.school),
            initial={"assigned_to": req.assigned_to_id},
        )
    if act.form is TransitionForm:
        needed = _reason_needed(req)
        hint = (
            f"Needed to move it to: {', '.join(needed)}. It is recorded, and told to the requester."
            if needed
            else ""
        )
        return TransitionForm(data, targets=_targets(req), note_hint=hint, today=_today())
    if act.form is ReleaseForm:
        return ReleaseForm(data, today=_today(), initial={"sent_to": req.requester_name})
    return act.form(data, today=_today())


@staff_page
def action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One action on a request: a small form, one service call, back to the request."""
    require(request.user, Action.CHANGE_PUPILS)
    act = ACTS.get(slug)
    if act is None:
        raise Http404("No such action")
    req = selectors.get_request(request.user, pk)  # Http404 outside the user's schools
    if act.dpo_only and not _is_dpo(request.user, req):
        raise Http404("No such page")
    form = _form(act, request, req)
    if request.method == "POST" and form.is_valid():
        try:
            act.run(request.user, req, form.cleaned_data)
        except ValidationError as exc:
            form.add_refusal(exc)
            req = selectors.get_request(request.user, pk)  # the service refused: show it as it still is
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, act.done)
            return redirect(request_url(req))
    context = _context(request.user, req)
    context.update(form=form, error_summary=form.error_summary(), act=act, back=request_url(req))
    return render(request, "rights/action.html", context)
