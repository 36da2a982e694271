"""Response work on access and portability requests: manual searches, building the bundle and
downloading it, and the redaction review. Thin shells over `rights.tasks`, `rights.bundle` and
`rights.review`, in the pattern of `rights.views`: one small page per action at /requests/<pk>/<slug>/,
every write one service call, refusals in the GOV.UK error summary with nothing changed.

Who may use them: staff who handle requests at the request's school (searches, the response page,
downloads); building bundles and the review are for the trust DPO and the school's data protection lead
(`review.may_review`): for anyone else those pages do not exist (404). A request of another kind has no
response pages (404). A bundle is downloaded only by staff who may read every category it holds, and
each download is audited as an export.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.registry.taxonomy import taxonomy
from steward.rights import review, selectors, tasks
from steward.rights.bundle import build, latest_final
from steward.rights.bundle.build import require_readable
from steward.rights.bundle.collect import collect
from steward.rights.forms import (
    AcceptAllForm,
    AddRedactionForm,
    BundleBuildForm,
    MarkDecisionForm,
    ReviewDoneForm,
    ReviewFilterForm,
    TaskCancelForm,
    TaskCompleteForm,
    TaskCreateForm,
)
from steward.rights.models import (
    Bundle,
    BundleState,
    EventKind,
    ManualTask,
    MarkDecision,
    MarkOrigin,
    RedactionMark,
    RightsRequest,
)
from steward.rights.redaction import ReasonCode
from steward.rights.views import _context, _today, request_url
from steward.rights.workflow import BUNDLE_KINDS
from steward.web.access import require
from steward.web.views import staff_page

# --- access --------------------------------------------------------------------------------------


def _request(request: HttpRequest, pk: int) -> RightsRequest:
    """An access or portability request the user handles, else 404."""
    require(request.user, Action.CHANGE_PUPILS)
    req = selectors.get_request(request.user, pk)  # Http404 outside the user's schools
    if req.kind not in BUNDLE_KINDS:
        raise Http404("No response work for this kind of request")
    return req


def _reviewed_request(request: HttpRequest, pk: int) -> RightsRequest:
    """As `_request`, for the trust DPO or the school's DP lead only (404 for anyone else)."""
    req = _request(request, pk)
    if not review.may_review(request.user, req.school_id):
        raise Http404("No such page")
    return req


def response_url(req: RightsRequest) -> str:
    return reverse("rights:response", args=[req.pk])


def _held(bundle: Bundle) -> list[str]:
    return sorted(c["key"] for c in bundle.manifest.get("categories", []) if c.get("records"))


def may_download(user: Any, req: RightsRequest, bundle: Bundle) -> bool:
    """Staff handling the request who may read every category the bundle holds."""
    scope = scope_for(user)
    return all(scope.may_read(k, req.school_id) for k in _held(bundle))


# --- the response page -------------------------------------------------------------------------------


def _decision_counts(req: RightsRequest) -> dict[str, int]:
    counts = Counter(req.redactions.values_list("decision", flat=True))
    return {d.value: counts.get(d.value, 0) for d in MarkDecision}


def _response_context(request: HttpRequest, req: RightsRequest) -> dict[str, Any]:
    user = request.user
    context = _context(user, req)
    task_list = list(
        req.tasks.select_related("assigned_to", "completed_by")
        .prefetch_related("files")
        .order_by("due_on", "pk")
    )
    suggestions = [s for s in tasks.suggest_tasks(req) if not s.has_task] if req.is_open else []
    bundles = list(req.bundles.select_related("built_by").order_by("-built_at", "-pk"))
    final = latest_final(req)
    reviewed = req.events.filter(kind=EventKind.REDACTIONS_REVIEWED).order_by("-at", "-pk").first()
    context.update(
        tasks=task_list,
        open_tasks=[t for t in task_list if t.is_open],
        suggestions=suggestions,
        builds=[
            {"bundle": b, "download": may_download(user, req, b), "latest_final": b == final} for b in bundles
        ],
        counts=_decision_counts(req),
        reviewed=reviewed,
        may_review=review.may_review(user, req.school_id),
        build_form=BundleBuildForm(),
        error_summary=[],
    )
    return context


@staff_page
def response(request: HttpRequest, pk: int) -> HttpResponse:
    """The response to an access or portability request: searches by hand, builds, the review."""
    req = _request(request, pk)
    return render(request, "rights/work/response.html", _response_context(request, req))


