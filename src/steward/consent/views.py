"""Staff consent pages: a school's overview (per purpose and per registration group), a pupil's consents
with the ledger, recording a decision made on paper, by letter, email or in conversation, the biometric
deletion tasks, and the photo export filtered by consent.

Who may use them: staff who may change pupils (`CHANGE_PUPILS`) at the school; the photo export also
needs `EXPORT`. Anything else is a 404, as everywhere in the staff UI. Thin shells: writes are one call
to `consent.services` / `consent.biometrics`, reads go through `consent.selectors`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.consent import biometrics, selectors, services
from steward.consent.enforcement import photo_export, photo_selection, withdrawal_report
from steward.consent.forms import USE_LABELS, ConsentForm, DoneForm, PhotoExportForm
from steward.consent.models import STOPS, BiometricDeletionTask
from steward.organisations.models import School
from steward.people.models import PupilContact
from steward.web.access import require
from steward.web.views import staff_page


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _school(request: HttpRequest) -> School:
    """?school=URN (or the posted one), else the user's first consent school."""
    urn = request.POST.get("school_urn") or request.GET.get("school") or ""
    if urn:
        return selectors.staff_school(request.user, urn)
    school = selectors.staff_schools(request.user).first()
    if school is None:
        raise Http404("No such page")
    return school


def _audit_view(school: School, pupil_ids: list[int], what: str) -> None:
    """Log that consent data of these pupils was shown (categories, never values)."""
    record(
        "view",
        model="consent.ConsentEvent",
        subject=Subject(school_id=school.pk, pupil_id=pupil_ids[0] if len(pupil_ids) == 1 else None),
        categories=["pupil.consent"],
        detail={"page": what, "pupils": len(pupil_ids)},
    )


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    """A school's consents today: counts per purpose and per registration group; a group's pupils."""
    require(request.user, Action.CHANGE_PUPILS)
    school = _school(request)
    group = request.GET.get("group")
    view = selectors.overview(school, selectors.today(), group)
    if view.pupils:
        _audit_view(school, [p.pk for p, _, _ in view.pupils], "consent overview: group")
    return render(
        request,
        "consent/index.html",
        {
            "school": school,
            "schools": selectors.staff_schools(request.user),
            "view": view,
            "group": group,
            "may_export": scope_for(request.user).may(Action.EXPORT, school.pk),
            "open_tasks": selectors.deletion_tasks(request.user, school).count(),
        },
    )


@staff_page
def pupil(request: HttpRequest, pk: int) -> HttpResponse:
    """One pupil's consents today, each with its reason, and the whole ledger."""
    require(request.user, Action.CHANGE_PUPILS)
    the_pupil = selectors.staff_pupil(request.user, pk)
    school = selectors.pupil_school(the_pupil)
    states = selectors.consent_states(the_pupil)
    if school is not None:
        _audit_view(school, [the_pupil.pk], "pupil consents")
    return render(
        request,
        "consent/pupil.html",
        {
            "pupil": the_pupil,
            "school": school,
            "states": states,
            "ledger": selectors.ledger(the_pupil),
            "tasks": BiometricDeletionTask.objects.filter(pupil=the_pupil)
            .select_related("purpose")
            .order_by("-raised_on", "-pk"),
            # What relies on a consent just withdrawn (set by record_decision), shown once.
            "report": request.session.pop("consent_report", None),
        },
    )


@staff_page
def record_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision for a pupil (paper, letter, email or verbal; with a scanned form)."""
    require(request.user, Action.CHANGE_PUPILS)
    the_pupil = selectors.staff_pupil(request.user, pk)
    school = selectors.pupil_school(the_pupil)
    if school is None:
        raise Http404("No such pupil")
    links = PupilContact.objects.filter(pupil=the_pupil).select_related("contact").order_by("priority", "pk")
    form = ConsentForm(
        _post(request),
        request.FILES or None,
        purposes=selectors.purposes_for(school),
        contacts=[link.contact for link in links],
        initial={"on": selectors.today(), "purpose": request.GET.get("purpose") or ""},
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            event = services.record_consent(actor=request.user, pupil=the_pupil, **values)
        except PermissionDenied:
            raise Http404("No such pupil") from None
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(
                request, f"Recorded: {event.get_action_display().lower()} for {event.purpose.name}"
            )
            if event.action in STOPS:
                report = withdrawal_report(pupil=the_pupil, purpose=event.purpose, school=event.school)
                request.session["consent_report"] = {"purpose": event.purpose.name, "items": report}
            return redirect("consent:pupil", pk=the_pupil.pk)
    return render(
        request,
        "consent/record.html",
        {"form": form, "error_summary": form.error_summary(), "pupil": the_pupil, "school": school},
    )


@staff_page
def tasks(request: HttpRequest) -> HttpResponse:
    """The school's biometric deletion tasks: open ones by due date, then the done ones."""
    require(request.user, Action.CHANGE_PUPILS)
    school = _school(request)
    rows = list(selectors.deletion_tasks(request.user, school, include_done=True))
    if rows:
        _audit_view(school, sorted({t.pupil_id for t in rows}), "biometric deletion tasks")
    return render(
        request,
        "consent/tasks.html",
        {
            "school": school,
            "schools": selectors.staff_schools(request.user),
            "open": [t for t in rows if t.is_open],
            "done": [t for t in rows if not t.is_open],
            "today": selectors.today(),
        },
    )


@staff_page
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a deletion task done (the template was deleted from the system that holds it)."""
    require(request.user, Action.CHANGE_PUPILS)
    task = selectors.staff_task(request.user, pk)
    form = DoneForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            biometrics.complete_deletion(actor=request.user, task=task, note=form.cleaned_data["note"] or "")
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, f"Deletion recorded for {task.pupil.display_name}")
            return redirect(f"{reverse('consent:tasks')}?school={task.school.urn}")
    return render(
        request, "consent/task_done.html", {"form": form, "error_summary": form.error_summary(), "task": task}
    )


@staff_page
def photos(request: HttpRequest) -> HttpResponse:
    """The school's photographs for one use: GET ?use= previews who is in and who is left out (and why);
    POST downloads the zip (audited as an export)."""
    require(request.user, Action.EXPORT)
    school = _school(request)
    if not scope_for(request.user).may(Action.EXPORT, school.pk):
        raise Http404("No such page")
    data = request.POST if request.method == "POST" else (request.GET if "use" in request.GET else None)
    form = PhotoExportForm(data, initial={"on": selectors.today()})
    context: dict[str, Any] = {"school": school, "preview": None}
    if data is not None and form.is_valid():
        use, on = form.cleaned_data["use"], form.cleaned_data["on"]
        if request.method == "POST":
            export = photo_export(actor=request.user, school=school, use=use, on=on)
            response = HttpResponse(export.zip, content_type="application/zip")
            response["Content-Disposition"] = (
                f'attachment; filename="photographs-{school.urn}-{use}-{on.isoformat()}.zip"'
            )
            return response
        included, left_out = photo_selection(school, use, on)
        pupil_ids = sorted({p.pupil_id for p in included} | {p.pupil_id for p, _ in left_out})
        if pupil_ids:
            _audit_view(school, pupil_ids, f"photo export preview: {use}")
        context["preview"] = {
            "use": use,
            "use_label": USE_LABELS[use],
            "on": on,
            "included": included,
            "left_out": left_out,
        }
    return render(
        request, "consent/photos.html", {"form": form, "error_summary": form.error_summary(), **context}
    )
