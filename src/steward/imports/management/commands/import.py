"""`steward import pupils FILE.csv --school URN --actor USER`: a thin shell over import_pupils."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from steward.core.cli import ActorCommand
from steward.imports.services import ImportFailed, import_pupils
from steward.organisations.models import School


class Command(ActorCommand):
    help = (
        "Import pupils and their contacts from an MIS export (Arbor, SIMS or Bromcom CSV). "
        "All or nothing: any bad row is reported with its line number and nothing is written. "
        "Accepted columns: docs/import-columns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("kind", choices=["pupils"], help="what the file holds")
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--school", required=True, help="URN of the school the pupils are enrolled at")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school = School.objects.select_related("trust").get(urn=options["school"])
        except School.DoesNotExist:
            raise CommandError(f"--school: no school with URN {options['school']!r}") from None
        try:
            result = import_pupils(path_or_file=options["file"], school=school, actor=self._actor())
        except FileNotFoundError:
            raise CommandError(f"no such file: {options['file']}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            for warning in exc.warnings:
                self.stderr.write(f"warning: {warning}")
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"import failed: {len(exc.problems)} problem(s) listed above; nothing was written"
            ) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        counts = result.counts()
        self.stdout.write(
            f"Imported {result.rows} row(s) from {result.file_name} into {school.name}:\n"
            f"  pupils:   {counts['pupils']['created']} created, {counts['pupils']['updated']} updated, "
            f"{counts['pupils']['unchanged']} unchanged\n"
            f"  contacts: {counts['contacts']['created']} created, {counts['contacts']['updated']} updated, "
            f"{counts['contacts']['unchanged']} unchanged"
        )

    def _actor(self) -> Any:
        from steward.audit.context import current

        return current().actor