@staff_page
@require_POST
def bundle_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Build a draft (running the automatic redaction pass) or the final bundle."""
    req = _reviewed_request(request, pk)
    form = BundleBuildForm(request.POST)
    if not form.is_valid():
        raise Http404("No such build")
    final = form.cleaned_data["state"] == BundleState.FINAL
    try:
        bundle = build(actor=request.user, request=req, final=final)
    except (ValidationError, PermissionDenied) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        context = _response_context(request, selectors.get_request(request.user, pk))
        what = "final" if final else "draft"
        context["error_summary"] = [
            {"href": f"#build-{what}", "text": f"The {what} bundle was not built: {message}"}
        ]
        return render(request, "rights/work/response.html", context)
    messages.success(request, f"{bundle.get_state_display()} bundle built. SHA-256 {bundle.sha256}")
    return redirect(response_url(req))


@login_required
@never_cache
def bundle_file(request: HttpRequest, pk: int, bundle_pk: int, what: str) -> FileResponse:
    """Download a built bundle's PDF or ZIP (audited as an export). A staff page, as `staff_page`."""
    req = _request(request, pk)
    bundle = get_object_or_404(Bundle, pk=bundle_pk, request=req)
    if not may_download(request.user, req, bundle):
        raise Http404("No such file")
    held = _held(bundle)
    tax = taxonomy()
    record(
        "export",
        model=Bundle._meta.label,
        object_id=bundle.pk,
        subject=Subject(pupil_id=req.pupil_id, school_id=req.school_id),
        categories=held,
        special=any(tax.get(k).special for k in held if k in tax),
        detail={"request": req.pk, "state": bundle.state, "sha256": bundle.sha256, "download": what},
    )
    stored = bundle.pdf if what == "pdf" else bundle.archive
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"request-{req.pk}-{bundle.state}-{bundle.pk}.{what}",
        content_type="application/pdf" if what == "pdf" else "application/zip",
    )


# --- manual searches ---------------------------------------------------------------------------------


def _form_page(request: HttpRequest, req: RightsRequest, form: Any, **page: Any) -> HttpResponse:
    context = _context(request.user, req)
    context.update(form=form, error_summary=form.error_summary(), back=response_url(req), **page)
    return render(request, "rights/work/form.html", context)


