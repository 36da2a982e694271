"""Repeated failed sign-ins lock the username (django-axes), and each failure is audited."""

from __future__ import annotations

from typing import Any

from django.test import Client

from steward.audit.models import AuditEvent


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/sign-in/", {"username": username, "password": password})


def test_five_failures_lock_the_username(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    for _ in range(4):
        response = _sign_in(client, "teacher", "wrong password")
        assert response.status_code == 200  # the form again, with its error
    response = _sign_in(client, "teacher", "wrong password")
    assert response.status_code == 429
    # Now even the right password is refused until the cool-off ends.
    response = _sign_in(client, "teacher", "correct horse battery staple")
    assert response.status_code == 429
    assert "This account is locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(action="login_failed")
    assert failures.count() >= 5
    # Another member of staff at the same school (same address) can still sign in.
    assert _sign_in(Client(), "dsl", "correct horse battery staple").status_code == 302
