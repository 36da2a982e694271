"""`steward rights_work <subject> <action> ID ... --actor USER`: the work on a rights request and applying
its outcome, from the command line (the same operations as `/api/requests/{id}/...`).

    steward rights_work tasks list|suggest ID
    steward rights_work tasks create ID (--system KEY | --system-name N) --assign USER [--instructions I] [--due D]
    steward rights_work tasks complete ID TASK (--file F [F ...] | --nothing-found) [--note N]
    steward rights_work tasks cancel ID TASK --reason R
    steward rights_work bundle build ID [--final]            steward rights_work bundle list ID
    steward rights_work bundle download ID BUNDLE (--pdf | --zip) --output FILE
    steward rights_work redactions list ID [--all]           steward rights_work redactions propose ID
    steward rights_work redactions accept|remove ID MARK [--note N]
    steward rights_work redactions add ID --location L (--text T [--occurrence N] | --start S --end E)
                                          --reason R [--note N]
    steward rights_work redactions done ID [--note N]
    steward rights_work rectify ID --model app.Model --id N --field F (--value V | --statement S | both)
    steward rights_work recipients ID                        (whom to tell, Art 19)
    steward rights_work erasure plan|apply ID
    steward rights_work restrict ID --ground G [--category KEY ...] [--note N]
    steward rights_work lift ID RESTRICTION --told-on D --reason R
    steward rights_work restrictions ID [--all]              (the pupil's restrictions in force)
    steward rights_work objection decide ID [--purpose KEY] --processing P --outcome O --reasons R
    steward rights_work objection pending ID [--category KEY ...] [--note N]
    steward rights_work youth-support show ID                steward rights_work youth-support apply ID
    steward rights_work youth-support choose ID --state S --decided-by parent|pupil|school [--contact ID]
    steward rights_work consent-withdrawn ID --purpose P

Every action takes `--on YYYY-MM-DD` (default today: the effective date, or the day a plan or state is
read for) and `--format text|json` (json prints what the API returns). Everything runs as --actor and is
audited; a refused operation exits non-zero with the reason (and a refusal's stable code) on stderr and
changes nothing. Django names commands after their module, hence `rights_work`.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.management.base import CommandError, CommandParser
from django.http import Http404
from ninja import Schema

from steward.api import rights as api
from steward.api import rights_schemas as rs
from steward.api import rights_work as work
from steward.api import rights_work_schemas as ws
from steward.core.cli import ActorCommand, parse_date, resolve_actor, validation_messages
from steward.rights import outcomes, review, tasks
from steward.rights.bundle import build
from steward.rights.models import (
    Bundle,
    DecidedBy,
    ManualTask,
    MarkDecision,
    ObjectionOutcome,
    RestrictionGround,
    RightsRequest,
    YouthSupportChoice,
    YouthSupportState,
)
from steward.rights.redaction import ReasonCode
from steward.rights.workflow import TransitionRefused

#: The option to name when a service refuses a field.
OPTIONS = {
    "assigned_to": "--assign",
    "system": "--system",
    "system_name": "--system-name",
    "due_on": "--due",
    "files": "--file/--nothing-found",
    "completed_on": "--on",
    "on": "--on",
    "reason": "--reason",
    "decision": "decision",
    "location": "--location",
    "start": "--start",
    "end": "--end",
    "text": "--text",
    "occurrence": "--occurrence",
    "model": "--model",
    "id": "--id",
    "target": "--model/--id",
    "field": "--field",
    "statement": "--statement",
    "ground": "--ground",
    "categories": "--category",
    "told_before_lift_on": "--told-on",
    "lift_reason": "--reason",
    "lifted_on": "--on",
    "purpose": "--purpose",
    "processing": "--processing",
    "outcome": "--outcome",
    "reasons": "--reasons",
    "state": "--state",
    "decided_by": "--decided-by",
    "contact": "--contact",
    "purpose_name": "--purpose",
    "request": "ID",
}


def _messages(exc: ValidationError) -> str:
    return validation_messages(exc, OPTIONS)


def _date(value: str | None, option: str) -> dt.date:
    return parse_date(value, option) if value else api.today()


def _dump(schema: type[Schema], data: Any) -> Any:
    if isinstance(data, list):
        return [schema.model_validate(d).model_dump(mode="json") for d in data]
    return schema.model_validate(data).model_dump(mode="json")


class Command(ActorCommand):
    help = (
        "The work on a rights request (manual searches, bundles, the redaction review) and applying its "
        "outcome (rectification, erasure, restriction, objection, youth-support sharing, consent). "
        "Everything runs as --actor and is audited; refusals exit non-zero and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        top = parser.add_subparsers(dest="subject", required=True, parser_class=CommandParser)

        def leaf(sub: Any, name: str, help_text: str) -> CommandParser:
            p: CommandParser = sub.add_parser(name, help=help_text)
            p.add_argument("id", type=int, help="the request's number")
            p.add_argument("--actor", required=True, help="username of the person running this command")
            p.add_argument("--format", choices=["text", "json"], default="text")
            p.add_argument(
                "--on", help="the effective date, or the day to read for (YYYY-MM-DD; default today)"
            )
            return p

        def group(name: str, help_text: str) -> Any:
            p: CommandParser = top.add_parser(name, help=help_text)
            return p.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        t = group("tasks", "manual searches of systems Steward cannot reach")
        leaf(t, "list", "the request's searches and the files returned")
        leaf(t, "suggest", "the register's systems holding pupil data, to search by hand")
        create = leaf(t, "create", "ask a member of staff to search a system by hand")
        where = create.add_mutually_exclusive_group(required=True)
        where.add_argument("--system", help="key of a system in the school's register")
        where.add_argument("--system-name", help="the system or place to search")
        create.add_argument("--assign", required=True, help="username of the member of staff to search")
        create.add_argument("--instructions", default="")
        create.add_argument("--due", help="due date (default: a week before the legal deadline)")
        complete = leaf(t, "complete", "record what a search found")
        complete.add_argument("task", type=int, help="the task's number")
        found = complete.add_mutually_exclusive_group(required=True)
        found.add_argument("--file", nargs="+", dest="files", help="the files returned")
        found.add_argument("--nothing-found", action="store_true", help="nothing is held in that system")
        complete.add_argument("--note", default="", help="what was found")
        cancel = leaf(t, "cancel", "withdraw a search that is not needed")
        cancel.add_argument("task", type=int, help="the task's number")
        cancel.add_argument("--reason", required=True)

        b = group("bundle", "the response bundle of an access or portability request")
        leaf(b, "build", "build a draft (for review) or the final bundle").add_argument(
            "--final", action="store_true", help="the final bundle, accepted redactions applied"
        )
        leaf(b, "list", "the bundles built, newest first")
        download = leaf(b, "download", "write a bundle's PDF or ZIP to a file (audited as an export)")
        download.add_argument("bundle", type=int, help="the bundle's number")
        fmt = download.add_mutually_exclusive_group(required=True)
        fmt.add_argument("--pdf", action="store_const", const="pdf", dest="file_format")
        fmt.add_argument("--zip", action="store_const", const="zip", dest="file_format")
        download.add_argument("--output", required=True, help="the file to write")

        r = group("redactions", "the redaction review (trust DPO or the school's DP lead)")
        leaf(r, "list", "the texts with redactions and each redaction").add_argument(
            "--all", action="store_true", help="every text under review, with redactions or not"
        )
        leaf(r, "propose", "run the automatic third-party pass (earlier decisions are kept)")
        for name, what in (("accept", "apply it in the final bundle"), ("remove", "disclose the text")):
            p = leaf(r, name, f"{name} a redaction ({what})")
            p.add_argument("mark", type=int, help="the redaction's number")
            p.add_argument("--note", default="")
        add = leaf(r, "add", "add your own redaction, by its text or its offsets")
        add.add_argument("--location", required=True, help="where the text is (as `redactions list` shows)")
        add.add_argument("--text", default="", help="the exact text to redact")
        add.add_argument("--occurrence", type=int, help="which occurrence of --text (1 = the first)")
        add.add_argument("--start", type=int, help="first character (0-based), instead of --text")
        add.add_argument("--end", type=int, help="one past the last character")
        add.add_argument("--reason", required=True, help=", ".join(c.value for c in ReasonCode))
        add.add_argument("--note", default="")
        leaf(r, "done", "record that every redaction is decided").add_argument("--note", default="")

        rect = leaf(top, "rectify", "correct a field of the pupil's records, or record a statement")
        rect.add_argument("--model", required=True, help="the record type, as app.Model (e.g. people.Pupil)")
        rect.add_argument("--id", required=True, dest="record_id", help="the record's id")
        rect.add_argument("--field", required=True, help="the personal field")
        rect.add_argument("--value", help="the corrected value (leave out to record only a statement)")
        rect.add_argument("--statement", default="", help="a supplementary statement")
        leaf(top, "recipients", "recipients to tell about what the request changed (Art 19)")

        e = group("erasure", "erasure of the pupil's data (applying it: trust DPO)")
        leaf(e, "plan", "what erasure would delete, anonymise and keep, with the reasons")
        leaf(e, "apply", "apply the plan (all of it or none)")

        restrict = leaf(top, "restrict", "restrict processing of the pupil's data")
        restrict.add_argument("--ground", required=True, help=", ".join(RestrictionGround.values))
        restrict.add_argument(
            "--category", action="append", dest="categories", help="a category key (repeat)"
        )
        restrict.add_argument("--note", default="")
        lift = leaf(top, "lift", "lift a restriction (trust DPO; the person told beforehand)")
        lift.add_argument("restriction", type=int, help="the restriction's number")
        lift.add_argument("--told-on", required=True, help="when the person was told (YYYY-MM-DD)")
        lift.add_argument("--reason", required=True)
        leaf(top, "restrictions", "the pupil's restrictions in force (on --on)").add_argument(
            "--all", action="store_true", help="lifted ones too"
        )

        o = group("objection", "an objection request")
        decide = leaf(o, "decide", "record the decision (trust DPO)")
        decide.add_argument("--purpose", default="", help="key of the purpose in the school's register")
        decide.add_argument("--processing", required=True, help="the processing objected to")
        decide.add_argument("--outcome", required=True, help=", ".join(ObjectionOutcome.values))
        decide.add_argument("--reasons", required=True)
        pending = leaf(o, "pending", "restrict the data while the objection is decided")
        pending.add_argument("--category", action="append", dest="categories", help="a category key (repeat)")
        pending.add_argument("--note", default="")

        y = group("youth-support", "youth-support sharing (a parent decides until 16, then the pupil)")
        leaf(y, "show", "the pupil's sharing state and who decides (on --on)")
        choose = leaf(y, "choose", "record a sharing choice")
        choose.add_argument("--state", required=True, help=", ".join(YouthSupportState.values))
        choose.add_argument("--decided-by", required=True, help=", ".join(DecidedBy.values))
        choose.add_argument("--contact", type=int, help="id of the parent who decided")
        choose.add_argument("--note", default="")
        leaf(y, "apply", "apply a youth-support opt-down request (name, address and date of birth only)")

        leaf(top, "consent-withdrawn", "record consent withdrawn and what relies on it").add_argument(
            "--purpose", required=True, help="the purpose's name or key"
        )

    # -- dispatch ---------------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options["actor"])
        subject, action = options["subject"], options.get("action")
        name = "_" + "_".join(x.replace("-", "_") for x in (subject, action) if x)
        handler: Callable[[Any, RightsRequest, dt.date, dict[str, Any]], Any] = getattr(self, name)
        try:
            req = self._request(actor, options["id"])
            on = _date(options.get("on"), "--on")
            handler(actor, req, on, options)
        except TransitionRefused as exc:
            raise CommandError(f"refused ({exc.refusal.value}): {' '.join(exc.messages)}") from None
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "You may not do that.") from None
        except Http404 as exc:
            raise CommandError(str(exc) or "Not found.") from None

    def _request(self, actor: Any, pk: int) -> RightsRequest:
        try:
            return api.request_for(actor, pk)
        except Http404:
            raise CommandError(
                f"ID: no rights request #{pk} at the schools where {actor.get_username()} works"
            ) from None

    def _out(self, o: dict[str, Any], schema: type[Schema], data: Any, text: Callable[[], list[str]]) -> None:
        if o["format"] == "json":
            self.stdout.write(json.dumps(_dump(schema, data), indent=2))
            return
        for line in text():
            self.stdout.write(line)

    # -- manual search tasks ----------------------------------------------------------------------

    @staticmethod
    def _task_line(t: dict[str, Any]) -> str:
        files = f", {len(t['files'])} file(s)" if t["files"] else ""
        return (
            f"task #{t['id']}: search {t['system_name']}, {t['status_label'].lower()}, due "
            f"{t['due_on'].isoformat()}, assigned {t['assigned_to'] or '-'}{files}"
        )

    def _tasks_list(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [ws.task_data(t) for t in req.tasks.select_related("system", "assigned_to", "completed_by")]
        work.audit_read(ManualTask, req, {"cli": "rights_work tasks list"})
        self._out(o, ws.TaskOut, rows, lambda: [self._task_line(t) for t in rows] or ["No searches."])

    def _tasks_suggest(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [ws.suggestion_data(s) for s in tasks.suggest_tasks(req)]
        api.audit_view(req, {"cli": "rights_work tasks suggest"})  # the instructions name the pupil
        self._out(
            o,
            ws.SuggestionOut,
            rows,
            lambda: (
                [
                    f"{s['system']}: {s['name']} ({s['function']}; {', '.join(s['categories'])})"
                    + (" [task exists]" if s["has_task"] else "")
                    for s in rows
                ]
                or ["No system in the register holds pupil data outside Steward."]
            ),
        )

    def _tasks_create(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        try:
            assignee = api.find_user(o["assign"], "assigned_to")
        except ValidationError:
            raise CommandError(f"--assign: no active user called {o['assign']!r}") from None
        task = tasks.create_task(
            actor=actor,
            request=req,
            system=work.find_system(req, o["system"] or ""),
            system_name=o["system_name"] or "",
            instructions=o["instructions"],
            assigned_to=assignee,
            due_on=_date(o["due"], "--due") if o["due"] else None,
        )
        data = ws.task_data(work.find_task(req, task.pk))
        self._out(o, ws.TaskOut, data, lambda: ["created: " + self._task_line(data)])

    def _tasks_complete(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        task = work.find_task(req, o["task"])
        uploads: list[UploadedFile] = []
        for name in o["files"] or []:
            path = Path(name)
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"--file: cannot read {path}: {exc.strerror}") from None
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            uploads.append(SimpleUploadedFile(path.name, content, content_type=kind))
        tasks.complete_task(
            actor=actor, task=task, files=uploads, note=o["note"], nothing_found=o["nothing_found"], on=on
        )
        data = ws.task_data(work.find_task(req, task.pk))
        self._out(
            o,
            ws.TaskOut,
            data,
            lambda: [
                "completed: " + self._task_line(data),
                *(f"  {f['name']}  sha256 {f['sha256']}" for f in data["files"]),
            ],
        )

    def _tasks_cancel(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        task = tasks.cancel_task(actor=actor, task=work.find_task(req, o["task"]), reason=o["reason"], on=on)
        data = ws.task_data(work.find_task(req, task.pk))
        self._out(o, ws.TaskOut, data, lambda: ["cancelled: " + self._task_line(data)])

    # -- bundles ----------------------------------------------------------------------------------

    @staticmethod
    def _bundle_line(b: dict[str, Any]) -> str:
        held = sum(1 for c in b["categories"] if c["records"])
        return (
            f"bundle #{b['id']}: {b['state']}, built {b['built_at']:%Y-%m-%d %H:%M} by {b['built_by'] or '-'}, "
            f"{held} categories held, SHA-256 {b['sha256']}"
        )

    def _bundle_build(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        bundle = build(actor=actor, request=req, final=o["final"])
        data = ws.bundle_data(work.find_bundle(req, bundle.pk))
        self._out(o, ws.BundleOut, data, lambda: ["built: " + self._bundle_line(data)])

    def _bundle_list(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [
            ws.bundle_data(b) for b in req.bundles.select_related("built_by").order_by("-built_at", "-pk")
        ]
        work.audit_read(Bundle, req, {"cli": "rights_work bundle list"})
        self._out(o, ws.BundleOut, rows, lambda: [self._bundle_line(b) for b in rows] or ["No bundles."])

    def _bundle_download(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        bundle = work.find_bundle(req, o["bundle"])
        fmt = o["file_format"]
        target = Path(o["output"])
        if not target.parent.is_dir():
            raise CommandError(f"--output: no directory {target.parent}")
        with work.bundle_download(actor, req, bundle, fmt, {"cli": "rights_work bundle download"}) as fh:
            content = fh.read()
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"--output: cannot write {target}: {exc.strerror}") from None
        if o["format"] == "json":
            info = {"bundle": bundle.pk, "state": bundle.state, "format": fmt, "output": str(target)}
            self.stdout.write(json.dumps({**info, "bytes": len(content), "sha256": bundle.sha256}, indent=2))
            return
        self.stdout.write(
            f"wrote {target}: the {fmt.upper()} of {bundle.state} bundle #{bundle.pk} ({len(content)} bytes; "
            f"the ZIP's SHA-256 is {bundle.sha256})"
        )

    # -- the redaction review ---------------------------------------------------------------------

    @staticmethod
    def _mark_line(m: dict[str, Any]) -> str:
        note = f" ({m['note']})" if m["note"] else ""
        return (
            f"  mark #{m['id']} [{m['start']}:{m['end']}] {m['decision']}, {m['reason_label']}, "
            f"{m['origin']}: {m['text']!r}{note}"
        )

    def _redactions_list(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        items = work.review_for(actor, req, {"cli": "rights_work redactions list"})
        data = ws.review_data(items, marked_only=not o["all"])

        def text() -> list[str]:
            lines = [f"{data['marks']} redaction(s), {data['undecided']} undecided."]
            for i in data["items"]:
                lines.append(f"{i['location']}: {i['label']}")
                if o["all"]:
                    lines.append(f"  text: {i['text']!r}")
                lines += [self._mark_line(m) for m in i["marks"]]
            return lines

        self._out(o, ws.ReviewOut, data, text)

    def _redactions_propose(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        data = ws.proposal_data(review.propose(actor=actor, request=req))
        self._out(
            o,
            ws.ProposalOut,
            data,
            lambda: [
                f"automatic pass: {data['proposed']} proposed, {data['kept']} kept from earlier runs, "
                f"{data['dropped']} dropped"
            ],
        )

    def _decide(self, actor: Any, req: RightsRequest, o: dict[str, Any], decision: MarkDecision) -> None:
        mark = review.decide(
            actor=actor, mark=work.find_mark(req, o["mark"]), decision=decision, note=o["note"]
        )
        data = ws.mark_data(mark)
        self._out(o, ws.MarkOut, data, lambda: [f"{decision}:" + self._mark_line(data)])

    def _redactions_accept(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        self._decide(actor, req, o, MarkDecision.ACCEPTED)

    def _redactions_remove(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        self._decide(actor, req, o, MarkDecision.REMOVED)

    def _redactions_add(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        mark = work.add_mark(
            actor=actor,
            request=req,
            location=o["location"],
            reason=o["reason"],
            note=o["note"],
            start=o["start"],
            end=o["end"],
            text=o["text"],
            occurrence=o["occurrence"],
        )
        data = ws.mark_data(mark)
        self._out(o, ws.MarkOut, data, lambda: [f"added at {data['location']}:" + self._mark_line(data)])

    def _redactions_done(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        data = rs.event_data(review.review_done(actor=actor, request=req, on=on, note=o["note"]))
        self._out(o, rs.EventOut, data, lambda: [f"review done: {data['note']}"])

    # -- rectification ----------------------------------------------------------------------------

    def _rectify(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        value = o["value"] if o["value"] is not None else outcomes.UNCHANGED
        done = work.rectify_changes(
            actor=actor,
            request=req,
            changes=[(o["model"], o["record_id"], o["field"], value)],
            statement=o["statement"],
            on=on,
        )
        rows = [ws.rectification_data(r) for r in done]

        def text() -> list[str]:
            out = []
            for r in rows:
                what = "statement recorded on" if r["before"] == r["after"] else "rectified"
                change = "" if r["before"] == r["after"] else f": {r['before']!r} -> {r['after']!r}"
                out.append(f"{what} {r['model']} #{r['object_id']} {r['field']} ({r['category']}){change}")
            return out

        self._out(o, ws.RectificationOut, rows, text)

    def _recipients(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [ws.recipient_data(r) for r in outcomes.recipients_to_tell(req)]
        self._out(
            o,
            ws.RecipientOut,
            rows,
            lambda: (
                [f"{r['key']}: {r['name']} ({', '.join(r['categories'])})" for r in rows]
                or ["Nobody to tell: the request changed nothing any recipient receives."]
            ),
        )

    # -- erasure ----------------------------------------------------------------------------------

    def _erasure_plan(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        data = ws.erasure_plan_data(outcomes.erasure_plan(req, on))
        api.audit_view(req, {"cli": "rights_work erasure plan"})

        def text() -> list[str]:
            lines = [
                f"Erasure plan for request #{req.pk} on {on.isoformat()}: {data['deleted']} deleted, "
                f"{data['anonymised']} anonymised, {data['kept']} kept."
            ]
            for i in data["items"]:
                lines.append(f"  {i['action']:<10} {i['model']} x{i['rows']} ({', '.join(i['fields'])})")
                lines.append(f"             {i['reason']}")
            return lines

        self._out(o, ws.ErasurePlanOut, data, text)

    def _erasure_apply(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [ws.erasure_entry_data(e) for e in outcomes.erase(actor=actor, request=req, on=on)]
        self._out(
            o,
            ws.ErasureEntryOut,
            rows,
            lambda: [f"erased: {e['action']} {e['model']} x{e['rows']}: {e['reason']}" for e in rows],
        )

    # -- restriction ------------------------------------------------------------------------------

    @staticmethod
    def _restriction_line(r: dict[str, Any]) -> str:
        cats = "every category" if r["all_categories"] else ", ".join(r["categories"])
        lifted = f", lifted {r['lifted_on'].isoformat()}" if r["lifted_on"] else ""
        return f"restriction #{r['id']}: {cats} ({r['ground']}) from {r['started_on'].isoformat()}{lifted}"

    def _restrict(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        r = outcomes.restrict(
            actor=actor,
            pupil=req.pupil,
            ground=api.parse_choice(o["ground"], RestrictionGround, "ground"),
            categories=o["categories"],
            on=on,
            request=req,
            note=o["note"],
        )
        data = ws.restriction_data(r)
        self._out(o, ws.RestrictionOut, data, lambda: ["restricted: " + self._restriction_line(data)])

    def _lift(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        r = outcomes.lift_restriction(
            actor=actor,
            restriction=work.find_restriction(req, o["restriction"]),
            on=on,
            told_on=_date(o["told_on"], "--told-on"),
            reason=o["reason"],
        )
        data = ws.restriction_data(r)
        self._out(o, ws.RestrictionOut, data, lambda: ["lifted: " + self._restriction_line(data)])

    def _restrictions(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        rows = [ws.restriction_data(r) for r in work.pupil_restrictions(actor, req.pupil_id, on, o["all"])]
        self._out(
            o,
            ws.RestrictionOut,
            rows,
            lambda: [self._restriction_line(r) for r in rows] or ["No restriction in force."],
        )

    # -- objection --------------------------------------------------------------------------------

    def _objection_decide(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        decision = outcomes.objection_decided(
            actor=actor,
            request=req,
            purpose=work.find_purpose(req, o["purpose"]),
            processing=o["processing"],
            outcome=api.parse_choice(o["outcome"], ObjectionOutcome, "outcome"),
            reasons=o["reasons"],
            on=on,
        )
        data = ws.objection_data(decision)
        self._out(o, ws.ObjectionOut, data, lambda: [f"objection decided: {data['outcome_label']}"])

    def _objection_pending(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        r = outcomes.objection_pending(
            actor=actor, request=req, on=on, categories=o["categories"], note=o["note"]
        )
        data = ws.restriction_data(r)
        self._out(o, ws.RestrictionOut, data, lambda: ["restricted: " + self._restriction_line(data)])

    # -- youth-support sharing and consent --------------------------------------------------------

    def _youth_support_show(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        data = ws.youth_support_data(req.pupil_id, on, outcomes.youth_support_state(req.pupil, on))
        work.audit_read(YouthSupportChoice, req, {"cli": "rights_work youth-support show"})
        self._out(
            o,
            ws.YouthSupportOut,
            data,
            lambda: [
                f"youth-support sharing on {on.isoformat()}: {data['state_label']}"
                + (f" ({data['decided_by']}, {data['decided_on'].isoformat()})" if data["decided_on"] else "")
                + f"; aged {data['age']}, the {data['controller']} decides"
            ],
        )

    def _choice(self, o: dict[str, Any], verb: str, data: dict[str, Any]) -> None:
        self._out(
            o,
            ws.YouthSupportChoiceOut,
            data,
            lambda: [f"{verb}: {data['state_label']} ({data['decided_by']}, {data['on'].isoformat()})"],
        )

    def _youth_support_choose(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        contact = api.contact_in(req.school, o["contact"], "contact") if o["contact"] else None
        choice = outcomes.record_youth_support_choice(
            actor=actor,
            pupil=req.pupil,
            state=api.parse_choice(o["state"], YouthSupportState, "state"),
            decided_by=api.parse_choice(o["decided_by"], DecidedBy, "decided_by"),
            contact=contact,
            on=on,
            request=req,
            note=o["note"],
        )
        self._choice(o, "recorded", ws.youth_support_choice_data(choice))

    def _youth_support_apply(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        choice = outcomes.apply_opt_down(actor=actor, request=req, on=on)
        self._choice(o, "opted down", ws.youth_support_choice_data(choice))

    def _consent_withdrawn(self, actor: Any, req: RightsRequest, on: dt.date, o: dict[str, Any]) -> None:
        result = outcomes.consent_withdrawn(actor=actor, request=req, purpose_name=o["purpose"], on=on)
        data = ws.consent_withdrawal_data(result)

        def text() -> list[str]:
            line = (
                f"consent withdrawn for {data['purpose_name']} ({data['purpose_key']}); relying on it: "
                f"{', '.join(data['categories']) or 'no category'}"
            )
            line += f"; shared with {', '.join(data['recipients'])}" if data["recipients"] else ""
            return [line, *(f"  act on: {item}" for item in data["relies_on"])]

        self._out(o, ws.ConsentWithdrawalOut, data, text)
