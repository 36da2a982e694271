"""Alternative provision placements through the REST API, at /api/placements: list, commission, detail, end.

Thin shells over `steward.placements.services` and `steward.placements.selectors`, run as the caller
with channel "api". Who may use them: staff who may change pupils at the placement's school. A school
or placement outside the caller's schools is a 404; at a school they see but may not manage placements
(a teacher), a 403. A refusal by the gate (no agreement, no AP notice, a category the register does not
share, ...) is a 422 with each failing field and the gate's code; nothing is written.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures at import.

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.api.auth import caller
from steward.api.schemas import ErrorOut
from steward.api.services import school_for
from steward.people.models import Enrolment, Pupil
from steward.placements import selectors, services
from steward.placements.models import Placement
from steward.sharing.models import Agreement

router = Router(tags=["placements"])

STATUSES = ("current", "upcoming", "ended")


def _responses(status: int, schema: Any, *error_statuses: int) -> dict[int, Any]:
    return {status: schema, **dict.fromkeys((401, *error_statuses), ErrorOut)}


class PlacementIn(Schema):
    school: str
    pupil: int
    provider: int
    agreement: int
    starts_on: dt.date
    ends_on: dt.date
    services: str
    categories: list[str]
    reason: str


class EndIn(Schema):
    reason: str


class PlacementOut(Schema):
    id: int
    status: str
    pupil_id: int
    pupil_name: str
    upn: str
    school_urn: str
    provider_id: int
    provider_name: str
    agreement_id: int
    starts_on: dt.date
    ends_on: dt.date
    access_ends_on: dt.date
    services: str
    categories: list[str]
    reason: str
    ap_notice_version: int
    notice_sent_on: dt.date
    ended_on: dt.date | None = None
    end_reason: str = ""
    disclosure_run_id: int | None = None
    shared_fields: list[str] = []


class PlacementListOut(Schema):
    count: int
    items: list[PlacementOut]


def _out(p: Placement, on: dt.date, *, fields: bool = False) -> dict[str, Any]:
    shared: list[str] = []
    if fields:
        for m in selectors.shared_models(p.categories):
            shared += [f"{m.entry.label}.{f.name}" for f in m.fields]
    return {
        "id": p.pk,
        "status": p.status_on(on),
        "pupil_id": p.pupil_id,
        "pupil_name": p.pupil.display_name,
        "upn": p.pupil.upn,
        "school_urn": p.school.urn,
        "provider_id": p.provider_id,
        "provider_name": p.provider.name,
        "agreement_id": p.agreement_id,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "access_ends_on": p.access_ends_on,
        "services": p.services,
        "categories": list(p.categories),
        "reason": p.reason,
        "ap_notice_version": p.ap_notice_number,
        "notice_sent_on": p.notice_sent_on,
        "ended_on": p.ended_on,
        "end_reason": p.end_reason,
        "disclosure_run_id": p.share_run_id,
        "shared_fields": shared,
    }


def _unknown(field: str, what: str) -> ValidationError:
    return ValidationError({field: ValidationError(f"No such {what} here.", code="unknown")})


@router.get("", response=_responses(200, PlacementListOut, 404, 422), summary="List placements")
def list_placements(
    request: HttpRequest,
    school: str = Query("", description="Only placements at the school with this URN."),
    status: str = Query("", description="current, upcoming or ended (today)."),
) -> dict[str, Any]:
    """Placements at the schools where the caller manages them, newest first."""
    user = caller(request)
    on = selectors.today()
    if status and status not in STATUSES:
        raise ValidationError({"status": f"{status!r} is not one of: {', '.join(STATUSES)}."})
    qs = selectors.staff_placements(user).order_by("-starts_on", "-pk")
    if school:
        found = selectors.staff_school(user, school)  # Http404 outside the caller's schools
        qs = qs.filter(school=found)
    items = [p for p in qs if not status or p.status_on(on) == status]
    for s in {p.school for p in items}:
        selectors.audit_staff_list([p for p in items if p.school_id == s.pk], s)
    return {"count": len(items), "items": [_out(p, on) for p in items]}


@router.post("", response=_responses(201, PlacementOut, 403, 404, 422), summary="Commission a placement")
def create_placement(request: HttpRequest, payload: PlacementIn) -> Status[dict[str, Any]]:
    """Commission a placement: refused (422, nothing written) unless the gate, the agreement and the
    published AP notice allow it. The disclosure is logged; `ap_notice_version` is the notice to send."""
    user = caller(request)
    school = school_for(user, payload.school)
    if not scope_for(user).may(Action.CHANGE_PUPILS, school.pk):
        raise PermissionDenied("You may not manage placements at this school.")
    pupil = Pupil.objects.filter(
        pk=payload.pupil, pk__in=Enrolment.objects.filter(school=school).values("pupil_id")
    ).first()
    if pupil is None:
        raise _unknown("pupil", "pupil at this school")
    provider = selectors.providers_for(user).filter(pk=payload.provider, trust_id=school.trust_id).first()
    if provider is None:
        raise _unknown("provider", "provider")
    agreement = Agreement.objects.filter(pk=payload.agreement, trust_id=school.trust_id).first()
    if agreement is None:
        raise _unknown("agreement", "agreement")
    on = selectors.today()
    placement = services.commission_placement(
        actor=user,
        pupil=pupil,
        school=school,
        provider=provider,
        agreement=agreement,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        services=payload.services,
        categories=payload.categories,
        reason=payload.reason,
        on=on,
    )
    return Status(201, _out(selectors.staff_placement(user, placement.pk), on, fields=True))


@router.get("/{placement_id}", response=_responses(200, PlacementOut, 404), summary="Get a placement")
def get_placement(request: HttpRequest, placement_id: int) -> dict[str, Any]:
    """One placement, with the registered fields the provider can see. Audited as a view."""
    user = caller(request)
    placement = selectors.staff_placement(user, placement_id)
    selectors.audit_staff_view(placement)
    return _out(placement, selectors.today(), fields=True)


@router.post(
    "/{placement_id}/end",
    response=_responses(200, PlacementOut, 403, 404, 422),
    summary="End a placement early",
)
def end_placement(request: HttpRequest, placement_id: int, payload: EndIn) -> dict[str, Any]:
    """End the placement today: the provider loses access at once. 422 when it has already ended."""
    user = caller(request)
    placement = selectors.staff_placement(user, placement_id)
    on = selectors.today()
    services.end_placement(actor=user, placement=placement, reason=payload.reason, on=on)
    return _out(selectors.staff_placement(user, placement_id), on, fields=True)
