"""`steward deadline`: print a rights request's legal due date, so anyone can check the arithmetic.

    steward deadline --kind access|educational-record|rectification|erasure|restriction|objection|portability|exam-marks
                     --start YYYY-MM-DD [--school URN] [--extended]
                     [--pause START:END ...] [--pause-method suspend|restart]
                     [--results-announced YYYY-MM-DD] [--format text|json]

`--pause 2026-02-03:2026-02-10` records a clarification pause (the clock did not run 3 to 9 February);
`--pause 2026-02-03:` is a pause still open, so there is no due date yet ("paused").
It only reads (term dates for the educational record), so it needs no --actor.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.cli import parse_date
from steward.organisations.models import School
from steward.rights.deadlines import KINDS, PAUSE_METHODS, DeadlineError, Pause, due_date


def _parse_pause(value: str) -> Pause:
    start_text, sep, end_text = value.partition(":")
    if not sep:
        raise CommandError(f"--pause: {value!r} is not START:END (END may be empty while still paused)")
    start = parse_date(start_text, "--pause")
    end = parse_date(end_text, "--pause") if end_text else None
    return Pause(start=start, end=end)


#: The option to name when `due_date` refuses an input (DeadlineError.field).
_ARGUMENTS = {
    "start": "--start",
    "kind": "--kind",
    "school": "--school",
    "extended": "--extended",
    "pauses": "--pause",
    "pause_method": "--pause-method",
}


class Command(BaseCommand):
    help = "Print the legal due date of a rights request and how it was worked out."

    def add_arguments(self, parser: CommandParser) -> None:
        # Choices are checked here rather than by argparse so bad input is a CommandError naming the
        # argument, the same for call_command and the shell.
        parser.add_argument("--kind", required=True, help=f"one of: {', '.join(KINDS)}")
        parser.add_argument("--start", required=True, help="the day the clock starts (YYYY-MM-DD)")
        parser.add_argument("--school", help="school URN (required for educational-record)")
        parser.add_argument("--extended", action="store_true", help="extended by two further months")
        parser.add_argument(
            "--pause", action="append", default=[], metavar="START:END", help="clarification pause"
        )
        parser.add_argument("--pause-method", default="suspend", help="suspend (default) or restart")
        parser.add_argument("--results-announced", help="exam results day (YYYY-MM-DD), for exam-marks")
        parser.add_argument("--format", default="text", help="text (default) or json")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in KINDS:
            raise CommandError(f"--kind: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        fmt = options["format"]
        if fmt not in ("text", "json"):
            raise CommandError(f"--format: {fmt!r} is not text or json")
        method = options["pause_method"]
        if method not in PAUSE_METHODS:
            raise CommandError(f"--pause-method: {method!r} is not suspend or restart")
        start = parse_date(options["start"], "--start")
        pauses = [_parse_pause(p) for p in options["pause"]]
        announced = (
            parse_date(options["results_announced"], "--results-announced")
            if options["results_announced"]
            else None
        )

        school = None
        if options["school"]:
            try:
                school = School.objects.get(urn=options["school"])
            except School.DoesNotExist:
                raise CommandError(f"--school: no school with URN {options['school']!r}") from None
        elif kind == "educational-record":
            raise CommandError("--school: educational-record needs the school's URN (its term dates)")

        try:
            deadline = due_date(
                kind,
                start,
                school=school if kind == "educational-record" else None,
                extended=options["extended"],
                pauses=pauses,
                pause_method=method,
                results_announced=announced,
            )
        except DeadlineError as exc:
            raise CommandError(f"{_ARGUMENTS.get(exc.field, '--start')}: {exc}") from None

        if fmt == "json":
            self.stdout.write(json.dumps(deadline.as_dict(), indent=2))
            return
        due = deadline.due.isoformat() if deadline.due else "paused (no due date until the clock runs again)"
        self.stdout.write(f"due: {due}")
        for step in deadline.steps:
            self.stdout.write(f"  - {step}")
