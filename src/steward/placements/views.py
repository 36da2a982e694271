"""Staff placement pages: a school's placements (current, upcoming, ended), commissioning, one placement
(what the provider can see, the AP notice sent, end early), providers and their sign-ins, and a small
form for the DPO to record an agreement with AP providers.

Who may use them: staff who may change pupils (`CHANGE_PUPILS`) at the school; anything else is a 404,
as everywhere in the staff UI (a provider user, holding no staff role, gets 404 on every one). Thin
shells: every write is one call to `placements.services`, every read goes through `placements.selectors`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil
from steward.people.selectors import verbose
from steward.placements import selectors, services
from steward.placements.forms import (
    AgreementForm,
    CommissionForm,
    EndForm,
    ProviderForm,
    ProviderUserForm,
    require_date,
)
from steward.placements.models import Placement
from steward.registry.taxonomy import taxonomy
from steward.web.access import require
from steward.web.views import staff_page


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _school(request: HttpRequest) -> School:
    """The school the page is about: ?school=URN (or the posted one), else the user's first."""
    urn = request.POST.get("school_urn") or request.GET.get("school") or ""
    if urn:
        return selectors.staff_school(request.user, urn)
    school = selectors.staff_schools(request.user).first()
    if school is None:
        raise Http404("No such page")
    return school


def _page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, "error_summary": form.error_summary(), **context})


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    """A school's placements today: current, upcoming and ended."""
    require(request.user, Action.CHANGE_PUPILS)
    school = _school(request)
    today = selectors.today()
    listing = selectors.school_placements(request.user, school, today)
    selectors.audit_staff_list([*listing.current, *listing.upcoming, *listing.ended], school)
    return render(
        request,
        "placements/index.html",
        {
            "school": school,
            "schools": selectors.staff_schools(request.user),
            "listing": listing,
            "today": today,
            "may_record_agreements": _dpo_trust(request.user, school.trust) is not None,
        },
    )


