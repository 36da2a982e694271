"""Provider pages (namespace "provider", mounted at /provider/): the pupils placed with the user's
provider today, one pupil's shared data, and forms to record attendance and incidents back.

Only a provider user gets anything here; for staff and everyone else every page is a 404. A pupil whose
placement has not started, has ended (at its end date, early, or with its agreement), or belongs to
another provider is a 404 too. Every read is audited as a view with the categories shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from steward.audit.context import acting_as
from steward.placements import selectors, services
from steward.placements.forms import AttendanceForm, IncidentForm, NewPasswordForm, require_date
from steward.placements.models import Placement, ProviderUser
from steward.registry.taxonomy import taxonomy
from steward.web.views import staff_page


def _provider(request: HttpRequest) -> Any:
    provider = selectors.provider_of(request.user)
    if provider is None:
        raise Http404("No such page")
    return provider


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """The pupils placed with the provider today."""
    provider = _provider(request)
    placements = list(selectors.placements_for(request.user, selectors.today()))
    selectors.audit_provider_list(placements)
    return render(request, "placements/provider_home.html", {"provider": provider, "placements": placements})


@staff_page
def pupil(request: HttpRequest, pk: int) -> HttpResponse:
    """One placed pupil: only the categories chosen for the placement (less any restricted today)."""
    _provider(request)
    today = selectors.today()
    placement = selectors.provider_placement(request.user, pk, today)
    view = selectors.shared_view(placement, today)
    selectors.audit_shared_view(view, page="provider pupil page")
    tax = taxonomy()
    return render(
        request,
        "placements/provider_pupil.html",
        {
            "placement": placement,
            "view": view,
            "categories": [tax.get(k) for k in view.categories if k in tax],
            "restricted": [tax.get(k) for k in view.restricted if k in tax],
        },
    )


def _write_back(request: HttpRequest, pk: int, form_class: type[Any], title: str, save: Any) -> HttpResponse:
    _provider(request)
    today = selectors.today()
    placement: Placement = selectors.provider_placement(request.user, pk, today)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form, placement, today)
        except ValidationError as exc:
            form.add_model_errors(exc, {"occurred_at": "day"})
        else:
            if done:
                messages.success(request, done)
                return redirect("provider:pupil", pk=placement.pk)
    return render(
        request,
        "placements/form.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "title": title,
            "caption": placement.pupil.display_name,
            "button": "Save",
            "back": reverse_lazy("provider:pupil", args=[placement.pk]),
        },
    )


@staff_page
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an attendance mark for the placed pupil (kept in the school's register, source: provider)."""

    def save(form: AttendanceForm, placement: Placement, today: Any) -> str:
        require_date(form, "date")
        if not form.is_valid():
            return ""
        data = form.cleaned_data
        services.record_attendance(
            actor=request.user,
            placement_id=placement.pk,
            date=data["date"],
            session=data["session"],
            code=data["code"],
            minutes_late=data["minutes_late"],
            comment=data["comment"] or "",
            on=today,
        )
        return "Attendance mark recorded"

    return _write_back(request, pk, AttendanceForm, "Record attendance", save)


@staff_page
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a behaviour incident or commendation for the placed pupil."""

    def save(form: IncidentForm, placement: Placement, today: Any) -> str:
        occurred_at = form.occurred_at()
        if occurred_at is None or not form.is_valid():
            return ""
        data = form.cleaned_data
        services.record_incident(
            actor=request.user,
            placement_id=placement.pk,
            occurred_at=occurred_at,
            kind=data["kind"],
            category=data["category"] or "",
            description=data["description"] or "",
            location=data["location"] or "",
            action_taken=data["action_taken"] or "",
            on=today,
        )
        return "Incident recorded"

    return _write_back(request, pk, IncidentForm, "Record an incident", save)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A provider user sets their password from the one-time link staff were shown. Django checks the
    token (bound to the password hash, so the link works once) and the password validators."""

    template_name = "placements/set_password.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("web:login")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # Only provider sign-ins are set up this way; staff have their own route.
        if user is not None and not ProviderUser.objects.filter(user_id=user.pk).exists():
            return None
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["error_summary"] = form.error_summary() if form is not None and form.is_bound else []
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        # The new password is the user's own act: audit it as them, not as an anonymous request.
        with acting_as(self.user, channel="web"):
            response = super().form_valid(form)
        messages.success(self.request, "Your password has been set: sign in")
        return response
