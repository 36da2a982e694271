"""`steward notice SUBCOMMAND ...`: privacy-notice tools.

    steward notice check FILE [--format json|text] [--strict]
    steward notice render --school URN --audience pupil|pupil-young|parent|ap --format md|html|pdf|txt [--output FILE]
    steward notice publish --school URN --audience A [--effective-from YYYY-MM-DD] --actor USER
    steward notice show --school URN --audience A --on YYYY-MM-DD [--format md|txt|html]
    steward notice diff --school URN --audience A --from N --to M

`check` reads a notice (text, Markdown, HTML, PDF or DOCX) and reports each required UK GDPR
Art 13/14 item, present or missing with the lines that show it, and the problems found.

Exit codes: 0 when the report was produced, even if the notice has gaps (the report is the answer);
1 with `--strict` when any item is missing or any problem was found (for CI or scripted checks);
2 when the file cannot be read (empty, damaged, encrypted, unsupported), with the reason.

`render` compiles a school's notice from its register and writes it (to stdout with `--output -`,
the default, for the text formats; a PDF needs a file). It changes nothing, so it needs no actor.
`publish` stores the compiled notice as the next immutable version, as `--actor` (who must be the
trust's data protection officer); it is refused, with every reason listed, while the register is
incomplete. `show` prints what the notice said on a date, from the stored versions, and `diff` the
unified diff of two versions' Markdown.

Subcommands are registered with `@subcommand`: adding one is adding a function that takes the parsed
options, plus a function that declares its arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from steward.audit.context import acting_as
from steward.core.cli import resolve_actor
from steward.notices import render
from steward.notices.audiences import AUDIENCES
from steward.notices.checker import CheckReport, check_file
from steward.notices.compiler import compile_notice
from steward.notices.extract import NoticeReadError
from steward.notices.selectors import (
    diff_versions,
    get_version,
    notice_on,
    render_version,
    versions,
)
from steward.notices.services import PublishRefused, publish_notice
from steward.organisations.models import School


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


# --- shared arguments ----------------------------------------------------------------------------


def iso_date(value: str) -> dt.date:
    """argparse type for YYYY-MM-DD dates (argparse names the option in its error)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use YYYY-MM-DD, like 2026-09-01"
        ) from None


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a version number: use 1, 2, 3...")
    return int(value)


def _school_and_audience(parser: CommandParser) -> None:
    parser.add_argument("--school", required=True, metavar="URN", help="the school's URN (6 digits)")
    parser.add_argument("--audience", required=True, choices=AUDIENCES, help="whose notice")


def school_by_urn(urn: str) -> School:
    """The school with URN `urn`; a CommandError naming --school otherwise."""
    school = School.objects.select_related("trust").filter(urn=urn).first()
    if school is None:
        raise CommandError(f"--school: no school with URN {urn!r}")
    return school


def _write(command: BaseCommand, data: str | bytes, output: str, fmt: str) -> None:
    if output == "-":
        if isinstance(data, bytes):
            raise CommandError(
                f"--output: a {fmt.upper()} cannot be written to the terminal; give a file name"
            )
        command.stdout.write(data, ending="" if data.endswith("\n") else "\n")
        return
    path = Path(output)
    if not path.parent.is_dir():
        raise CommandError(f"--output: no such directory {str(path.parent)!r}")
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"--output: cannot write {output!r} ({exc.strerror or exc})") from None
    command.stderr.write(f"Wrote {fmt} to {output}")


# --- render --------------------------------------------------------------------------------------


def _render_arguments(parser: CommandParser) -> None:
    _school_and_audience(parser)
    parser.add_argument("--format", choices=render.FORMATS, default="md", help="output format (default md)")
    parser.add_argument(
        "--output", default="-", metavar="FILE", help="where to write it; - (the default) for stdout"
    )
    parser.add_argument(
        "--on",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the notice says it was updated",
    )


@subcommand(
    "render",
    help="compile a school's privacy notice from its register (changes nothing)",
    arguments=_render_arguments,
)
def render_notice(command: BaseCommand, options: dict[str, Any]) -> None:
    school = school_by_urn(options["school"])
    fmt = options["format"]
    if fmt == "pdf" and options["output"] == "-":
        raise CommandError("--output: a PDF cannot be written to the terminal; give a file name")
    compiled = compile_notice(school, options["audience"], on=options["on"])
    _write(command, compiled.render(fmt), options["output"], fmt)


