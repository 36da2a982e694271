"""Staff pages. Each view parses the request, calls a selector or service, and renders.

Every page needs a signed-in user and sends `Cache-Control: no-store`, because school computers
are shared and a browser's back button must not bring a pupil's record back after sign-out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from steward.accounts.roles import ROLES, Action
from steward.accounts.scope import scope_for
from steward.audit.selectors import audit_log as audit_log_events
from steward.audit.services import verify_chain
from steward.organisations.models import School
from steward.people import services as pupil_services
from steward.people.models import Enrolment, Pupil
from steward.people.selectors import Profile, Section, pupil_profile, search_pupils
from steward.registry.registry import as_data
from steward.rights import selectors as rights_selectors
from steward.sharing import selectors as sharing_selectors
from steward.web.access import require
from steward.web.forms import AuditFilterForm, PupilCreateForm, PupilSearchForm, SignInForm

PAGE_SIZE = 50
Handler = Callable[..., HttpResponse]


def staff_page(view: Handler) -> Handler:
    """A page for signed-in users that browsers must not keep."""
    return login_required(never_cache(view))


class SignInView(auth_views.LoginView):
    """Django's sign-in view with the GOV.UK form; audit events come from the auth signals."""

    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["error_summary"] = form.error_summary() if form.is_bound else []
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and return to the sign-in page."""


def _paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """The user's roles, school by school, and the pages they can use. Families go to the portal and
    alternative provision providers to their pages: they have no staff home."""
    scope = scope_for(request.user)
    if not scope.grants:
        from steward.placements.models import ProviderUser
        from steward.portal.selectors import portal_link

        if portal_link(request.user) is not None:
            return redirect("portal:home")
        if ProviderUser.objects.filter(user_id=getattr(request.user, "pk", 0)).exists():
            return redirect("provider:home")
    schools = School.objects.filter(pk__in=list(scope.grants)).order_by("name")
    rows = [
        {"school": s, "roles": sorted(ROLES[k].label for k in scope.roles_at(s.pk) if k in ROLES)}
        for s in schools
    ]
    return render(request, "web/home.html", {"role_rows": rows})


def _school_names(pupils: list[Pupil], school_ids: set[int]) -> dict[int, list[str]]:
    """For each pupil, the names of the user's schools they are (or were) enrolled at, current first."""
    today = timezone.localdate()
    current = Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)
    enrolments = (
        Enrolment.objects.filter(pupil__in=pupils, school_id__in=school_ids)
        .select_related("school")
        .annotate(left=Case(When(current, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("left", "-admission_date")
    )
    names: dict[int, list[str]] = {}
    for e in enrolments:
        label = e.school.name if e.is_current else f"{e.school.name} (left)"
        names.setdefault(e.pupil_id, []).append(label)
    return names


@staff_page
def pupil_search(request: HttpRequest) -> HttpResponse:
    """Search the pupils of the user's schools by name or UPN, 50 to a page."""
    scope = require(request.user, Action.VIEW_PUPILS)
    school_ids = scope.school_ids(Action.VIEW_PUPILS)
    schools = School.objects.filter(pk__in=school_ids).order_by("name")
    form = PupilSearchForm(request.GET, schools=schools)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    pupils = search_pupils(
        request.user,
        data.get("q", ""),
        school_id=data.get("school"),
        include_leavers=bool(data.get("include_leavers")),
    )
    page = _paginate(request, pupils if valid else Pupil.objects.none())
    page_pupils = list(page.object_list)
    names = _school_names(page_pupils, school_ids)
    results = [{"pupil": p, "schools": names.get(p.pk, [])} for p in page_pupils]
    return render(
        request,
        "web/pupil_search.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "page": page,
            "results": results,
            "searched": bool(request.GET),
        },
    )


def _identity_groups(profile: Profile) -> list[dict[str, Any]]:
    """Identity rows grouped by category label, in the order the model declares them."""
    groups: dict[str, list[dict[str, str]]] = {}
    for category, label, value in profile.identity:
        groups.setdefault(category, []).append({"label": label, "value": value})
    return [{"category": c, "rows": rows} for c, rows in groups.items()]


TABLE_MAX_COLUMNS = 7
TABLE_MAX_TEXT = 40


def _as_table(section: Section) -> bool:
    """Short values read best as a table; free text (narratives, treatments) as one list per record."""
    if len(section.columns) > TABLE_MAX_COLUMNS:
        return False
    return all(len(value) <= TABLE_MAX_TEXT for row in section.rows for _, value in row.cells)


@staff_page
def pupil_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pupil: the categories this user may read, and a note of those hidden from them."""
    require(request.user, Action.VIEW_PUPILS)
    profile = pupil_profile(request.user, pk)  # Http404 outside scope; audits the view
    titled = profile.sections
    sections = [{"section": s, "as_table": _as_table(s)} for s in titled if s.total]
    empty = [s for s in titled if not s.total]
    return render(
        request,
        "web/pupil_detail.html",
        {
            "profile": profile,
            "pupil": profile.pupil,
            "identity_groups": _identity_groups(profile),
            "sections": sections,
            "empty_sections": empty,
            "rights_notice": rights_selectors.pupil_rights_notice(
                request.user, profile.pupil, on=timezone.localdate()
            ),
            "disclosures": sharing_selectors.pupil_disclosures(profile.pupil),
        },
    )


@staff_page
def pupil_create(request: HttpRequest) -> HttpResponse:
    """Add a pupil at one of the schools where the user may change pupils."""
    scope = require(request.user, Action.CHANGE_PUPILS)
    schools = School.objects.filter(pk__in=scope.school_ids(Action.CHANGE_PUPILS)).order_by("name")
    form = PupilCreateForm(request.POST if request.method == "POST" else None, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            pupil = pupil_services.pupil_create(
                actor=request.user,
                school=form.cleaned_data["school"],
                enrolment=form.enrolment(),
                **form.pupil_fields(),
            )
        except ValidationError as exc:
            form.add_model_errors(exc, {"enrolment.admission_date": "admission_date"})
        else:
            messages.success(request, f"{pupil.display_name} has been added")
            return redirect("web:pupil_detail", pk=pupil.pk)
    return render(request, "web/pupil_create.html", {"form": form, "error_summary": form.error_summary()})


@staff_page
def data_map(request: HttpRequest) -> HttpResponse:
    """The personal-data registry: every registered model and how each field is classified."""
    require(request.user, Action.VIEW_DATAMAP)
    return render(request, "web/data_map.html", {"registry": as_data()})


@staff_page
def data_map_json(request: HttpRequest) -> JsonResponse:
    """The same registry as a JSON download (the `steward registry --format json` shape)."""
    require(request.user, Action.VIEW_DATAMAP)
    response = JsonResponse(as_data(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="steward-data-map.json"'
    return response


@staff_page
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit events this user may read, newest first, with an on-demand chain check."""
    require(request.user, Action.VIEW_AUDIT)
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    events = audit_log_events(request.user, action=data.get("action", ""), pupil_id=data.get("pupil"))
    # Checking the chain reads every event, so it runs when asked rather than on every page.
    chain = verify_chain() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "web/audit_log.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "page": _paginate(request, events),
            "chain": chain,
        },
    )


_ASSET_PATH = re.compile(r"^(fonts|images)/[A-Za-z0-9][A-Za-z0-9._-]*$|^manifest\.json$")


@require_GET
def govuk_asset(request: HttpRequest, path: str) -> HttpResponse:
    """Send /assets/... to GOV.UK Frontend's assets under STATIC_URL.

    The package's compiled CSS refers to its fonts and images at /assets/...; this keeps those
    URLs working wherever static files are served (whitenoise, the test server, a CDN).
    """
    if not _ASSET_PATH.match(path):
        raise Http404("No such asset")
    response = redirect(static(f"govuk/assets/{path}"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
