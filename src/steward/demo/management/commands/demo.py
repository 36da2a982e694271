"""`steward demo`: build the fictional Meadowbank Learning Trust (a thin shell over build_demo)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.audit.context import acting_as
from steward.core.cli import resolve_actor
from steward.demo.services import SYSTEM_LABEL, DemoError, build_demo


class Command(BaseCommand):
    help = (
        "Build a fictional demo trust: schools, term dates, staff logins, pupils, contacts and records, "
        "published notices, rights requests, a youth-support run and an alternative provision provider "
        "with placements. Same --seed, same day: same data. Prints the logins and where to look."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=3, help="number of schools (default 3)")
        parser.add_argument("--pupils", type=int, default=2000, help="pupils across the trust (default 2000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--actor", help="username to audit the build as (default: the 'steward demo' process)"
        )
        parser.add_argument("--password", help="password for every demo login (default: a new random one)")
        parser.add_argument("--replace", action="store_true", help="delete an existing demo trust first")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options["actor"]) if options.get("actor") else None
        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        # The bar is drawn only on a terminal; piped or under call_command it stays quiet.
        with Progress(*columns, console=console, disable=not console.is_terminal, transient=True) as bar:
            task = bar.add_task("Building the demo trust", total=None)

            def progress(label: str, done: int, total: int) -> None:
                bar.update(task, description=label, completed=done, total=total)

            context = (
                acting_as(actor, channel="cli")
                if actor is not None
                else acting_as(None, channel="cli", system_label=SYSTEM_LABEL)
            )
            try:
                with context:
                    result = build_demo(
                        schools=options["schools"],
                        pupils=options["pupils"],
                        seed=options["seed"],
                        password=options.get("password"),
                        replace=options["replace"],
                        progress=progress,
                    )
            except DemoError as exc:
                raise CommandError(str(exc)) from None
            except ValidationError as exc:  # --password refused by the password validators
                raise CommandError("--password: " + " ".join(exc.messages)) from None
        self.stdout.write(
            f"Built {result.trust.name}: {len(result.schools)} schools, {result.pupils} pupils, "
            f"{result.rows} rows in {result.seconds:.1f} s."
        )
        for school in result.schools:
            self.stdout.write(f"  {school.name} (URN {school.urn}, {school.phase})")
        self.stdout.write("Sign in as the trust DPO:")
        self.stdout.write(f"  username: {result.dpo_username}")
        self.stdout.write(f"  password: {result.password}")
        others = ", ".join(u for u in result.usernames if u != result.dpo_username)
        self.stdout.write(f"Other demo logins, same password: {others}")
        self.stdout.write("  (dsl-N, senco-N, teacher-N and office-N work at school N, in the order above)")
        if result.provider_username:
            self.stdout.write(
                f"Alternative provision provider login, same password: {result.provider_username} "
                "(signs in to /provider/)"
            )
        if result.parent_username:
            self.stdout.write(
                f"Parent login (the portal), same password: {result.parent_username} (signs in to /portal/)"
            )
        if result.guide:
            self.stdout.write("Where to look:")
            width = max(len(path) for path, _ in result.guide)
            for path, what in result.guide:
                self.stdout.write(f"  {path:<{width}}  {what}")