# --- publish -------------------------------------------------------------------------------------


def _publish_arguments(parser: CommandParser) -> None:
    _school_and_audience(parser)
    parser.add_argument(
        "--effective-from",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the new version takes effect (default today)",
    )
    parser.add_argument("--actor", required=True, help="username of the person publishing (the trust's DPO)")


@subcommand(
    "publish",
    help="publish the compiled notice as the next immutable version (the trust's DPO only)",
    arguments=_publish_arguments,
)
def publish(command: BaseCommand, options: dict[str, Any]) -> None:
    # As steward.core.cli.ActorCommand does for whole commands: a named, active user, and everything
    # written is audited as them on the "cli" channel.
    actor = resolve_actor(options["actor"])
    school = school_by_urn(options["school"])
    with acting_as(actor, channel="cli"):
        try:
            version = publish_notice(
                actor=actor,
                school=school,
                audience=options["audience"],
                effective_from=options["effective_from"],
            )
        except PublishRefused as exc:
            lines = "\n".join(f"  - {reason}" for reason in exc.reasons)
            raise CommandError(f"not published: {len(exc.reasons)} reason(s)\n{lines}") from None
        except (PermissionDenied, Http404) as exc:
            raise CommandError(f"--actor: {exc or 'may not publish this notice'}") from None
    command.stdout.write(
        f"Published version {version.number} of the {version.get_audience_display().lower()} notice of "
        f"{school.name} ({school.urn}), in effect from {version.effective_from.isoformat()}; "
        f"sha256 {version.content_hash}."
    )


# --- show ----------------------------------------------------------------------------------------


def _show_arguments(parser: CommandParser) -> None:
    _school_and_audience(parser)
    parser.add_argument(
        "--on", type=iso_date, required=True, metavar="YYYY-MM-DD", help="the date to ask about"
    )
    parser.add_argument(
        "--format", choices=render.TEXT_FORMATS, default="md", help="output format (default md)"
    )


@subcommand(
    "show",
    help="print what a school's notice said on a date, from its published versions",
    arguments=_show_arguments,
)
def show(command: BaseCommand, options: dict[str, Any]) -> None:
    school = school_by_urn(options["school"])
    audience, on = options["audience"], options["on"]
    version = notice_on(school, audience, on)
    if version is None:
        first = versions(school, audience).order_by("effective_from", "number").first()
        why = (
            f"the first version took effect on {first.effective_from.isoformat()}"
            if first is not None
            else "it has never been published"
        )
        raise CommandError(
            f"--on: no version of the {audience} notice of {school.name} ({school.urn}) was in effect on "
            f"{on.isoformat()}: {why}"
        )
    data = render_version(version, options["format"])
    assert isinstance(data, str)
    command.stdout.write(data, ending="" if data.endswith("\n") else "\n")


# --- diff ----------------------------------------------------------------------------------------


def _diff_arguments(parser: CommandParser) -> None:
    _school_and_audience(parser)
    parser.add_argument("--from", dest="from_number", type=positive_int, required=True, metavar="N")
    parser.add_argument("--to", dest="to_number", type=positive_int, required=True, metavar="M")


@subcommand(
    "diff",
    help="the unified diff of two published versions' Markdown",
    arguments=_diff_arguments,
)
def diff(command: BaseCommand, options: dict[str, Any]) -> None:
    school = school_by_urn(options["school"])
    audience = options["audience"]
    found = {}
    for option, number in (("--from", options["from_number"]), ("--to", options["to_number"])):
        try:
            found[option] = get_version(school, audience, number)
        except Http404:
            raise CommandError(
                f"{option}: the {audience} notice of {school.name} ({school.urn}) has no version {number}"
            ) from None
    result = diff_versions(found["--from"], found["--to"])
    if not result.changed:
        command.stdout.write(
            f"No differences between version {result.old.number} and version {result.new.number}."
        )
        return
    command.stdout.write(result.unified)


# --- the command ---------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Privacy-notice tools: check any notice; render, publish, show and diff a school's notices compiled "
        "from its register."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for sub in SUBCOMMANDS.values():
            sub.arguments(subparsers.add_parser(sub.name, help=sub.help, description=sub.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["subcommand"]].run(self, options)
