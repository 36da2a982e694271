"""Adding a pupil: parsing in the form, rules in the model, errors shown the GOV.UK way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.conftest import make_upn

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.core.validators import upn_check_letter
from steward.organisations.models import School
from steward.people.models import Enrolment, Pupil


def valid_post(school: School, **changes: Any) -> dict[str, Any]:
    data = {
        "upn": make_upn("201", "3001", 555),
        "legal_forename": "Robin",
        "middle_names": "",
        "legal_surname": "Newpupil",
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth_day": "5",
        "date_of_birth_month": "11",
        "date_of_birth_year": "2016",
        "sex": "M",
        "ethnicity": "WBRI",
        "first_language": "ENG",
        "ncy": "4",
        "school": str(school.pk),
        "admission_date_day": "2",
        "admission_date_month": "9",
        "admission_date_year": "2024",
    }
    data.update(changes)
    return data


@pytest.fixture
def office(client: Client, users: dict[str, User]) -> Client:
    client.force_login(users["office_manager"])
    return client


def test_add_pupil_is_a_404_without_change_rights(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    assert client.get("/pupils/new/").status_code == 404
    assert "Add pupil" not in client.get("/").content.decode()


def test_form_offers_only_schools_where_the_user_may_change_pupils(office: Client, school_a: School) -> None:
    response = office.get("/pupils/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{school_a.pk}" selected>Oakfield Primary (100001)</option>' in html
    assert "Oakfield Secondary" not in html
    assert '<label class="govuk-label" for="id_upn">UPN</label>' in html
    assert 'id="id_date_of_birth_day" name="date_of_birth_day"' in html
    assert '<option value="NOBT" selected>' in html  # the model's default ethnicity


def test_bad_upn_is_named_in_the_error_summary_and_nothing_is_written(
    office: Client, school_a: School
) -> None:
    good = make_upn("201", "3001", 555)
    wrong_letter = "A" if good[0] != "A" else "B"
    bad = wrong_letter + good[1:]
    before = AuditEvent.objects.count()
    response = office.post("/pupils/new/", valid_post(school_a, upn=bad))
    assert response.status_code == 200
    html = response.content.decode()
    message = f"UPN check letter is wrong: expected {upn_check_letter(good[1:])} for {good[1:]}."
    assert "<title>Error: Add a pupil – Steward</title>" in html
    assert f'<a href="#id_upn">{message}</a>' in html
    assert (
        f'<p id="id_upn-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {message}</p>'
        in html
    )
    assert f'value="{bad}"' in html  # what was typed is kept for correction
    assert 'value="Newpupil"' in html
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()
    assert AuditEvent.objects.count() == before


def test_empty_form_asks_for_each_required_field(office: Client, school_a: School) -> None:
    response = office.post("/pupils/new/", {"school": str(school_a.pk), "ethnicity": "NOBT"})
    assert response.status_code == 200
    summary = response.context["error_summary"]
    assert {"href": "#id_upn", "text": "Enter the UPN"} in summary
    assert {"href": "#id_legal_forename", "text": "Enter the legal forename"} in summary
    assert {"href": "#id_legal_surname", "text": "Enter the legal surname"} in summary
    assert {"href": "#id_date_of_birth_day", "text": "Enter the date of birth"} in summary
    assert {"href": "#id_sex", "text": "Select the sex"} in summary
    assert {"href": "#id_ncy", "text": "Select the national curriculum year"} in summary
    assert Pupil.objects.count() == 0


def test_impossible_and_future_dates(office: Client, school_a: School) -> None:
    response = office.post(
        "/pupils/new/", valid_post(school_a, date_of_birth_day="31", date_of_birth_month="2")
    )
    assert {"href": "#id_date_of_birth_day", "text": "Date of birth must be a real date"} in response.context[
        "error_summary"
    ]
    next_year = str(dt.date.today().year + 1)
    response = office.post("/pupils/new/", valid_post(school_a, date_of_birth_year=next_year))
    assert {
        "href": "#id_date_of_birth_day",
        "text": "Date of birth cannot be in the future.",
    } in response.context["error_summary"]
    assert Pupil.objects.count() == 0


def test_admission_date_error_comes_back_from_the_enrolment(office: Client, school_a: School) -> None:
    response = office.post(
        "/pupils/new/",
        valid_post(school_a, admission_date_day="", admission_date_month="", admission_date_year=""),
    )
    assert {"href": "#id_admission_date_day", "text": "Enter the admission date"} in response.context[
        "error_summary"
    ]
    assert Pupil.objects.count() == 0  # the pupil row was rolled back with the enrolment


def test_school_outside_the_users_rights_is_refused(office: Client, school_b: School) -> None:
    response = office.post("/pupils/new/", valid_post(school_b))
    assert {"href": "#id_school", "text": "Select one of your schools"} in response.context["error_summary"]
    assert Pupil.objects.count() == 0


def test_duplicate_upn_is_shown(office: Client, school_a: School, pupil_a: Pupil) -> None:
    response = office.post("/pupils/new/", valid_post(school_a, upn=pupil_a.upn))
    assert {"href": "", "text": "A pupil with this UPN already exists in the trust."} in response.context[
        "error_summary"
    ]
    assert Pupil.objects.count() == 1


def test_add_pupil_creates_pupil_enrolment_and_web_audit_events(
    office: Client, users: dict[str, User], school_a: School
) -> None:
    response = office.post("/pupils/new/", valid_post(school_a))
    pupil = Pupil.objects.get(legal_surname="Newpupil")
    assert response.status_code == 302
    assert response["Location"] == f"/pupils/{pupil.pk}/"
    assert pupil.upn == make_upn("201", "3001", 555)
    assert pupil.date_of_birth == dt.date(2016, 11, 5)
    assert (pupil.sex, pupil.ethnicity, pupil.first_language, pupil.ncy) == ("M", "WBRI", "ENG", "4")
    assert pupil.trust_id == school_a.trust_id
    enrolment = Enrolment.objects.get(pupil=pupil)
    assert enrolment.school == school_a
    assert enrolment.admission_date == dt.date(2024, 9, 2)
    created = AuditEvent.objects.get(action="create", model="people.Pupil", object_id=str(pupil.pk))
    assert created.actor == users["office_manager"]
    assert created.channel == "web"
    assert created.request_id == response["X-Request-ID"]
    assert "upn" in created.fields
    enrolled = AuditEvent.objects.get(action="create", model="people.Enrolment")
    assert enrolled.actor == users["office_manager"]
    assert enrolled.school_id_ref == school_a.pk
    page = office.get(response["Location"])
    assert "Robin Newpupil has been added" in page.content.decode()
