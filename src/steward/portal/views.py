"""Portal pages for parents, carers and pupils (namespace "portal", mounted at /portal/).

Each view parses the request, calls a selector or service, and renders. Every page needs a signed-in
person with a portal identity (staff and providers get a 404, except on the home page, which sends staff
to their own home and providers to their pages), is never cached (family computers are shared), and keeps
to the person's own children: any other child, request or file is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from steward.audit.context import acting_as
from steward.audit.services import Subject, record
from steward.portal import datacheck, decisions, invitations, requests
from steward.portal.forms import RequestForm, SetPasswordForm
from steward.portal.selectors import (
    child,
    children,
    notice_audience,
    portal_link,
    require_link,
    school_of,
    today,
)
from steward.web.views import staff_page

Handler = Callable[..., Any]


def portal_page(view: Handler) -> Handler:
    """A page for signed-in portal users that browsers must not keep; a 404 for anyone else."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        require_link(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return staff_page(wrapped)


def _audit_view(pupil: Any, page: str, categories: list[str], special: bool = False) -> None:
    record(
        "view",
        model="people.Pupil",
        object_id=pupil.pk,
        subject=Subject(pupil_id=pupil.pk),
        categories=categories,
        special=special,
        detail={"page": page},
    )


# --- signing in ---------------------------------------------------------------------------------------


@never_cache
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time invitation link: choose a password, then be signed in and sent to the portal."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render(request, "portal/link_expired.html", status=404)
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = invitation.link.user
        try:
            # Setting the password is the person's own act: audited as them.
            with acting_as(user, channel="web"):
                user = invitations.accept(
                    token=token,
                    password=form.cleaned_data["password"],
                    password_again=form.cleaned_data["password_again"],
                )
        except ValidationError as exc:
            if "token" in getattr(exc, "error_dict", {}):
                return render(request, "portal/link_expired.html", status=404)
            form.add_model_errors(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your password is set and you are signed in")
            return redirect("portal:home")
    return render(
        request,
        "portal/accept.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "username": invitation.link.user.get_username(),
            "school": invitation.link.school,
        },
    )


# --- home and a child's page ----------------------------------------------------------------------------


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """The person's children (a parent) or themself (a pupil). Staff go to their home; providers are
    pointed to their own pages."""
    link = portal_link(request.user)
    if link is None:
        from steward.placements.selectors import provider_of

        if provider_of(request.user) is not None:
            return render(request, "portal/provider.html")
        return redirect("web:home")
    kids = list(children(request.user))
    return render(
        request,
        "portal/home.html",
        {
            "link": link,
            "children": [{"pupil": p, "school": school_of(p)} for p in kids if _has_school(p)],
            "open_requests": sum(1 for r in requests.my_requests(request.user) if r.is_open),
        },
    )


def _has_school(pupil: Any) -> bool:
    try:
        school_of(pupil)
    except Http404:
        return False
    return True


def _child_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    link = require_link(request.user)
    pupil = child(request.user, pk)
    return {
        "link": link,
        "pupil": pupil,
        "school": school_of(pupil),
        "is_self": link.pupil_id == pupil.pk,
        "consent_available": decisions.consent_available(),
    }


@portal_page
def child_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One child (or the pupil themself): what they can read, decide, ask and check."""
    return render(request, "portal/child.html", _child_context(request, pk))


@portal_page
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's published privacy notice for the person: the parent notice for a parent; a pupil's
    own notice (the plain-language one for younger pupils). Rendered from the published version."""
    from steward.notices.selectors import current_notice, dateline, latest_version

    context = _child_context(request, pk)
    audience = notice_audience(context["link"], context["pupil"])
    version = current_notice(context["school"], audience) or latest_version(context["school"], audience)
    context.update(
        audience=audience,
        version=version,
        dateline=dateline(version) if version else "",
        # The stored HTML was rendered with autoescape when the version was published.
        article=mark_safe(version.html) if version else "",  # noqa: S308
    )
    return render(request, "portal/notice.html", context)


# --- consents --------------------------------------------------------------------------------------------


