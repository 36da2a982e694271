"""Pupil endpoints: scope, field-level category filtering, audit events, and creating pupils."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]
Payload = Callable[..., dict[str, Any]]


def _events(**filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


# -- list ---------------------------------------------------------------------------------------


def test_list_shows_only_pupils_at_the_callers_schools(
    client_for: Clients, pupil_a: Pupil, pupil_b: Pupil
) -> None:
    response = client_for("teacher").get("/api/pupils")
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["items"]] == [pupil_a.pk]
    assert body["count"] == 1
    assert body["items"][0] == {
        "id": pupil_a.pk,
        "upn": pupil_a.upn,
        "legal_forename": "Alex",
        "middle_names": "",
        "legal_surname": "Testpupil1",
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth": "2015-03-14",
        "ncy": "6",
        "current_school_urn": "100001",
    }
    assert [p["id"] for p in client_for("teacher_b").get("/api/pupils").json()["items"]] == [pupil_b.pk]
    assert {p["id"] for p in client_for("trust_dpo").get("/api/pupils").json()["items"]} == {
        pupil_a.pk,
        pupil_b.pk,
    }


def test_list_filters_by_words_and_school(client_for: Clients, pupil_a: Pupil, pupil_b: Pupil) -> None:
    dpo = client_for("trust_dpo")
    assert [p["id"] for p in dpo.get("/api/pupils", {"q": "sam"}).json()["items"]] == [pupil_b.pk]
    assert [p["id"] for p in dpo.get("/api/pupils", {"q": pupil_a.upn}).json()["items"]] == [pupil_a.pk]
    assert [p["id"] for p in dpo.get("/api/pupils", {"school": "100002"}).json()["items"]] == [pupil_b.pk]
    assert dpo.get("/api/pupils", {"school": "999999"}).json()["count"] == 0
    # A school outside the caller's scope filters to nothing, exactly as an unknown one.
    assert client_for("teacher").get("/api/pupils", {"school": "100002"}).json()["count"] == 0


def test_list_pages(client_for: Clients, pupil_a: Pupil, pupil_b: Pupil) -> None:
    dpo = client_for("trust_dpo")
    first = dpo.get("/api/pupils", {"page_size": 1}).json()
    second = dpo.get("/api/pupils", {"page_size": 1, "page": 2}).json()
    beyond = dpo.get("/api/pupils", {"page_size": 1, "page": 3}).json()
    assert (first["count"], first["pages"], first["page"], first["page_size"]) == (2, 2, 1, 1)
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [pupil_a.pk, pupil_b.pk]
    assert beyond["items"] == []


def test_list_rejects_a_bad_page(client_for: Clients, pupil_a: Pupil) -> None:
    response = client_for("teacher").get("/api/pupils", {"page": 0})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["page"]


def test_list_is_audited_as_a_search(client_for: Clients, users: dict[str, User], pupil_a: Pupil) -> None:
    response = client_for("teacher").get("/api/pupils")
    [event] = _events(action="search")
    assert (event.actor_id, event.channel, event.request_id) == (
        users["teacher"].pk,
        "api",
        response["X-Request-ID"],
    )
    assert event.model == "people.Pupil"
    assert event.detail == {"api": "pupil list", "page": 1, "results": 1, "school": ""}


# -- detail -------------------------------------------------------------------------------------


def test_pupil_outside_scope_is_404(client_for: Clients, pupil_a: Pupil) -> None:
    response = client_for("teacher_b").get(f"/api/pupils/{pupil_a.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such pupil", "errors": []}
    assert client_for("teacher").get("/api/pupils/999999").status_code == 404
    assert client_for("teacher_b").get(f"/api/pupils/{pupil_a.pk}/records").status_code == 404
    assert _events(action="view") == []


def test_teacher_gets_no_ethnicity(client_for: Clients, pupil_a: Pupil) -> None:
    body = client_for("teacher").get(f"/api/pupils/{pupil_a.pk}").json()
    assert "ethnicity" not in body
    assert "first_language" not in body
    assert "email" not in body  # pupil.contact is not part of a teacher's basic record
    assert "contacts" not in body
    assert body["legal_surname"] == "Testpupil1"
    assert body["date_of_birth"] == "2015-03-14"
    assert "pupil.characteristics.ethnicity" in body["withheld_categories"]
    assert "contact.identity" in body["withheld_categories"]


def test_office_manager_gets_ethnicity(client_for: Clients, pupil_a: Pupil, school_a: School) -> None:
    body = client_for("office_manager").get(f"/api/pupils/{pupil_a.pk}").json()
    assert body["ethnicity"] == "WBRI"
    assert body["first_language"] == "NOT"
    assert "pupil.characteristics.ethnicity" not in body["withheld_categories"]
    enrolment = Enrolment.objects.get(pupil=pupil_a)
    assert body["enrolments"] == [
        {
            "id": enrolment.pk,
            "school_urn": "100001",
            "school_name": "Oakfield Primary",
            "admission_date": "2019-09-04",
            "leaving_date": None,
            "leaving_reason": "",
            "status": "C",
            "tutor_group": "",
        }
    ]
    assert body["contacts"] == []


def test_detail_writes_a_view_event_as_the_caller(
    client_for: Clients, users: dict[str, User], pupil_a: Pupil, school_a: School
) -> None:
    teacher = client_for("teacher")
    before = AuditEvent.objects.count()
    response = teacher.get(f"/api/pupils/{pupil_a.pk}")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    [event] = _events(action="view")
    assert event.actor_id == users["teacher"].pk
    assert event.actor_label == "teacher"
    assert event.channel == "api"
    assert event.request_id == response["X-Request-ID"]
    assert (event.model, event.object_id, event.pupil_id_ref, event.school_id_ref) == (
        "people.Pupil",
        str(pupil_a.pk),
        pupil_a.pk,
        school_a.pk,
    )
    assert event.categories == [
        "pupil.enrolment",
        "pupil.identity.dob",
        "pupil.identity.name",
        "pupil.identity.sex",
        "pupil.identity.uln",
        "pupil.identity.upn",
    ]
    assert event.special is False
    assert "ethnicity" not in event.fields


def test_view_event_of_a_session_caller(users: dict[str, User], pupil_a: Pupil) -> None:
    client = Client()
    client.force_login(users["office_manager"])
    response = client.get(f"/api/pupils/{pupil_a.pk}")
    [event] = _events(action="view")
    assert (event.actor_id, event.channel, event.request_id) == (
        users["office_manager"].pk,
        "api",
        response["X-Request-ID"],
    )
    assert "pupil.characteristics.ethnicity" in event.categories


def test_records_returns_the_profile_and_audits_it(
    client_for: Clients, users: dict[str, User], pupil_a: Pupil
) -> None:
    response = client_for("teacher").get(f"/api/pupils/{pupil_a.pk}/records")
    assert response.status_code == 200
    body = response.json()
    assert body["pupil_id"] == pupil_a.pk
    assert {"category": "Name", "field": "legal surname", "value": "Testpupil1"} in body["identity"]
    assert not any(c["field"] == "ethnicity" for c in body["identity"])
    assert "Enrolments" in [s["title"] for s in body["sections"]]
    [event] = _events(action="view")
    assert (event.actor_id, event.channel, event.request_id) == (
        users["teacher"].pk,
        "api",
        response["X-Request-ID"],
    )
    assert event.detail == {"page": "pupil profile"}


def test_contacts_in_the_detail_follow_contact_categories(
    client_for: Clients, pupil_a: Pupil, contact_a: Contact
) -> None:
    dsl = client_for("dsl").get(f"/api/pupils/{pupil_a.pk}").json()
    assert dsl["contacts"] == [
        {
            "contact_id": contact_a.pk,
            "title": "Ms",
            "forename": "Jo",
            "surname": "Parentson",
            "relationship": "PAM",
            "parental_responsibility": True,
            "priority": 1,
            "lives_with": True,
            "court_order": True,
            "court_order_note": "Father must not collect (order of 1 May 2024).",
        }
    ]
    event = _events(action="view")[-1]
    assert {"contact.identity", "contact.relationship", "contact.legal"} <= set(event.categories)
    assert "contacts" not in client_for("teacher").get(f"/api/pupils/{pupil_a.pk}").json()


# -- create -------------------------------------------------------------------------------------


def test_create_pupil(
    client_for: Clients, users: dict[str, User], school_a: School, pupil_payload: Payload
) -> None:
    response = client_for("office_manager").post(
        "/api/pupils", pupil_payload(school_a, ethnicity="WIRI"), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    pupil = Pupil.objects.get(legal_surname="Newpupil")
    assert response.json() == {
        "id": pupil.pk,
        "upn": pupil.upn,
        "legal_forename": "Robin",
        "middle_names": "",
        "legal_surname": "Newpupil",
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth": "2018-05-20",
        "ncy": "1",
        "current_school_urn": "100001",
    }
    assert (pupil.ethnicity, pupil.first_language, pupil.trust_id) == ("WIRI", "NOT", school_a.trust_id)
    assert Enrolment.objects.get(pupil=pupil).admission_date == dt.date(2024, 9, 4)
    created = _events(action="create", model="people.Pupil", object_id=str(pupil.pk))
    assert len(created) == 1
    assert (created[0].actor_id, created[0].actor_label, created[0].channel, created[0].request_id) == (
        users["office_manager"].pk,
        "office_manager",
        "api",
        response["X-Request-ID"],
    )
    [enrolled] = _events(action="create", model="people.Enrolment")
    assert (enrolled.actor_id, enrolled.channel) == (users["office_manager"].pk, "api")


def test_bad_upn_is_422_naming_upn_and_writes_nothing(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    office = client_for("office_manager")
    events_before = AuditEvent.objects.count()
    body = pupil_payload(school_a)
    good = body["upn"]
    wrong_letter = next(c for c in "ABCDEFGH" if c != good[0])
    body["upn"] = wrong_letter + good[1:]
    response = office.post("/api/pupils", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Invalid input: upn.",
        "errors": [
            {
                "field": "upn",
                "messages": [f"UPN check letter is wrong: expected {good[0]} for {good[1:]}."],
                "codes": ["upn_check_letter"],
            }
        ],
    }
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(action="create", model="people.Pupil").exists()


def test_impossible_date_is_422_naming_the_field(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    response = client_for("office_manager").post(
        "/api/pupils", pupil_payload(school_a, date_of_birth="2018-02-30"), content_type="application/json"
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "date_of_birth"
    assert error["codes"] == ["date_from_datetime_parsing"]
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()


def test_nested_and_model_rule_errors_name_their_fields(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    office = client_for("office_manager")
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = office.post(
        "/api/pupils",
        pupil_payload(school_a, enrolment={"admission_date": "yesterday"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["enrolment.admission_date"]

    response = office.post(
        "/api/pupils", pupil_payload(school_a, date_of_birth=future), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "date_of_birth",
            "messages": ["Date of birth cannot be in the future."],
            "codes": ["invalid"],
        }
    ]

    response = office.post(
        "/api/pupils",
        pupil_payload(
            school_a, sex="Q", enrolment={"admission_date": "2024-09-04", "leaving_date": "2024-01-01"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["sex", "enrolment.leaving_date"]  # one round

    body = pupil_payload(school_a)
    del body["legal_surname"]
    response = office.post("/api/pupils", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "legal_surname", "messages": ["Field required"], "codes": ["missing"]}
    ]
    assert not Pupil.objects.filter(legal_forename="Robin").exists()


def test_enrolment_rule_rolls_back_the_pupil(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    response = client_for("office_manager").post(
        "/api/pupils",
        pupil_payload(school_a, enrolment={"admission_date": "2024-09-04", "leaving_date": "2024-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["enrolment.leaving_date"]
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()
    assert not AuditEvent.objects.filter(action="create", model="people.Pupil").exists()


def test_duplicate_upn_is_a_whole_record_error(
    client_for: Clients, school_a: School, pupil_a: Pupil, pupil_payload: Payload
) -> None:
    response = client_for("office_manager").post(
        "/api/pupils", pupil_payload(school_a, upn=pupil_a.upn), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": None,
            "messages": ["A pupil with this UPN already exists in the trust."],
            "codes": ["invalid"],
        }
    ]


def test_create_needs_permission_and_scope(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    response = client_for("teacher").post(
        "/api/pupils", pupil_payload(school_a), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change pupils at Oakfield Primary.", "errors": []}
    response = client_for("teacher_b").post(
        "/api/pupils", pupil_payload(school_a), content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No such school"
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()


def test_create_refuses_fields_the_caller_may_not_read(
    client_for: Clients, school_a: School, pupil_payload: Payload
) -> None:
    senco = client_for("senco")
    response = senco.post(
        "/api/pupils", pupil_payload(school_a, ethnicity="WIRI"), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("You may not record ethnicity at Oakfield Primary")
    assert (
        senco.post("/api/pupils", pupil_payload(school_a), content_type="application/json").status_code == 201
    )
