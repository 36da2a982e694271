"""`steward disclosures`: list a pupil's disclosures, or verify the disclosure log's hash chain."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.people.models import Pupil
from steward.sharing.log import disclosures_for, verify_disclosures


class Command(BaseCommand):
    help = (
        "List a pupil's disclosures (--pupil UPN [--format json]) or check that no disclosure-log row was "
        "altered, removed or reordered (verify)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "verify"], default="list")
        parser.add_argument("--pupil", metavar="UPN", help="the pupil's UPN (for list)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "verify":
            report = verify_disclosures()
            if opts["format"] == "json":
                self.stdout.write(json.dumps(report.__dict__))
            elif report.ok:
                self.stdout.write(f"Disclosure log intact: {report.checked} rows checked.")
            if not report.ok:
                raise CommandError(
                    f"Disclosure log broken after {report.checked} good rows"
                    + (f", at row {report.first_bad_id}" if report.first_bad_id else "")
                    + f": {report.reason}"
                )
            return
        upn = (opts["pupil"] or "").strip().upper()
        if not upn:
            raise CommandError("Give the pupil: --pupil UPN")
        pupils = list(Pupil.objects.filter(upn=upn))
        if not pupils:
            raise CommandError(f"--pupil: no pupil with UPN {upn}")
        rows = [
            {
                "run": d.run_id,
                "on": d.run.on.isoformat(),
                "at": d.at.isoformat(),
                "kind": d.run.kind,
                "recipient": d.recipient_name,
                "recipient_key": d.recipient_key,
                "purpose": d.purpose_key,
                "lawful_basis": d.lawful_basis,
                "categories": d.categories,
                "fields": d.fields,
                "limited": d.limited,
                "override": d.override,
                "payload_sha256": d.payload_sha256,
                "by": d.actor_label,
            }
            for p in pupils
            for d in disclosures_for(p.pk)
        ]
        if opts["format"] == "json":
            self.stdout.write(json.dumps({"upn": upn, "disclosures": rows}, indent=2))
            return
        if not rows:
            self.stdout.write(f"No disclosures recorded for {upn}.")
        for r in rows:
            limited = " (limited)" if r["limited"] else ""
            self.stdout.write(
                f"{r['on']}  {r['recipient']}{limited}  {r['purpose']}  {', '.join(r['categories'])}  by {r['by']}"
            )
