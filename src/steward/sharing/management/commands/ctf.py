"""`steward ctf export|import|child-protection`: the common transfer file from the command line.

Thin shell over `steward.sharing.ctf`. Export and import change data, so they take --actor and run
in its audit context (as `ActorCommand` does); so does the child-protection list, which shows only the
schools where the actor reads safeguarding data and is audited as a special-category view.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.accounts.scope import scope_for
from steward.audit.context import acting_as
from steward.audit.services import Subject, record_many
from steward.core.cli import parse_date, resolve_actor, validation_messages
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.sharing.ctf.childprotection import owed, status
from steward.sharing.ctf.common import resolve_destination
from steward.sharing.ctf.export import export_ctf
from steward.sharing.ctf.importer import CtfInvalid, import_ctf

SAFEGUARDING = "pupil.safeguarding"


def _school(urn: str) -> School:
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise CommandError(f"--school: no school with URN {urn}")
    return school


class Command(BaseCommand):
    help = "Export a common transfer file (encrypted), import one, or list child protection files owed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ex = sub.add_parser("export", help="export a CTF for leavers to their next school")
        ex.add_argument("--school", required=True, help="URN of the sending school")
        who = ex.add_mutually_exclusive_group(required=True)
        who.add_argument("--upn", nargs="+", help="UPNs of the pupils to transfer")
        who.add_argument("--leavers-on", help="every pupil whose enrolment ends on this date (YYYY-MM-DD)")
        ex.add_argument("--to", required=True, help="destination school URN or LAESTAB, or 'unknown'")
        ex.add_argument("--output", required=True, help="where to write the encrypted package (.zip)")
        ex.add_argument("--on", help="date of the transfer (default today); sets the CTF version")
        ex.add_argument("--override-reason", default="", help="DPO only: why the gate is overridden")
        ex.add_argument("--actor", required=True, help="username of the person running this command")
        im = sub.add_parser("import", help="import a CTF received from a previous school")
        im.add_argument("file")
        im.add_argument("--school", required=True, help="URN of the importing school")
        im.add_argument("--admission-date", help="admission date at this school (default today)")
        im.add_argument("--dry-run", action="store_true", help="check and summarise; write nothing")
        im.add_argument("--format", choices=["text", "json"], default="text")
        im.add_argument("--actor", required=True, help="username of the person running this command")
        cp = sub.add_parser("child-protection", help="child protection files owed to next schools")
        cp.add_argument("--school", help="URN (default: every school)")
        cp.add_argument("--format", choices=["text", "json"], default="text")
        cp.add_argument("--actor", required=True, help="username of the person running this command")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = resolve_actor(opts["actor"])
        with acting_as(actor, channel="cli"):
            if opts["action"] == "child-protection":
                self._child_protection(actor, opts)
            elif opts["action"] == "export":
                self._export(actor, opts)
            else:
                self._import(actor, opts)

    def _export(self, actor: Any, opts: dict[str, Any]) -> None:
        school = _school(opts["school"])
        on = parse_date(opts["on"], "--on") if opts["on"] else timezone.localdate()
        if opts["upn"]:
            upns = [u.strip().upper() for u in opts["upn"]]
            pupils = list(Pupil.objects.filter(trust=school.trust, upn__in=upns))
            missing = sorted(set(upns) - {p.upn for p in pupils})
            if missing:
                raise CommandError(f"--upn: no pupil in {school.trust} with UPN {', '.join(missing)}")
        else:
            leaving = parse_date(opts["leavers_on"], "--leavers-on")
            pupils = list(
                Pupil.objects.filter(enrolments__school=school, enrolments__leaving_date=leaving).distinct()
            )
            if not pupils:
                raise CommandError(f"--leavers-on: no pupil leaves {school.name} on {leaving}")
        try:
            destination = resolve_destination(opts["to"])
            result = export_ctf(
                actor=actor,
                school=school,
                pupils=pupils,
                destination=destination,
                on=on,
                override_reason=opts["override_reason"],
                package_to=opts["output"],
            )
        except ValidationError as exc:
            raise CommandError(f"CTF not exported: {validation_messages(exc)}") from None
        except (PermissionDenied, FileExistsError) as exc:
            raise CommandError(f"CTF not exported: {exc}") from None
        self.stdout.write(f"Wrote {result.package_path} (AES-256 encrypted ZIP) containing:")
        for f in result.files:
            self.stdout.write(f"  {f.name}  {len(f.pupil_ids)} pupil(s)")
        for w in result.warnings:
            self.stdout.write(f"  note: {w}")
        for t in result.child_protection:
            self.stdout.write(
                f"Child protection file of {t.pupil.upn} is NOT in the CTF: send it separately by {t.due_on} "
                "(steward ctf child-protection lists it)."
            )
        self.stdout.write(f"Passphrase: {result.passphrase}")
        self.stdout.write(
            "Send the passphrase to the receiving school by another channel (telephone or a separate "
            "message), never with the file. It is shown only this once and is not stored."
        )

    def _import(self, actor: Any, opts: dict[str, Any]) -> None:
        school = _school(opts["school"])
        try:
            result = import_ctf(
                actor=actor,
                school=school,
                file=opts["file"],
                admission_date=parse_date(opts["admission_date"], "--admission-date")
                if opts["admission_date"]
                else None,
                dry_run=opts["dry_run"],
            )
        except CtfInvalid as exc:
            raise CommandError(str(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{opts['file']}: cannot read: {exc.strerror}") from None
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result.as_data(), indent=2))
            return
        counts = result.counts()
        src = result.source
        head = "Dry run (nothing written)" if result.dry_run else "Imported"
        self.stdout.write(
            f"{head}: {result.file_name} (CTF {result.ctf_version}) from {src['name'] or '?'} "
            f"({src['la']}{src['estab']}): {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
        for p in result.pupils:
            detail = f": {', '.join(p.changed)}" if p.changed else ""
            self.stdout.write(f"  {p.upn} {p.status}{detail}")
        for w in result.warnings:
            self.stdout.write(f"  note: {w}")

    def _child_protection(self, actor: Any, opts: dict[str, Any]) -> None:
        # That a pupil has a child protection file is itself safeguarding data: only those who read
        # safeguarding at the school (the DSL, the DPO) see the list, and seeing it is audited.
        school = _school(opts["school"]) if opts["school"] else None
        readable = scope_for(actor).schools_reading([SAFEGUARDING])
        today = timezone.localdate()
        transfers = [t for t in owed(school=school) if t.from_school_id in readable]
        record_many(
            [
                {
                    "action": "view",
                    "model": t._meta.label,
                    "object_id": t.pk,
                    "subject": Subject(school_id=t.from_school_id, pupil_id=t.pupil_id),
                    "categories": [SAFEGUARDING],
                    "special": True,
                    "detail": {"cli": "ctf child-protection"},
                }
                for t in transfers
            ]
        )
        rows = [
            {
                "upn": t.pupil.upn,
                "from_school": t.from_school.urn,
                "destination": f"{t.dest_la}{t.dest_estab}",
                "destination_name": t.dest_name,
                "exported_on": t.exported_on.isoformat(),
                "due_on": t.due_on.isoformat(),
                "status": status(t, today),
                "due_basis": t.due_basis,
            }
            for t in transfers
        ]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No child protection files are waiting to be sent.")
            return
        for r in rows:
            self.stdout.write(
                f"{r['status'].upper():8} due {r['due_on']}  {r['upn']}  from {r['from_school']} to "
                f"{r['destination']} {r['destination_name']}".rstrip()
            )
