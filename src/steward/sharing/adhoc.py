"""Ad-hoc disclosures (police, courts, health, social care): log the request, decide it, and disclose
exactly the categories approved, through the gate and into the disclosure log.

The DPO (Action.MANAGE_REGISTER) decides. A disclosure relying on a DPA 2018 Schedule 2 exemption
(crime and taxation; required by law or a court order) is checked by the gate with that exemption, which
waives the notice and purpose checks but not the recipient, lawful basis, categories or Art 9 condition.
What was sent is built from the registry (`rights.bundle.collect`) for the approved categories only,
so the log's per-pupil hash names exactly the data that left.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.register.choices import Art6
from steward.register.resolve import covers
from steward.rights.bundle.collect import collect
from steward.sharing.gate import check_share
from steward.sharing.log import Sent, record_share
from steward.sharing.models import AdHocDecision, AdHocRequest, Exemption, ShareKind


def _require(actor: Any, school: School, action: Action) -> None:
    scope = scope_for(actor)
    if school.pk not in scope.school_ids():
        raise Http404("No such school")
    if not scope.may(action, school.pk):
        raise PermissionDenied("You cannot do this at this school.")


@transaction.atomic
def adhoc_log(
    *,
    actor: Any,
    school: School,
    recipient_key: str,
    requester_organisation: str,
    requester_name: str,
    received_on: dt.date,
    pupils: Sequence[Pupil],
    asked_for: str,
    purpose_key: str,
    lawful_basis: str,
    exemption: str = "",
    reference: str = "",
) -> AdHocRequest:
    """Record a request for a disclosure (pending until the DPO decides). Staff who may change pupils log it."""
    _require(actor, school, Action.CHANGE_PUPILS)
    errors: dict[str, str] = {}
    if not pupils:
        errors["pupils"] = "Name at least one pupil the request is about."
    visible = set(
        Pupil.objects.filter(pk__in=[p.pk for p in pupils], enrolments__school=school).values_list(
            "pk", flat=True
        )
    )
    missing = [str(p) for p in pupils if p.pk not in visible]
    if missing:
        errors["pupils"] = f"Not pupils of {school.name}: {', '.join(missing)}."
    if lawful_basis not in Art6.values:
        errors["lawful_basis"] = f"Unknown lawful basis {lawful_basis!r}."
    if exemption not in Exemption.values:
        errors["exemption"] = f"Unknown exemption {exemption!r}."
    if not asked_for.strip():
        errors["asked_for"] = "Say what was asked for, and why."
    if errors:
        raise ValidationError(errors)
    req = AdHocRequest(
        school=school,
        recipient_key=recipient_key,
        requester_organisation=requester_organisation,
        requester_name=requester_name,
        reference=reference,
        received_on=received_on,
        pupil_refs=sorted(p.pk for p in pupils),
        asked_for=asked_for,
        purpose_key=purpose_key,
        lawful_basis=lawful_basis,
        exemption=exemption,
        logged_by=actor if getattr(actor, "pk", None) else None,
    )
    req.full_clean()
    req.save()
    return req


def payload_for(pupil: Pupil, categories: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The pupil's data in the given categories (as the subject access bundle reads it), and its fields."""
    collection = collect(pupil)
    payload: dict[str, Any] = {}
    fields: set[str] = set()
    for key, section in collection.sections.items():
        if not any(covers(c, key) for c in categories) or not section.rows:
            continue
        payload[key] = [row.cells for row in section.rows]
        for row in section.rows:
            fields.update(f"{row.source}.{name}" for name in row.cells if name not in {"record", "record_id"})
    return payload, sorted(fields)


@transaction.atomic
def adhoc_decide(
    *,
    actor: Any,
    request: AdHocRequest,
    decision: AdHocDecision | str,
    reasons: str,
    on: dt.date,
    categories: Sequence[str] = (),
    description: str = "",
    deliver: Callable[[bytes], object] | None = None,
) -> AdHocRequest:
    """Decide a pending request. Disclosing (fully or partly) sends the approved categories for each pupil
    through the gate (with the request's exemption) and logs them; refusing records the reasons only.

    `deliver` receives the JSON of what is disclosed, inside the transaction (a failed delivery rolls
    the log back). Returns the request with its share run.
    """
    _require(actor, request.school, Action.MANAGE_REGISTER)
    request = AdHocRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != AdHocDecision.PENDING:
        raise ValidationError(
            {"decision": f"This request was already decided ({request.get_decision_display()})."}
        )
    if decision not in AdHocDecision.values or decision == AdHocDecision.PENDING:
        raise ValidationError({"decision": "Decide: disclosed, partly disclosed or refused."})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision."})
    request.decision = decision
    request.reasons = reasons
    request.decided_on = on
    request.approved_by = actor
    if decision != AdHocDecision.REFUSED:
        if not categories:
            raise ValidationError({"categories": "Choose the categories of data to disclose."})
        pupils = list(Pupil.objects.filter(pk__in=request.pupil_refs).order_by("pk"))
        check = check_share(
            school=request.school,
            recipient_key=request.recipient_key,
            purpose_key=request.purpose_key,
            categories=list(categories),
            on=on,
            basis=request.lawful_basis,
            pupil_ids=[p.pk for p in pupils],
            exemption=request.exemption,
        )
        sent: list[Sent] = []
        package: dict[str, Any] = {}
        for p in pupils:
            payload, fields = payload_for(p, categories)
            sent.append(Sent(pupil_id=p.pk, fields=fields, payload=payload))
            package[p.upn] = payload
        body = json.dumps(package, sort_keys=True, default=str, indent=2).encode()
        run = record_share(
            actor=actor,
            check=check,
            kind=ShareKind.AD_HOC,
            sent=sent,
            package_sha256=hashlib.sha256(body).hexdigest(),
            summary={
                "requester": request.requester_organisation,
                "reference": request.reference,
                "exemption": request.exemption,
                "categories": list(categories),
            },
        )
        request.run = run
        request.disclosed_description = description or (
            f"{', '.join(categories)} for {len(pupils)} pupil(s), sent on {on:%d %B %Y}."
        )
        if deliver is not None:
            deliver(body)
    request.full_clean()
    request.save()
    return request
