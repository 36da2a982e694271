"""Rights requests from the portal: the same RightsRequest (channel portal, the contact or pupil as
requester) that appears on the staff dashboard; the family follows status and due date; a released
access bundle downloads through a link that works for that user only, for 24 hours, audited as an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from tests.portal.conftest import Family, make_portal_user, signed_in

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.portal import requests as portal_requests
from steward.rights import selectors as rights_selectors
from steward.rights import services
from steward.rights.models import EventKind, RightsRequest, Status

pytestmark = pytest.mark.django_db


def sar(client: Client, pupil_pk: int, **data: str) -> Any:
    payload = {"kind": "access", "description": "A copy of everything you hold about my child."}
    payload.update(data)
    return client.post(f"/portal/children/{pupil_pk}/requests/new/", payload)


def test_parent_sar_is_a_portal_request_on_the_dpo_dashboard(
    family: Family, parent_user: User, users: dict[str, User], published: School
) -> None:
    client = signed_in(parent_user)
    response = sar(client, family.child.pk)
    req = RightsRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/requests/{req.pk}/"
    assert (
        req.channel == "portal" and req.requester_kind == "parent" and req.requester_contact == family.parent
    )
    assert req.pupil == family.child and req.school == published and req.status == Status.RECEIVED
    logged = req.events.get()
    assert logged.kind == EventKind.LOGGED and logged.method == "portal" and logged.actor == parent_user
    dpo = users["trust_dpo"]
    board = rights_selectors.dashboard(dpo, today=req.received_on)
    assert [r.request for r in board.rows] == [req]
    page = signed_in(dpo).get("/requests/")
    assert page.status_code == 200 and f"/requests/{req.pk}/".encode() in page.content
    # The family sees it with its legal due date (one calendar month, ICO rule).
    mine = client.get("/portal/requests/")
    due = services.due(req).due
    assert b"Received" in mine.content and f"{due.day} {due:%B %Y}".encode() in mine.content
    detail = client.get(f"/portal/requests/{req.pk}/")
    assert detail.status_code == 200 and b"Answer due by" in detail.content


def test_requests_refused_with_the_field_named_and_nothing_written(
    family: Family, parent_user: User, school_a: School, published: School
) -> None:
    client = signed_in(parent_user)
    empty = sar(client, family.child.pk, description="")
    assert empty.status_code == 200 and b"Tell us more" in empty.content
    wrong = sar(client, family.child.pk, kind="portability")
    assert wrong.status_code == 200 and b"Select a valid choice" in wrong.content
    assert not RightsRequest.objects.exists()
    sar(client, family.child.pk)
    again = sar(client, family.child.pk)
    assert b"You already asked for this" in again.content and RightsRequest.objects.count() == 1
    # A pupil may not ask for the educational record (the 2005 regulations give it to parents).
    pupil_user = make_portal_user(school_a, pupil=family.teen)
    assert "educational_record" not in dict(portal_requests.kinds_for(pupil_user))
    with acting_as(pupil_user, channel="web"), pytest.raises(ValidationError) as err:
        portal_requests.make_request(
            actor=pupil_user, pupil=family.teen, kind="educational_record", description="My record."
        )
    assert "kind" in err.value.message_dict


def test_another_parents_request_is_logged_separately_and_not_shown(
    family: Family, parent_user: User, school_a: School, published: School
) -> None:
    from steward.people.models import PupilContact

    with acting_as(None, channel="system", system_label="test fixture"):
        PupilContact.objects.create(
            pupil=family.child, contact=family.other_parent, relationship="PAF", parental_responsibility=True
        )
    second = make_portal_user(school_a, contact=family.other_parent)
    sar(signed_in(parent_user), family.child.pk)
    sar(signed_in(second), family.child.pk)
    first, other = RightsRequest.objects.order_by("pk")
    assert other.duplicate_of == first and "different requester" in other.duplicate_reason
    assert list(portal_requests.my_requests(parent_user)) == [first]
    assert signed_in(parent_user).get(f"/portal/requests/{other.pk}/").status_code == 404


def _released(actor: User, school: School, pupil: Any, contact: Any) -> RightsRequest:
    """A parent's access request about a 10-year-old, walked to released with its final bundle."""
    from steward.rights import review
    from steward.rights.bundle import build

    on = dt.date.today()
    with acting_as(actor, channel="web"):
        req = services.request_log(
            actor=actor,
            school=school,
            pupil=pupil,
            kind="access",
            requester_kind="parent",
            requester_contact=contact,
            received_on=on,
            channel="portal",
            description="Everything.",
        )
        req = services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=on)
        req = services.transition(actor=actor, request=req, to=Status.AWAITING_REVIEW, on=on)
        build(actor=actor, request=req, final=False)
        for mark in req.redactions.filter(decision="proposed"):
            review.decide(actor=actor, mark=mark, decision="accepted")
        build(actor=actor, request=req, final=True)
        req = services.transition(actor=actor, request=req, to=Status.READY, on=on, note="Reviewed.")
        return services.release(actor=actor, request=req, on=on, method="portal")


def test_released_bundle_downloads_for_the_requester_only_and_expires(
    family: Family,
    parent_user: User,
    users: dict[str, User],
    school_a: School,
    published: School,
    monkeypatch: Any,
) -> None:
    req = _released(users["school_dpl"], school_a, family.child, family.parent)
    client = signed_in(parent_user)
    page = client.get(f"/portal/requests/{req.pk}/")
    assert b"Answered" in page.content and b"Download the readable copy" in page.content
    token = page.context["token"]
    pdf = client.get(f"/portal/download/{token}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    zipped = client.get(f"/portal/download/{token}.zip")
    assert zipped.status_code == 200 and b"".join(zipped.streaming_content)[:2] == b"PK"
    exports = AuditEvent.objects.filter(action="export", actor=parent_user, pupil_id_ref=family.child.pk)
    assert exports.count() == 2 and exports.first().detail["via"] == "portal"  # type: ignore[union-attr]

    # The same link is nothing to anyone else, staff included, or signed out.
    second = make_portal_user(school_a, contact=family.other_parent)
    assert signed_in(second).get(f"/portal/download/{token}.pdf").status_code == 404
    assert signed_in(users["trust_dpo"]).get(f"/portal/download/{token}.pdf").status_code == 404
    assert Client().get(f"/portal/download/{token}.pdf").status_code == 302
    tampered = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    assert client.get(f"/portal/download/{tampered}.pdf").status_code == 404

    # After 24 hours the link is dead; the page gives a fresh one.
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 24 * 3600 + 5)
    assert client.get(f"/portal/download/{token}.pdf").status_code == 404
    monkeypatch.setattr(time, "time", real)
    assert client.get(f"/portal/download/{token}.pdf").status_code == 200

    # Losing parental responsibility takes the request and its file away.
    with acting_as(None, channel="system", system_label="test: PR removed"):
        link = family.parent.pupil_links.get(pupil=family.child)
        link.parental_responsibility = False
        link.save()
    assert client.get(f"/portal/download/{token}.pdf").status_code == 404
    assert client.get(f"/portal/requests/{req.pk}/").status_code == 404
