"""Notice pages: the public notice of each school, and the staff pages that preview, publish,
compare and check notices. Each view parses the request, calls a selector or service, and renders.

Public pages need no sign-in: a school must publish its notices. Staff pages follow the web app's
rules: signed in, never cached, and a school outside the user's scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from steward.accounts.scope import scope_for
from steward.notices import render as formats
from steward.notices.audiences import AUDIENCES, audience_label
from steward.notices.checker import check_extracted, check_notice
from steward.notices.compiler import compile_notice
from steward.notices.forms import CheckForm, DiffForm, PublishForm
from steward.notices.models import NoticeVersion, content_hash
from steward.notices.selectors import (
    VIEW_ACTIONS,
    current_notice,
    dateline,
    diff_versions,
    get_version,
    latest_version,
    may_publish,
    notice_on,
    notice_school,
    notice_schools,
    render_version,
    version_document,
    versions,
)
from steward.notices.services import PublishRefused, publish_notice
from steward.organisations.models import School
from steward.register.selectors import get_school_by_urn, register_problems
from steward.web.views import staff_page

PDF_CACHE_SECONDS = 24 * 60 * 60


def _require_notices(user: Any) -> None:
    """Staff notice pages are for data map readers and register keepers; others get a 404."""
    scope = scope_for(user)
    if not any(scope.may(action) for action in VIEW_ACTIONS):
        raise Http404("No such page")


# --- public pages -----------------------------------------------------------------------------------


def _version_context(version: NoticeVersion) -> dict[str, Any]:
    """What the public page says around a stored version: its place in the history and its links."""
    school = version.school
    history = list(versions(school, version.audience))
    current = current_notice(school, version.audience)
    later = [v for v in history if v.number > version.number and v.effective_from > version.effective_from]
    return {
        "doc": version_document(version),
        "article": mark_safe(version.html),  # noqa: S308 - rendered with autoescape when published
        "dateline": dateline(version),
        "version": version,
        "history": history,
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "upcoming": version.effective_from > timezone.localdate(),
        "replaced_on": later[0].effective_from if later else None,
        "pdf_url": reverse(
            "notices:public_version_pdf",
            kwargs={"urn": school.urn, "audience": version.audience, "number": version.number},
        ),
        "inline_css": "",
    }


def _not_found(
    request: HttpRequest, school: School, audience: str, message: str, *, link_current: bool = False
) -> HttpResponse:
    context = {
        "school": school,
        "audience": audience,
        "audience_label": audience_label(audience),
        "message": message,
        "link_current": link_current,
    }
    return render(request, "notices/public_missing.html", context, status=404)


@require_GET
def public_notice(request: HttpRequest, urn: str, audience: str) -> HttpResponse:
    """The notice in effect today, or with `?on=YYYY-MM-DD` the one in effect on that date."""
    school = get_school_by_urn(urn)
    raw = request.GET.get("on", "").strip()
    today = timezone.localdate()
    on = today
    if raw:
        try:
            on = dt.date.fromisoformat(raw)
        except ValueError:
            response = _not_found(
                request,
                school,
                audience,
                f"'{raw}' is not a date. Enter a date like 2026-09-01.",
                link_current=True,
            )
            response.status_code = 400
            return response
    version = notice_on(school, audience, on)
    if version is None:
        first = versions(school, audience).order_by("effective_from", "number").first()
        if first is None:
            return _not_found(
                request, school, audience, f"{school.name} has not published this privacy notice yet."
            )
        if not raw:
            version = first  # published, but not in effect until a later date: show what is coming
        else:
            return _not_found(
                request,
                school,
                audience,
                f"No version of this notice was in effect on {formats.long_date(on)}. The first version "
                f"took effect on {formats.long_date(first.effective_from)}.",
                link_current=True,
            )
    context = _version_context(version)
    context["asked_on"] = on if raw else None
    return render(request, "notices/public.html", context)


@require_GET
def public_version(request: HttpRequest, urn: str, audience: str, number: int) -> HttpResponse:
    """One published version, whether or not it is in effect."""
    school = get_school_by_urn(urn)
    version = get_version(school, audience, number)
    return render(request, "notices/public.html", _version_context(version))


def _pdf_response(version: NoticeVersion) -> HttpResponse:
    # A version never changes, so its PDF is rendered once and cached: rendering takes most of a
    # second, and this page needs no sign-in.
    key = f"steward:notice-pdf:{version.pk}:{version.content_hash}"
    data = cache.get(key)
    if data is None:
        data = render_version(version, "pdf")
        cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type=formats.CONTENT_TYPES["pdf"])
    filename = f"{version.school.urn}-{version.audience}-notice-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def public_pdf(request: HttpRequest, urn: str, audience: str) -> HttpResponse:
    """The PDF of the version in effect today (or on `?on=`)."""
    school = get_school_by_urn(urn)
    raw = request.GET.get("on", "").strip()
    try:
        on = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise Http404("Not a date") from None
    version = notice_on(school, audience, on)
    if version is None:
        raise Http404("No version of this notice was in effect then")
    return _pdf_response(version)


@require_GET
def public_version_pdf(request: HttpRequest, urn: str, audience: str, number: int) -> HttpResponse:
    school = get_school_by_urn(urn)
    return _pdf_response(get_version(school, audience, number))


@require_GET
def public_school(request: HttpRequest, urn: str) -> HttpResponse:
    """The notices a school has published."""
    school = get_school_by_urn(urn)
    rows = [
        {
            "audience": a,
            "label": audience_label(a),
            "version": current_notice(school, a) or latest_version(school, a),
        }
        for a in AUDIENCES
    ]
    rows = [r for r in rows if r["version"] is not None]
    if not rows:
        raise Http404("This school has not published any privacy notices")
    return render(request, "notices/public_school.html", {"school": school, "rows": rows})


# --- staff pages ------------------------------------------------------------------------------------


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    """Every notice of every school the user may see: what is published and whether it can be."""
    _require_notices(request.user)
    schools = []
    for school in notice_schools(request.user):
        blocking = [p for p in register_problems(school) if p.severity == "error"]
        schools.append(
            {
                "school": school,
                "problems": blocking,
                "may_publish": may_publish(request.user, school),
                "notices": [
                    {
                        "audience": a,
                        "label": audience_label(a),
                        "current": current_notice(school, a),
                        "latest": latest_version(school, a),
                    }
                    for a in AUDIENCES
                ],
            }
        )
    return render(request, "notices/index.html", {"schools": schools})


def _preview_context(
    request: HttpRequest, school: School, audience: str, form: PublishForm
) -> dict[str, Any]:
    compiled = compile_notice(school, audience)
    problems = register_problems(school, include_advice=True)
    errors = [p for p in problems if p.severity == "error"]
    advice = [p for p in problems if p.severity != "error"]
    latest = latest_version(school, audience)
    report = check_notice(compiled.content, source="the compiled notice", format="md")
    return {
        "school": school,
        "audience": audience,
        "audience_label": audience_label(audience),
        "compiled": compiled,
        "article": formats.article(compiled.document),
        "errors": errors,
        "advice": advice,
        "report": report,
        "current": current_notice(school, audience),
        "latest": latest,
        "unchanged": latest is not None and latest.content_hash == content_hash(compiled.content),
        "next_number": (latest.number + 1) if latest else 1,
        "may_publish": may_publish(request.user, school),
        "form": form,
        "error_summary": form.error_summary() if form.is_bound else [],
        "formats": ("md", "txt", "html", "pdf"),
    }


@staff_page
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, urn: str, audience: str) -> HttpResponse:
    """The notice compiled from the register now, what stops it being published, and the publish form."""
    _require_notices(request.user)
    school = notice_school(request.user, urn)
    if request.method == "POST":
        if not may_publish(request.user, school):
            raise Http404("No such page")
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                version = publish_notice(
                    actor=request.user,
                    school=school,
                    audience=audience,
                    effective_from=form.cleaned_data["effective_from"],
                )
            except PublishRefused as exc:
                form.add_model_errors(exc)
            except PermissionDenied:
                raise Http404("No such page") from None
            else:
                messages.success(
                    request,
                    f"Version {version.number} of the {audience_label(audience).lower()} notice is published, "
                    f"in effect from {formats.long_date(version.effective_from)}",
                )
                return redirect("notices:history", urn=school.urn, audience=audience)
    else:
        form = PublishForm(initial={"effective_from": timezone.localdate()})
    return render(request, "notices/preview.html", _preview_context(request, school, audience, form))


@staff_page
@require_GET
def draft(request: HttpRequest, urn: str, audience: str, fmt: str) -> HttpResponse:
    """The compiled (unpublished) notice as a file, to read or share before publishing."""
    _require_notices(request.user)
    school = notice_school(request.user, urn)
    data = compile_notice(school, audience).render(fmt)
    response = HttpResponse(data, content_type=formats.CONTENT_TYPES[fmt])
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{school.urn}-{audience}-notice-draft.{fmt}"'
    return response


@staff_page
@require_GET
def history(request: HttpRequest, urn: str, audience: str) -> HttpResponse:
    """Every published version, and the differences between any two of them."""
    _require_notices(request.user)
    school = notice_school(request.user, urn)
    all_versions = list(versions(school, audience))
    numbers = [v.number for v in all_versions]
    by_number = {v.number: v for v in all_versions}
    result = None
    if "old" in request.GET or "new" in request.GET:
        form = DiffForm(request.GET, numbers=numbers)
        if form.is_valid():
            result = diff_versions(by_number[form.cleaned_data["old"]], by_number[form.cleaned_data["new"]])
    else:
        initial = {"old": numbers[-2], "new": numbers[-1]} if len(numbers) >= 2 else {}
        form = DiffForm(initial=initial, numbers=numbers)
        if len(numbers) >= 2:
            result = diff_versions(by_number[numbers[-2]], by_number[numbers[-1]])
    return render(
        request,
        "notices/history.html",
        {
            "school": school,
            "audience": audience,
            "audience_label": audience_label(audience),
            "versions": list(reversed(all_versions)),
            "current": current_notice(school, audience),
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
            "diff": result,
        },
    )


@staff_page
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Upload any privacy notice and see the checker's report."""
    _require_notices(request.user)
    report = None
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        if form.is_valid():
            report = check_extracted(form.cleaned_data["file"])
    else:
        form = CheckForm()
    return render(
        request,
        "notices/check.html",
        {"form": form, "error_summary": form.error_summary() if form.is_bound else [], "report": report},
    )
