"""The `steward` entry point: Django's bootstrap commands run under a named, audited process label."""

from __future__ import annotations

from typing import Any

import pytest

from steward.__main__ import main
from steward.accounts.models import User
from steward.audit.models import AuditEvent


@pytest.mark.django_db(transaction=True)  # the command closes its connection at the end
def test_createsuperuser_is_audited_as_a_named_process(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password 1")
    main(["createsuperuser", "--noinput", "--username", "root_admin", "--email", "admin@example.com"])
    user = User.objects.get(username="root_admin")
    event = AuditEvent.objects.get(model="accounts.User", object_id=str(user.pk), action="create")
    assert event.actor is None
    assert event.channel == "cli"
    assert event.actor_label.startswith("steward createsuperuser (OS user ")
