"""`steward rights <subcommand> ... --actor USER`: rights requests from the command line.

    steward rights list [--school URN] [--open] [--status S] [--kind K] [--format text|json] --actor U
    steward rights show ID [--format text|json] --actor U
    steward rights log --school URN --upn UPN --kind K --requester pupil|parent|third_party
                       [--contact ID] [--requester-name N --authority FILE [--authority-description D]]
                       --received YYYY-MM-DD --channel letter|email|in_person|portal --description D
                       [--identity-required] [--assign USERNAME]
                       [--allow-duplicate --duplicate-reason R] --actor U
    steward rights assign ID (--to USERNAME | --nobody)          steward rights identity-requested ID [--note N]
    steward rights identity-verified ID --method M [--evidence E]
    steward rights clarify ID --note N                           steward rights clarified ID [--note N]
    steward rights fee ID --decision none|fee|refused [--amount A] [--reason R] [--complaint-rights-told]
    steward rights fee-received ID                               steward rights extend ID --reason R [--told-on D]
    steward rights competence ID --outcome competent|not-competent [--note N]
    steward rights pupil-view ID --view consents|objects|not-asked [--note N]
    steward rights dpo-decision ID --decision release|withhold --reasons R
    steward rights move ID --to STATUS [--note N]
    steward rights release ID --method M [--sent-to S] [--bundle-sha256 H]
    steward rights note ID --note N
    steward rights remind [--on YYYY-MM-DD] --actor U            (deadline reminder emails; run daily)

Every action takes `--on YYYY-MM-DD` (default today) and `--format text|json` (json prints the request
as the API returns it). Everything runs as --actor and is audited; a refused operation exits non-zero
with the reason (and its stable refusal code) on stderr and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from steward.accounts.scope import scope_for
from steward.api import rights as api
from steward.api import rights_schemas as rs
from steward.api.services import school_for
from steward.core.cli import ActorCommand, parse_date, resolve_actor, validation_messages
from steward.core.validators import normalise_upn
from steward.organisations.models import School
from steward.people.models import Contact
from steward.rights import selectors, services
from steward.rights.models import (
    CLOSED_STATUSES,
    CompetenceOutcome,
    DpoOutcome,
    FeeDecision,
    PupilView,
    RequestKind,
    RightsRequest,
    Status,
)
from steward.rights.reminders import send_reminders
from steward.rights.workflow import TransitionRefused

#: The option to name when a service refuses a field.
OPTIONS = {
    "school": "--school",
    "pupil": "--upn",
    "kind": "--kind",
    "requester_kind": "--requester",
    "requester_contact": "--contact",
    "requester_name": "--requester-name",
    "authority": "--authority",
    "authority_description": "--authority-description",
    "received_on": "--received",
    "channel": "--channel",
    "description": "--description",
    "assigned_to": "--assign/--to",
    "duplicate_reason": "--duplicate-reason",
    "on": "--on",
    "method": "--method",
    "release_method": "--method",
    "decision": "--decision",
    "fee_amount": "--amount",
    "fee_reason": "--reason",
    "fee_received_on": "fee-received",
    "extension_reason": "--reason",
    "extension_told_on": "--told-on",
    "outcome": "--outcome",
    "view": "--view",
    "pupil_view_note": "--note",
    "dpo_reasons": "--reasons",
    "to": "--to",
    "note": "--note",
    "status": "--status",
}


def _messages(exc: ValidationError) -> str:
    return validation_messages(exc, OPTIONS)


def _date(value: str | None, option: str) -> dt.date:
    return parse_date(value, option) if value else api.today()


class Command(ActorCommand):
    help = (
        "Rights requests: list, show, log, one subcommand per action, and `remind` (deadline reminder "
        "emails). Everything runs as --actor and is audited; refusals exit non-zero and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        def command(name: str, help_text: str, *, with_id: bool = True) -> CommandParser:
            p: CommandParser = sub.add_parser(name, help=help_text)
            if with_id:
                p.add_argument("id", type=int, help="the request's number")
            p.add_argument("--actor", required=True, help="username of the person running this command")
            p.add_argument("--format", choices=["text", "json"], default="text")
            if name not in ("list", "show", "log"):
                when = "the day to check deadlines on" if name == "remind" else "the date it happened"
                p.add_argument("--on", help=f"{when} (YYYY-MM-DD; default today)")
            return p

        ls = command("list", "list the requests you may work on", with_id=False)
        ls.add_argument("--school", help="only at the school with this URN")
        ls.add_argument("--open", action="store_true", help="only open requests")
        ls.add_argument("--status", help="only with this status")
        ls.add_argument("--kind", help="only of this kind")
        command("show", "one request: its log, competence, release blockers and due date")

        log = command(
            "log", "record a request received by letter, email, in person or the portal", with_id=False
        )
        log.add_argument("--school", required=True, help="school URN")
        log.add_argument("--upn", required=True, help="UPN of the pupil the request is about")
        log.add_argument("--kind", required=True, help=", ".join(RequestKind.values))
        log.add_argument("--requester", required=True, help="pupil, parent or third_party")
        log.add_argument("--contact", type=int, help="id of the contact who made the request")
        log.add_argument("--requester-name", default="", help="the third party's name")
        log.add_argument("--authority", help="file: the written authority (third parties)")
        log.add_argument("--authority-description", default="")
        log.add_argument("--received", required=True, help="date received (YYYY-MM-DD)")
        log.add_argument("--channel", required=True, help="letter, email, in_person or portal")
        log.add_argument("--description", required=True, help="what is asked")
        log.add_argument("--identity-required", action="store_true", help="ask for identity evidence")
        log.add_argument("--assign", help="username of the member of staff to assign it to")
        log.add_argument("--allow-duplicate", action="store_true", help="log although one is open")
        log.add_argument("--duplicate-reason", default="")

        assign = command("assign", "assign the request to a member of staff")
        to = assign.add_mutually_exclusive_group(required=True)
        to.add_argument("--to", help="username")
        to.add_argument("--nobody", action="store_true", help="unassign")
        command("identity-requested", "ask for identity evidence (the clock waits)").add_argument(
            "--note", default=""
        )
        verified = command("identity-verified", "record identity verified (the clock runs from then)")
        verified.add_argument("--method", required=True, help="how identity was verified")
        verified.add_argument("--evidence", default="", help="the evidence seen")
        command("clarify", "ask the requester to clarify (clock paused)").add_argument(
            "--note", required=True
        )
        command("clarified", "the clarification arrived (clock resumed)").add_argument("--note", default="")
        fee = command("fee", "decide the fee (normally none)")
        fee.add_argument("--decision", required=True, help="none, fee or refused")
        fee.add_argument("--amount", help="the fee in pounds")
        fee.add_argument("--reason", default="")
        fee.add_argument("--complaint-rights-told", action="store_true")
        command("fee-received", "the fee arrived (the clock runs from then)")
        extend = command("extend", "extend by two further months (trust DPO; --on is the day decided)")
        extend.add_argument("--reason", required=True)
        extend.add_argument("--told-on", help="when the requester was told (default: the day decided)")
        competence = command("competence", "record the pupil's competence (a parent's request)")
        competence.add_argument("--outcome", required=True, help="competent or not-competent")
        competence.add_argument("--note", default="")
        view = command("pupil-view", "record the pupil's view on release to the parent")
        view.add_argument("--view", required=True, help="consents, objects or not-asked")
        view.add_argument("--note", default="")
        dpo = command("dpo-decision", "the trust DPO's decision on release to the parent")
        dpo.add_argument("--decision", required=True, help="release or withhold")
        dpo.add_argument("--reasons", required=True)
        move = command("move", "move the request to another status")
        move.add_argument("--to", required=True, help=", ".join(Status.values))
        move.add_argument("--note", default="", help="reason (refused, withdrawn) or review note (ready)")
        release = command("release", "release the response (refused with every reason while blocked)")
        release.add_argument("--method", required=True, help="how it was sent")
        release.add_argument("--sent-to", default="")
        release.add_argument("--bundle-sha256", default="")
        command("note", "add a note to the request's log").add_argument("--note", required=True)
        command("remind", "email deadline reminders to assignees (run daily)", with_id=False)

    # -- dispatch ---------------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options["actor"])
        action = options["action"]
        handlers: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
            "list": self._list,
            "show": self._show,
            "log": self._log,
            "remind": self._remind,
        }
        try:
            if action in handlers:
                handlers[action](actor, options)
                return
            req = self._request(actor, options["id"])
            getattr(self, "_" + action.replace("-", "_"))(
                actor, req, _date(options.get("on"), "--on"), options
            )
        except TransitionRefused as exc:
            raise CommandError(f"refused ({exc.refusal.value}): {' '.join(exc.messages)}") from None
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "You may not do that.") from None
        self._print(actor, options["id"], options["format"], verb=action)

    def _request(self, actor: Any, pk: int) -> RightsRequest:
        try:
            return api.request_for(actor, pk)
        except Http404:
            raise CommandError(
                f"ID: no rights request #{pk} at the schools where {actor.get_username()} works"
            ) from None

    def _print(self, actor: Any, pk: int, fmt: str, *, verb: str) -> None:
        data = api.detail_of(actor, pk)
        if fmt == "json":
            self.stdout.write(
                json.dumps(rs.RequestDetailOut.model_validate(data).model_dump(mode="json"), indent=2)
            )
            return
        self.stdout.write(f"{verb}: request #{pk} is {data['status_label'].lower()}{self._due_text(data)}")

    @staticmethod
    def _due_text(data: dict[str, Any]) -> str:
        if data["status"] in CLOSED_STATUSES:
            return ""
        if data["paused"]:
            return " (clock paused: no due date until the clarification arrives)"
        if data["due"] is None:
            return f" (no due date: {data['deadline']['error']})" if data["deadline"]["error"] else ""
        left = data["days_left"]
        when = f"overdue by {-left} days" if left < 0 else f"{left} days left"
        return f" (due {data['due'].isoformat()}, {when})"

    # -- reads ------------------------------------------------------------------------------------

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        qs = selectors.requests_visible_to(actor).select_related("assigned_to")
        if options["school"]:
            school = School.objects.filter(
                urn=options["school"], pk__in=scope_for(actor).school_ids()
            ).first()
            if school is None:
                raise CommandError(
                    f"--school: no school with URN {options['school']} among {actor.get_username()}'s schools"
                )
            qs = qs.filter(school=school)
        if options["open"]:
            qs = qs.exclude(status__in=CLOSED_STATUSES)
        try:
            if options["status"]:
                qs = qs.filter(status=api.parse_choice(options["status"], Status, "status"))
            if options["kind"]:
                qs = qs.filter(kind=api.parse_choice(options["kind"], RequestKind, "kind"))
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        on = api.today()
        items = [rs.summary(r, on) for r in qs]
        api.audit_search({"cli": "rights list", "results": len(items)})
        if options["format"] == "json":
            rows = [rs.RequestListItemOut.model_validate(i).model_dump(mode="json") for i in items]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not items:
            self.stdout.write("No requests.")
            return
        for i in items:
            due = "paused" if i["paused"] else (i["due"].isoformat() if i["due"] else "-")
            if i["status"] in CLOSED_STATUSES:
                left = ""
            elif i["overdue"]:
                left = " OVERDUE"
            elif i["days_left"] is not None:
                left = f" ({i['days_left']} days left)"
            else:
                left = ""
            self.stdout.write(
                f"#{i['id']}  {i['status']:<22}  {i['kind']:<18}  {i['pupil_name']} ({i['school_urn']})  "
                f"received {i['received_on'].isoformat()}  due {due}{left}  "
                f"assigned {i['assigned_to'] or '-'}"
            )

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        req = self._request(actor, options["id"])
        data = rs.detail(req, api.today(), selectors.request_events(actor, req.pk))
        api.audit_view(req, {"cli": "rights show"})
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(rs.RequestDetailOut.model_validate(data).model_dump(mode="json"), indent=2)
            )
            return
        w = self.stdout.write
        w(f"Request #{req.pk}: {data['kind_label']}, {data['status_label'].lower()}{self._due_text(data)}")
        w(f"  school:     {data['school_name']} ({data['school_urn']})")
        w(f"  pupil:      {data['pupil_name']} (UPN {data['pupil_upn']})")
        w(f"  requester:  {data['requester_name']} ({data['requester_kind']})")
        w(
            f"  received:   {data['received_on'].isoformat()} by {data['channel']}; clock from {data['clock_started_on'].isoformat()}"
        )
        w(f"  assigned:   {data['assigned_to'] or '-'}")
        w(f"  asks:       {data['description']}")
        deadline = data["deadline"]
        if deadline["rule"]:
            w(f"  due date:   {deadline['rule']}")
        if deadline["error"]:
            w(f"  due date:   cannot be worked out: {deadline['error']}")
        if data["competence"]:
            c = data["competence"]
            w(
                f"  competence: {c['outcome'] or '-'}; pupil's view {c['pupil_view'] or '-'}; "
                f"DPO decision {c['dpo_decision'] or '-'}"
            )
        if data["release_blockers"]:
            w("  release blocked:")
            for b in data["release_blockers"]:
                w(f"    - [{b['code']}] {b['message']}")
        if data["allowed_transitions"]:
            w(f"  may move to: {', '.join(data['allowed_transitions'])}")
        w("  log:")
        for e in data["events"]:
            change = f" {e['from_status']} -> {e['to_status']}" if e["kind"] == "status_change" else ""
            extra = "; ".join(x for x in (e["method"], e["note"]) if x)
            w(
                f"    {e['on'].isoformat()}  {e['kind_label']}{change}  ({e['actor'] or 'system'}){': ' + extra if extra else ''}"
            )

    # -- intake -----------------------------------------------------------------------------------

    def _log(self, actor: Any, options: dict[str, Any]) -> None:
        urn = options["school"]
        try:
            school = school_for(actor, urn)
        except Http404:
            raise CommandError(
                f"--school: no school with URN {urn} among {actor.get_username()}'s schools"
            ) from None
        pupil = api.pupil_at(school, upn=options["upn"])
        if pupil is None:
            raise CommandError(
                f"--upn: no pupil with UPN {normalise_upn(options['upn'])} on the register of "
                f"{school.name} ({school.urn})"
            )
        contact = None
        if options["contact"] is not None:
            contact = Contact.objects.filter(pk=options["contact"], trust_id=school.trust_id).first()
            if contact is None:
                raise CommandError(
                    f"--contact: no contact with id {options['contact']} in {school.trust.name}"
                )
        assignee = None
        if options["assign"]:
            try:
                assignee = api.find_user(options["assign"], "assigned_to")
            except ValidationError:
                raise CommandError(f"--assign: no active user called {options['assign']!r}") from None
        received = _date(options["received"], "--received")
        handle = None
        if options["authority"]:
            path = Path(options["authority"])
            try:
                handle = path.open("rb")
            except OSError as exc:
                raise CommandError(f"--authority: cannot read {path}: {exc.strerror}") from None
        try:
            req = api.log_request(
                actor=actor,
                school=school,
                pupil=pupil,
                kind=options["kind"],
                requester_kind=options["requester"],
                requester_contact=contact,
                requester_name=options["requester_name"],
                authority=File(handle, name=path.name) if handle else None,
                authority_description=options["authority_description"],
                received_on=received,
                channel=options["channel"],
                description=options["description"],
                identity_required=options["identity_required"],
                assign_to=assignee,
                allow_duplicate=options["allow_duplicate"],
                duplicate_reason=options["duplicate_reason"],
            )
        except ValidationError as exc:
            hint = (
                " (to log it anyway: --allow-duplicate --duplicate-reason REASON)"
                if api.duplicate_of(exc) is not None
                else ""
            )
            raise CommandError(_messages(exc) + hint) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        finally:
            if handle:
                handle.close()
        self._print(actor, req.pk, options["format"], verb="logged")

    # -- actions (each gets the request, the effective date and the options) ----------------------

    def _assign(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        to = None
        if not o["nobody"]:
            try:
                to = api.find_user(o["to"], "assigned_to")
            except ValidationError:
                raise CommandError(f"--to: no active user called {o['to']!r}") from None
        services.assign(actor=actor, request=req, to=to, on=on)

    def _identity_requested(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.identity_requested(actor=actor, request=req, on=on, note=o["note"])

    def _identity_verified(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.identity_verified(
            actor=actor, request=req, on=on, method=o["method"], evidence_note=o["evidence"]
        )

    def _clarify(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.clarification_asked(actor=actor, request=req, on=on, note=o["note"])

    def _clarified(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.clarification_received(actor=actor, request=req, on=on, note=o["note"])

    def _fee(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        amount = None
        if o["amount"]:
            try:
                amount = Decimal(o["amount"])
            except InvalidOperation:
                raise CommandError(f"--amount: {o['amount']!r} is not an amount in pounds") from None
        services.fee_decided(
            actor=actor,
            request=req,
            decision=api.parse_choice(o["decision"], FeeDecision, "decision"),
            on=on,
            amount=amount,
            reason=o["reason"],
            complaint_rights_told=o["complaint_rights_told"],
        )

    def _fee_received(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.fee_received(actor=actor, request=req, on=on)

    def _extend(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        told = _date(o["told_on"], "--told-on") if o["told_on"] else on
        services.extension_decided(
            actor=actor, request=req, reason=o["reason"], decided_on=on, requester_told_on=told
        )

    def _competence(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        outcome = api.parse_choice(o["outcome"], CompetenceOutcome, "outcome")
        services.competence_assessed(actor=actor, request=req, on=on, outcome=outcome, note=o["note"])

    def _pupil_view(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        view = api.parse_choice(o["view"], PupilView, "view")
        services.pupil_view_recorded(actor=actor, request=req, on=on, view=view, note=o["note"])

    def _dpo_decision(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        decision = api.parse_choice(o["decision"], DpoOutcome, "decision")
        services.dpo_decision(actor=actor, request=req, on=on, decision=decision, reasons=o["reasons"])

    def _move(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        to = api.parse_choice(o["to"], Status, "to")
        services.transition(actor=actor, request=req, to=to, on=on, note=o["note"])

    def _release(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        try:
            services.release(
                actor=actor,
                request=req,
                on=on,
                method=o["method"],
                sent_to=o["sent_to"],
                bundle_sha256=o["bundle_sha256"],
            )
        except TransitionRefused as exc:
            blockers = services.release_blockers(api.request_for(actor, req.pk))
            reasons = "\n".join(f"  - [{code.value}] {msg}" for code, msg in blockers) or f"  - {exc}"
            raise CommandError(f"refused ({exc.refusal.value}): nothing was released:\n{reasons}") from None

    def _note(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        services.note_added(actor=actor, request=req, on=on, note=o["note"])

    # -- reminders --------------------------------------------------------------------------------

    def _remind(self, actor: Any, options: dict[str, Any]) -> None:
        on = _date(options.get("on"), "--on")
        report = send_reminders(actor=actor, on=on)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for r in report.sent:
                self.stdout.write(
                    f"sent: request #{r.request_id} ({r.threshold}, due {r.due}) to {r.recipient}"
                )
            for r in report.skipped:
                self.stdout.write(f"skipped: request #{r.request_id}: {r.error}")
            for r in report.failed:
                self.stderr.write(
                    f"failed: request #{r.request_id} ({r.threshold}) to {r.recipient}: {r.error}"
                )
            self.stdout.write(
                f"{on.isoformat()}: {len(report.sent)} sent, {len(report.failed)} failed, "
                f"{len(report.skipped)} skipped."
            )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} reminder(s) could not be sent; nothing was recorded for them, "
                "so the next run tries again."
            )
