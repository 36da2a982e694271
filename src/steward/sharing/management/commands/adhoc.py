"""`steward adhoc log|decide|list`: ad-hoc disclosure requests (police, courts, health, social care).

Thin shell over `steward.sharing.adhoc`. Every subcommand takes --actor and runs in its audit
context (as `ActorCommand` does); `list` shows only requests at the actor's schools and is audited.
Deciding is the DPO's; disclosing sends the approved categories through the gate and logs them, and the
disclosed data is written only as an AES-256 encrypted package (--output) whose passphrase is printed
once. A refusal exits 1 with the reason (and the gate's codes), changing nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.context import acting_as
from steward.audit.services import record
from steward.core.cli import resolve_actor
from steward.organisations.models import School
from steward.sharing import packages
from steward.sharing.adhoc import adhoc_decide, adhoc_log
from steward.sharing.gate import ShareRefused
from steward.sharing.models import AdHocDecision, AdHocRequest, Exemption
from steward.sharing.selectors import pupils_by_upn

EXEMPTIONS = ["none", *(v for v in Exemption.values if v)]
DECISIONS = [v for v in AdHocDecision.values if v != AdHocDecision.PENDING]


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None


def _school(urn: str) -> School:
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise CommandError(f"--school: no school with URN {urn}")
    return school


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


def _row(req: AdHocRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "school": req.school.urn,
        "received_on": req.received_on.isoformat(),
        "recipient_key": req.recipient_key,
        "requester_organisation": req.requester_organisation,
        "requester_name": req.requester_name,
        "reference": req.reference,
        "pupils": len(req.pupil_refs),
        "purpose_key": req.purpose_key,
        "lawful_basis": req.lawful_basis,
        "exemption": req.exemption,
        "decision": req.decision,
        "reasons": req.reasons,
        "approved_by": req.approved_by.username if req.approved_by else None,
        "decided_on": req.decided_on.isoformat() if req.decided_on else None,
        "run": req.run_id,
        "disclosed": req.disclosed_description,
    }


class Command(BaseCommand):
    help = (
        "Ad-hoc disclosure requests: log one (log), decide it as the DPO (decide; disclosed data is written "
        "encrypted to --output), or list them (list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        log = sub.add_parser("log", help="record a request; it waits for the DPO's decision")
        log.add_argument("--school", required=True, help="the school's URN")
        log.add_argument(
            "--recipient", required=True, help="the recipient's register key, e.g. police_courts"
        )
        log.add_argument("--organisation", required=True, help="the requesting organisation")
        log.add_argument("--requester", required=True, help="the officer or person asking")
        log.add_argument("--reference", default="", help="their reference")
        log.add_argument("--received", required=True, help="the day the request arrived, YYYY-MM-DD")
        log.add_argument("--upn", nargs="+", required=True, help="UPNs of the pupils it is about")
        log.add_argument("--asked-for", required=True, help="what was asked for, and why")
        log.add_argument("--purpose", required=True, help="the purpose key, e.g. investigate_crime")
        log.add_argument("--basis", required=True, help="the lawful basis, e.g. legal_obligation")
        log.add_argument(
            "--exemption", choices=EXEMPTIONS, default="none", help="the DPA 2018 exemption relied on"
        )
        log.add_argument("--format", choices=["text", "json"], default="text")
        log.add_argument("--actor", required=True, help="username of the person running this command")

        decide = sub.add_parser("decide", help="the DPO's decision: disclose (fully or partly) or refuse")
        decide.add_argument("id", type=int, help="the request's number")
        decide.add_argument("--decision", required=True, choices=DECISIONS)
        decide.add_argument("--reasons", required=True, help="the reasons for the decision")
        decide.add_argument(
            "--category",
            dest="categories",
            action="extend",
            nargs="+",
            default=[],
            metavar="K",
            help="a data category to disclose (repeat, or list several); required unless refused",
        )
        decide.add_argument("--description", default="", help="what was disclosed, in words")
        decide.add_argument("--on", help="the day of the decision (default today), YYYY-MM-DD")
        decide.add_argument(
            "--output", help="where to write the encrypted package (.zip); required unless refused"
        )
        decide.add_argument("--actor", required=True, help="username of the person running this command")

        lst = sub.add_parser("list", help="the requests, newest first")
        lst.add_argument("--school", help="only requests at the school with this URN")
        lst.add_argument("--decision", choices=AdHocDecision.values, help="only requests with this decision")
        lst.add_argument("--format", choices=["text", "json"], default="text")
        lst.add_argument("--actor", required=True, help="username of the person running this command")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = resolve_actor(opts["actor"])
        with acting_as(actor, channel="cli"):
            if opts["action"] == "list":
                self._list(actor, opts)
            elif opts["action"] == "log":
                self._log(actor, opts)
            else:
                self._decide(actor, opts)

    def _log(self, actor: Any, opts: dict[str, Any]) -> None:
        school = _school(opts["school"])
        received = _date(opts["received"], "--received")
        pupils, missing = pupils_by_upn(school, opts["upn"])
        if missing:
            raise CommandError(f"--upn: not pupils of {school.name}: {', '.join(missing)}")
        try:
            req = adhoc_log(
                actor=actor,
                school=school,
                recipient_key=opts["recipient"],
                requester_organisation=opts["organisation"].strip(),
                requester_name=opts["requester"].strip(),
                reference=opts["reference"].strip(),
                received_on=received,
                pupils=pupils,
                asked_for=opts["asked_for"],
                purpose_key=opts["purpose"],
                lawful_basis=opts["basis"],
                exemption="" if opts["exemption"] == "none" else opts["exemption"],
            )
        except (PermissionDenied, Http404):
            raise CommandError(f"You may not log disclosure requests at {school.name}.") from None
        except ValidationError as exc:
            raise CommandError(f"Not logged: {_messages(exc)}") from None
        if opts["format"] == "json":
            self.stdout.write(json.dumps(_row(req), indent=2))
            return
        self.stdout.write(
            f"Logged ad-hoc request #{req.pk} from {req.requester_organisation} about {len(req.pupil_refs)} "
            "pupil(s); it waits for the data protection officer's decision."
        )

    def _decide(self, actor: Any, opts: dict[str, Any]) -> None:
        found = AdHocRequest.objects.select_related("school").filter(pk=opts["id"]).first()
        if found is None:
            raise CommandError(f"No ad-hoc request #{opts['id']}")
        req: AdHocRequest = found
        on = _date(opts["on"], "--on") if opts["on"] else timezone.localdate()
        disclosing = opts["decision"] != AdHocDecision.REFUSED
        output: Path | None = None
        if disclosing:
            if not opts["output"]:
                raise CommandError("--output: say where to write the encrypted package of what is disclosed")
            output = Path(opts["output"])
            if not output.parent.is_dir():
                raise CommandError(f"--output: folder {output.parent} does not exist")
            if output.exists():
                raise CommandError(
                    f"--output: {output} already exists (an earlier package may not have been sent)"
                )
        made: dict[str, packages.Package] = {}

        def deliver(body: bytes) -> None:
            assert output is not None
            made["package"] = packages.build({f"disclosure-{opts['id']}.json": body})
            packages.write(made["package"], output)

        try:
            req = self._run_decide(actor, req, opts, on, deliver if disclosing else None)
        except BaseException:
            if "package" in made and output is not None:
                output.unlink(missing_ok=True)  # the log was rolled back: the file must not stay behind
            raise
        if not disclosing:
            self.stdout.write(f"Request #{req.pk} refused: nothing was disclosed.")
            return
        package = made["package"]
        self.stdout.write(
            f"Request #{req.pk} {req.get_decision_display().lower()}: {req.disclosed_description} "
            f"Wrote {output} (AES-256 encrypted ZIP), SHA-256 {package.sha256}; share run #{req.run_id}."
        )
        self.stdout.write(f"Passphrase: {package.passphrase}")
        self.stdout.write(
            "Send the passphrase to the recipient by another channel (telephone or a separate message), never "
            "with the file. It is shown only this once and is not stored."
        )

    def _run_decide(
        self, actor: Any, req: AdHocRequest, opts: dict[str, Any], on: dt.date, deliver: Any
    ) -> AdHocRequest:
        try:
            return adhoc_decide(
                actor=actor,
                request=req,
                decision=opts["decision"],
                reasons=opts["reasons"],
                on=on,
                categories=opts["categories"],
                description=opts["description"].strip(),
                deliver=deliver,
            )
        except (PermissionDenied, Http404) as exc:
            message = str(exc) if isinstance(exc, PermissionDenied) else f"No ad-hoc request #{opts['id']}"
            raise CommandError(f"Not decided: {message}") from None
        except ShareRefused as exc:
            reasons = "; ".join(f"[{f.code.value}] {f.message}" for f in exc.failures)
            raise CommandError(f"Refused by the sharing gate, nothing sent or logged: {reasons}") from None
        except ValidationError as exc:
            raise CommandError(f"Not decided: {_messages(exc)}") from None

    def _list(self, actor: Any, opts: dict[str, Any]) -> None:
        # Requests from the police or a court about pupils: only those at the actor's schools where they
        # may log or decide them, and the listing is audited.
        scope = scope_for(actor)
        schools = scope.school_ids(Action.CHANGE_PUPILS) | scope.school_ids(Action.MANAGE_REGISTER)
        qs = (
            AdHocRequest.objects.filter(school_id__in=schools)
            .select_related("school", "approved_by")
            .order_by("-received_on", "-pk")
        )
        if opts["school"]:
            qs = qs.filter(school=_school(opts["school"]))
        if opts["decision"]:
            qs = qs.filter(decision=opts["decision"])
        rows = [_row(r) for r in qs]
        record("search", model=AdHocRequest._meta.label, detail={"cli": "adhoc list", "rows": len(rows)})
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No ad-hoc disclosure requests.")
            return
        for r in rows:
            self.stdout.write(
                f"#{r['id']:<5} {r['received_on']}  {r['school']}  {r['requester_organisation']}  "
                f"{r['pupils']} pupil(s)  {r['decision'].upper()}"
            )
