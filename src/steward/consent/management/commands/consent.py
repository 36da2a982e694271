"""`steward consent record|state|export-photos ... --actor USER`: the consent ledger from the command line.

- `record --school URN --upn UPN --purpose KEY --action grant|refuse|withdraw|object|notified
  --by parent|pupil|school [--contact ID] --method paper|letter|email|verbal [--on DATE] [--note N]
  [--evidence FILE]`: record a decision (a refusal exits 1 with the reason, changing nothing);
- `state --school URN --upn UPN [--purpose KEY] [--on DATE] [--format json]`: the pupil's consents,
  replayed from the ledger, with the reason for each;
- `export-photos --school URN --use display|website|social|press [--on DATE] --output FILE.zip`: the
  photographs whose pupils have that consent, and the ones left out with why;
- `purpose KEY --trust ID [--school URN] [--dpia-reference R] [--alternative A] [--active yes|no]`: the
  DPO changes a consent purpose (e.g. enters the DPIA reference, then switches biometrics on).

Thin shells over `consent.services`, `consent.selectors` and `consent.enforcement`, run as `--actor`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.context import current
from steward.audit.services import Subject, record
from steward.consent import selectors, services
from steward.consent.enforcement import USES, photo_export
from steward.consent.models import ConsentAction, DecidedBy, Method
from steward.core.cli import ActorCommand, parse_date, validation_messages
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil

OPTIONS = {"on": "--on", "contact": "--contact", "by": "--by", "method": "--method", "purpose": "--purpose"}


def _actor_arg(parser: CommandParser) -> None:
    parser.add_argument("--actor", required=True, help="username of the person running this command")


class Command(ActorCommand):
    help = "The consent ledger: record a decision, show a pupil's consents, export photographs by consent."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
        rec = sub.add_parser("record", help="record a decision made on paper, by letter, email or verbally")
        rec.add_argument("--school", required=True, help="the school's URN")
        rec.add_argument("--upn", required=True, help="the pupil's UPN")
        rec.add_argument("--purpose", required=True, help="the consent purpose key, e.g. photos_website")
        rec.add_argument("--action", required=True, choices=ConsentAction.values)
        rec.add_argument("--by", required=True, choices=DecidedBy.values)
        rec.add_argument(
            "--contact", type=int, help="the parent's contact id (the parent deciding or notified)"
        )
        rec.add_argument("--method", required=True, choices=[m for m in Method.values if m != Method.PORTAL])
        rec.add_argument("--on", help="the day it takes effect, YYYY-MM-DD (default today)")
        rec.add_argument("--note", default="")
        rec.add_argument("--evidence", help="a scanned form, letter or email to keep with it")
        _actor_arg(rec)
        st = sub.add_parser("state", help="a pupil's consents, replayed from the ledger")
        st.add_argument("--school", required=True, help="the school's URN")
        st.add_argument("--upn", required=True, help="the pupil's UPN")
        st.add_argument("--purpose", help="one consent purpose key (default: every one)")
        st.add_argument("--on", help="YYYY-MM-DD (default today)")
        st.add_argument("--format", choices=["text", "json"], default="text")
        _actor_arg(st)
        ex = sub.add_parser("export-photos", help="photographs for one use, only of pupils with that consent")
        ex.add_argument("--school", required=True, help="the school's URN")
        ex.add_argument("--use", required=True, choices=USES)
        ex.add_argument("--on", help="YYYY-MM-DD (default today)")
        ex.add_argument("--output", required=True, help="where to write the zip")
        _actor_arg(ex)
        pu = sub.add_parser(
            "purpose", help="the DPO changes a consent purpose, e.g. enters the DPIA reference"
        )
        pu.add_argument("key", help="the consent purpose key, e.g. biometric_catering")
        pu.add_argument("--trust", required=True, type=int, help="the trust's id")
        pu.add_argument("--school", help="a school's URN: change (or make) that school's own version")
        pu.add_argument("--dpia-reference")
        pu.add_argument("--alternative")
        pu.add_argument("--active", choices=["yes", "no"])
        _actor_arg(pu)

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = current().actor
        if opts["command"] == "purpose":
            self._change_purpose(actor, opts)
            return
        on = parse_date(opts["on"], "--on") if opts.get("on") else selectors.today()
        try:
            school = selectors.staff_school(actor, opts["school"])
        except Http404:
            raise CommandError(
                f"--school: no school with URN {opts['school']!r} where you record consents"
            ) from None
        try:
            if opts["command"] == "export-photos":
                self._export(actor, school, opts["use"], on, Path(opts["output"]))
                return
            pupil = self._pupil(actor, school, opts["upn"])
            if opts["command"] == "record":
                self._record(actor, school, pupil, on, opts)
            else:
                self._state(school, pupil, on, opts)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("Refused, nothing changed: " + validation_messages(exc, OPTIONS)) from None

    def _change_purpose(self, actor: Any, opts: dict[str, Any]) -> None:
        trust = Trust.objects.filter(pk=opts["trust"]).first()
        if trust is None:
            raise CommandError(f"--trust: no trust {opts['trust']}")
        school = None
        if opts.get("school"):
            school = School.objects.filter(urn=opts["school"], trust=trust).first()
            if school is None:
                raise CommandError(f"--school: no school with URN {opts['school']!r} in {trust.name}")
        fields: dict[str, Any] = {}
        if opts.get("dpia_reference") is not None:
            fields["dpia_reference"] = opts["dpia_reference"]
        if opts.get("alternative") is not None:
            fields["alternative"] = opts["alternative"]
        if opts.get("active"):
            fields["active"] = opts["active"] == "yes"
        if not fields:
            raise CommandError("Nothing to change: give --dpia-reference, --alternative or --active.")
        try:
            row = services.consent_purpose_upsert(
                actor=actor, trust=trust, key=opts["key"], school=school, **fields
            )
        except (PermissionDenied, Http404) as exc:
            raise CommandError(str(exc) or "You may not change this register.") from None
        except ValidationError as exc:
            raise CommandError("Refused, nothing changed: " + validation_messages(exc)) from None
        self.stdout.write(
            f"Consent purpose {row.key} ({'active' if row.active else 'inactive'})"
            f"{' at ' + school.name if school else ''}; DPIA reference: {row.dpia_reference or 'none'}."
        )

    def _pupil(self, actor: Any, school: School, upn: str) -> Pupil:
        pupil = Pupil.objects.filter(upn=upn.strip().upper(), enrolments__school=school).first()
        if pupil is None:
            raise CommandError(f"--upn: no pupil {upn!r} at {school.name}")
        return selectors.staff_pupil(actor, pupil.pk)

    def _purpose(self, school: School, key: str) -> Any:
        row = selectors.purpose_for(school, key)
        if row is None:
            known = ", ".join(p.key for p in selectors.purpose_rows(school))
            raise CommandError(f"--purpose: {school.name} has no consent purpose {key!r} (it has: {known})")
        return row

    def _record(self, actor: Any, school: School, pupil: Pupil, on: Any, opts: dict[str, Any]) -> None:
        contact = None
        if opts.get("contact"):
            contact = Contact.objects.filter(pk=opts["contact"], trust_id=school.trust_id).first()
            if contact is None:
                raise CommandError(f"--contact: no contact {opts['contact']} in {school.trust.name}")
        evidence = None
        if opts.get("evidence"):
            path = Path(opts["evidence"])
            if not path.is_file():
                raise CommandError(f"--evidence: no file {path}")
            evidence = File(path.open("rb"), name=path.name)
        try:
            event = services.record_consent(
                actor=actor,
                pupil=pupil,
                purpose=self._purpose(school, opts["purpose"]),
                action=opts["action"],
                by=opts["by"],
                contact=contact,
                method=opts["method"],
                on=on,
                note=opts["note"],
                evidence=evidence,
            )
        finally:
            if evidence is not None:
                evidence.close()
        state = selectors.consent_state(pupil, event.purpose, on)
        self.stdout.write(
            f"Recorded event {event.pk}: {event.get_action_display().lower()} for {event.purpose.key}, "
            f"effective {event.on.isoformat()}. Now: {state.label.lower()}; {state.reason}"
        )

    def _state(self, school: School, pupil: Pupil, on: Any, opts: dict[str, Any]) -> None:
        if opts.get("purpose"):
            row = self._purpose(school, opts["purpose"])
            states = [(row, selectors.consent_state(pupil, row, on))]
        else:
            states = selectors.consent_states(pupil, on)
        record(
            "view",
            model="consent.ConsentEvent",
            subject=Subject(school_id=school.pk, pupil_id=pupil.pk),
            categories=["pupil.consent"],
            detail={"command": "consent state"},
        )
        if opts["format"] == "json":
            data = [
                {
                    "purpose": p.key,
                    "state": s.state,
                    "effective": s.effective,
                    "reason": s.reason,
                    "events": [
                        {
                            "id": e.pk,
                            "action": e.action,
                            "by": e.by,
                            "method": e.method,
                            "on": e.on.isoformat(),
                        }
                        for e in s.events
                    ],
                }
                for p, s in states
            ]
            self.stdout.write(
                json.dumps({"upn": pupil.upn, "on": on.isoformat(), "consents": data}, indent=2)
            )
            return
        for p, s in states:
            self.stdout.write(f"{p.key}: {s.state}{' (effective)' if s.effective else ''}. {s.reason}")

    def _export(self, actor: Any, school: School, use: str, on: Any, output: Path) -> None:
        if not scope_for(actor).may(Action.EXPORT, school.pk):
            raise CommandError(f"You may not export photographs from {school.name}.")
        export = photo_export(actor=actor, school=school, use=use, on=on)
        output.write_bytes(export.zip)
        self.stdout.write(
            f"Wrote {len(export.included)} photograph(s) to {output}; left out {len(export.left_out)}:"
        )
        for photo, why in export.left_out:
            self.stdout.write(f"  {photo.pupil.upn} photograph {photo.pk}: {why}")