@staff_page
def commission(request: HttpRequest) -> HttpResponse:
    """Commission a placement at one of the user's schools."""
    require(request.user, Action.CHANGE_PUPILS)
    school = _school(request)
    today = selectors.today()
    pupils = Pupil.objects.filter(
        pk__in=Enrolment.objects.filter(school=school, leaving_date__isnull=True).values("pupil_id")
    ).order_by("legal_surname", "legal_forename", "pk")
    form = CommissionForm(
        _post(request),
        pupils=pupils,
        providers=selectors.providers_for(request.user).filter(trust_id=school.trust_id),
        agreements=selectors.agreements_for(school),
        categories=selectors.recipient_categories(school),
        initial={"pupil": request.GET.get("pupil") or None},
    )
    if request.method == "POST" and form.is_valid():
        for name in ("starts_on", "ends_on"):
            require_date(form, name)
        data = form.values()
        for name, label in (("pupil", "pupil"), ("provider", "provider"), ("agreement", "agreement")):
            if data.get(name) is None and name not in form.errors:
                form.add_error(name, f"Select the {label}")
        if form.is_valid():
            try:
                placement = services.commission_placement(
                    actor=request.user,
                    school=school,
                    on=today,
                    pupil=data["pupil"],
                    provider=data["provider"],
                    agreement=data["agreement"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    services=data["services"] or "",
                    categories=data["categories"] or [],
                    reason=data["reason"] or "",
                )
            except ValidationError as exc:
                form.add_model_errors(exc)
            else:
                messages.success(
                    request,
                    f"Placement commissioned: send the family version {placement.ap_notice_number} of the "
                    "alternative provision privacy notice",
                )
                return redirect("placements:detail", pk=placement.pk)
    return _page(
        request,
        "placements/commission.html",
        form,
        school=school,
        no_providers=not form.fields["provider"].queryset.exists(),  # type: ignore[attr-defined]
        no_agreements=not form.fields["agreement"].queryset.exists(),  # type: ignore[attr-defined]
    )


def _shared_fields(placement: Placement) -> list[dict[str, Any]]:
    """Per registered model, the fields the provider can see (labels only: this page shows no values)."""
    out = []
    for shared in selectors.shared_models(placement.categories):
        model = shared.entry.model
        out.append(
            {
                "title": capfirst(str(model._meta.verbose_name_plural)),
                "fields": [capfirst(verbose(model, f.name)) for f in shared.fields],
            }
        )
    return out


@staff_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One placement: dates, status, the provider's view of the pupil (which fields), the notice sent."""
    require(request.user, Action.CHANGE_PUPILS)
    placement = selectors.staff_placement(request.user, pk)
    selectors.audit_staff_view(placement)
    today = selectors.today()
    tax = taxonomy()
    return render(
        request,
        "placements/detail.html",
        {
            "placement": placement,
            "status": placement.status_on(today),
            "end_cause": placement.end_cause(today),
            "categories": [tax.get(k) for k in placement.categories if k in tax],
            "shared": _shared_fields(placement),
        },
    )


@staff_page
def end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a placement early: the provider loses access today."""
    require(request.user, Action.CHANGE_PUPILS)
    placement = selectors.staff_placement(request.user, pk)
    form = EndForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.end_placement(
                actor=request.user,
                placement=placement,
                reason=form.cleaned_data["reason"],
                on=selectors.today(),
            )
        except ValidationError as exc:
            form.add_model_errors(exc, {"end_reason": "reason", "ended_on": "reason"})
        else:
            messages.success(request, "The placement has ended: the provider can no longer see the pupil")
            return redirect("placements:detail", pk=placement.pk)
    return _page(request, "placements/end.html", form, placement=placement)


# --- providers ----------------------------------------------------------------------------------------


@staff_page
def providers(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE_PUPILS)
    return render(request, "placements/providers.html", {"providers": selectors.providers_for(request.user)})


def _staff_trust(user: Any) -> Trust:
    school = selectors.staff_schools(user).select_related("trust").first()
    if school is None:
        raise Http404("No such page")
    return school.trust


@staff_page
def provider_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE_PUPILS)
    trust = _staff_trust(request.user)
    form = ProviderForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(actor=request.user, trust=trust, **form.cleaned_data)
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, f"{provider.name} has been added")
            return redirect("placements:provider", pk=provider.pk)
    return _page(request, "placements/form.html", form, title="Add a provider", button="Add provider",
                 back=reverse("placements:providers"), caption=trust.name)  # fmt: skip


@staff_page
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE_PUPILS)
    provider = selectors.staff_provider(request.user, pk)
    return render(
        request,
        "placements/provider.html",
        {
            "provider": provider,
            "provider_users": provider.users.select_related("user").order_by("user__username"),
            "placements": selectors.staff_placements(request.user)
            .filter(provider=provider)
            .order_by("-starts_on"),
        },
    )


@staff_page
def provider_user_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person at the provider a sign-in; the page that follows shows a one-time set-password link
    (shown once, never stored: a lost link is replaced by adding the person again after removal)."""
    require(request.user, Action.CHANGE_PUPILS)
    provider = selectors.staff_provider(request.user, pk)
    schools = selectors.staff_schools(request.user).filter(trust_id=provider.trust_id)
    form = ProviderUserForm(_post(request), schools=schools, initial={"school": schools.first()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school")
        if school is None:
            form.add_error("school", "Select your school")
        else:
            try:
                link = services.provider_user_add(
                    actor=request.user, provider=provider, school=school, **data
                )
            except ValidationError as exc:
                form.add_model_errors(exc)
            else:
                uid, token = services.set_password_link(link.user)
                url = request.build_absolute_uri(reverse("provider:set_password", args=[uid, token]))
                return render(
                    request,
                    "placements/user_added.html",
                    {"provider": provider, "new_user": link.user, "link": url},
                )
    return _page(request, "placements/form.html", form, title=f"Add a sign-in for {provider.name}",
                 button="Add sign-in", back=reverse("placements:provider", args=[provider.pk]),
                 caption=provider.name)  # fmt: skip


# --- agreements -----------------------------------------------------------------------------------------


def _dpo_trust(user: Any, trust: Trust) -> Trust | None:
    return trust if Action.MANAGE_REGISTER in scope_for(user).trust_actions.get(trust.pk, set()) else None


@staff_page
def agreement_create(request: HttpRequest) -> HttpResponse:
    """Record an agreement with AP providers (the trust's DPO only; for anyone else the page is a 404)."""
    require(request.user, Action.CHANGE_PUPILS)
    school = _school(request)
    trust = _dpo_trust(request.user, school.trust)
    if trust is None:
        raise Http404("No such page")
    form = AgreementForm(_post(request), categories=selectors.recipient_categories(school))
    if request.method == "POST" and form.is_valid():
        require_date(form, "starts_on")
        if form.is_valid():
            try:
                services.agreement_create(actor=request.user, trust=trust, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise Http404("No such page") from None
                form.add_model_errors(exc)
            else:
                messages.success(request, "The agreement has been recorded")
                return redirect(f"{reverse('placements:index')}?school={school.urn}")
    return _page(request, "placements/form.html", form, title="Record a data sharing agreement",
                 button="Record agreement", caption="Alternative provision providers",
                 back=f"{reverse('placements:index')}?school={school.urn}", school=school)  # fmt: skip
