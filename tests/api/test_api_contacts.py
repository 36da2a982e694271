"""Contact endpoints: only roles that read contact data see contacts; court orders by category."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Contact, Pupil

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def test_teachers_cannot_see_contacts(client_for: Clients, contact_a: Contact) -> None:
    teacher = client_for("teacher")
    assert teacher.get("/api/contacts").json()["items"] == []
    response = teacher.get(f"/api/contacts/{contact_a.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such contact", "errors": []}
    assert not AuditEvent.objects.filter(action="view").exists()


def test_contacts_at_other_schools_are_404(
    client_for: Clients, contact_a: Contact, contact_b: Contact
) -> None:
    dsl = client_for("dsl")
    assert [c["id"] for c in dsl.get("/api/contacts").json()["items"]] == [contact_a.pk]
    assert dsl.get(f"/api/contacts/{contact_b.pk}").status_code == 404


def test_list_contacts(client_for: Clients, contact_a: Contact, contact_b: Contact) -> None:
    body = client_for("trust_dpo").get("/api/contacts").json()
    assert body["count"] == 2
    assert body["items"] == [
        {"id": contact_b.pk, "title": "", "forename": "Lee", "surname": "Carerton"},
        {"id": contact_a.pk, "title": "Ms", "forename": "Jo", "surname": "Parentson"},
    ]


def test_dsl_sees_the_court_order(
    client_for: Clients, users: dict[str, User], contact_a: Contact, pupil_a: Pupil, school_a: School
) -> None:
    response = client_for("dsl").get(f"/api/contacts/{contact_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["forename"], body["surname"], body["phone_mobile"]) == ("Jo", "Parentson", "07700 900123")
    assert body["pupils"] == [
        {
            "pupil_id": pupil_a.pk,
            "pupil_name": "Alex Testpupil1",
            "relationship": "PAM",
            "parental_responsibility": True,
            "priority": 1,
            "lives_with": True,
            "court_order": True,
            "court_order_note": "Father must not collect (order of 1 May 2024).",
        }
    ]
    assert body["withheld_categories"] == []
    [event] = AuditEvent.objects.filter(action="view")
    assert (event.actor_id, event.channel, event.request_id) == (
        users["dsl"].pk,
        "api",
        response["X-Request-ID"],
    )
    assert (event.model, event.contact_id_ref, event.school_id_ref) == (
        "people.Contact",
        contact_a.pk,
        school_a.pk,
    )
    assert event.categories == [
        "contact.details",
        "contact.identity",
        "contact.legal",
        "contact.relationship",
    ]


def test_court_order_fields_follow_the_legal_category(
    client_for: Clients, contact_a: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A role that reads contacts but not `contact.legal` gets the link without the court order."""
    from steward.accounts import roles

    office = roles.ROLES["office_manager"]
    narrowed = roles.Role(
        office.key,
        office.label,
        office.description,
        (
            *[c for c in office.categories if c != "contact"],
            "contact.identity",
            "contact.details",
            "contact.relationship",
        ),
        office.actions,
    )
    monkeypatch.setitem(roles.ROLES, "office_manager", narrowed)
    body = client_for("office_manager").get(f"/api/contacts/{contact_a.pk}").json()
    [link] = body["pupils"]
    assert "court_order" not in link
    assert "court_order_note" not in link
    assert link["relationship"] == "PAM"
    assert body["withheld_categories"] == ["contact.legal"]
    event = AuditEvent.objects.filter(action="view").get()
    assert "contact.legal" not in event.categories
