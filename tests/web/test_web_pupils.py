"""Pupil search and the pupil page: scope, category grants, special-category audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil
from steward.records.models import SafeguardingConcern

NARRATIVE = "Pupil said an older cousin took their phone (fictional test narrative)"


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def concern(system: Any, pupil_a: Pupil, school_a: School) -> SafeguardingConcern:
    return SafeguardingConcern.objects.create(
        pupil=pupil_a,
        school=school_a,
        raised_at=timezone.now(),
        raised_by_name="Class teacher",
        category="online",
        narrative=NARRATIVE,
    )


def test_search_finds_only_pupils_in_the_teachers_school(
    client: Client, users: dict[str, User], pupil_a: Pupil, pupil_b: Pupil
) -> None:
    response = signed_in(client, users["teacher"]).get("/pupils/", {"q": "Testpupil"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/pupils/{pupil_a.pk}/">Testpupil1, Alex</a>' in html
    assert pupil_a.upn in html
    assert "14 Mar 2015" in html
    assert "Year 6" in html
    assert "Oakfield Primary" in html
    assert pupil_b.upn not in html
    assert "Testpupil2" not in html
    assert [r["pupil"] for r in response.context["results"]] == [pupil_a]


def test_search_by_upn_and_the_dpo_sees_both_schools(
    client: Client, users: dict[str, User], pupil_a: Pupil, pupil_b: Pupil
) -> None:
    client = signed_in(client, users["trust_dpo"])
    assert [r["pupil"] for r in client.get("/pupils/").context["results"]] == [pupil_a, pupil_b]
    assert [r["pupil"] for r in client.get("/pupils/", {"q": pupil_b.upn}).context["results"]] == [pupil_b]


def test_school_filter_offers_only_the_users_schools(
    client: Client, users: dict[str, User], school_a: School, school_b: School, pupil_b: Pupil
) -> None:
    client = signed_in(client, users["teacher"])
    html = client.get("/pupils/").content.decode()
    assert f'<option value="{school_a.pk}">Oakfield Primary</option>' in html
    assert "Oakfield Secondary" not in html
    response = client.get("/pupils/", {"school": school_b.pk})
    assert response.context["results"] == []
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_leavers_only_with_the_toggle(
    client: Client, users: dict[str, User], trust: Trust, school_a: School, system: Any
) -> None:
    leaver = make_pupil(trust, school_a, 7, legal_surname="Gone")
    Enrolment.objects.filter(pupil=leaver).update(leaving_date=dt.date(2020, 7, 20))
    client = signed_in(client, users["teacher"])
    assert client.get("/pupils/", {"q": "Gone"}).context["results"] == []
    found = client.get("/pupils/", {"q": "Gone", "include_leavers": "1"})
    assert [r["pupil"] for r in found.context["results"]] == [leaver]
    assert [r["schools"] for r in found.context["results"]] == [["Oakfield Primary (left)"]]


def test_search_is_paginated_by_fifty(
    client: Client, users: dict[str, User], trust: Trust, school_a: School, system: Any
) -> None:
    for serial in range(10, 61):
        make_pupil(trust, school_a, serial)
    client = signed_in(client, users["teacher"])
    first = client.get("/pupils/")
    assert len(first.context["results"]) == 50
    assert first.context["page"].paginator.count == 51
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert len(client.get("/pupils/", {"page": 2}).context["results"]) == 1


def test_pupil_outside_the_users_school_is_a_404(
    client: Client, users: dict[str, User], pupil_a: Pupil
) -> None:
    response = signed_in(client, users["teacher_b"]).get(f"/pupils/{pupil_a.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "Testpupil1" not in html
    assert pupil_a.upn not in html
    assert not AuditEvent.objects.filter(action="view", pupil_id_ref=pupil_a.pk).exists()


def test_missing_pupil_is_the_same_404(client: Client, users: dict[str, User], db: Any) -> None:
    response = signed_in(client, users["teacher"]).get("/pupils/999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_teacher_sees_no_safeguarding_even_when_a_concern_exists(
    client: Client, users: dict[str, User], pupil_a: Pupil, concern: SafeguardingConcern
) -> None:
    response = signed_in(client, users["teacher"]).get(f"/pupils/{pupil_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Alex Testpupil1</h1>' in html
    assert "<title>Pupil record – Steward</title>" in html  # no pupil names in tab titles or history
    assert "Safeguarding concerns" not in html
    assert NARRATIVE not in html
    assert "Online safety" not in html
    assert "Safeguarding" in response.context["profile"].hidden_categories
    assert "<li>Safeguarding</li>" in html  # named in the note of hidden categories
    assert all(s.category_key != "pupil.safeguarding" for s in response.context["profile"].sections)
    event = AuditEvent.objects.get(action="view", pupil_id_ref=pupil_a.pk)
    assert event.actor == users["teacher"]
    assert "pupil.safeguarding" not in event.categories
    assert event.special is False


def test_dsl_sees_the_concern_and_the_view_is_audited_as_special(
    client: Client, users: dict[str, User], pupil_a: Pupil, school_a: School, concern: SafeguardingConcern
) -> None:
    response = signed_in(client, users["dsl"]).get(f"/pupils/{pupil_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h3 class="govuk-summary-card__title">Safeguarding concerns</h3>' in html
    assert NARRATIVE in html
    assert "Online safety" in html
    assert '<strong class="govuk-tag govuk-tag--grey">Safeguarding</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--red">Special category</strong>' in html
    assert "Showing 1 of 1" in html
    assert "<li>Safeguarding</li>" not in html
    event = AuditEvent.objects.get(action="view", pupil_id_ref=pupil_a.pk)
    assert event.actor == users["dsl"]
    assert event.channel == "web"
    assert event.special is True
    assert "pupil.safeguarding" in event.categories
    assert event.school_id_ref == school_a.pk
    assert event.request_id == response["X-Request-ID"]


def test_pupil_page_groups_identity_by_category(
    client: Client, users: dict[str, User], pupil_a: Pupil
) -> None:
    response = signed_in(client, users["office_manager"]).get(f"/pupils/{pupil_a.pk}/")
    html = response.content.decode()
    groups = [g["category"] for g in response.context["identity_groups"]]
    assert groups[:2] == ["Unique pupil number", "Unique learner number"]
    assert "Name" in groups and "Ethnicity" in groups
    assert '<h3 class="govuk-heading-s govuk-!-margin-bottom-2" id="identity-3">Name</h3>' in html
    assert '<dt class="govuk-summary-list__key">Legal surname</dt>' in html
    assert "Testpupil1" in html
    assert '<h3 class="govuk-summary-card__title">Enrolments</h3>' in html


def test_pages_with_pupil_data_are_not_cached(client: Client, users: dict[str, User], pupil_a: Pupil) -> None:
    client = signed_in(client, users["teacher"])
    for url in [f"/pupils/{pupil_a.pk}/", "/pupils/", "/"]:
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
