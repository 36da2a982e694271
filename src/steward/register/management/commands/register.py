"""`steward register load-defaults --trust ID --actor USER [--replace]` and
`steward register show --school URN [--format md|json] [--check]`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from steward.core.cli import ActorCommand, validation_messages
from steward.organisations.models import Trust
from steward.register.render import as_json, as_markdown
from steward.register.selectors import effective_register, get_school_by_urn, register_problems
from steward.register.services import load_default_register


class Command(ActorCommand):
    help = (
        "The register of processing. `load-defaults` creates a trust's register from Steward's default "
        "register (audited as --actor); `show` prints a school's effective register and what a complete "
        "notice still lacks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        load = sub.add_parser("load-defaults", help="create a trust's register from the default register")
        load.add_argument("--trust", required=True, type=int, help="the trust's id")
        load.add_argument("--actor", required=True, help="username of the person running this command")
        load.add_argument(
            "--replace", action="store_true", help="replace an existing register, school overrides included"
        )
        show = sub.add_parser("show", help="print a school's effective register and its problems")
        show.add_argument("--school", required=True, help="the school's URN")
        show.add_argument("--format", choices=["md", "json"], default="md")
        show.add_argument(
            "--check",
            action="store_true",
            help="exit with an error when a complete notice cannot be compiled",
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        # Reading the register changes nothing and the register is public (it is what notices say),
        # so `show` needs no actor; everything that writes runs under ActorCommand's audit context.
        if options.get("action") == "show":
            return BaseCommand.execute(self, *args, **options)
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(options)
        else:
            self._load(options)

    def _load(self, options: dict[str, Any]) -> None:
        from steward.core.cli import resolve_actor

        actor = resolve_actor(options["actor"])
        try:
            trust = Trust.objects.get(pk=options["trust"])
        except Trust.DoesNotExist:
            raise CommandError(f"--trust: no trust with id {options['trust']}") from None
        try:
            register = load_default_register(trust, actor=actor, replace=options["replace"])
        except (PermissionDenied, Http404):
            raise CommandError(
                f"{actor.get_username()} may not change the register of {trust.name}: only its DPO may."
            ) from None
        except ValidationError as exc:
            raise CommandError(validation_messages(exc)) from None
        self.stdout.write(
            f"Loaded the default register {register.defaults_version} into {trust.name} "
            f"({'replacing the previous one' if options['replace'] else 'new'})."
        )

    def _show(self, options: dict[str, Any]) -> None:
        try:
            school = get_school_by_urn(options["school"])
        except Http404:
            raise CommandError(f"--school: no school with URN {options['school']}") from None
        view = effective_register(school)
        problems = register_problems(school, include_advice=True)
        out = as_json(view, problems) if options["format"] == "json" else as_markdown(view, problems)
        self.stdout.write(out)
        errors = [p for p in problems if p.severity == "error"]
        if options["check"] and errors:
            raise CommandError(f"{len(errors)} problem(s): a complete notice cannot be compiled yet.")
