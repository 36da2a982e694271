"""`steward apitoken` and the token services: issued keys work once printed, revoked ones do not."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client

from steward.accounts.models import User
from steward.api.models import ApiToken
from steward.api.tokens import hash_key, issue_token
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.registry.registry import entry_for

pytestmark = pytest.mark.django_db
Bearer = Callable[[str], dict[str, str]]


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_a_working_key(users: dict[str, User], bearer: Bearer) -> None:
    out, err = _run("create", "--user", "teacher", "--name", "MIS sync", "--actor", "teacher")
    key = out.strip()
    assert key.startswith("stw_") and len(key) == 47
    assert "shown only now" in err
    assert key not in err
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.key_hash) == (
        users["teacher"],
        "MIS sync",
        key[:12],
        hash_key(key),
    )
    response = Client().get("/api/me", headers=bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "teacher"
    [event] = AuditEvent.objects.filter(model="api.ApiToken", action="create")
    assert (event.actor_id, event.channel) == (users["teacher"].pk, "cli")


def test_revoke_by_prefix_stops_the_key(users: dict[str, User], bearer: Bearer) -> None:
    key = _run("create", "--user", "teacher", "--name", "script", "--actor", "teacher")[0].strip()
    out, _ = _run("revoke", "--prefix", key[:12], "--actor", "teacher")
    assert out.startswith("Revoked API token")
    assert ApiToken.objects.get().revoked_at is not None
    assert Client().get("/api/me", headers=bearer(key)).status_code == 401
    [event] = AuditEvent.objects.filter(model="api.ApiToken", action="update")
    assert event.fields == ["revoked_at"]
    assert (event.actor_id, event.channel) == (users["teacher"].pk, "cli")


def test_list_shows_prefixes_never_keys(users: dict[str, User]) -> None:
    key = _run("create", "--user", "teacher", "--name", "script", "--actor", "teacher")[0].strip()
    out, _ = _run("list", "--actor", "teacher")
    assert key[:12] in out
    assert key not in out
    assert "\tactive\t" in out
    assert _run("list", "--actor", "teacher_b")[0] == ""


def test_the_dpo_may_issue_for_staff_but_staff_not_for_each_other(users: dict[str, User]) -> None:
    out, _ = _run(
        "create", "--user", "teacher", "--name", "for teacher", "--actor", "dpo", "--expires-days", "30"
    )
    assert out.strip().startswith("stw_")
    assert ApiToken.objects.get().expires_at is not None
    with pytest.raises(CommandError, match="You may not issue API tokens for teacher"):
        _run("create", "--user", "teacher", "--name", "x", "--actor", "teacher_b")
    with pytest.raises(CommandError, match="No such API token"):
        _run("revoke", "--id", str(ApiToken.objects.get().pk), "--actor", "teacher_b")
    with pytest.raises(PermissionDenied), acting_as(users["teacher_b"], channel="cli"):
        issue_token(actor=users["teacher_b"], user=users["teacher"], name="x")


def test_command_errors(users: dict[str, User]) -> None:
    with pytest.raises(CommandError, match="--actor"):
        _run("create", "--user", "teacher", "--name", "x")
    with pytest.raises(CommandError, match="needs --user and --name"):
        _run("create", "--user", "teacher", "--actor", "teacher")
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        _run("create", "--user", "nobody", "--name", "x", "--actor", "dpo")
    assert ApiToken.objects.count() == 0


def test_api_tokens_are_registered_staff_data() -> None:
    entry = entry_for(ApiToken)
    assert (entry.subject, entry.subject_path) == ("staff", "user")
    assert {f.name: f.category.key for f in entry.fields} == {
        "id": "system.key",
        "user": "system.key",
        "name": "staff.account",
        "prefix": "staff.account",
        "key_hash": "staff.account",
        "created_at": "staff.account",
        "last_used_at": "staff.account",
        "expires_at": "staff.account",
        "revoked_at": "staff.account",
    }
