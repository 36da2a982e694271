"""Applying the outcome of a rights request: one small page per outcome, each only for its kind of
request (another kind: 404), in the pattern of `rights.views`. Thin shells over `rights.outcomes`:
every write is one service call, whose refusal comes back in the GOV.UK error summary with nothing
changed.

Who may use them: staff who handle requests at the request's school. Erasure, deciding an objection
and lifting a restriction are the trust DPO's (`Action.MANAGE_REGISTER`): for anyone else those pages
do not exist (404) and no link leads to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from steward.accounts.roles import Action
from steward.consent.selectors import purposes_for
from steward.register.resolve import effective, load_snapshot
from steward.registry.taxonomy import taxonomy
from steward.rights import outcomes, selectors
from steward.rights.forms import (
    ConsentWithdrawnForm,
    ErasureForm,
    LiftRestrictionForm,
    ObjectionDecisionForm,
    ObjectionPendingForm,
    ObjectionPurposeForm,
    OptDownForm,
    RectifyForm,
    RectifyPickForm,
    RestrictForm,
    YouthSupportChoiceForm,
)
from steward.rights.models import (
    ErasureAction,
    ObjectionDecision,
    RequestKind,
    Restriction,
    RightsRequest,
    YouthSupportChoice,
)
from steward.rights.outcomes.restriction import RESTRICTING_KINDS
from steward.rights.views import _context, _is_dpo, _today, request_url
from steward.web.access import require
from steward.web.views import staff_page

# --- access and pages ------------------------------------------------------------------------------


def _request(request: HttpRequest, pk: int, *kinds: RequestKind, dpo: bool = False) -> RightsRequest:
    """A request of one of `kinds` the user handles (and, for `dpo`, may decide as the trust DPO), else 404."""
    require(request.user, Action.CHANGE_PUPILS)
    req = selectors.get_request(request.user, pk)  # Http404 outside the user's schools
    if req.kind not in kinds:
        raise Http404("No such page for this kind of request")
    if dpo and not _is_dpo(request.user, req):
        raise Http404("No such page")
    return req


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _page(
    request: HttpRequest, req: RightsRequest, template: str, form: Any = None, **page: Any
) -> HttpResponse:
    context = _context(request.user, req)
    context.update(
        form=form, error_summary=form.error_summary() if form is not None else [], back=request_url(req)
    )
    context.update(page)
    return render(request, template, context)


def _labels(keys: list[str] | None) -> list[str]:
    tax = taxonomy()
    return [tax.get(k).label if k in tax else k for k in (keys or [])]


def _restrictions(req: RightsRequest) -> list[dict[str, Any]]:
    return [
        {"restriction": r, "categories": _labels(r.categories)}
        for r in outcomes.active_restrictions(req.pupil, _today()).select_related("request")
    ]


def _refuse(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        form.add_refusal(exc)
    else:
        form.add_error(None, str(exc))


# --- rectification ------------------------------------------------------------------------------------


def _current(record: models.Model, name: str) -> str:
    f = record._meta.get_field(name)
    assert isinstance(f, models.Field)
    if f.choices:
        return str(getattr(record, f"get_{name}_display")())
    return str(f.value_to_string(record))


@staff_page
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a field of one of the pupil's records, or add a supplementary statement; then whom to tell."""
    req = _request(request, pk, RequestKind.RECTIFICATION)
    src = request.POST if request.method == "POST" else request.GET
    types = selectors.rectifiable_record_types(request.user, req)
    rtype = next((t for t in types if t.label == src.get("record_type")), None)
    records = selectors.rectifiable_records(rtype, req) if rtype is not None else []
    record = next((r for r in records if str(r.pk) == src.get("record")), None)
    rfield = next((f for f in rtype.fields if f.name == src.get("field")), None) if rtype else None
    pick = RectifyPickForm(
        initial={
            "record_type": rtype.label if rtype else "",
            "record": str(record.pk) if record is not None else "",
            "field": rfield.name if rfield else "",
        },
        types=[(t.label, t.name.capitalize()) for t in types],
        records=[(str(r.pk), f"#{r.pk}: {r}"[:120]) for r in records],
        fields=[(f.name, f.label) for f in rtype.fields] if rtype else [],
    )
    form = None
    current = ""
    if record is not None and rfield is not None:
        model_field = record._meta.get_field(rfield.name)
        current = _current(record, rfield.name)
        form = RectifyForm(_post(request), model_field=model_field, today=_today())
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            value = outcomes.UNCHANGED if d.get("statement_only") else d.get("value")
            try:
                outcomes.rectify(
                    actor=request.user,
                    request=req,
                    target=record,
                    field=rfield.name,
                    value=value,
                    on=d["on"],
                    statement=d.get("statement") or "",
                )
            except (ValidationError, PermissionDenied) as exc:
                _refuse(form, exc)
            else:
                messages.success(
                    request,
                    f"{rtype.name.capitalize() if rtype else 'Record'} #{record.pk}: {rfield.label} saved",
                )
                return redirect(reverse("rights:rectify", args=[req.pk]))
    return _page(
        request,
        req,
        "rights/outcomes/rectify.html",
        form,
        pick=pick,
        rtype=rtype,
        record=record,
        rfield=rfield,
        current=current,
        no_records=not types,
        done=list(req.rectifications.select_related("actor").order_by("at", "pk")),
        recipients=outcomes.recipients_to_tell(req),
        title="Correct the pupil's data",
        button="Save the correction",
    )


