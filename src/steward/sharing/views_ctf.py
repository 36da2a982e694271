"""Common transfer file pages (export, import with a dry run first, the files sent and received) and the
data sharing agreements page. Thin shells over `sharing.ctf` and `sharing.agreements`.

Exports need `Action.EXPORT` at the school (the service's rule) and go out as an encrypted package whose
passphrase is shown once; imports need `Action.IMPORT`. An uploaded file waits for confirmation
encrypted, its key in the confirm form (`views_common.stash`). A malformed file is refused with every
problem by line and element, and nothing is written.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steward.placements.forms import require_date
from steward.register.selectors import effective_register
from steward.sharing import agreements as agreement_services
from steward.sharing import selectors
from steward.sharing.ctf.common import resolve_destination
from steward.sharing.ctf.export import export_ctf
from steward.sharing.ctf.importer import CtfInvalid, import_ctf
from steward.sharing.forms import (
    CtfConfirmForm,
    CtfExportForm,
    CtfImportForm,
    RecipientAgreementForm,
    upn_list,
)
from steward.sharing.gate import ShareRefused
from steward.sharing.views_common import (
    discard,
    offer,
    page,
    post,
    refusal_items,
    refusal_rows,
    refused,
    slot,
    stash,
    unstash,
)
from steward.web.views import staff_page


def _ctf_url(school: Any) -> str:
    return f"{reverse('sharing:ctf')}?school={school.urn}"


@staff_page
def ctf(request: HttpRequest) -> HttpResponse:
    """The CTFs a school sent and received."""
    schools = selectors.sharing_schools(request.user)
    school = selectors.school_in(schools, request.GET.get("school", ""))
    return render(
        request,
        "sharing/ctf.html",
        {
            "school": school,
            "schools": schools,
            "sent": selectors.ctf_sent(school)[:50],
            "received": selectors.ctf_received(school)[:50],
            "back": f"{reverse('sharing:index')}?school={school.urn}",
            "error_summary": [],
        },
    )


@staff_page
def ctf_export(request: HttpRequest) -> HttpResponse:
    """Export a CTF for pupils (by UPN, or leavers on a date) to a destination school or 'unknown'."""
    schools = selectors.sharing_schools(request.user)
    first = selectors.school_in(schools, request.GET.get("school", ""))
    form = CtfExportForm(post(request), schools=schools, initial={"school": first.urn})
    back = _ctf_url(first)
    if request.method != "POST" or not form.is_valid():
        return page(request, "sharing/ctf_export.html", form, school=first, back=back)
    data = form.cleaned_data
    school = selectors.school_in(schools, data["school"])
    upns = upn_list(data.get("upns") or "")
    pupils, missing = selectors.pupils_by_upn(school, upns)
    if data.get("leavers_on") is not None:
        leavers = selectors.leavers_on(school, data["leavers_on"])
        if not leavers:
            form.add_error("leavers_on", f"No pupil leaves {school.name} on {data['leavers_on']:%d %B %Y}")
        pupils += [p for p in leavers if p not in pupils]
    if missing:
        form.add_error("upns", f"Not pupils of {school.name}: {', '.join(missing)}")
    try:
        destination = resolve_destination(data["destination"])
    except ValidationError as exc:
        form.add_model_errors(exc)
    if form.errors:
        return page(request, "sharing/ctf_export.html", form, school=school, back=back)
    token, path = slot()
    try:
        result = export_ctf(
            actor=request.user,
            school=school,
            pupils=pupils,
            destination=destination,
            on=selectors.today(),
            package_to=path,
        )
    except PermissionDenied as exc:
        return refused(request, str(exc), back)
    except ShareRefused as exc:
        path.unlink(missing_ok=True)
        return page(
            request,
            "sharing/ctf_export.html",
            form,
            errors=refusal_items(exc),
            failures=refusal_rows(exc),
            school=school,
            back=back,
        )
    except ValidationError as exc:
        path.unlink(missing_ok=True)
        form.add_model_errors(exc, {"pupils": "upns"})
        return page(request, "sharing/ctf_export.html", form, school=school, back=back)
    filename = f"{result.files[0].name.rsplit('_', 1)[0]}.zip" if result.files else "ctf.zip"
    offer(request, token, filename=filename, sha256=result.package_sha256, run_id=result.run.pk,
          school_id=school.pk)  # fmt: skip
    return render(
        request,
        "sharing/ctf_export_done.html",
        {
            "result": result,
            "school": school,
            "package": {"passphrase": result.passphrase, "sha256": result.package_sha256},
            "token": token,
            "keeps_cp": selectors.may_keep_cp(request.user, school),
            "back": _ctf_url(school),
            "error_summary": [],
        },
    )


@staff_page
def ctf_import(request: HttpRequest) -> HttpResponse:
    """Upload a CTF: a dry run shows what it would do; confirming imports it (all or nothing)."""
    schools = selectors.import_schools(request.user)
    if not schools.exists():
        raise Http404("No such page")
    first = selectors.school_in(schools, request.GET.get("school", "") or request.POST.get("school", ""))
    back = _ctf_url(first) if first.pk in selectors.export_school_ids(request.user) else reverse("web:home")
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request, first, back)
    form = CtfImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        schools=schools,
        initial={"school": first.urn},
    )
    if request.method != "POST" or not form.is_valid():
        return page(request, "sharing/ctf_import.html", form, school=first, back=back)
    data = form.cleaned_data
    upload = data["file"]
    raw = upload.read()
    named = io.BytesIO(raw)
    named.name = upload.name
    try:
        result = import_ctf(
            actor=request.user,
            school=first,
            file=named,
            admission_date=data.get("admission_date"),
            dry_run=True,
        )
    except PermissionDenied as exc:
        return refused(request, str(exc), back)
    except CtfInvalid as exc:
        errors = [{"href": "#problems", "text": f"{exc.file_name} is not a valid CTF: nothing was imported"}]
        return page(request, "sharing/ctf_import.html", form, errors=errors, problems=exc.problems,
                    bad_file=exc.file_name, school=first, back=back)  # fmt: skip
    token, key = stash(raw)
    return render(
        request,
        "sharing/ctf_import_check.html",
        {
            "result": result,
            "school": first,
            "token": token,
            "key": key,
            "file_name": upload.name,
            "admission_date": data.get("admission_date"),
            "back": back,
            "error_summary": [],
        },
    )


def _confirm(request: HttpRequest, school: Any, back: str) -> HttpResponse:
    form = CtfConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404("No such upload")
    token = form.cleaned_data["token"]
    raw = unstash(token, form.cleaned_data["key"])
    named = io.BytesIO(raw)
    named.name = (request.POST.get("file_name") or "upload.xml").rsplit("/", 1)[-1][:200]
    admission = request.POST.get("admission_date") or None
    import datetime as dt

    try:
        result = import_ctf(
            actor=request.user,
            school=school,
            file=named,
            admission_date=dt.date.fromisoformat(admission) if admission else None,
        )
    except PermissionDenied as exc:
        discard(token)
        return refused(request, str(exc), back)
    except (CtfInvalid, ValueError) as exc:
        discard(token)
        problems = getattr(exc, "problems", [])
        form2 = CtfImportForm(schools=selectors.import_schools(request.user), initial={"school": school.urn})
        errors = [
            {"href": "#problems" if problems else "", "text": "The file was not imported: upload it again"}
        ]
        return page(request, "sharing/ctf_import.html", form2, errors=errors, problems=problems,
                    school=school, back=back)  # fmt: skip
    discard(token)
    counts = result.counts()
    messages.success(
        request,
        f"{result.file_name} imported into {school.name}: {counts['created']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged",
    )
    if school.pk in selectors.export_school_ids(request.user):
        return redirect(_ctf_url(school))
    return redirect("web:home")


# --- agreements --------------------------------------------------------------------------------------


@staff_page
def agreements(request: HttpRequest) -> HttpResponse:
    """Data sharing agreements of each trust the user shares from: in force today, and ended."""
    if not selectors.sharing_schools(request.user).exists():
        raise Http404("No such page")
    today = selectors.today()
    return render(
        request,
        "sharing/agreements.html",
        {"trusts": selectors.agreements_by_trust(request.user, today), "today": today, "error_summary": []},
    )


@staff_page
def agreement_create(request: HttpRequest) -> HttpResponse:
    """Record an agreement with a recipient in the register (the trust's DPO; anyone else: 404).

    Without `?recipient=` the page lists the register's recipients (those whose row requires an
    agreement first); with it, the form offers only that recipient's purposes and categories.
    """
    schools = selectors.sharing_schools(request.user)
    school = selectors.school_in(schools, request.GET.get("school", ""))
    if not selectors.is_dpo(request.user, school):
        raise Http404("No such page")
    back = reverse("sharing:agreements")
    view = effective_register(school)
    recipient = next((r for r in view.recipients if r.key == request.GET.get("recipient", "")), None)
    if recipient is None:
        ordered = sorted(view.recipients, key=lambda r: (not r.dsa_required, r.name))
        return render(
            request,
            "sharing/agreement_recipient.html",
            {"school": school, "recipients": ordered, "back": back, "error_summary": []},
        )
    names = {p.key: p.name for p in view.purposes}
    form = RecipientAgreementForm(
        post(request),
        request.FILES if request.method == "POST" else None,
        recipient_name=recipient.name,
        purposes=[(k, names.get(k, k)) for k in recipient.purposes],
        categories=recipient.categories,
    )
    if request.method == "POST" and form.is_valid():
        require_date(form, "starts_on")
        if form.is_valid():
            try:
                agreement_services.agreement_create(
                    actor=request.user, trust=school.trust, recipient_key=recipient.key, **form.cleaned_data
                )
            except PermissionDenied:
                raise Http404("No such page") from None
            except ValidationError as exc:
                form.add_model_errors(exc)
            else:
                messages.success(request, "The agreement has been recorded")
                return redirect(back)
    return page(request, "sharing/agreement_form.html", form, school=school, back=back, recipient=recipient)
