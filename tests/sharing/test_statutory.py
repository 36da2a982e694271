"""Statutory returns: a census-style extract checked by the gate, minimised by the register, logged per pupil."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import FSMPeriod, Pupil
from steward.records.models import AttendanceMark, Exclusion, SENProvision
from steward.rights.models import Restriction
from steward.sharing import packages
from steward.sharing.gate import ShareRefused
from steward.sharing.log import disclosures_for
from steward.sharing.models import Disclosure
from steward.sharing.statutory import academic_year_start, statutory_extract

TODAY = timezone.localdate()
D = dt.date


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    return school_a


def rows(extract: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(extract.content.decode())))


def run(actor: User, school: School, recipient: str = "dfe", **kw: Any) -> Any:
    with acting_as(actor, channel="cli"):
        return statutory_extract(actor=actor, school=school, recipient_key=recipient, on=TODAY, **kw)


def test_academic_year_start() -> None:
    assert academic_year_start(D(2026, 8, 31)) == D(2025, 9, 1)
    assert academic_year_start(D(2026, 9, 1)) == D(2026, 9, 1)


def test_the_extract_counts_attendance_fsm_sen_and_exclusions(
    published: School, pupil_a: Pupil, dpo: User
) -> None:
    start = academic_year_start(TODAY)
    with acting_as(dpo, channel="web"):
        FSMPeriod.objects.create(pupil=pupil_a, start_date=start)
        SENProvision.objects.create(pupil=pupil_a, school=published, provision="K", start_date=start)
        day = start + dt.timedelta(days=1)
        for session, code in [("AM", "/"), ("PM", "I"), ("AM", "O"), ("PM", "#")]:
            AttendanceMark.objects.create(
                pupil=pupil_a, school=published, date=day, session=session, code=code
            )
            if session == "PM":
                day += dt.timedelta(days=1)
        Exclusion.objects.create(
            pupil=pupil_a,
            school=published,
            kind="SUSP",
            start_date=start + dt.timedelta(days=3),
            sessions=4,
            reason="PD",
        )
    extract = run(dpo, published)
    (row,) = rows(extract)
    assert row["upn"] == pupil_a.upn and row["fsm_eligible"] == "true" and row["sen_provision"] == "K"
    # "#" (planned closure) is not a possible session; I is authorised, O unauthorised.
    assert (
        row["sessions_possible"],
        row["sessions_authorised_absence"],
        row["sessions_unauthorised_absence"],
    ) == (
        "3",
        "1",
        "1",
    )
    assert (row["exclusions"], row["exclusion_sessions"]) == ("1", "4")
    d = disclosures_for(pupil_a.pk).get()
    assert d.recipient_key == "dfe" and d.run.kind == "statutory"
    assert "sessions_possible" in d.fields


def test_columns_follow_the_recipients_register_categories(
    published: School, pupil_a: Pupil, dpo: User
) -> None:
    # The local authority's register row has no assessment or language: the extract for it has no
    # first_language column; the DfE's has.
    la = rows(run(dpo, published, "local_authority"))[0]
    dfe = rows(run(dpo, published, "dfe"))[0]
    assert "first_language" in dfe and "first_language" not in la
    assert "uln" in dfe  # identifiers are in both


def test_a_restricted_pupil_is_left_out_and_not_logged(
    published: School, trust: Trust, pupil_a: Pupil, dpo: User
) -> None:
    other = make_pupil(trust, published, 61)
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(
            pupil=pupil_a, categories=["pupil.attendance"], ground="accuracy", started_on=TODAY
        )
    extract = run(dpo, published)
    assert [r["upn"] for r in rows(extract)] == [other.upn]
    assert pupil_a.pk in extract.excluded and not disclosures_for(pupil_a.pk).exists()


def test_refused_without_a_notice_or_permission(
    loaded: Any, school_b: School, pupil_a: Pupil, users: dict[str, User], dpo: User, published: School
) -> None:
    with pytest.raises(ShareRefused):
        run(dpo, school_b)
    with pytest.raises(PermissionDenied):
        run(users["teacher"], published)
    assert not Disclosure.objects.exists()


def test_cli(published: School, pupil_a: Pupil, dpo: User, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "census.zip"
    call_command(
        "share",
        "statutory",
        "--school",
        published.urn,
        "--recipient",
        "dfe",
        "--on",
        TODAY.isoformat(),
        "--output",
        str(out),
        "--actor",
        dpo.username,
    )
    printed = capsys.readouterr().out
    assert "1 pupils" in printed
    passphrase = next(
        line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("Passphrase: ")
    )
    (content,) = packages.read(out.read_bytes(), passphrase).values()
    assert pupil_a.upn.encode() in content and pupil_a.upn.encode() not in out.read_bytes()
    with pytest.raises(CommandError, match="--from"):
        call_command(
            "share",
            "statutory",
            "--school",
            published.urn,
            "--recipient",
            "dfe",
            "--on",
            TODAY.isoformat(),
            "--from",
            "soon",
            "--output",
            str(out),
            "--actor",
            dpo.username,
        )
    with pytest.raises(CommandError, match="Refused"):
        call_command(
            "share",
            "statutory",
            "--school",
            published.urn,
            "--recipient",
            "acme",
            "--on",
            TODAY.isoformat(),
            "--output",
            str(tmp_path / "x.csv"),
            "--actor",
            dpo.username,
        )
    assert not (tmp_path / "x.csv").exists()
