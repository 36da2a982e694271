"""Base for management commands that change data: a required --actor and an audit context."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
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
