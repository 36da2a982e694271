"""`steward share youth-services --school URN --on YYYY-MM-DD --output FILE --actor USER`: the youth-support
run for a school (rules §6), checked by the gate and logged per pupil in the disclosure log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.cli import ActorCommand, parse_date
from steward.register.selectors import get_school_by_urn
from steward.sharing import packages
from steward.sharing.statutory import statutory_extract
from steward.sharing.youth_support import run_youth_support


class _Packer:
    """Delivers a file as an AES-256 encrypted ZIP at --output (never the clear file) and keeps the
    passphrase to print once."""

    def __init__(self, output: Path, member: str) -> None:
        self.output = output
        self.member = member
        self.passphrase = ""

    def __call__(self, content: bytes) -> None:
        package = packages.build({self.member: content})
        packages.write(package, self.output)
        self.passphrase = package.passphrase


def _output(value: str) -> Path:
    output = Path(value)
    if not output.parent.is_dir():
        raise CommandError(f"--output: folder {output.parent} does not exist")
    if output.exists():
        raise CommandError(
            f"--output: {output} already exists (an earlier package may not have been sent yet)"
        )
    return output


class Command(ActorCommand):
    help = (
        "Share pupil data through the gate: `youth-services` writes the local authority's youth-support file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        yss = sub.add_parser("youth-services", help="pupils aged 13+ (and 16+) for youth support services")
        yss.add_argument("--school", required=True, help="the school's URN")
        yss.add_argument(
            "--on", required=True, help="the day of the share (ages are taken on it), YYYY-MM-DD"
        )
        yss.add_argument("--output", required=True, help="where to write the encrypted package (.zip)")
        yss.add_argument("--override-reason", default="", help="DPO only: share although the gate refuses")
        yss.add_argument(
            "--summary", choices=["text", "json"], default="text", help="how to print the summary"
        )
        yss.add_argument("--actor", required=True, help="username of the person running this command")

        stat = sub.add_parser("statutory", help="a census-style extract for the DfE or the local authority")
        stat.add_argument("--school", required=True, help="the school's URN")
        stat.add_argument("--recipient", required=True, help="the recipient's register key, e.g. dfe")
        stat.add_argument("--on", required=True, help="the census day, YYYY-MM-DD")
        stat.add_argument("--from", dest="start", help="start of the attendance period (default 1 September)")
        stat.add_argument("--output", required=True, help="where to write the encrypted package (.zip)")
        stat.add_argument("--override-reason", default="", help="DPO only: share although the gate refuses")
        stat.add_argument("--actor", required=True, help="username of the person running this command")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "statutory":
            return self._statutory(opts)
        try:
            school = get_school_by_urn(opts["school"])
        except Exception:
            raise CommandError(f"--school: no school with URN {opts['school']!r}") from None
        on = parse_date(opts["on"], "--on")
        packer = _Packer(_output(opts["output"]), f"youth-support-{school.urn}-{on.isoformat()}.csv")
        from steward.audit.context import current

        actor = current().actor
        try:
            run = run_youth_support(
                actor=actor,
                school=school,
                on=on,
                override_reason=opts["override_reason"],
                deliver=packer,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("Refused, nothing sent or logged: " + " ".join(exc.messages)) from None
        counts = run.counts()
        output = packer.output
        if opts["summary"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "school": school.urn,
                        "on": on.isoformat(),
                        "file": str(output),
                        "passphrase": packer.passphrase,
                        "sha256": run.sha256,
                        "counts": counts,
                        "columns": run.headers,
                        "pupils": [o.__dict__ for o in run.outcomes],
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"Wrote {output}, encrypted ({counts['included']} full, {counts['limited']} limited to name, address "
            f"and date of birth, {counts['excluded']} left out); SHA-256 of the CSV {run.sha256}."
        )
        _passphrase(self, packer.passphrase)
        for o in run.outcomes:
            if o.status != "included":
                self.stdout.write(f"  {o.status}: {o.name} ({o.age}): {o.reason}")

    def _statutory(self, opts: dict[str, Any]) -> None:
        try:
            school = get_school_by_urn(opts["school"])
        except Exception:
            raise CommandError(f"--school: no school with URN {opts['school']!r}") from None
        on = parse_date(opts["on"], "--on")
        start = parse_date(opts["start"], "--from") if opts.get("start") else None
        packer = _Packer(
            _output(opts["output"]), f"{opts['recipient']}-return-{school.urn}-{on.isoformat()}.csv"
        )
        from steward.audit.context import current

        try:
            extract = statutory_extract(
                actor=current().actor,
                school=school,
                recipient_key=opts["recipient"],
                on=on,
                start=start,
                override_reason=opts["override_reason"],
                deliver=packer,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("Refused, nothing sent or logged: " + " ".join(exc.messages)) from None
        self.stdout.write(
            f"Wrote {packer.output}, encrypted: {len(extract.included)} pupils, {len(extract.excluded)} left out, "
            f"{len(extract.headers)} columns, period {extract.period[0]} to {extract.period[1]}; "
            f"SHA-256 {extract.sha256}."
        )
        for reason in extract.excluded.values():
            self.stdout.write(f"  left out: {reason}")
        _passphrase(self, packer.passphrase)


def _passphrase(command: BaseCommand, passphrase: str) -> None:
    command.stdout.write(f"Passphrase: {passphrase}")
    command.stdout.write(
        "Send the passphrase by another channel (telephone, or a separate message); it is not stored and "
        "cannot be shown again."
    )
