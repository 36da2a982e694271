"""Staff sharing pages (mounted at /sharing/, namespace "sharing"): the overview of a school's shares,
the youth-support run and the statutory extract. Ad-hoc disclosures are in `views_adhoc`, the CTF and
agreements in `views_ctf`; alternative provision placements have their own app (`placements`).

Thin shells: every share is one call to its service (`youth_support.run_youth_support`,
`statutory.statutory_extract`), which checks the gate and logs the disclosures; a refusal comes back
on the same page with every failed condition, nothing sent and nothing logged, and the DPO gets a box to
override it with a reason. Files leave as encrypted packages (`views_common`: the outbox).

Who may use them: staff who may export at the school, or the DPO (`MANAGE_REGISTER`); the child
protection files owed are shown to those who keep them (DSL, DPO). Anything else is a 404; a refusal by
the service for this person is a 403 with the reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steward.sharing import packages, selectors
from steward.sharing.agreements import flag_resolve as flag_resolve_service
from steward.sharing.ctf.childprotection import mark_sent
from steward.sharing.ctf.childprotection import status as cp_status
from steward.sharing.forms import CpSentForm, FlagResolveForm, OverrideForm, RunForm, StatutoryForm
from steward.sharing.gate import ShareRefused
from steward.sharing.log import verify_disclosures
from steward.sharing.statutory import PURPOSE as STATUTORY
from steward.sharing.statutory import statutory_extract
from steward.sharing.views_common import (
    offer,
    page,
    post,
    refusal_items,
    refusal_rows,
    refused,
    slot,
    take,
)
from steward.sharing.youth_support import run_youth_support
from steward.web.views import staff_page


def _overview_url(school: Any) -> str:
    return f"{reverse('sharing:index')}?school={school.urn}"


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    """A school's recent shares, open notice-review flags, child protection files owed, and (on request)
    the disclosure log's chain check."""
    schools = selectors.overview_schools(request.user)
    school = selectors.school_in(schools, request.GET.get("school", ""))
    today = selectors.today()
    may_share = school.pk in selectors.export_school_ids(request.user)
    runs = selectors.runs_for_school(school) if may_share else []
    counts = selectors.run_pupil_counts(runs)
    chain = verify_disclosures() if may_share and request.GET.get("verify") == "1" else None
    return render(
        request,
        "sharing/index.html",
        {
            "school": school,
            "schools": schools,
            "today": today,
            "may_share": may_share,
            "runs": [{"run": r, "pupils": counts.get(r.pk, 0)} for r in runs],
            "flags": list(selectors.open_flags(school)) if may_share else [],
            "is_dpo": selectors.is_dpo(request.user, school),
            "keeps_cp": selectors.may_keep_cp(request.user, school),
            "owed": selectors.cp_owed(request.user, school, today),
            "chain": chain,
            "error_summary": [],
        },
    )