# --- erasure ------------------------------------------------------------------------------------------


@staff_page
def erasure(request: HttpRequest, pk: int) -> HttpResponse:
    """The erasure plan (deleted, anonymised, kept and why); once checked, erase (trust DPO only)."""
    req = _request(request, pk, RequestKind.ERASURE, dpo=True)
    done = list(req.erasures.select_related("actor").order_by("action", "model", "pk"))
    form = ErasureForm(_post(request), today=_today()) if not done else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            outcomes.erase(actor=request.user, request=req, on=form.cleaned_data["on"])
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request, "Erasure applied: what was deleted, anonymised and kept is recorded below"
            )
            return redirect(reverse("rights:erasure", args=[req.pk]))
    plan = outcomes.erasure_plan(req, _today()) if not done else None
    return _page(
        request,
        req,
        "rights/outcomes/erasure.html",
        form,
        plan=plan,
        sections=(
            [
                ("Deleted", plan.deleted),
                ("Anonymised (the fields listed are emptied; the record stays)", plan.anonymised),
                ("Kept", plan.kept),
            ]
            if plan is not None
            else []
        ),
        done=done,
        kept_action=ErasureAction.KEPT,
        recipients=outcomes.recipients_to_tell(req) if done else [],
        title="Erase the pupil's data",
        button="Erase",
    )


# --- restriction --------------------------------------------------------------------------------------


