"""Signing in to the API: bearer tokens, the session cookie (with CSRF), and what fails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from steward.accounts.models import User
from steward.api.models import ApiToken
from steward.api.tokens import hash_key, revoke_token
from steward.audit.context import acting_as
from steward.organisations.models import School
from steward.people.models import Pupil

pytestmark = pytest.mark.django_db
Bearer = Callable[[str], dict[str, str]]
Payload = Callable[..., dict[str, Any]]


def test_no_credentials_is_401_with_the_error_shape(users: dict[str, User]) -> None:
    for path in ["/api/me", "/api/pupils", "/api/pupils/1", "/api/contacts", "/api/contacts/1"]:
        response = Client().get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Unauthorized", "errors": []}
        assert response["WWW-Authenticate"] == 'Bearer realm="steward"'


def test_unauthenticated_post_is_401_not_a_csrf_failure(school_a: School, pupil_payload: Payload) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/pupils", pupil_payload(school_a), content_type="application/json"
    )
    assert response.status_code == 401


def test_token_signs_in_as_its_user(
    users: dict[str, User], key_for: Callable[..., str], bearer: Bearer
) -> None:
    key = key_for("teacher")
    response = Client().get("/api/me", headers=bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "teacher"
    assert body["auth"] == "token"
    assert body["token"]["prefix"] == key[:12]
    assert body["schools"] == [
        {
            "id": users["teacher"].roles.get().school_id,
            "urn": "100001",
            "name": "Oakfield Primary",
            "roles": [{"key": "teacher", "label": "Teacher"}],
            "actions": ["view_pupils"],
        }
    ]


def test_token_use_is_stamped(users: dict[str, User], key_for: Callable[..., str], bearer: Bearer) -> None:
    key = key_for("teacher")
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.last_used_at is None
    assert Client().get("/api/me", headers=bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_the_key_is_stored(key_for: Callable[..., str]) -> None:
    key = key_for("teacher")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key) != key
    assert token.prefix == key[:12]
    assert key not in {str(v) for v in ApiToken.objects.values().get().values()}


def test_revoked_token_is_401(users: dict[str, User], key_for: Callable[..., str], bearer: Bearer) -> None:
    key = key_for("teacher")
    token = ApiToken.objects.get(key_hash=hash_key(key))
    with acting_as(users["teacher"], channel="cli"):
        revoke_token(actor=users["teacher"], token=token)
    response = Client().get("/api/me", headers=bearer(key))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked API token."


def test_expired_token_is_401(users: dict[str, User], key_for: Callable[..., str], bearer: Bearer) -> None:
    key = key_for("teacher", expires_at=timezone.now() + dt.timedelta(hours=1))
    assert Client().get("/api/me", headers=bearer(key)).status_code == 200
    ApiToken.objects.filter(key_hash=hash_key(key)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert Client().get("/api/me", headers=bearer(key)).status_code == 401


def test_token_of_a_deactivated_user_is_401(
    users: dict[str, User], key_for: Callable[..., str], bearer: Bearer
) -> None:
    key = key_for("teacher")
    User.objects.filter(pk=users["teacher"].pk).update(is_active=False)
    assert Client().get("/api/me", headers=bearer(key)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer stw_not-a-real-key", "Bearer ", "Bearer nonsense"])
def test_unknown_token_is_401(users: dict[str, User], header: str) -> None:
    response = Client().get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(users: dict[str, User], bearer: Bearer) -> None:
    client = Client()
    client.force_login(users["teacher"])
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", headers=bearer("stw_wrong")).status_code == 401


def test_session_signs_in(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users["office_manager"])
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["auth"] == "session"
    assert response.json()["token"] is None


def test_session_post_requires_csrf(users: dict[str, User], school_a: School, pupil_payload: Payload) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["office_manager"])
    response = client.post("/api/pupils", pupil_payload(school_a), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF check failed")
    assert not Pupil.objects.filter(legal_surname="Newpupil").exists()

    client.get("/api/me")  # any GET through ninja does not set the cookie; ask Django for one
    csrf = _csrf_token(client)
    response = client.post(
        "/api/pupils", pupil_payload(school_a), content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.json()
    assert Pupil.objects.filter(legal_surname="Newpupil").count() == 1


def test_token_post_needs_no_csrf(
    school_a: School, key_for: Callable[..., str], bearer: Bearer, pupil_payload: Payload
) -> None:
    client = Client(enforce_csrf_checks=True, headers=bearer(key_for("office_manager")))
    response = client.post("/api/pupils", pupil_payload(school_a), content_type="application/json")
    assert response.status_code == 201


def _csrf_token(client: Client) -> str:
    """Mint a CSRF token into the client's cookies the way a rendered form would."""
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    token: Any = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return str(token)