@staff_page
def flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The DPO records how a notice-review flag was resolved (for anyone else the flag does not exist)."""
    flag = selectors.open_flag(request.user, pk)
    form = FlagResolveForm(post(request))
    if request.method == "POST" and form.is_valid():
        try:
            flag = flag_resolve_service(
                actor=request.user,
                flag=flag,
                resolution=form.cleaned_data["resolution"],
                on=selectors.today(),
            )
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, "The notice-review flag is resolved")
            return redirect(_overview_url(flag.school))
    return page(request, "sharing/flag_resolve.html", form, flag=flag, back=_overview_url(flag.school))


@staff_page
def cp_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a child protection file was sent (the DSL or DPO at the school it left)."""
    transfer = selectors.cp_transfer(request.user, pk)
    form = CpSentForm(post(request), initial={"sent_on": selectors.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mark_sent(
                actor=request.user,
                transfer=transfer,
                sent_on=data["sent_on"],
                method=data["method"],
                receipt_confirmed_on=data.get("receipt_confirmed_on"),
            )
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, "The child protection file is recorded as sent")
            return redirect(_overview_url(transfer.from_school))
    return page(
        request,
        "sharing/cp_sent.html",
        form,
        transfer=transfer,
        status=cp_status(transfer, selectors.today()),
        back=_overview_url(transfer.from_school),
    )


@staff_page
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The encrypted package of a share just made: once, by the person who made it, within the hour."""
    return take(request, token)


# --- youth support and statutory returns ---------------------------------------------------------------


def _share_school(request: HttpRequest, form: Any) -> Any:
    schools = selectors.sharing_schools(request.user)
    urn = form.cleaned_data.get("school") if form.is_bound and form.is_valid() else request.GET.get("school")
    return selectors.school_in(schools, urn or "")


def _package(name: str) -> tuple[str, Path, Any, dict[str, Any]]:
    """A slot in the outbox and a `deliver` that writes the file there as an encrypted package."""
    token, path = slot()
    made: dict[str, Any] = {}

    def deliver(content: bytes) -> None:
        made["package"] = packages.build({name: content})
        packages.write(made["package"], path)

    return token, path, deliver, made


@staff_page
def youth_support(request: HttpRequest) -> HttpResponse:
    """Preview, then run, the youth-support share for a school on a day (rules §6)."""
    schools = selectors.sharing_schools(request.user)
    if not schools.exists():
        raise Http404("No such page")
    first = selectors.school_in(schools, request.GET.get("school", ""))
    form = RunForm(post(request), schools=schools, initial={"school": first.urn, "on": selectors.today()})
    context: dict[str, Any] = {"back": _overview_url(first)}
    if request.method != "POST" or not form.is_valid():
        return page(request, "sharing/youth_support.html", form, school=first, **context)
    school = _share_school(request, form)
    on: dt.date = form.cleaned_data["on"]
    context.update(school=school, on=on, is_dpo=selectors.is_dpo(request.user, school))
    if request.POST.get("action") != "run":
        preview = selectors.youth_support_preview(school, on)
        return page(request, "sharing/youth_support.html", form, preview=preview, **context)
    override = OverrideForm(request.POST) if "override_reason" in request.POST else None
    if override is not None and not override.is_valid():
        return page(
            request,
            "sharing/youth_support.html",
            form,
            override=override,
            errors=override.error_summary(),
            **context,
        )
    reason = override.cleaned_data["override_reason"].strip() if override is not None else ""
    csv_name = f"youth-support-{school.urn}-{on.isoformat()}.csv"
    token, path, deliver, made = _package(csv_name)
    try:
        result = run_youth_support(
            actor=request.user, school=school, on=on, override_reason=reason, deliver=deliver
        )
    except PermissionDenied as exc:
        path.unlink(missing_ok=True)
        return refused(request, str(exc), context["back"])
    except ShareRefused as exc:
        path.unlink(missing_ok=True)
        return page(
            request,
            "sharing/youth_support.html",
            form,
            errors=refusal_items(exc),
            failures=refusal_rows(exc),
            override=OverrideForm() if context["is_dpo"] else None,
            **context,
        )
    package = made.get("package")
    if not result.runs:
        path.unlink(missing_ok=True)  # nobody was sent: there is nothing to download
    elif package is not None:
        offer(
            request,
            token,
            filename=csv_name.replace(".csv", ".zip"),
            sha256=package.sha256,
            run_id=result.runs[0].pk,
            school_id=school.pk,
        )
    return render(
        request,
        "sharing/youth_support_done.html",
        {
            "result": result,
            "counts": result.counts(),
            "school": school,
            "package": package if result.runs else None,
            "token": token,
            "overridden": bool(reason),
            "back": _overview_url(school),
            "error_summary": [],
        },
    )


@staff_page
def statutory(request: HttpRequest) -> HttpResponse:
    """A census-style extract for the DfE or the local authority, checked, minimised and logged."""
    schools = selectors.sharing_schools(request.user)
    if not schools.exists():
        raise Http404("No such page")
    first = selectors.school_in(schools, request.GET.get("school", ""))
    form = StatutoryForm(
        post(request),
        schools=schools,
        recipients=selectors.recipient_choices(schools, STATUTORY),
        initial={"school": first.urn, "on": selectors.today()},
    )
    context: dict[str, Any] = {"back": _overview_url(first)}
    if request.method != "POST" or not form.is_valid():
        return page(request, "sharing/statutory.html", form, school=first, **context)
    school = _share_school(request, form)
    data = form.cleaned_data
    context.update(school=school, is_dpo=selectors.is_dpo(request.user, school))
    override = OverrideForm(request.POST) if "override_reason" in request.POST else None
    if override is not None and not override.is_valid():
        return page(
            request,
            "sharing/statutory.html",
            form,
            override=override,
            errors=override.error_summary(),
            **context,
        )
    reason = override.cleaned_data["override_reason"].strip() if override is not None else ""
    csv_name = f"statutory-{data['recipient']}-{school.urn}-{data['on'].isoformat()}.csv"
    token, path, deliver, made = _package(csv_name)
    try:
        extract = statutory_extract(
            actor=request.user,
            school=school,
            recipient_key=data["recipient"],
            on=data["on"],
            start=data.get("start"),
            override_reason=reason,
            deliver=deliver,
        )
    except PermissionDenied as exc:
        path.unlink(missing_ok=True)
        return refused(request, str(exc), context["back"])
    except ShareRefused as exc:
        path.unlink(missing_ok=True)
        return page(
            request,
            "sharing/statutory.html",
            form,
            errors=refusal_items(exc),
            failures=refusal_rows(exc),
            override=OverrideForm() if context["is_dpo"] else None,
            **context,
        )
    package = made["package"]
    assert extract.run is not None
    offer(
        request,
        token,
        filename=csv_name.replace(".csv", ".zip"),
        sha256=package.sha256,
        run_id=extract.run.pk,
        school_id=school.pk,
    )
    names = selectors.pupil_names(extract.excluded)
    return render(
        request,
        "sharing/statutory_done.html",
        {
            "extract": extract,
            "school": school,
            "package": package,
            "token": token,
            "excluded": [(names.get(pid, f"Pupil #{pid}"), why) for pid, why in extract.excluded.items()],
            "overridden": bool(reason),
            "back": _overview_url(school),
            "error_summary": [],
        },
    )
