"""Rights requests made through the portal, and the time-limited download of a released bundle.

A portal request is the same `RightsRequest` staff log by letter or email, with channel "portal" and the
requester the signed-in contact (a parent) or the pupil. `rights.services.request_log` checks that its
actor is staff handling requests at the school, which a parent is not, so the portal logs the request
here after its own checks (the person may act for this child) and writes the same "logged" event through
the rights app's event writer; the request then appears on the staff dashboard like any other.

A released access bundle is downloaded through a signed link: it names the bundle and the signed-in user,
expires after BUNDLE_LINK_HOURS, and works only for that user while they may still see the request.
Each download is audited as an export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from steward.audit.services import Subject, record
from steward.people.models import Pupil
from steward.portal.models import PortalRole
from steward.portal.selectors import children, require_link, school_of, today
from steward.registry.taxonomy import taxonomy
from steward.rights.models import (
    CLOSED_STATUSES,
    Bundle,
    Channel,
    EventKind,
    RequesterKind,
    RequestKind,
    RightsRequest,
    Status,
)

# What a family may ask for in the portal (portability, consent withdrawal and the youth-support
# opt-down have their own routes: consents and sharing are decided on their own pages).
PORTAL_KINDS: tuple[RequestKind, ...] = (
    RequestKind.ACCESS,
    RequestKind.EDUCATIONAL_RECORD,
    RequestKind.RECTIFICATION,
    RequestKind.ERASURE,
    RequestKind.RESTRICTION,
    RequestKind.OBJECTION,
)
# The 2005 regulations give the educational-record right to parents, not pupils.
PARENT_ONLY_KINDS = frozenset({RequestKind.EDUCATIONAL_RECORD})

PLAIN_KIND = {
    RequestKind.ACCESS: "A copy of the information the school holds (subject access request)",
    RequestKind.EDUCATIONAL_RECORD: "To see or have a copy of the educational record",
    RequestKind.RECTIFICATION: "To correct information that is wrong",
    RequestKind.ERASURE: "To delete information",
    RequestKind.RESTRICTION: "To stop the school using information for a while",
    RequestKind.OBJECTION: "To object to how the school uses information",
}

PLAIN_STATUS = {
    Status.RECEIVED: "Received",
    Status.AWAITING_IDENTITY: "Waiting for proof of identity",
    Status.AWAITING_CLARIFICATION: "Waiting for you to tell us more",
    Status.IN_PROGRESS: "Being worked on",
    Status.AWAITING_REVIEW: "Being checked",
    Status.READY: "Being checked",
    Status.RELEASED: "Answered",
    Status.REFUSED: "Refused",
    Status.WITHDRAWN: "Withdrawn",
}

BUNDLE_LINK_HOURS = 24
_BUNDLE_SALT = "steward.portal.bundle-download"


def kinds_for(user: Any) -> list[tuple[str, str]]:
    """The request kinds the portal user may make, as (value, plain label)."""
    link = require_link(user)
    return [
        (k.value, PLAIN_KIND[k])
        for k in PORTAL_KINDS
        if link.role == PortalRole.PARENT or k not in PARENT_ONLY_KINDS
    ]


@transaction.atomic
def make_request(
    *, actor: Any, pupil: Pupil, kind: str, description: str, on: dt.date | None = None
) -> RightsRequest:
    """Log a rights request from the portal, about a child of the signed-in parent or the pupil themself.

    Refused (ValidationError naming the field, nothing written): a kind the portal does not offer this
    person; an empty description; an open request of the same kind this person already made for the
    pupil. A pupil the person may not see is a 404. When someone else (the other parent) has an open
    request of the same kind, this one is logged as a separate request, linked to it, with that reason.
    """
    from steward.rights.services import log_event  # the rights app's one writer of request log entries

    link = require_link(actor)
    pupil = children(actor).filter(pk=pupil.pk).first() or _not_found()
    on = on or today()
    allowed = {value for value, _ in kinds_for(actor)}
    errors: dict[str, str] = {}
    if kind not in allowed:
        errors["kind"] = "Choose what you are asking for."
    description = (description or "").strip()
    if not description:
        errors["description"] = "Say what you are asking for, in your own words."
    if errors:
        raise ValidationError(errors)
    requester_kind, contact = (
        (RequesterKind.PARENT, link.contact)
        if link.role == PortalRole.PARENT
        else (RequesterKind.PUPIL, None)
    )
    open_same = (
        RightsRequest.objects.filter(pupil=pupil, kind=kind)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("pk")
    )
    mine = open_same.filter(requester_kind=requester_kind, requester_contact=contact).first()
    if mine is not None:
        raise ValidationError(
            {
                "kind": f"You already asked for this on {mine.received_on.day} {mine.received_on:%B %Y} "
                f"(request {mine.pk}) and the school is still working on it."
            }
        )
    other = open_same.first()
    school = school_of(pupil, on)
    req = RightsRequest(
        school=school,
        pupil=pupil,
        kind=kind,
        requester_kind=requester_kind,
        requester_contact=contact,
        requester_name=str(contact) if contact is not None else pupil.display_name,
        received_on=on,
        clock_started_on=on,
        channel=Channel.PORTAL,
        description=description,
        duplicate_of=other,
        duplicate_reason="Made through the portal by a different requester." if other else "",
        created_by=actor,
    )
    req.full_clean()
    req.save()
    log_event(req, actor=actor, kind=EventKind.LOGGED, on=on, method=Channel.PORTAL, note=description)
    return req


def _not_found() -> Any:
    raise Http404("No such page")


def my_requests(user: Any) -> QuerySet[RightsRequest]:
    """The requests the portal user made (a parent's about children they may still see; a pupil's own),
    newest first. Requests made by anyone else, the other parent included, are not listed."""
    link = require_link(user)
    qs = RightsRequest.objects.filter(pupil__in=children(user)).select_related("pupil", "school")
    if link.role == PortalRole.PARENT:
        qs = qs.filter(requester_kind=RequesterKind.PARENT, requester_contact=link.contact)
    else:
        qs = qs.filter(requester_kind=RequesterKind.PUPIL)
    return qs.order_by("-received_on", "-pk")


def my_request(user: Any, pk: Any) -> RightsRequest:
    """One request the portal user made, else Http404."""
    try:
        return my_requests(user).get(pk=pk)
    except (RightsRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such page") from None


@dataclass(frozen=True)
class RequestRow:
    """A request as the family sees it: plain status, and the legal due date while it is open."""

    request: RightsRequest
    kind_label: str
    status_label: str
    due: dt.date | None
    due_note: str
    bundle: Bundle | None  # the released bundle they may download


def released_bundle(req: RightsRequest) -> Bundle | None:
    """The final bundle sent with a released access or portability request (None otherwise)."""
    from steward.rights.bundle import latest_final

    if req.status != Status.RELEASED:
        return None
    final = latest_final(req)
    if final is None or (req.bundle_sha256 and final.sha256 != req.bundle_sha256):
        return None
    return final


def request_row(req: RightsRequest, *, on: dt.date | None = None) -> RequestRow:
    from steward.rights.selectors import deadline_view

    on = on or today()
    due: dt.date | None = None
    note = ""
    if req.is_open:
        view = deadline_view(req, today=on)
        due = view.due
        if view.deadline is not None and due is None:
            note = "The time limit is paused until you answer the school's question."
    return RequestRow(
        request=req,
        kind_label=PLAIN_KIND.get(RequestKind(req.kind), req.get_kind_display()),
        status_label=PLAIN_STATUS[Status(req.status)],
        due=due,
        due_note=note,
        bundle=released_bundle(req),
    )


# --- the bundle download link -------------------------------------------------------------------------


def bundle_link_token(*, user: Any, bundle: Bundle) -> str:
    """A signed token for downloading `bundle`, good for BUNDLE_LINK_HOURS and only for `user`."""
    return signing.dumps({"b": bundle.pk, "u": user.pk}, salt=_BUNDLE_SALT)


def bundle_for_token(*, user: Any, token: str) -> tuple[RightsRequest, Bundle]:
    """The request and bundle a download token names, if it is for this user, has not expired, and the
    user may still see the released request. Http404 otherwise (whatever the reason)."""
    try:
        data = signing.loads(token, salt=_BUNDLE_SALT, max_age=dt.timedelta(hours=BUNDLE_LINK_HOURS))
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise Http404("No such file") from None
    if not isinstance(data, dict) or data.get("u") != getattr(user, "pk", None):
        raise Http404("No such file")
    bundle_pk = data.get("b")
    if not isinstance(bundle_pk, int):
        raise Http404("No such file")
    bundle = Bundle.objects.filter(pk=bundle_pk).select_related("request").first()
    if bundle is None:
        raise Http404("No such file")
    req = my_request(user, bundle.request_id)
    if released_bundle(req) != bundle:
        raise Http404("No such file")
    return req, bundle


def audit_download(req: RightsRequest, bundle: Bundle, what: str) -> None:
    """Record the download as an export of the pupil's data by the signed-in family member."""
    held = sorted(c["key"] for c in bundle.manifest.get("categories", []) if c.get("records"))
    tax = taxonomy()
    record(
        "export",
        model=Bundle._meta.label,
        object_id=bundle.pk,
        subject=Subject(pupil_id=req.pupil_id, school_id=req.school_id),
        categories=held,
        special=any(tax.get(k).special for k in held if k in tax),
        detail={"request": req.pk, "sha256": bundle.sha256, "download": what, "via": "portal"},
    )
