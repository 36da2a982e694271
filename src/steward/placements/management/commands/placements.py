"""`steward placements list --school URN --actor USER [--format json]` and
`steward placements end ID --reason R --actor USER`: a school's AP placements, and ending one early.

Both run as `--actor` (the list names pupils, so it is read and audited as that person, and shows only
the schools where they manage placements); thin shells over the placements selectors and services.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from steward.audit.context import current
from steward.core.cli import ActorCommand
from steward.placements import selectors, services


class Command(ActorCommand):
    help = "Alternative provision placements: list a school's, or end one early."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        ls = sub.add_parser("list", help="a school's placements: current, upcoming and ended")
        ls.add_argument("--school", required=True, help="the school's URN")
        ls.add_argument("--format", choices=["text", "json"], default="text")
        ls.add_argument("--actor", required=True, help="username of the person running this command")
        end = sub.add_parser("end", help="end a placement early (the provider loses access today)")
        end.add_argument("id", type=int, help="the placement's id")
        end.add_argument("--reason", required=True, help="why it ends early")
        end.add_argument("--actor", required=True, help="username of the person running this command")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = current().actor
        on = selectors.today()
        if opts["action"] == "end":
            try:
                placement = selectors.staff_placement(actor, opts["id"])
                services.end_placement(actor=actor, placement=placement, reason=opts["reason"], on=on)
            except Http404:
                raise CommandError(f"no placement {opts['id']} at your schools") from None
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
            except ValidationError as exc:
                raise CommandError("Refused, nothing changed: " + " ".join(exc.messages)) from None
            self.stdout.write(
                f"Placement {placement.pk} ended on {on.isoformat()}: the provider can no longer see the pupil."
            )
            return
        try:
            school = selectors.staff_school(actor, opts["school"])
        except Http404:
            raise CommandError(
                f"--school: no school with URN {opts['school']!r} where you manage placements"
            ) from None
        listing = selectors.school_placements(actor, school, on)
        groups = {"current": listing.current, "upcoming": listing.upcoming, "ended": listing.ended}
        selectors.audit_staff_list([p for g in groups.values() for p in g], school)
        if opts["format"] == "json":
            data = {
                status: [
                    {
                        "id": p.pk,
                        "pupil": p.pupil.display_name,
                        "upn": p.pupil.upn,
                        "provider": p.provider.name,
                        "starts_on": p.starts_on.isoformat(),
                        "ends_on": p.ends_on.isoformat(),
                        "access_ends_on": p.access_ends_on.isoformat(),
                        "categories": p.categories,
                        "ap_notice_version": p.ap_notice_number,
                        "ended_on": p.ended_on.isoformat() if p.ended_on else None,
                    }
                    for p in rows
                ]
                for status, rows in groups.items()
            }
            self.stdout.write(json.dumps({"school": school.urn, "on": on.isoformat(), **data}, indent=2))
            return
        for status, rows in groups.items():
            self.stdout.write(f"{status.capitalize()} ({len(rows)})")
            for p in rows:
                self.stdout.write(
                    f"  #{p.pk}  {p.pupil.display_name} ({p.pupil.upn})  {p.provider.name}  "
                    f"{p.starts_on.isoformat()} to {p.access_ends_on.isoformat()}  {', '.join(p.categories)}"
                )
