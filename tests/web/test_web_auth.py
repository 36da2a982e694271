"""Sign-in, sign-out, their audit events, anonymous redirects and the superuser-only admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.people.models import Pupil

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize(
    "name,args",
    [
        ("web:home", []),
        ("web:pupil_search", []),
        ("web:pupil_create", []),
        ("web:data_map", []),
        ("web:data_map_json", []),
        ("web:audit_log", []),
    ],
)
def test_anonymous_is_sent_to_sign_in(client: Client, db: Any, name: str, args: list[Any]) -> None:
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={url}"


def test_anonymous_pupil_page_redirects_without_touching_the_pupil(client: Client, pupil_a: Pupil) -> None:
    url = reverse("web:pupil_detail", args=[pupil_a.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={url}"
    assert not AuditEvent.objects.filter(action="view").exists()


def test_sign_in_page_is_a_govuk_page(client: Client, db: Any) -> None:
    response = client.get("/sign-in/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'href="/static/govuk/govuk-frontend.min.css"' in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert 'class="govuk-generic-header__homepage-link">Steward</a>' in html
    assert "govuk-phase-banner" in html
    assert '<label class="govuk-label" for="id_username">Username</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "Sign out" not in html  # no navigation before sign-in


def test_sign_in_records_a_login_event_as_the_user(client: Client, users: dict[str, User]) -> None:
    response = client.post("/sign-in/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = AuditEvent.objects.get(action="login")
    assert event.actor == users["teacher"]
    assert event.actor_label == "teacher"
    assert event.channel == "web"
    assert event.request_id == response["X-Request-ID"]
    assert event.model == "accounts.User"
    assert event.object_id == str(users["teacher"].pk)
    # Django's last_login stamp is written in the same request, and audited as the user too.
    stamp = AuditEvent.objects.get(action="update", model="accounts.User", object_id=str(users["teacher"].pk))
    assert stamp.actor == users["teacher"]
    assert stamp.fields == ["last_login"]
    assert client.get("/").status_code == 200


def test_sign_in_honours_next(client: Client, users: dict[str, User]) -> None:
    response = client.post("/sign-in/", {"username": "teacher", "password": PASSWORD, "next": "/pupils/"})
    assert response.status_code == 302
    assert response["Location"] == "/pupils/"


def test_failed_sign_in_records_the_username_but_never_the_password(
    client: Client, users: dict[str, User]
) -> None:
    response = client.post("/sign-in/", {"username": "teacher", "password": "wrong password 123"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign in – Steward</title>" in html
    assert 'class="govuk-error-summary"' in html
    assert (
        '<a href="#id_username">Enter a correct username and password (both are case-sensitive)</a>' in html
    )
    assert "wrong password 123" not in html  # the password box is never refilled
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.actor_label == "anonymous web request"
    assert event.channel == "web"
    assert event.detail == {"username": "teacher"}
    assert "wrong password" not in json.dumps([event.detail, event.fields, event.categories])
    assert not AuditEvent.objects.filter(action="login").exists()


def test_empty_sign_in_names_both_fields(client: Client, db: Any) -> None:
    response = client.post("/sign-in/", {"username": "", "password": ""})
    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html


def test_sign_out_is_a_post_and_is_audited(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    event = AuditEvent.objects.get(action="logout")
    assert event.actor == users["teacher"]
    assert event.channel == "web"
    assert client.get("/").status_code == 302


def test_signed_in_user_visiting_sign_in_goes_home(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    response = client.get("/sign-in/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_admin_refuses_staff_who_are_not_superusers(client: Client, users: dict[str, User]) -> None:
    dpo = users["trust_dpo"]
    dpo.is_staff = True
    dpo.save()
    client.force_login(dpo)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302


def test_admin_admits_an_active_superuser(client: Client, system: Any, db: Any) -> None:
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    root.is_active = False
    root.save()
    # An inactive user's session no longer authenticates, so the admin sends them to its sign-in.
    assert client.get("/admin/").status_code == 302