@portal_page
def consents(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's consents, what each is for, and buttons to give or withdraw them."""
    context = _child_context(request, pk)
    if not context["consent_available"]:
        raise Http404("No such page")
    pupil = context["pupil"]
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        action = request.POST.get("action", "")
        try:
            decisions.decide_consent(actor=request.user, pupil=pupil, purpose_key=purpose, action=action)
        except ValidationError as exc:
            errors = [{"href": f"#consent-{purpose}", "text": m} for m in exc.messages]
        except PermissionDenied as exc:  # the ledger: a portal user decides only as themself
            errors = [{"href": f"#consent-{purpose}", "text": str(exc)}]
        else:
            done = {"grant": "given", "refuse": "refused", "withdraw": "withdrawn"}.get(action, "recorded")
            messages.success(request, f"Consent {done}")
            return redirect("portal:consents", pk=pupil.pk)
    rows = [
        {"purpose": p, "state": st, "relies_on": _as_text(getattr(p, "relies_on", ""))}
        for p, st in decisions.consent_rows(user=request.user, pupil=pupil)
    ]
    _audit_view(pupil, "portal consents", ["pupil.rights"])
    context.update(rows=rows, error_summary=errors)
    return render(request, "portal/consents.html", context, status=400 if errors else 200)


def _as_text(value: Any) -> str:
    if isinstance(value, str):  # one thing per line in the register
        return ", ".join(line.strip() for line in value.splitlines() if line.strip())
    try:
        return ", ".join(str(v) for v in value)
    except TypeError:
        return str(value or "")


# --- youth-support sharing --------------------------------------------------------------------------------


@portal_page
def youth_support(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's youth-support sharing, who decides now, and the choice to opt down or back up."""
    context = _child_context(request, pk)
    pupil = context["pupil"]
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        try:
            if choice not in ("limited", "full"):
                raise ValidationError({"choice": "Choose what the school may share."})
            decisions.choose_youth_support(actor=request.user, pupil=pupil, limited=choice == "limited")
        except ValidationError as exc:
            errors = [{"href": "#choice", "text": m} for m in exc.messages]
        else:
            messages.success(request, "Your choice is recorded")
            return redirect("portal:youth_support", pk=pupil.pk)
    context.update(yss=decisions.youth_support(user=request.user, pupil=pupil), error_summary=errors)
    _audit_view(pupil, "portal youth-support sharing", ["pupil.rights"])
    return render(request, "portal/youth_support.html", context, status=400 if errors else 200)


# --- rights requests ----------------------------------------------------------------------------------------


@portal_page
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a rights request about the child (or, for a pupil, themself)."""
    context = _child_context(request, pk)
    pupil = context["pupil"]
    form = RequestForm(
        request.POST if request.method == "POST" else None, kinds=requests.kinds_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            req = requests.make_request(
                actor=request.user,
                pupil=pupil,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, f"Your request has been sent to {req.school.name} (reference {req.pk})")
            return redirect("portal:request_detail", pk=req.pk)
    context.update(form=form, error_summary=form.error_summary())
    return render(request, "portal/request_new.html", context)


@portal_page
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests the person made, with their status and the legal date to answer by."""
    rows = [requests.request_row(r) for r in requests.my_requests(request.user)]
    return render(request, "portal/requests.html", {"rows": rows, "today": today()})


@portal_page
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request; once an access request is answered, a download link valid for 24 hours."""
    req = requests.my_request(request.user, pk)
    row = requests.request_row(req)
    token = requests.bundle_link_token(user=request.user, bundle=row.bundle) if row.bundle else ""
    return render(
        request,
        "portal/request_detail.html",
        {"row": row, "req": req, "token": token, "hours": requests.BUNDLE_LINK_HOURS},
    )


@portal_page
def bundle_download(request: HttpRequest, token: str, what: str) -> FileResponse:
    """Download a released bundle's PDF or ZIP through its signed link (this user only, 24 hours)."""
    req, bundle = requests.bundle_for_token(user=request.user, token=token)
    requests.audit_download(req, bundle, what)
    stored = bundle.pdf if what == "pdf" else bundle.archive
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"request-{req.pk}.{what}",
        content_type="application/pdf" if what == "pdf" else "application/zip",
    )


# --- the annual data check -------------------------------------------------------------------------------------


@portal_page
def data_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact, medical and dietary details the school holds, with whether each must be given and why;
    corrections are sent for the school to check."""
    context = _child_context(request, pk)
    pupil = context["pupil"]
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        values = {k: str(v) for k, v in request.POST.items() if ":" in k}
        message = request.POST.get("message", "")
        try:
            datacheck.submit_data_check(actor=request.user, pupil=pupil, values=values, message=message)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request, "Thank you. The school will check your changes before updating its records"
            )
            return redirect("portal:child", pk=pupil.pk)
    groups = datacheck.data_check_items(user=request.user, pupil=pupil)
    datacheck.audit_data_check_view(pupil, groups, "portal data check")
    summary = [
        {"href": f"#{_anchor(key)}" if ":" in key else "#message", "text": msgs[0]}
        for key, msgs in errors.items()
    ]
    context.update(
        groups=[
            {
                "title": g.title,
                "fields": [
                    {
                        "item": f,
                        "anchor": _anchor(f.key),
                        "value": values.get(f.key, f.value),
                        "errors": errors.get(f.key, []),
                    }
                    for f in g.fields
                ],
            }
            for g in groups
        ],
        message=message,
        error_summary=summary,
        submissions=list(datacheck.my_submissions(request.user, pupil)[:5]),
    )
    return render(request, "portal/data_check.html", context, status=400 if errors else 200)


def _anchor(key: str) -> str:
    return "f-" + key.replace(":", "-").replace(".", "-")
