"""`steward register load-defaults` and `steward register show`."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.register.models import Purpose, Register


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("register", *args, stdout=out)
    return out.getvalue()


def test_load_defaults_as_the_dpo_is_audited_as_them(trust: Trust, users: dict[str, Any]) -> None:
    out = _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo")
    assert out == "Loaded the default register 2026.2 into Oakfield Learning Trust (new).\n"
    assert Purpose.objects.filter(trust=trust).count() == 17
    created = AuditEvent.objects.filter(model="register.Purpose", action="create")
    assert created.count() == 17
    assert set(created.values_list("actor_label", "channel")) == {("dpo", "cli")}
    assert (
        AuditEvent.objects.get(model="register.Register", action="import").actor_id == users["trust_dpo"].pk
    )


def test_load_defaults_twice_is_refused_unless_replace(trust: Trust, users: dict[str, Any]) -> None:
    _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo")
    with pytest.raises(
        CommandError, match=r"already has a register \(loaded from the default register 2026.2\)"
    ):
        _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo")
    out = _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo", "--replace")
    assert (
        out
        == "Loaded the default register 2026.2 into Oakfield Learning Trust (replacing the previous one).\n"
    )
    assert Register.objects.filter(trust=trust).count() == 1


def test_load_defaults_refuses_other_roles_unknown_trusts_and_actors(
    trust: Trust, users: dict[str, Any]
) -> None:
    with pytest.raises(CommandError, match="teacher may not change the register of Oakfield Learning Trust"):
        _run("load-defaults", "--trust", str(trust.pk), "--actor", "teacher")
    with pytest.raises(CommandError, match="--trust: no trust with id 999999"):
        _run("load-defaults", "--trust", "999999", "--actor", "dpo")
    with pytest.raises(CommandError, match="--actor: no user called 'nobody'"):
        _run("load-defaults", "--trust", str(trust.pk), "--actor", "nobody")
    assert not Register.objects.exists()


def test_show_prints_the_register_and_its_problems_without_an_actor(
    trust: Trust, users: dict[str, Any], school_b: School
) -> None:
    _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo")
    md = _run("show", "--school", "100002")
    assert md.startswith("# Register of processing: Oakfield Secondary (100002)\n")
    assert "## Problems\n\nNone: a complete notice can be compiled.\n" in md
    assert "- youth support 13+: yes\n" in md and "- National Pupil Database: yes\n" in md
    assert "### Keep children safe (`keep_safe`)" in md
    assert (
        "| Attendance register entries | `pupil.attendance` | the date of the entry + 6 years, then secure disposal | confirmed |"
        in md
    )
    data = json.loads(_run("show", "--school", "100002", "--format", "json", "--check"))
    assert (data["school_urn"], data["defaults_version"]) == ("100002", "2026.2")
    assert data["flags"]["youth_support_16"] is True
    assert [p["key"] for p in data["purposes"]][:3] == [
        "support_learning",
        "monitor_progress",
        "pastoral_care",
    ]
    assert {p["severity"] for p in data["problems"]} == {"advice"}


def test_show_check_fails_when_a_notice_would_be_incomplete(trust: Trust, school_a: School) -> None:
    with pytest.raises(CommandError, match=r"1 problem\(s\): a complete notice cannot be compiled yet."):
        _run("show", "--school", "100001", "--check")
    with pytest.raises(CommandError, match="--school: no school with URN 999999"):
        _run("show", "--school", "999999")


def test_the_console_entry_point_runs_show(
    trust: Trust, users: dict[str, Any], school_a: School, capsys: Any
) -> None:
    from steward.__main__ import main

    _run("load-defaults", "--trust", str(trust.pk), "--actor", "dpo")
    main(["register", "show", "--school", "100001"])
    out = capsys.readouterr().out
    assert "# Register of processing: Oakfield Primary (100001)" in out
    assert "- youth support 13+: no" in out