@staff_page
def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict processing of the pupil's data; the restrictions in force, to lift (trust DPO)."""
    req = _request(request, pk, *RESTRICTING_KINDS)
    form = RestrictForm(_post(request), today=_today())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcomes.restrict(
                actor=request.user,
                pupil=req.pupil,
                ground=d["ground"],
                categories=form.keys(),
                on=d["on"],
                request=req,
                note=d.get("note") or "",
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Processing restricted")
            return redirect(reverse("rights:restrict", args=[req.pk]))
    return _page(
        request,
        req,
        "rights/outcomes/restrict.html",
        form,
        restrictions=_restrictions(req),
        recipients=outcomes.recipients_to_tell(req),
        title="Restrict processing",
        button="Restrict processing",
        intro="While restricted, the data is stored but not shared, exported or otherwise used, except with the "
        "person's consent, for legal claims, to protect another person's rights or for an important public "
        "interest (UK GDPR Art 18).",
    )


@staff_page
def lift(request: HttpRequest, pk: int, restriction_pk: int) -> HttpResponse:
    """Lift a restriction, once the person has been told (trust DPO only)."""
    req = _request(request, pk, *RESTRICTING_KINDS, dpo=True)
    restriction = get_object_or_404(Restriction, pk=restriction_pk, pupil=req.pupil, lifted_on__isnull=True)
    form = LiftRestrictionForm(_post(request), today=_today())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcomes.lift_restriction(
                actor=request.user,
                restriction=restriction,
                on=d["on"],
                told_on=d["told_on"],
                reason=d.get("reason") or "",
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Restriction lifted")
            return redirect(reverse("rights:restrict", args=[req.pk]))
    return _page(
        request,
        req,
        "rights/outcomes/lift.html",
        form,
        restriction=restriction,
        categories=_labels(restriction.categories),
        back=reverse("rights:restrict", args=[req.pk]),
        title="Lift a restriction",
        button="Lift the restriction",
        intro="Tell the person before the restriction is lifted (UK GDPR Art 18(3)).",
    )


# --- objection ----------------------------------------------------------------------------------------


@staff_page
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide an objection: the purpose, the outcomes the law allows for it and why, the reasons (DPO)."""
    req = _request(request, pk, RequestKind.OBJECTION, dpo=True)
    decided = ObjectionDecision.objects.filter(request=req).select_related("purpose", "decided_by").first()
    purposes = list(effective(load_snapshot(req.school.trust_id), req.school).purposes)
    src = request.POST if request.method == "POST" else request.GET
    chosen = src.get("purpose", "")
    purpose = next((p for p in purposes if str(p.pk) == chosen), None)
    picked = purpose is not None or chosen == "none"
    pick = ObjectionPurposeForm(initial={"purpose": chosen}, purposes=[(str(p.pk), p.name) for p in purposes])
    form = None
    allowed: frozenset[str] = frozenset()
    why = ""
    if picked and decided is None:
        allowed, why = outcomes.allowed_outcomes(purpose)
        form = ObjectionDecisionForm(_post(request), allowed=sorted(allowed), today=_today())
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                outcomes.objection_decided(
                    actor=request.user,
                    request=req,
                    purpose=purpose,
                    processing=d.get("processing") or "",
                    outcome=d["outcome"],
                    reasons=d.get("reasons") or "",
                    on=d["on"],
                )
            except (ValidationError, PermissionDenied) as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "Objection decided")
                return redirect(request_url(req))
    return _page(
        request,
        req,
        "rights/outcomes/objection.html",
        form,
        pick=pick,
        purpose=purpose,
        chosen=chosen,
        why=why,
        decided=decided,
        restrictions=_restrictions(req),
        title="Decide the objection",
        button="Record the decision",
    )


@staff_page
def objection_pending(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict the pupil's data while the objection is decided (Art 18(1)(d))."""
    req = _request(request, pk, RequestKind.OBJECTION)
    form = ObjectionPendingForm(_post(request), today=_today())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcomes.objection_pending(
                actor=request.user, request=req, on=d["on"], categories=form.keys(), note=d.get("note") or ""
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Processing restricted while the objection is decided")
            return redirect(request_url(req))
    return _page(
        request,
        req,
        "rights/outcomes/restrict.html",
        form,
        restrictions=_restrictions(req),
        title="Restrict while the objection is decided",
        button="Restrict processing",
        intro="The data is stored but not used until the objection is decided; the decision lifts this "
        "restriction, the person being told on the day of the decision.",
    )


# --- youth-support sharing ------------------------------------------------------------------------------


def _yss_context(req: RightsRequest) -> dict[str, Any]:
    return {
        "yss": outcomes.youth_support_state(req.pupil, _today()),
        "ledger": list(
            YouthSupportChoice.objects.filter(pupil=req.pupil)
            .select_related("contact", "recorded_by")
            .order_by("-on", "-at", "-pk")
        ),
    }


@staff_page
def youth_support(request: HttpRequest, pk: int) -> HttpResponse:
    """The pupil's youth-support sharing and who decides now; record a choice."""
    req = _request(request, pk, RequestKind.YOUTH_SUPPORT_OPT_DOWN)
    links = [link for link in selectors.pupil_contact_links(req.pupil) if link.parental_responsibility]
    form = YouthSupportChoiceForm(_post(request), links=links, today=_today())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcomes.record_youth_support_choice(
                actor=request.user,
                pupil=req.pupil,
                state=d["state"],
                decided_by=d["decided_by"],
                contact=form.parent(),
                on=d["on"],
                request=req,
                note=d.get("note") or "",
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Youth-support sharing choice recorded")
            return redirect(reverse("rights:youth-support", args=[req.pk]))
    return _page(
        request,
        req,
        "rights/outcomes/youth_support.html",
        form,
        title="Youth-support sharing",
        button="Record the choice",
        **_yss_context(req),
    )


@staff_page
def opt_down(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the opt-down request: name, address and date of birth only, as the requester's choice."""
    req = _request(request, pk, RequestKind.YOUTH_SUPPORT_OPT_DOWN)
    form = OptDownForm(_post(request), today=_today())
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.apply_opt_down(actor=request.user, request=req, on=form.cleaned_data["on"])
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "Opt-down applied: only name, address and date of birth will be shared")
            return redirect(reverse("rights:youth-support", args=[req.pk]))
    return _page(
        request,
        req,
        "rights/outcomes/youth_support.html",
        form,
        title="Apply the opt-down request",
        button="Apply the opt-down",
        opt_down=True,
        **_yss_context(req),
    )


# --- withdrawal of consent --------------------------------------------------------------------------------


def _consent_purposes(req: RightsRequest) -> list[str]:
    """The consents the school asks for (what a withdrawal names)."""
    return [p.name for p in purposes_for(req.school)]


@staff_page
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that consent for a purpose was withdrawn, and show what relied on it."""
    req = _request(request, pk, RequestKind.WITHDRAW_CONSENT)
    form = ConsentWithdrawnForm(_post(request), today=_today())
    result = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = outcomes.consent_withdrawn(
                actor=request.user, request=req, purpose_name=d.get("purpose_name") or "", on=d["on"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"Withdrawal of consent for '{result.purpose_name}' recorded")
            form = ConsentWithdrawnForm(today=_today())
    return _page(
        request,
        req,
        "rights/outcomes/consent.html",
        form,
        result=result,
        result_categories=_labels(list(result.categories)) if result is not None else [],
        consent_purposes=_consent_purposes(req),
        title="Record the withdrawal of consent",
        button="Record the withdrawal",
    )
