"""Ad-hoc disclosure pages (police, courts, health, social care): the list, logging a request, one
request with what was disclosed, and the DPO's decision. Thin shells over `sharing.adhoc`.

Who may use them: staff who may export at the school, or the DPO; logging needs `CHANGE_PUPILS` too
(the service's rule), deciding is the DPO's (for anyone else the decide page is a 404). A refused
disclosure comes back on the decide page with every failed condition; nothing is sent or logged.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from steward.sharing import packages, selectors
from steward.sharing.adhoc import adhoc_decide, adhoc_log
from steward.sharing.forms import AdHocForm, DecideForm, upn_list
from steward.sharing.gate import ShareRefused
from steward.sharing.models import AdHocDecision, AdHocRequest
from steward.sharing.views_common import offer, page, post, refusal_items, refusal_rows, refused, slot
from steward.web.views import staff_page


def _list_url(school: Any) -> str:
    return f"{reverse('sharing:adhoc_list')}?school={school.urn}"


@staff_page
def adhoc_list(request: HttpRequest) -> HttpResponse:
    schools = selectors.sharing_schools(request.user)
    school = selectors.school_in(schools, request.GET.get("school", ""))
    return render(
        request,
        "sharing/adhoc_list.html",
        {
            "school": school,
            "schools": schools,
            "requests": selectors.adhoc_requests(school),
            "back": f"{reverse('sharing:index')}?school={school.urn}",
            "error_summary": [],
        },
    )


@staff_page
def adhoc_create(request: HttpRequest) -> HttpResponse:
    """Log a request for a disclosure; it waits for the DPO's decision."""
    schools = selectors.sharing_schools(request.user)
    first = selectors.school_in(schools, request.GET.get("school", ""))
    form = AdHocForm(
        post(request),
        schools=schools,
        recipients=selectors.recipient_choices(schools),
        purposes=selectors.purpose_choices(schools),
        initial={"school": first.urn, "received_on": selectors.today(), "exemption": "none"},
    )
    back = _list_url(first)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school = selectors.school_in(schools, data["school"])
        pupils, missing = selectors.pupils_by_upn(school, upn_list(data["upns"]))
        if missing:
            form.add_error("upns", f"Not pupils of {school.name}: {', '.join(missing)}")
        else:
            try:
                req = adhoc_log(
                    actor=request.user,
                    school=school,
                    recipient_key=data["recipient"],
                    requester_organisation=data["requester_organisation"].strip(),
                    requester_name=data["requester_name"].strip(),
                    reference=(data.get("reference") or "").strip(),
                    received_on=data["received_on"],
                    pupils=pupils,
                    asked_for=data["asked_for"],
                    purpose_key=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                    exemption="" if data.get("exemption") in (None, "", "none") else data["exemption"],
                )
            except PermissionDenied as exc:
                return refused(request, str(exc), back)
            except ValidationError as exc:
                form.add_model_errors(
                    exc,
                    {
                        "pupils": "upns",
                        "purpose_key": "purpose",
                        "recipient_key": "recipient",
                    },
                )
            else:
                messages.success(request, "The request is logged: the data protection officer decides it")
                return redirect("sharing:adhoc_detail", pk=req.pk)
    return page(request, "sharing/adhoc_form.html", form, school=first, back=back)


def _detail_context(request: HttpRequest, req: AdHocRequest) -> dict[str, Any]:
    names = selectors.pupil_names(req.pupil_refs)
    return {
        "req": req,
        "pupils": [names.get(pid, f"Pupil #{pid} (no longer held)") for pid in req.pupil_refs],
        "purpose": selectors.purpose_names(req.school.trust_id).get(req.purpose_key, req.purpose_key),
        "recipient": dict(selectors.recipient_choices([req.school])).get(
            req.recipient_key, req.recipient_key
        ),
        "disclosed": selectors.run_disclosures(req.run),
        "categories": selectors.category_labels(req.run.summary.get("categories", [])) if req.run else [],
        "is_dpo": selectors.is_dpo(request.user, req.school),
        "back": _list_url(req.school),
        "error_summary": [],
    }


@staff_page
def adhoc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.adhoc_request(request.user, pk)
    return render(request, "sharing/adhoc_detail.html", _detail_context(request, req))


@staff_page
def adhoc_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The DPO decides: disclose (fully or partly) the chosen categories, or refuse, with reasons."""
    req = selectors.adhoc_request(request.user, pk)
    if not selectors.is_dpo(request.user, req.school):
        raise Http404("No such page")
    if req.decision != AdHocDecision.PENDING:
        return redirect("sharing:adhoc_detail", pk=req.pk)
    form = DecideForm(post(request), categories=selectors.recipient_categories(req.school, req.recipient_key))
    context = _detail_context(request, req)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, path = slot()
        made: dict[str, Any] = {}
        name = f"disclosure-{req.pk}.json"

        def deliver(body: bytes) -> None:
            made["package"] = packages.build({name: body})
            packages.write(made["package"], path)

        try:
            req = adhoc_decide(
                actor=request.user,
                request=req,
                decision=data["decision"],
                reasons=data["reasons"],
                on=selectors.today(),
                categories=data.get("categories") or [],
                description=(data.get("description") or "").strip(),
                deliver=deliver,
            )
        except PermissionDenied as exc:
            return refused(request, str(exc), context["back"])
        except ShareRefused as exc:
            path.unlink(missing_ok=True)
            context.update(failures=refusal_rows(exc))
            return page(request, "sharing/adhoc_decide.html", form, errors=refusal_items(exc), **context)
        except ValidationError as exc:
            path.unlink(missing_ok=True)
            form.add_model_errors(exc)
        else:
            package = made.get("package")
            if package is None:
                messages.success(request, "The request is refused: nothing was disclosed")
                return redirect("sharing:adhoc_detail", pk=req.pk)
            assert req.run is not None
            offer(request, token, filename=f"disclosure-{req.pk}.zip", sha256=package.sha256,
                  run_id=req.run.pk, school_id=req.school_id)  # fmt: skip
            context = _detail_context(request, req)
            context.update(package=package, token=token)
            return render(request, "sharing/adhoc_detail.html", context)
    return page(request, "sharing/adhoc_decide.html", form, **context)
