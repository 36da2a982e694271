"""`steward rights_work`: manual searches, bundles, the redaction review and applying outcomes from the
command line; text and JSON (as the API); refusals exit non-zero naming the reason and change nothing;
requests outside the actor's schools are unknown to them; DPO-only steps refuse everyone else."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from tests.conftest import make_pupil
from tests.rights.conftest import ON, log

from steward.__main__ import main
from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil
from steward.records.models import Note
from steward.rights import services
from steward.rights.models import (
    Bundle,
    ErasureEntry,
    ManualTask,
    ObjectionDecision,
    Rectification,
    RedactionMark,
    RequestEvent,
    Restriction,
    RightsRequest,
    Status,
    YouthSupportChoice,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("rights_work", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--format", "json"))


def started(actor: User, school: School, pupil: Pupil, kind: str = "access", **kw: Any) -> RightsRequest:
    req = log(actor, school, pupil, kind=kind, **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


def events(req: RightsRequest) -> int:
    return RequestEvent.objects.filter(request=req).count()


@pytest.fixture
def note(trust: Trust, school_a: School, pupil_a: Pupil, system: Any) -> Note:
    make_pupil(trust, school_a, 41, legal_forename="Kit", legal_surname="Marlowe")
    return Note.objects.create(
        pupil=pupil_a, school=school_a, title="Playground", body="Alex and Kit Marlowe fell out at break."
    )


# -- manual search tasks ------------------------------------------------------------------------


def test_tasks_suggest_create_complete_with_files_and_cancel(
    users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any, tmp_path: Path
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    rid = str(req.pk)
    assert "mis: " in run("tasks", "suggest", rid, "--actor", "school_dpl")
    created = run_json(
        "tasks", "create", rid, "--system", "mis", "--assign", "office_manager", "--actor", "school_dpl"
    )
    assert (created["system"], created["status"], created["assigned_to"]) == ("mis", "open", "office_manager")
    out = run(
        "tasks", "create", rid, "--system-name", "CCTV", "--assign", "office_manager", "--actor", "school_dpl"
    )
    assert out.startswith("created: task #") and "search CCTV, open" in out
    cctv = ManualTask.objects.get(system_name="CCTV")

    export = tmp_path / "export.txt"
    export.write_bytes(b"From the MIS.")
    done = run(
        "tasks", "complete", rid, str(created["id"]), "--file", str(export), "--note", "One export.",
        "--on", "2026-03-09", "--actor", "office_manager",
    )  # fmt: skip
    assert done.startswith(f"completed: task #{created['id']}: search ") and ", done: files returned," in done
    assert f"export.txt  sha256 {hashlib.sha256(b'From the MIS.').hexdigest()}" in done
    with pytest.raises(CommandError, match=r"--file: cannot read .*missing\.txt"):
        run(
            "tasks",
            "complete",
            rid,
            str(cctv.pk),
            "--file",
            str(tmp_path / "missing.txt"),
            "--actor",
            "office_manager",
        )
    with pytest.raises(CommandError, match="--reason: Say why the search is not needed"):
        run("tasks", "cancel", rid, str(cctv.pk), "--reason", " ", "--actor", "school_dpl")
    assert ManualTask.objects.get(pk=cctv.pk).status == "open"
    assert "cancelled: task #" in run(
        "tasks", "cancel", rid, str(cctv.pk), "--reason", "No CCTV here.", "--actor", "school_dpl"
    )
    listed = run_json("tasks", "list", rid, "--actor", "school_dpl")
    assert [(t["status"], len(t["files"])) for t in listed] == [("done", 1), ("cancelled", 0)]


def test_task_refusals_change_nothing(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    rid = str(req.pk)
    before = events(req)
    with pytest.raises(CommandError, match="--assign: teacher cannot work on requests at this school"):
        run("tasks", "create", rid, "--system-name", "CCTV", "--assign", "teacher", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--assign: no active user called 'ghost'"):
        run("tasks", "create", rid, "--system-name", "CCTV", "--assign", "ghost", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--system: No system 'abacus' in this school's register"):
        run(
            "tasks",
            "create",
            rid,
            "--system",
            "abacus",
            "--assign",
            "office_manager",
            "--actor",
            "school_dpl",
        )
    with pytest.raises(CommandError, match="You may not see or work on rights requests at this school"):
        run("tasks", "list", rid, "--actor", "teacher")
    with pytest.raises(CommandError, match=f"ID: no rights request #{req.pk} at the schools where teacher_b"):
        run("tasks", "list", rid, "--actor", "teacher_b")
    with pytest.raises(CommandError, match="No such task for this request"):
        run("tasks", "cancel", rid, "999999", "--reason", "x", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--due: 'soon' is not a date"):
        run(
            "tasks",
            "create",
            rid,
            "--system-name",
            "CCTV",
            "--assign",
            "dpo",
            "--due",
            "soon",
            "--actor",
            "dpo",
        )
    assert not ManualTask.objects.exists() and events(req) == before


# -- bundles ------------------------------------------------------------------------------------


def test_bundle_build_list_download_and_refusals(
    users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note, tmp_path: Path
) -> None:
    req = started(users["trust_dpo"], school_a, pupil_a)
    rid = str(req.pk)
    with pytest.raises(CommandError, match="Only the trust DPO or the school's data protection lead"):
        run("bundle", "build", rid, "--actor", "office_manager")
    assert not Bundle.objects.exists()
    draft = run("bundle", "build", rid, "--actor", "dpo")
    assert draft.startswith("built: bundle #") and ": draft, built " in draft
    with pytest.raises(
        CommandError, match=r"^refused \(redactions_undecided\): 1 redaction\(s\) are still undecided"
    ):
        run("bundle", "build", rid, "--final", "--actor", "dpo")
    assert Bundle.objects.count() == 1
    mark = RedactionMark.objects.get()
    assert run("redactions", "accept", rid, str(mark.pk), "--actor", "dpo").startswith("accepted:  mark #")
    final = run_json("bundle", "build", rid, "--final", "--actor", "dpo")
    assert (final["state"], final["redactions_applied"]) == ("final", {"third_party": 1})
    assert [b["state"] for b in run_json("bundle", "list", rid, "--actor", "dpo")] == ["final", "draft"]

    target = tmp_path / "bundle.zip"
    out = run("bundle", "download", rid, str(final["id"]), "--zip", "--output", str(target), "--actor", "dpo")
    assert out.startswith(f"wrote {target}: the ZIP of final bundle #{final['id']}")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == final["sha256"]
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as z:
        assert "[REDACTED: third party]" in z.read("pupil.note.json").decode()
    pdf = tmp_path / "bundle.pdf"
    info = run_json(
        "bundle", "download", rid, str(final["id"]), "--pdf", "--output", str(pdf), "--actor", "dpo"
    )
    assert info["format"] == "pdf" and pdf.read_bytes().startswith(b"%PDF")

    def downloads() -> list[str]:
        exports = AuditEvent.objects.filter(model="rights.Bundle", action="export", channel="cli")
        return sorted(e.detail["format"] for e in exports if "format" in e.detail)

    assert downloads() == ["pdf", "zip"]
    with pytest.raises(CommandError, match="Only the trust DPO or the school's data protection lead"):
        run(
            "bundle",
            "download",
            rid,
            str(final["id"]),
            "--pdf",
            "--output",
            str(pdf),
            "--actor",
            "office_manager",
        )
    with pytest.raises(CommandError, match="--output: no directory"):
        run(
            "bundle",
            "download",
            rid,
            str(final["id"]),
            "--pdf",
            "--output",
            str(tmp_path / "no" / "x.pdf"),
            "--actor",
            "dpo",
        )
    assert downloads() == ["pdf", "zip"]


# -- the redaction review -------------------------------------------------------------------------


def test_redactions_list_propose_decide_add_and_done(
    users: dict[str, User], school_a: School, pupil_a: Pupil, note: Note
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    rid = str(req.pk)
    assert run("redactions", "propose", rid, "--actor", "school_dpl").startswith("automatic pass: 1 proposed")
    listing = run("redactions", "list", rid, "--actor", "school_dpl")
    loc = f"records.Note:{note.pk}:body"
    assert listing.startswith("1 redaction(s), 1 undecided.") and f"{loc}: " in listing
    assert "proposed, third party, auto: 'Kit Marlowe'" in listing
    with pytest.raises(CommandError, match="decision: 1 redaction\\(s\\) are still undecided"):
        run("redactions", "done", rid, "--actor", "school_dpl")
    mark = RedactionMark.objects.get()
    assert (
        run_json("redactions", "remove", rid, str(mark.pk), "--note", "Consent.", "--actor", "school_dpl")[
            "decision"
        ]
        == "removed"
    )
    with pytest.raises(CommandError, match="--text: 'Zebra' does not occur"):
        run(
            "redactions",
            "add",
            rid,
            "--location",
            loc,
            "--text",
            "Zebra",
            "--reason",
            "other",
            "--actor",
            "school_dpl",
        )
    with pytest.raises(CommandError, match="--reason: Unknown reason 'gossip'"):
        run(
            "redactions",
            "add",
            rid,
            "--location",
            loc,
            "--text",
            "break",
            "--reason",
            "gossip",
            "--actor",
            "school_dpl",
        )
    added = run_json(
        "redactions",
        "add",
        rid,
        "--location",
        loc,
        "--text",
        "at break",
        "--reason",
        "other",
        "--actor",
        "school_dpl",
    )
    assert (added["text"], added["decision"], added["origin"]) == ("at break", "accepted", "dpo")
    data = run_json("redactions", "list", rid, "--all", "--actor", "school_dpl")
    assert data["undecided"] == 0 and data["marks"] == 2
    assert "review done: 1 redactions accepted, 1 removed." in run(
        "redactions", "done", rid, "--note", "Checked.", "--actor", "school_dpl"
    )
    with pytest.raises(CommandError, match="Only the trust DPO or the school's data protection lead"):
        run("redactions", "list", rid, "--actor", "office_manager")


# -- rectification and Art 19 ---------------------------------------------------------------------


def test_rectify_value_statement_recipients_and_refusals(
    users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "rectification")
    rid, pk = str(req.pk), str(pupil_a.pk)
    base = ["rectify", rid, "--model", "people.Pupil", "--id", pk, "--actor", "office_manager"]
    with pytest.raises(CommandError, match=r"^upn: "):
        run(*base, "--field", "upn", "--value", "NOT-A-UPN")
    with pytest.raises(CommandError, match="--statement: Give the corrected value"):
        run(*base, "--field", "legal_surname")
    with pytest.raises(CommandError, match=r"--model: No record type 'people.Gossip'"):
        run(
            "rectify",
            rid,
            "--model",
            "people.Gossip",
            "--id",
            "1",
            "--field",
            "x",
            "--value",
            "y",
            "--actor",
            "office_manager",
        )
    with pytest.raises(CommandError, match="You may not see or work on rights requests at this school"):
        run(*base[:6], "--field", "legal_surname", "--value", "X", "--actor", "teacher")
    with pytest.raises(
        CommandError, match=f"ID: no rights request #{rid} at the schools where teacher_b works"
    ):
        run(*base[:6], "--field", "legal_surname", "--value", "X", "--actor", "teacher_b")
    assert not Rectification.objects.exists()
    out = run(*base, "--field", "legal_surname", "--value", "Quillfeather")
    assert out.strip() == (
        f"rectified people.Pupil #{pk} legal_surname (pupil.identity.name): 'Testpupil1' -> 'Quillfeather'"
    )
    stated = run_json(*base, "--field", "legal_forename", "--statement", "Prefers Lex.")
    assert stated[0]["before"] == stated[0]["after"] == "Alex"
    assert "dfe: " in run("recipients", rid, "--actor", "office_manager")


# -- erasure --------------------------------------------------------------------------------------


def test_erasure_plan_and_apply_by_the_dpo_only(
    users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "erasure")
    rid = str(req.pk)
    plan = run("erasure", "plan", rid, "--on", "2026-03-09", "--actor", "office_manager")
    assert (
        plan.startswith(f"Erasure plan for request #{rid} on 2026-03-09: ")
        and "kept       people.Pupil" in plan
    )
    assert run_json("erasure", "plan", rid, "--actor", "office_manager")["pupil_deleted"] is False
    with pytest.raises(
        CommandError, match="You may not make DPO decisions on rights requests at this school"
    ):
        run("erasure", "apply", rid, "--actor", "office_manager")
    assert not ErasureEntry.objects.exists()
    entries = run_json("erasure", "apply", rid, "--on", "2026-03-09", "--actor", "dpo")
    assert entries and ErasureEntry.objects.filter(request=req).count() == len(entries)


# -- restriction ----------------------------------------------------------------------------------


def test_restrict_list_lift_and_refusals(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "restriction")
    rid = str(req.pk)
    with pytest.raises(CommandError, match="--ground: 'whim' is not one of"):
        run("restrict", rid, "--ground", "whim", "--actor", "office_manager")
    with pytest.raises(CommandError, match=r"--category: Unknown data categories: pupil.medical"):
        run(
            "restrict",
            rid,
            "--ground",
            "accuracy",
            "--category",
            "pupil.medical",
            "--actor",
            "office_manager",
        )
    assert not Restriction.objects.exists()
    made = run_json(
        "restrict", rid, "--ground", "accuracy", "--category", "pupil.note", "--category", "pupil.identity",
        "--on", "2026-03-09", "--actor", "office_manager",
    )  # fmt: skip
    assert made["categories"] == ["pupil.identity", "pupil.note"]
    assert run("restrictions", rid, "--actor", "office_manager").startswith(
        f"restriction #{made['id']}: pupil.identity"
    )
    lift = ["lift", rid, str(made["id"]), "--on", "2026-03-20", "--reason", "Checked."]
    with pytest.raises(CommandError, match="You may not record this for the pupil at their school"):
        run(*lift, "--told-on", "2026-03-18", "--actor", "office_manager")
    with pytest.raises(CommandError, match="--told-on: The person must be told before"):
        run(*lift, "--told-on", "2026-03-21", "--actor", "dpo")
    assert Restriction.objects.get().is_active
    assert "lifted: restriction #" in run(*lift, "--told-on", "2026-03-18", "--actor", "dpo")
    assert run("restrictions", rid, "--actor", "office_manager").strip() == "No restriction in force."
    assert len(run_json("restrictions", rid, "--all", "--actor", "office_manager")) == 1


# -- objection ------------------------------------------------------------------------------------


def test_objection_pending_and_decided_by_the_dpo(
    users: dict[str, User], school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "objection")
    rid = str(req.pk)
    assert run(
        "objection", "pending", rid, "--category", "pupil.assessment", "--actor", "office_manager"
    ).startswith("restricted: restriction #")
    decide = [
        "objection", "decide", rid, "--purpose", "statutory_returns", "--processing", "The census",
        "--reasons", "Education Act 1996 s537A.", "--on", "2026-03-25",
    ]  # fmt: skip
    with pytest.raises(CommandError, match="You may not make DPO decisions"):
        run(*decide, "--outcome", "no_right", "--actor", "office_manager")
    with pytest.raises(
        CommandError, match="--outcome: 'Upheld: the processing stops for this pupil' is not open here"
    ):
        run(*decide, "--outcome", "upheld", "--actor", "dpo")
    assert not ObjectionDecision.objects.exists()
    assert run(*decide, "--outcome", "no-right", "--actor", "dpo").startswith(
        "objection decided: No right to object"
    )
    assert Restriction.objects.get().lifted_on is not None


# -- youth-support sharing and consent ------------------------------------------------------------


def test_youth_support_show_choose_apply(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    req = started(
        users["office_manager"],
        school_a,
        teen,
        "youth_support_opt_down",
        requester_kind="parent",
        requester_contact=parent_of_teen,
    )
    rid = str(req.pk)
    shown = run("youth-support", "show", rid, "--on", "2026-03-09", "--actor", "office_manager")
    assert shown.strip() == "youth-support sharing on 2026-03-09: Not yet asked; aged 14, the parent decides"
    with pytest.raises(CommandError, match=r"--decided-by: .* until the 16th birthday a parent decides"):
        run(
            "youth-support",
            "choose",
            rid,
            "--state",
            "full",
            "--decided-by",
            "pupil",
            "--actor",
            "office_manager",
        )
    with pytest.raises(CommandError, match="--contact: No contact with id 999999"):
        run("youth-support", "choose", rid, "--state", "full", "--decided-by", "parent", "--contact", "999999", "--actor", "office_manager")  # fmt: skip
    assert not YouthSupportChoice.objects.exists()
    applied = run_json("youth-support", "apply", rid, "--on", "2026-03-09", "--actor", "office_manager")
    assert (applied["state"], applied["decided_by"]) == ("limited", "parent")
    chosen = run(
        "youth-support", "choose", rid, "--state", "full", "--decided-by", "parent", "--contact",
        str(parent_of_teen.pk), "--on", "2026-03-12", "--actor", "office_manager",
    )  # fmt: skip
    assert chosen.strip() == "recorded: Full sharing (parent, 2026-03-12)"
    with pytest.raises(CommandError, match="You may not see or work on rights requests at this school"):
        run("youth-support", "apply", rid, "--actor", "teacher")


def test_consent_withdrawn(
    users: dict[str, User], school_a: School, child: Pupil, parent_of_child: Any, loaded: Any
) -> None:
    req = started(
        users["office_manager"],
        school_a,
        child,
        "withdraw_consent",
        requester_kind="parent",
        requester_contact=parent_of_child,
    )
    rid = str(req.pk)
    before = events(req)
    with pytest.raises(CommandError, match=r"--purpose: .* does not rest on consent"):
        run("consent-withdrawn", rid, "--purpose", "statutory_returns", "--actor", "office_manager")
    assert events(req) == before
    out = run("consent-withdrawn", rid, "--purpose", "photos_website", "--actor", "office_manager")
    assert out.startswith(
        "consent withdrawn for Photographs on the school website (photos_website); relying on it: "
    )
    assert events(req) == before + 1


@pytest.mark.django_db(transaction=True)  # the command closes its connection at the end
def test_entry_point_exit_codes(
    users: dict[str, User], school_a: School, pupil_a: Pupil, capsys: pytest.CaptureFixture[str]
) -> None:
    req = started(users["office_manager"], school_a, pupil_a, "restriction")
    main(["rights_work", "restrictions", str(req.pk), "--actor", "office_manager", "--format", "json"])
    assert json.loads(capsys.readouterr().out) == []
    with pytest.raises(SystemExit) as exc:
        main(["rights_work", "restrict", str(req.pk), "--ground", "whim", "--actor", "office_manager"])
    assert exc.value.code == 1
    assert "--ground: 'whim' is not one of" in capsys.readouterr().err
    assert not Restriction.objects.exists()


SUBCOMMANDS: list[list[str]] = [
    ["tasks", "list"],
    ["tasks", "suggest"],
    ["tasks", "create", "--system-name", "CCTV", "--assign", "office_manager"],
    ["tasks", "complete", "{id}", "1", "--nothing-found"],
    ["tasks", "cancel", "{id}", "1", "--reason", "x"],
    ["bundle", "build"],
    ["bundle", "list"],
    ["bundle", "download", "{id}", "1", "--pdf", "--output", "{tmp}/x.pdf"],
    ["redactions", "list"],
    ["redactions", "propose"],
    ["redactions", "accept", "{id}", "1"],
    ["redactions", "remove", "{id}", "1"],
    ["redactions", "add", "{id}", "--location", "x", "--text", "x", "--reason", "other"],
    ["redactions", "done"],
    ["rectify", "{id}", "--model", "people.Pupil", "--id", "1", "--field", "legal_surname", "--value", "X"],
    ["recipients"],
    ["erasure", "plan"],
    ["erasure", "apply"],
    ["restrict", "{id}", "--ground", "accuracy"],
    ["lift", "{id}", "1", "--told-on", "2026-03-09", "--reason", "x"],
    ["restrictions"],
    ["objection", "decide", "{id}", "--processing", "x", "--outcome", "upheld", "--reasons", "x"],
    ["objection", "pending"],
    ["youth-support", "show"],
    ["youth-support", "choose", "{id}", "--state", "full", "--decided-by", "school"],
    ["youth-support", "apply"],
    ["consent-withdrawn", "{id}", "--purpose", "x"],
]


def test_every_subcommand_refuses_outsiders_and_teachers(
    users: dict[str, User], school_a: School, pupil_a: Pupil, tmp_path: Path
) -> None:
    req = started(users["school_dpl"], school_a, pupil_a)
    before = (events(req), AuditEvent.objects.count())
    for args in SUBCOMMANDS:
        if "{id}" not in args:
            args = [*args, "{id}"]
        argv = [a.format(id=req.pk, tmp=tmp_path) for a in args]
        with pytest.raises(
            CommandError, match=f"ID: no rights request #{req.pk} at the schools where teacher_b"
        ):
            run(*argv, "--actor", "teacher_b")
        with pytest.raises(CommandError, match="You may not see or work on rights requests at this school"):
            run(*argv, "--actor", "teacher")
    assert (events(req), AuditEvent.objects.count()) == before
    assert not (tmp_path / "x.pdf").exists()
