"""`steward rights`: list, show, log, every action; refusals exit non-zero naming the reason, change nothing."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.rights.conftest import ON, draft, log

from steward.__main__ import main
from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Contact, Pupil
from steward.rights.models import EventKind, RequestEvent, RightsRequest

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("rights", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--format", "json"))


def state(pk: int) -> tuple[str, int]:
    return RightsRequest.objects.get(pk=pk).status, RequestEvent.objects.filter(request_id=pk).count()


def log_args(pupil: Pupil, *extra: str) -> list[str]:
    return [
        "log",
        "--school",
        "100001",
        "--upn",
        pupil.upn,
        "--kind",
        "access",
        "--requester",
        "pupil",
        "--received",
        ON.isoformat(),
        "--channel",
        "email",
        "--description",
        "Everything you hold about me.",
        "--actor",
        "school_dpl",
        *extra,
    ]


# -- log ----------------------------------------------------------------------------------------


def test_log_asks_for_id_and_assigns_audited_as_the_actor(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    out = run(*log_args(pupil_a, "--identity-required", "--assign", "office_manager"))
    req = RightsRequest.objects.get()
    assert out.startswith(f"logged: request #{req.pk} is awaiting identity (due 2026-04-07, overdue by ")
    assert (req.status, req.assigned_to, req.created_by) == (
        "awaiting_identity",
        users["office_manager"],
        users["school_dpl"],
    )
    kinds = list(req.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["logged", "identity_requested", "status_change", "assigned"]
    event = AuditEvent.objects.get(model="rights.RightsRequest", action="create")
    assert (event.actor_id, event.channel) == (users["school_dpl"].pk, "cli")


def test_log_refuses_unknown_school_upn_contact_and_user(
    users: dict[str, User], school_a: School, pupil_a: Pupil, pupil_b: Pupil
) -> None:
    with pytest.raises(CommandError, match="--school: no school with URN 999999 among school_dpl's schools"):
        run(*log_args(pupil_a)[:2], "999999", *log_args(pupil_a)[3:])
    with pytest.raises(
        CommandError, match=r"--upn: no pupil with UPN .* on the register of Oakfield Primary \(100001\)"
    ):
        run(*log_args(pupil_b))  # pupil B is at school B
    with pytest.raises(CommandError, match="--contact: no contact with id 999999 in Oakfield Learning Trust"):
        run(*log_args(pupil_a, "--contact", "999999"))
    with pytest.raises(CommandError, match="--assign: no active user called 'nobody'"):
        run(*log_args(pupil_a, "--assign", "nobody"))
    with pytest.raises(CommandError, match="--kind: 'gossip' is not one of: access, educational_record"):
        run(*[("gossip" if a == "access" else a) for a in log_args(pupil_a)])
    with pytest.raises(CommandError, match="--received: '5 March' is not a date"):
        run(*[("5 March" if a == ON.isoformat() else a) for a in log_args(pupil_a)])
    with pytest.raises(CommandError, match="--actor: no user called 'ghost'"):
        run(*log_args(pupil_a)[:-2], "--actor", "ghost")
    with pytest.raises(CommandError, match="You may not log or progress rights requests at this school"):
        run(*log_args(pupil_a)[:-2], "--actor", "teacher")
    assert RightsRequest.objects.count() == 0


def test_log_refuses_a_duplicate_unless_allowed_with_a_reason(
    users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    run(*log_args(pupil_a))
    first = RightsRequest.objects.get()
    with pytest.raises(CommandError) as exc:
        run(*log_args(pupil_a))
    message = str(exc.value)
    assert message.startswith(
        f"--kind: Request #{first.pk} (access (subject access request), received 5 March 2026)"
    )
    assert message.endswith("(to log it anyway: --allow-duplicate --duplicate-reason REASON)")
    with pytest.raises(CommandError, match="--duplicate-reason: Say why"):
        run(*log_args(pupil_a, "--allow-duplicate"))
    run(*log_args(pupil_a, "--allow-duplicate", "--duplicate-reason", "A second letter."))
    assert RightsRequest.objects.order_by("pk").last().duplicate_of == first  # type: ignore[union-attr]


def test_third_party_with_written_authority_file(
    users: dict[str, User], school_a: School, teen: Pupil, tmp_path: Path
) -> None:
    args = [a if a != "pupil" else "third_party" for a in log_args(teen)]
    with pytest.raises(CommandError, match="--authority: A third party needs the written authority"):
        run(*args, "--requester-name", "Smith & Co Solicitors")
    with pytest.raises(CommandError, match=r"--authority: cannot read .*missing\.pdf"):
        run(*args, "--requester-name", "Smith & Co Solicitors", "--authority", str(tmp_path / "missing.pdf"))
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 signed authority")
    run(*args, "--requester-name", "Smith & Co Solicitors", "--authority", str(letter))
    req = RightsRequest.objects.get()
    assert req.requester_name == "Smith & Co Solicitors"
    assert req.authority.name.startswith(f"rights/{school_a.pk}/authority/") and req.authority.name.endswith(
        ".pdf"
    )
    assert req.authority.read() == b"%PDF-1.4 signed authority"


# -- list and show ------------------------------------------------------------------------------


def test_list_and_show(
    users: dict[str, User], school_a: School, school_b: School, pupil_a: Pupil, pupil_b: Pupil
) -> None:
    old = log(users["school_dpl"], school_a, pupil_a)
    new = log(users["school_dpl"], school_a, pupil_a, kind="erasure", received_on=timezone.localdate())
    other = log(users["trust_dpo"], school_b, pupil_b)
    run("move", str(old.pk), "--to", "withdrawn", "--note", "By phone.", "--actor", "school_dpl")
    lines = run("list", "--actor", "school_dpl").splitlines()
    assert [line.split()[0] for line in lines] == [f"#{new.pk}", f"#{old.pk}"]
    assert "days left)" in lines[0] and "Alex Testpupil1 (100001)" in lines[0]
    assert [i["id"] for i in run_json("list", "--open", "--actor", "school_dpl")] == [new.pk]
    assert [i["id"] for i in run_json("list", "--school", "100002", "--actor", "dpo")] == [other.pk]
    item = run_json("list", "--open", "--actor", "school_dpl")[0]
    assert item["due"] == (dt.date.fromisoformat(item["due"])).isoformat()
    assert item["days_left"] == (dt.date.fromisoformat(item["due"]) - timezone.localdate()).days
    with pytest.raises(CommandError, match="--school: no school with URN 100002 among school_dpl's schools"):
        run("list", "--school", "100002", "--actor", "school_dpl")
    assert run("list", "--actor", "teacher") == "No requests.\n"

    text = run("show", str(new.pk), "--actor", "school_dpl")
    assert text.startswith(f"Request #{new.pk}: Erasure, received (due ")
    assert "1 calendar month from" in text and "log:" in text and "Request logged" in text
    data = run_json("show", str(old.pk), "--actor", "school_dpl")
    assert (data["status"], data["outcome_reason"]) == ("withdrawn", "By phone.")
    assert [e["kind"] for e in data["events"]] == ["logged", "status_change"]
    assert data["deadline"]["state"] == "closed"
    view = AuditEvent.objects.filter(model="rights.RightsRequest", action="view").last()
    assert view is not None and (view.channel, view.actor_id) == ("cli", users["school_dpl"].pk)


def test_unknown_or_unreachable_request(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    with pytest.raises(
        CommandError, match="ID: no rights request #999999 at the schools where school_dpl works"
    ):
        run("show", "999999", "--actor", "school_dpl")
    with pytest.raises(
        CommandError, match=f"ID: no rights request #{req.pk} at the schools where teacher_b works"
    ):
        run("move", str(req.pk), "--to", "in_progress", "--actor", "teacher_b")
    with pytest.raises(CommandError, match="You may not see or work on rights requests at this school"):
        run("move", str(req.pk), "--to", "in_progress", "--actor", "teacher")
    assert state(req.pk) == ("received", 1)


# -- actions ------------------------------------------------------------------------------------


def test_every_action(users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact) -> None:
    req = log(users["school_dpl"], school_a, teen, requester_kind="parent", requester_contact=parent_of_teen)
    pk = str(req.pk)

    def act(*args: str, actor: str = "school_dpl") -> str:
        return run(args[0], pk, *args[1:], "--actor", actor)

    assert act("assign", "--to", "office_manager", "--on", "2026-03-05").startswith(
        f"assign: request #{pk} is received"
    )
    act("assign", "--nobody")
    assert act("identity-requested", "--note", "Photo ID.", "--on", "2026-03-05").startswith(
        f"identity-requested: request #{pk} is awaiting identity"
    )
    act("identity-verified", "--method", "passport seen", "--evidence", "UK passport", "--on", "2026-03-09")
    act("fee", "--decision", "fee", "--amount", "10.00", "--reason", "Repeat request.", "--on", "2026-03-09")
    act("fee-received", "--on", "2026-03-10")
    assert act("clarify", "--note", "Which years?", "--on", "2026-03-11") == (
        f"clarify: request #{pk} is awaiting clarification (clock paused: no due date until the clarification arrives)\n"
    )
    act("clarified", "--note", "2024 onwards.", "--on", "2026-03-13")
    extended = json.loads(
        act("extend", "--reason", "Numerous records.", "--on", "2026-03-16", "--format", "json", actor="dpo")
    )
    assert (extended["deadline"]["extended"], extended["extension_told_on"]) == (True, "2026-03-16")
    act("competence", "--outcome", "not-competent", "--note", "Not yet.", "--on", "2026-03-16")
    act("pupil-view", "--view", "not-asked", "--note", "Not competent.", "--on", "2026-03-16")
    act(
        "dpo-decision",
        "--decision",
        "release",
        "--reasons",
        "Routine records.",
        "--on",
        "2026-03-17",
        actor="dpo",
    )
    act("move", "--to", "awaiting-review", "--on", "2026-03-18")  # hyphens accepted for underscores
    draft(users["school_dpl"], req, channel="cli")
    act("move", "--to", "ready", "--note", "Reviewed.", "--on", "2026-03-18")
    act("note", "--note", "Called the parent.", "--on", "2026-03-19")
    fresh = RightsRequest.objects.get(pk=req.pk)
    assert (fresh.status, fresh.clock_started_on, fresh.fee_amount) == ("ready", dt.date(2026, 3, 10), 10)
    c = fresh.competence
    assert (c.outcome, c.pupil_view, c.dpo_decision, c.dpo_decided_by) == (
        "not_competent",
        "not_asked",
        "release",
        users["trust_dpo"],
    )
    kinds = set(fresh.events.values_list("kind", flat=True))
    assert {
        EventKind.ASSIGNED,
        EventKind.IDENTITY_REQUESTED,
        EventKind.IDENTITY_VERIFIED,
        EventKind.CLARIFICATION_ASKED,
        EventKind.CLARIFICATION_RECEIVED,
        EventKind.FEE_DECIDED,
        EventKind.FEE_RECEIVED,
        EventKind.EXTENSION_DECIDED,
        EventKind.COMPETENCE_ASSESSED,
        EventKind.PUPIL_VIEW_RECORDED,
        EventKind.DPO_DECISION,
        EventKind.NOTE,
    } <= kinds
    assert set(AuditEvent.objects.filter(model="rights.RequestEvent").values_list("channel", flat=True)) >= {
        "cli"
    }


def test_release_a_reviewed_rectification(users: dict[str, User], school_a: School, pupil_a: Pupil) -> None:
    req = log(users["school_dpl"], school_a, pupil_a, kind="rectification")
    for to in ("in_progress", "awaiting_review"):
        run("move", str(req.pk), "--to", to, "--actor", "school_dpl")
    run("move", str(req.pk), "--to", "ready", "--note", "Corrections checked.", "--actor", "school_dpl")
    out = run("release", str(req.pk), "--method", "letter", "--on", "2026-03-20", "--actor", "school_dpl")
    assert out == f"release: request #{req.pk} is released\n"
    fresh = RightsRequest.objects.get(pk=req.pk)
    assert (fresh.released_on, fresh.released_to, fresh.release_method) == (
        dt.date(2026, 3, 20),
        "Alex Testpupil1",
        "letter",
    )


def test_refusals_name_the_reason_and_change_nothing(
    users: dict[str, User], school_a: School, teen: Pupil, parent_of_teen: Contact
) -> None:
    req = log(users["school_dpl"], school_a, teen, requester_kind="parent", requester_contact=parent_of_teen)
    before = state(req.pk)
    pk = str(req.pk)
    with pytest.raises(
        CommandError,
        match=r"^refused \(transition_not_allowed\): A request that is received cannot move to ready",
    ):
        run("move", pk, "--to", "ready", "--actor", "school_dpl")
    with pytest.raises(CommandError, match=r"^refused \(reason_required\)"):
        run("move", pk, "--to", "refused", "--actor", "school_dpl")
    with pytest.raises(CommandError) as exc:
        run("release", pk, "--method", "post", "--actor", "school_dpl")
    assert str(exc.value).startswith("refused (not_ready): nothing was released:\n  - [not_ready] ")
    assert "\n  - [pupil_view_or_dpo_decision_required] " in str(exc.value)
    with pytest.raises(
        CommandError, match="You may not make DPO decisions on rights requests at this school"
    ):
        run("extend", pk, "--reason", "Complex.", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--to: 'lost' is not one of"):
        run("move", pk, "--to", "lost", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--on: 'yesterday' is not a date"):
        run("note", pk, "--note", "x", "--on", "yesterday", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--amount: 'ten' is not an amount"):
        run("fee", pk, "--decision", "fee", "--amount", "ten", "--actor", "school_dpl")
    with pytest.raises(CommandError, match="--note: Write the note"):
        run("note", pk, "--note", " ", "--actor", "school_dpl")
    assert state(req.pk) == before


# -- the `steward` entry point ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the command closes its connection at the end
def test_entry_point_exit_codes(
    users: dict[str, User], school_a: School, pupil_a: Pupil, capsys: pytest.CaptureFixture[str]
) -> None:
    req = log(users["school_dpl"], school_a, pupil_a)
    main(["rights", "list", "--actor", "school_dpl", "--format", "json"])
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [req.pk]
    with pytest.raises(SystemExit) as exit_info:
        main(["rights", "move", str(req.pk), "--to", "ready", "--actor", "school_dpl"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "refused (transition_not_allowed): A request that is received cannot move to ready" in err
    assert state(req.pk) == ("received", 1)
