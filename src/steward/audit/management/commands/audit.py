"""`steward audit verify`: check the audit hash chain end to end."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the hash chain and reports the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            where = f" at event {report.first_bad_id}" if report.first_bad_id else ""
            raise CommandError(
                f"audit chain broken{where}: {report.reason} ({report.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events")
