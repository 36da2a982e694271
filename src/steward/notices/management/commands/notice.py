"""`steward notice SUBCOMMAND ...`: privacy-notice tools.

    steward notice check FILE [--format json|text] [--strict]

`check` reads a notice (text, Markdown, HTML, PDF or DOCX) and reports each required UK GDPR
Art 13/14 item, present or missing with the lines that show it, and the problems found.

Exit codes: 0 when the report was produced, even if the notice has gaps (the report is the answer);
1 with `--strict` when any item is missing or any problem was found (for CI or scripted checks);
2 when the file cannot be read (empty, damaged, encrypted, unsupported), with the reason.

Subcommands are registered with `@subcommand`: adding one (`render`, `show`) is adding a function
that takes the parsed options, plus a function that declares its arguments.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.notices.checker import CheckReport, check_file
from steward.notices.extract import NoticeReadError


@dataclass(frozen=True)
class Subcommand:
    """One `steward notice` subcommand: its help, its arguments and what it does."""

    name: str
    help: str
    arguments: Callable[[CommandParser], None]
    run: Callable[[BaseCommand, dict[str, Any]], None]


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, *, help: str, arguments: Callable[[CommandParser], None]
) -> Callable[[Callable[[BaseCommand, dict[str, Any]], None]], Callable[[BaseCommand, dict[str, Any]], None]]:
    """Register a function as `steward notice NAME`."""

    def register(
        run: Callable[[BaseCommand, dict[str, Any]], None],
    ) -> Callable[[BaseCommand, dict[str, Any]], None]:
        SUBCOMMANDS[name] = Subcommand(name, help, arguments, run)
        return run

    return register


# --- check ---------------------------------------------------------------------------------------


def _check_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help="the notice: .txt, .md, .html, .pdf or .docx")
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="report format (default text)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when any item is missing or any problem is found",
    )


@subcommand(
    "check",
    help="check a privacy notice for the UK GDPR Art 13/14 items and common slips",
    arguments=_check_arguments,
)
def check(command: BaseCommand, options: dict[str, Any]) -> None:
    """Check the notice in options['file'] and print the report."""
    try:
        report = check_file(options["file"])
    except NoticeReadError as exc:
        raise CommandError(f"cannot check the notice: {exc}", returncode=2) from None
    if options["format"] == "json":
        command.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        command.stdout.write(render_text(report))
    if options["strict"] and not report.complete:
        raise CommandError(
            f"notice incomplete: {len(report.missing)} item(s) missing, {len(report.problems)} problem(s)",
            returncode=1,
        )


def render_text(report: CheckReport) -> str:
    """A report a DPO can read: items with their evidence, then problems with advice."""
    width = 100
    out = [
        f"Privacy notice check: {report.source} ({report.format})",
        f"Items present: {report.present_count} of {len(report.items)}; problems: {len(report.problems)}",
        "",
        "Required items",
    ]
    for item in report.items.values():
        mark = "present" if item.present else "MISSING"
        out.append(f"  [{mark:7}] {item.title} ({item.key})")
        if item.present:
            for ev in item.evidence[:2]:
                out.append(f"             line {ev.line}: {_clip(ev.text, width - 24)}")
        else:
            out.append(f"             needed: {item.need}")
    out.append("")
    if report.problems:
        out.append("Problems")
        for problem in report.problems:
            out.append(f"  line {problem.line} [{problem.kind}] {_clip(problem.text, width - 20)}")
            out.extend(
                textwrap.wrap(
                    problem.advice, width=width, initial_indent="      ", subsequent_indent="      "
                )
            )
    else:
        out.append("No problems found.")
    return "\n".join(out)


def _clip(text: str, limit: int) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


# --- the command ---------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Privacy-notice tools: `check FILE` reports the Art 13/14 items and problems of any notice."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for sub in SUBCOMMANDS.values():
            sub.arguments(subparsers.add_parser(sub.name, help=sub.help, description=sub.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["subcommand"]].run(self, options)