@staff_page
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask a member of staff to search a system Steward cannot reach."""
    req = _request(request, pk)
    suggestions = tasks.suggest_tasks(req)
    key = (request.POST if request.method == "POST" else request.GET).get("system", "")
    picked = next((s for s in suggestions if s.system.key == key), None) if key else None
    initial: dict[str, Any] = {"due_on": tasks.default_due(req)}
    if picked is not None:
        initial.update(system=picked.system.key, system_name=picked.name, instructions=picked.instructions)
    form = TaskCreateForm(
        request.POST if request.method == "POST" else None,
        staff=selectors.assignable_staff(req.school),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tasks.create_task(
                actor=request.user,
                request=req,
                system=picked.system if picked is not None else None,
                system_name=d.get("system_name") or "",
                instructions=d.get("instructions") or "",
                assigned_to=d.get("assigned_to"),
                due_on=d.get("due_on"),
            )
        except ValidationError as exc:
            form.add_refusal(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Search of {d.get('system_name') or picked} assigned")
            return redirect(response_url(req))
    return _form_page(
        request,
        req,
        form,
        title="Ask for a search by hand",
        button="Assign the search",
        intro="For a system Steward cannot reach (CCTV, email, a payments system). The person assigned "
        "returns what they find, or records that nothing is held. The final bundle waits for every search.",
        suggestions=[s for s in suggestions if not s.has_task],
        picked=picked,
    )


def _task(req: RightsRequest, task_pk: int) -> ManualTask:
    return get_object_or_404(ManualTask, pk=task_pk, request=req)


@staff_page
def task_complete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Return the files a search found, or record that nothing is held."""
    req = _request(request, pk)
    task = _task(req, task_pk)
    post = request.method == "POST"
    form = TaskCompleteForm(request.POST if post else None, request.FILES if post else None, today=_today())
    if post and form.is_valid():
        d = form.cleaned_data
        try:
            tasks.complete_task(
                actor=request.user,
                task=task,
                files=d.get("returned") or [],
                note=d.get("note") or "",
                nothing_found=bool(d.get("nothing_found")),
                on=d["on"],
            )
        except ValidationError as exc:
            form.add_refusal(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Search of {task.system_name} recorded")
            return redirect(response_url(req))
    return _form_page(
        request,
        req,
        form,
        title=f"Record the search of {task.system_name}",
        button="Record the search",
        intro=task.instructions,
        task=task,
        multipart=True,
    )


@staff_page
def task_cancel(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Withdraw a search that is not needed, with the reason."""
    req = _request(request, pk)
    task = _task(req, task_pk)
    form = TaskCancelForm(request.POST if request.method == "POST" else None, today=_today())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tasks.cancel_task(actor=request.user, task=task, reason=d.get("reason") or "", on=d["on"])
        except ValidationError as exc:
            form.add_refusal(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Search of {task.system_name} cancelled")
            return redirect(response_url(req))
    return _form_page(
        request,
        req,
        form,
        title=f"Cancel the search of {task.system_name}",
        button="Cancel the search",
        intro="For example, the school does not use that system. The reason is kept in the request's log.",
        task=task,
    )


# --- the redaction review ------------------------------------------------------------------------------


def anchor(location: str) -> str:
    """An HTML id for a text location ("records.Note:5:body" -> "item-records-Note-5-body")."""
    return "item-" + re.sub(r"[^A-Za-z0-9_-]", "-", location)


def _reason_label(code: str) -> str:
    return ReasonCode(code).label if code in ReasonCode.__members__.values() else code


def _segments(text: str, marks: list[RedactionMark], numbers: dict[int, int]) -> list[dict[str, Any]]:
    """The text cut into plain pieces and marked pieces (overlapping marks are listed, not highlighted)."""
    out: list[dict[str, Any]] = []
    pos = 0
    for m in sorted(marks, key=lambda m: (m.start, -m.end)):
        if m.start < pos:
            continue
        if m.start > pos:
            out.append({"text": text[pos : m.start]})
        out.append(
            {"text": text[m.start : m.end], "mark": m, "n": numbers[m.pk], "reason": _reason_label(m.reason)}
        )
        pos = m.end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def _filters(data: Any) -> dict[str, str]:
    """The review screen's filters (from the query string, or the hidden fields of a POST)."""
    out = {}
    if data.get("undecided"):
        out["undecided"] = "1"
    if data.get("kind"):
        out["kind"] = str(data.get("kind"))[:16]
    return out


def review_url(req: RightsRequest, filters: dict[str, str] | None = None, location: str = "") -> str:
    url = reverse("rights:review", args=[req.pk])
    if filters:
        url += "?" + urlencode(filters)
    return url + (f"#{anchor(location)}" if location else "")


def _review_page(
    request: HttpRequest,
    req: RightsRequest,
    *,
    filters: dict[str, str],
    add_form: AddRedactionForm | None = None,
    done_form: ReviewDoneForm | None = None,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    user = request.user
    try:
        require_readable(user, req, collect(req.pupil, request=req))
    except PermissionDenied as exc:
        context = _context(user, req)
        context.update(refusal=str(exc), back=response_url(req))
        return render(request, "rights/work/refused.html", context, status=403)
    filter_form = ReviewFilterForm(filters or None)
    undecided_only = bool(filters.get("undecided"))
    kind = filters.get("kind", "")
    items = []
    for item in review.review_items(req):
        numbers = {m.pk: i for i, m in enumerate(item.marks, start=1)}
        shown = [
            m
            for m in item.marks
            if (not undecided_only or m.decision == MarkDecision.PROPOSED) and (not kind or m.kind == kind)
        ]
        if (undecided_only or kind) and not shown:
            continue
        covered = [(m.start, m.end) for m in item.marks if m.decision != MarkDecision.REMOVED]
        bound = (
            add_form is not None and add_form.data.get(f"{anchor(item.location)}-location") == item.location
        )
        form = (
            add_form
            if bound
            else AddRedactionForm(
                prefix=anchor(item.location),
                source=item.text,
                covered=covered,
                initial={"location": item.location},
            )
        )
        items.append(
            {
                "item": item,
                "anchor": anchor(item.location),
                "segments": _segments(item.text, item.marks, numbers),
                "marks": [
                    {
                        "mark": m,
                        "n": numbers[m.pk],
                        "reason": _reason_label(m.reason),
                        "auto": m.origin == MarkOrigin.AUTOMATIC,
                    }
                    for m in shown
                ],
                "undecided": item.undecided,
                "add_form": form,
                "add_open": bound,
            }
        )
    context = _context(user, req)
    errors = list(errors or [])
    if add_form is not None:
        errors += add_form.error_summary()
    if done_form is not None:
        errors += done_form.error_summary()
    context.update(
        items=items,
        counts=_decision_counts(req),
        filters=filters,
        filter_form=filter_form,
        filtered=bool(filters),
        done_form=done_form or ReviewDoneForm(),
        reviewed=req.events.filter(kind=EventKind.REDACTIONS_REVIEWED).order_by("-at", "-pk").first(),
        error_summary=errors,
        back=response_url(req),
    )
    return render(request, "rights/work/review.html", context)


@staff_page
def review_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """Every text of the response with its redactions highlighted, to accept, remove or add to."""
    req = _reviewed_request(request, pk)
    return _review_page(request, req, filters=_filters(request.GET))


def _refused(exc: Exception) -> str:
    return exc.messages[0] if isinstance(exc, ValidationError) else str(exc)


@staff_page
@require_POST
def review_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the automatic third-party pass again (new text, people added to the register)."""
    req = _reviewed_request(request, pk)
    filters = _filters(request.POST)
    try:
        result = review.propose(actor=request.user, request=req)
    except (ValidationError, PermissionDenied) as exc:
        return _review_page(request, req, filters=filters, errors=[{"href": "", "text": _refused(exc)}])
    messages.success(
        request,
        f"Automatic pass run: {result.proposed} new proposed, {result.kept} kept, {result.dropped} dropped",
    )
    return redirect(review_url(req, filters))


@staff_page
@require_POST
def review_decide(request: HttpRequest, pk: int, mark_pk: int) -> HttpResponse:
    """Accept one redaction (applied in the final bundle) or remove it (the text is disclosed)."""
    req = _reviewed_request(request, pk)
    mark = get_object_or_404(RedactionMark, pk=mark_pk, request=req)
    filters = _filters(request.POST)
    form = MarkDecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(
            request,
            req,
            filters=filters,
            errors=[{"href": f"#mark-{mark.pk}", "text": "Accept or remove the redaction"}],
        )
    try:
        review.decide(
            actor=request.user,
            mark=mark,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        return _review_page(
            request, req, filters=filters, errors=[{"href": f"#mark-{mark.pk}", "text": _refused(exc)}]
        )
    verb = (
        "accepted"
        if form.cleaned_data["decision"] == MarkDecision.ACCEPTED
        else "removed: the text is disclosed"
    )
    messages.success(request, f"Redaction {verb}")
    return redirect(review_url(req, filters, mark.location))


@staff_page
@require_POST
def review_accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept every proposed redaction of one text."""
    req = _reviewed_request(request, pk)
    filters = _filters(request.POST)
    form = AcceptAllForm(request.POST)
    if not form.is_valid():
        raise Http404("No such text")
    location = form.cleaned_data["location"]
    proposed = list(
        req.redactions.filter(location=location, decision=MarkDecision.PROPOSED).order_by("start")
    )
    try:
        with transaction.atomic():
            for mark in proposed:
                review.decide(
                    actor=request.user,
                    mark=mark,
                    decision=MarkDecision.ACCEPTED,
                    note=form.cleaned_data["note"],
                )
    except (ValidationError, PermissionDenied) as exc:
        return _review_page(
            request, req, filters=filters, errors=[{"href": f"#{anchor(location)}", "text": _refused(exc)}]
        )
    messages.success(
        request, f"{len(proposed)} proposed redaction{'s' if len(proposed) != 1 else ''} accepted"
    )
    return redirect(review_url(req, filters, location))


@staff_page
@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's own redaction: the typed words become spans of the text, each with the reason."""
    req = _reviewed_request(request, pk)
    filters = _filters(request.POST)
    location = next((str(v) for k, v in request.POST.items() if k.endswith("-location")), "")
    item = next((i for i in review.review_items(req) if i.location == location), None)
    if item is None:
        raise Http404("No such text")
    covered = [(m.start, m.end) for m in item.marks if m.decision != MarkDecision.REMOVED]
    form = AddRedactionForm(request.POST, prefix=anchor(location), source=item.text, covered=covered)
    if form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                for start, end in form.found:
                    review.add(
                        actor=request.user,
                        request=req,
                        location=location,
                        start=start,
                        end=end,
                        reason=d["reason"],
                        note=d.get("note") or "",
                    )
        except ValidationError as exc:
            form.add_model_errors(exc, {"start": "words", "end": "words", "location": "words"})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            n = len(form.found)
            messages.success(request, f"{n} redaction{'s' if n != 1 else ''} added")
            return redirect(review_url(req, filters, location))
    return _review_page(request, req, filters=filters, add_form=form)


@staff_page
@require_POST
def review_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the review is finished (refused while any redaction is undecided)."""
    req = _reviewed_request(request, pk)
    filters = _filters(request.POST)
    form = ReviewDoneForm(request.POST)
    if form.is_valid():
        try:
            review.review_done(actor=request.user, request=req, on=_today(), note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("note", exc.messages[0])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Review finished: build the final bundle")
            return redirect(response_url(req))
    return _review_page(request, req, filters=filters, done_form=form)


__all__ = [
    "anchor",
    "bundle_build",
    "bundle_file",
    "may_download",
    "request_url",
    "response",
    "review_accept_all",
    "review_add",
    "review_decide",
    "review_done",
    "review_propose",
    "review_screen",
    "task_cancel",
    "task_complete",
    "task_create",
]
