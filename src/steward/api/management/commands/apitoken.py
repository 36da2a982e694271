"""`steward apitoken create|revoke|list`: manage API tokens (every change audited as --actor).

    steward apitoken create --user jsmith --name "MIS sync" --actor jsmith [--expires-days 90]
    steward apitoken revoke --prefix stw_AbCd1234 --actor jsmith      (or --id 12)
    steward apitoken list [--user jsmith] --actor jsmith

`create` prints the key on standard output, once: it is stored only as a hash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from steward.api.tokens import find_token, issue_token, revoke_token, tokens_visible_to, user_by_username
from steward.audit.context import current
from steward.core.cli import ActorCommand


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(ActorCommand):
    help = "Create, revoke or list API tokens. `create` prints the new key once; only its hash is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("--user", help="create: whose token (username); list: only this user's tokens")
        parser.add_argument("--name", help="create: what the token is for, e.g. 'MIS sync'")
        parser.add_argument("--expires-days", type=int, help="create: expire after this many days")
        parser.add_argument("--prefix", help="revoke: the token's prefix as shown by `list`")
        parser.add_argument("--id", type=int, dest="token_id", help="revoke: the token's id")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = current().actor
        try:
            getattr(self, f"_{options['action']}")(actor, options)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(_message(exc)) from None

    def _create(self, actor: Any, options: dict[str, Any]) -> None:
        if not options.get("user") or not options.get("name"):
            raise CommandError("create needs --user and --name")
        days = options.get("expires_days")
        if days is not None and days < 1:
            raise CommandError("--expires-days must be 1 or more")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        user = user_by_username(options["user"])
        issued = issue_token(actor=actor, user=user, name=options["name"], expires_at=expires)
        t = issued.token
        until = f"until {t.expires_at:%Y-%m-%d %H:%M %Z}" if t.expires_at else "with no expiry"
        self.stderr.write(
            f"Created API token {t.pk} '{t.name}' ({t.prefix}…) for {user.get_username()}, {until}.\n"
            "The key below is shown only now: store it somewhere safe."
        )
        self.stdout.write(issued.key)

    def _revoke(self, actor: Any, options: dict[str, Any]) -> None:
        token = find_token(actor, prefix=options.get("prefix") or "", pk=options.get("token_id"))
        revoke_token(actor=actor, token=token)
        self.stdout.write(f"Revoked API token {token.pk} '{token.name}' ({token.prefix}…) of {token.user}.")

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        qs = tokens_visible_to(actor)
        if options.get("user"):
            qs = qs.filter(user__username=options["user"])
        for t in qs:
            last = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "-"
            self.stdout.write(
                f"{t.pk}\t{t.prefix}…\t{t.user.get_username()}\t{t.name}\t{t.status}\t"
                f"created {t.created_at:%Y-%m-%d}\tlast used {last}\texpires {expires}"
            )
