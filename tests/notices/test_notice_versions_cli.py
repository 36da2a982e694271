"""`steward notice render | publish | show | diff`, including bad input."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.checker import check_file
from steward.notices.models import NoticeVersion
from steward.organisations.models import School, Trust
from steward.register import services as register_services
from steward.register.models import Purpose, Register


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("notice", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def iso(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def reword_library(actor: Any, trust: Trust, description: str) -> None:
    purpose = Purpose.objects.get(trust=trust, school=None, key="library")
    with acting_as(actor, channel="cli"):
        register_services.purpose_update(actor=actor, purpose=purpose, description=description)


def test_render_writes_every_format_and_the_files_check_complete(
    loaded: Register, school_b: School, tmp_path: Path
) -> None:
    md = run("render", "--school", "100002", "--audience", "parent", "--format", "md", "--on", "2026-09-01")
    assert md.startswith(
        "# Privacy notice for parents and carers: how we use information about pupils and their families\n\n"
        "Last updated 1 September 2026\n\n"
    )
    for fmt in ("md", "txt", "html", "pdf"):
        path = tmp_path / f"notice.{fmt}"
        out = run(
            "render", "--school", "100002", "--audience", "pupil", "--format", fmt, "--output", str(path)
        )
        assert out == ""
        report = check_file(path)
        assert report.complete, (fmt, report.missing, report.problems)
    assert (tmp_path / "notice.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "notice.html").read_text().startswith("<!DOCTYPE html>")
    assert not NoticeVersion.objects.exists()  # rendering changes nothing


def test_render_bad_input_names_the_argument(loaded: Register, school_b: School, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--school: no school with URN '999999'"):
        run("render", "--school", "999999", "--audience", "pupil")
    with pytest.raises(CommandError, match="argument --audience: invalid choice: 'staff'"):
        run("render", "--school", "100002", "--audience", "staff")
    with pytest.raises(CommandError, match="argument --format: invalid choice: 'docx'"):
        run("render", "--school", "100002", "--audience", "pupil", "--format", "docx")
    with pytest.raises(CommandError, match="--output: a PDF cannot be written to the terminal"):
        run("render", "--school", "100002", "--audience", "pupil", "--format", "pdf")
    with pytest.raises(CommandError, match="--output: no such directory"):
        run("render", "--school", "100002", "--audience", "pupil", "--output", str(tmp_path / "no" / "x.md"))
    with pytest.raises(CommandError, match="argument --on: '2026-13-01' is not a date: use YYYY-MM-DD"):
        run("render", "--school", "100002", "--audience", "pupil", "--on", "2026-13-01")


def test_publish_show_and_diff(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any]
) -> None:
    out = run("publish", "--school", "100002", "--audience", "parent", "--actor", "dpo")
    v1 = NoticeVersion.objects.get(number=1)
    assert out == (
        "Published version 1 of the parents and carers notice of Oakfield Secondary (100002), in effect from "
        f"{iso()}; sha256 {v1.content_hash}.\n"
    )
    assert (
        AuditEvent.objects.filter(model="notices.NoticeVersion", actor_label="dpo", channel="cli").count()
        == 1
    )
    reword_library(users["trust_dpo"], trust, "To lend books, e-books and audiobooks to pupils.")
    run(
        "publish", "--school", "100002", "--audience", "parent", "--effective-from", iso(10), "--actor", "dpo"
    )

    shown = run("show", "--school", "100002", "--audience", "parent", "--on", iso(9))
    assert shown.startswith(
        "# Privacy notice for parents and carers: how we use information about pupils and their families\n\n"
        f"Version 1, in effect from {timezone.localdate().day} {timezone.localdate():%B %Y}\n\n"
    )
    assert "to lend books and other resources to pupils and keep track of loans." in shown
    later = run("show", "--school", "100002", "--audience", "parent", "--on", iso(10), "--format", "txt")
    assert "Version 2, in effect from" in later.splitlines()[2]
    assert "- Library: to lend books, e-books and audiobooks to pupils.\n" in later
    html = run("show", "--school", "100002", "--audience", "parent", "--on", iso(10), "--format", "html")
    assert html.startswith("<!DOCTYPE html>") and "e-books and audiobooks" in html

    diff = run("diff", "--school", "100002", "--audience", "parent", "--from", "1", "--to", "2")
    assert diff.splitlines()[:2] == [
        f"--- version 1 (in effect from {iso()})",
        f"+++ version 2 (in effect from {iso(10)})",
    ]
    assert "-- **Library**: to lend books and other resources to pupils and keep track of loans.\n" in diff
    assert "+- **Library**: to lend books, e-books and audiobooks to pupils.\n" in diff
    same = run("diff", "--school", "100002", "--audience", "parent", "--from", "2", "--to", "2")
    assert same == "No differences between version 2 and version 2.\n"


def test_publish_refusals_list_every_reason(
    loaded: Register, trust: Trust, school_b: School, users: dict[str, Any], system: Any
) -> None:
    trust.dpo_email = ""
    trust.save()
    with pytest.raises(CommandError) as excinfo:
        run("publish", "--school", "100002", "--audience", "parent", "--actor", "dpo")
    assert str(excinfo.value) == (
        "not published: 1 reason(s)\n"
        "  - No contact details for the data protection officer: give an email address or telephone number on "
        "the trust (Oakfield Learning Trust) or the school (Oakfield Secondary) record."
    )
    trust.dpo_email = "dpo@oakfield.example.com"
    trust.save()
    run("publish", "--school", "100002", "--audience", "parent", "--actor", "dpo")
    with pytest.raises(
        CommandError, match=r"not published: 1 reason\(s\)\n  - No change: the parents and carers"
    ):
        run("publish", "--school", "100002", "--audience", "parent", "--actor", "dpo")
    with pytest.raises(
        CommandError, match="--actor: Only the data protection officer of Oakfield Learning Trust"
    ):
        run("publish", "--school", "100002", "--audience", "pupil", "--actor", "teacher_b")
    with pytest.raises(CommandError, match="--actor: no user called 'nobody'"):
        run("publish", "--school", "100002", "--audience", "pupil", "--actor", "nobody")
    with pytest.raises(CommandError, match="the following arguments are required: --actor"):
        run("publish", "--school", "100002", "--audience", "pupil")
    with pytest.raises(CommandError, match="argument --effective-from: '1 Sept' is not a date"):
        run(
            "publish",
            "--school",
            "100002",
            "--audience",
            "pupil",
            "--effective-from",
            "1 Sept",
            "--actor",
            "dpo",
        )
    with pytest.raises(CommandError, match="--school: no school with URN '123'"):
        run("publish", "--school", "123", "--audience", "pupil", "--actor", "dpo")
    assert NoticeVersion.objects.count() == 1


def test_show_and_diff_bad_input(loaded: Register, school_b: School, users: dict[str, Any]) -> None:
    with pytest.raises(
        CommandError,
        match=r"--on: no version of the parent notice of Oakfield Secondary \(100002\) was in effect on "
        r"2020-01-01: it has never been published",
    ):
        run("show", "--school", "100002", "--audience", "parent", "--on", "2020-01-01")
    run("publish", "--school", "100002", "--audience", "parent", "--actor", "dpo")
    with pytest.raises(
        CommandError, match=f"in effect on 2020-01-01: the first version took effect on {iso()}"
    ):
        run("show", "--school", "100002", "--audience", "parent", "--on", "2020-01-01")
    with pytest.raises(CommandError, match="argument --on: 'yesterday' is not a date"):
        run("show", "--school", "100002", "--audience", "parent", "--on", "yesterday")
    with pytest.raises(CommandError, match="argument --format: invalid choice: 'pdf'"):
        run("show", "--school", "100002", "--audience", "parent", "--on", iso(), "--format", "pdf")
    with pytest.raises(
        CommandError, match=r"--to: the parent notice of Oakfield Secondary \(100002\) has no version 7"
    ):
        run("diff", "--school", "100002", "--audience", "parent", "--from", "1", "--to", "7")
    with pytest.raises(CommandError, match="argument --from: '0' is not a version number"):
        run("diff", "--school", "100002", "--audience", "parent", "--from", "0", "--to", "1")
