"""`steward deadline`: text and JSON output, and bad input refused naming the argument."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.organisations.models import Closure, School, Term, Trust


def run(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_text_output() -> None:
    out = run("--kind", "access", "--start", "2026-01-31")
    assert out.splitlines()[0] == "due: 2026-03-02"
    assert "no 31 February" in out and "Saturday" in out


def test_json_output() -> None:
    data = json.loads(run("--kind", "erasure", "--start", "2026-11-25", "--format", "json"))
    assert data["due"] == "2026-12-29"
    assert (data["kind"], data["start"], data["extended"]) == ("erasure", "2026-11-25", False)
    assert "Boxing Day (observed)" in data["rule"] and isinstance(data["steps"], list)


def test_json_extended() -> None:
    data = json.loads(run("--kind", "access", "--start", "2026-01-31", "--extended", "--format", "json"))
    assert (data["due"], data["extended"]) == ("2026-04-30", True)


def test_pauses_both_methods_and_open() -> None:
    base = ["--kind", "access", "--start", "2026-01-05", "--format", "json"]
    suspend = json.loads(run(*base, "--pause", "2026-01-10:2026-01-17"))
    assert (suspend["due"], suspend["paused_days"], suspend["method"]) == ("2026-02-12", 7, "suspend")
    restart = json.loads(run(*base, "--pause", "2026-01-10:2026-01-17", "--pause-method", "restart"))
    assert restart["due"] == "2026-02-17"
    two = json.loads(run(*base, "--pause", "2026-01-06:2026-01-08", "--pause", "2026-01-20:2026-01-23"))
    assert two["due"] == "2026-02-10"
    open_pause = json.loads(run(*base, "--pause", "2026-01-10:"))
    assert (open_pause["due"], open_pause["status"]) == (None, "paused")
    assert run("--kind", "access", "--start", "2026-01-05", "--pause", "2026-01-10:").startswith(
        "due: paused"
    )


def test_exam_marks() -> None:
    data = json.loads(
        run(
            "--kind",
            "exam-marks",
            "--start",
            "2026-06-01",
            "--results-announced",
            "2026-08-20",
            "--format",
            "json",
        )
    )
    assert data["due"] == "2026-09-29"


@pytest.mark.django_db
def test_educational_record(trust: Trust, system: Any) -> None:
    school = School.objects.create(
        trust=trust,
        urn="100003",
        la_code="201",
        estab="2001",
        name="Oakfield Community Primary",
        phase="primary",
        school_type="maintained",
    )
    Term.objects.create(
        school=school,
        academic_year="2026/2027",
        name="Autumn 1",
        start=dt.date(2026, 9, 2),
        end=dt.date(2026, 10, 23),
    )
    Term.objects.create(
        school=school,
        academic_year="2026/2027",
        name="Autumn 2",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 12, 18),
    )
    Closure.objects.create(school=school, date=dt.date(2026, 11, 2), reason="INSET")
    data = json.loads(
        run("--kind", "educational-record", "--start", "2026-10-16", "--school", "100003", "--format", "json")
    )
    assert data["due"] == "2026-11-16"


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (["--kind", "access", "--start", "2026-02-30"], "--start"),
        (["--kind", "access", "--start", "yesterday"], "--start"),
        (["--kind", "subject-access", "--start", "2026-01-01"], "--kind"),
        (["--kind", "educational-record", "--start", "2026-01-01"], "--school"),
        (["--kind", "access", "--start", "2026-01-01", "--format", "xml"], "--format"),
        (["--kind", "access", "--start", "2026-01-01", "--pause", "2026-01-02"], "--pause"),
        (["--kind", "access", "--start", "2026-01-01", "--pause", "2026-01-05:2026-01-02"], "--pause"),
        (["--kind", "access", "--start", "2026-01-01", "--pause-method", "reset"], "--pause-method"),
        (
            ["--kind", "exam-marks", "--start", "2026-01-01", "--results-announced", "soon"],
            "--results-announced",
        ),
    ],
)
def test_bad_input_names_the_argument(args: list[str], argument: str) -> None:
    with pytest.raises(CommandError, match=f"^{argument}:"):
        run(*args)


@pytest.mark.django_db
def test_unknown_urn_and_academy_refused(school_a: School) -> None:
    with pytest.raises(CommandError, match=r"^--school: no school with URN .999999."):
        run("--kind", "educational-record", "--start", "2026-10-16", "--school", "999999")
    with pytest.raises(CommandError, match=r"^--school: .*not a maintained school"):
        run("--kind", "educational-record", "--start", "2026-10-16", "--school", school_a.urn)
    with pytest.raises(CommandError, match=r"^--school: .*add term dates"):
        with_maintained_no_terms(school_a)


def with_maintained_no_terms(school: School) -> None:
    School.objects.filter(pk=school.pk).update(school_type="maintained")
    run("--kind", "educational-record", "--start", "2026-10-16", "--school", school.urn)
