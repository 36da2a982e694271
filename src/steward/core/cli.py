"""Base for management commands that change data: a required --actor and an audit context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.audit.context import acting_as


def resolve_actor(username: str) -> Any:
    """The active user named by --actor; a clear error otherwise (never a fallback user)."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"--actor: no user called {username!r}") from None
    if not user.is_active:
        raise CommandError(f"--actor: user {username!r} is not active")
    return user


class ActorCommand(BaseCommand):
    """A command run on behalf of a named user; everything it writes is audited as theirs."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", required=True, help="username of the person running this command")

    def execute(self, *args: Any, **options: Any) -> Any:
        actor = resolve_actor(options["actor"]) if options.get("actor") else None
        if actor is None:
            raise CommandError("--actor is required: say who is running this command")
        with acting_as(actor, channel="cli"):
            return super().execute(*args, **options)


def parse_date(value: str, option: str) -> dt.date:
    """A YYYY-MM-DD command-line value, or a CommandError naming the option."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (use YYYY-MM-DD)") from None


def validation_messages(exc: ValidationError, options: Mapping[str, str] | None = None) -> str:
    """A ValidationError as one line, each field named by its command-line option where known."""
    names = options or {}
    if hasattr(exc, "error_dict"):
        return "; ".join(
            (f"{names.get(field, field)}: " if field != "__all__" else "") + " ".join(msgs)
            for field, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)
