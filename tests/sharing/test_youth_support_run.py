"""The youth-support run (rules §6): who is in it at the 13th and 16th birthdays, what an opt-down limits
the file to, the right passing to the pupil at 16, restrictions, the gate, and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilAddress, PupilContact
from steward.records.models import Post16Destination
from steward.rights.models import Restriction, YouthSupportChoice
from steward.sharing import packages
from steward.sharing.gate import ShareRefused
from steward.sharing.log import disclosures_for, verify_disclosures
from steward.sharing.models import Disclosure, ShareRun
from steward.sharing.youth_support import run_youth_support

D = dt.date
ON = D(2026, 11, 24)  # the run's day; notices are published "today" in the fixture, which must not be later


@pytest.fixture
def published(loaded: Any, school_b: School, dpo: User) -> School:
    """The secondary school (youth-support recipients apply to secondary phases) with its notice out."""
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_b, audience="parent")
    return school_b


def pupil(trust: Trust, school: School, serial: int, dob: dt.date, name: str) -> Pupil:
    p = make_pupil(trust, school, serial, legal_forename=name, date_of_birth=dob, ncy="10")
    PupilAddress.objects.create(
        pupil=p, line1=f"{serial} Orchard Lane", town="Exampleton", postcode="EX1 2AB"
    )
    parent = Contact.objects.create(
        trust=trust,
        forename=f"Parent{serial}",
        surname="Carer",
        email=f"p{serial}@example.com",
        phone_mobile="07700 900123",
    )
    PupilContact.objects.create(pupil=p, contact=parent, relationship="PAM", parental_responsibility=True)
    return p


def rows(run: Any) -> dict[str, dict[str, str]]:
    return {r["forename"]: r for r in csv.DictReader(io.StringIO(run.content.decode()))}


def run(actor: User, school: School, on: dt.date = ON, **kw: Any) -> Any:
    with acting_as(actor, channel="cli"):
        return run_youth_support(actor=actor, school=school, on=on, **kw)


def test_thirteenth_birthday_boundary(published: School, trust: Trust, dpo: User) -> None:
    pupil(trust, published, 1, D(2013, 11, 24), "Turns13Today")
    pupil(trust, published, 2, D(2013, 11, 25), "Turns13Tomorrow")
    result = run(dpo, published)
    assert set(rows(result)) == {"Turns13Today"}
    assert rows(result)["Turns13Today"]["age_group"] == "13-15"


def test_sixteenth_birthday_moves_a_pupil_to_the_16_plus_recipient_with_post16_data(
    published: School, trust: Trust, dpo: User
) -> None:
    sixteen = pupil(trust, published, 3, D(2010, 11, 24), "Turns16Today")
    fifteen = pupil(trust, published, 4, D(2010, 11, 25), "StillFifteen")
    for p in (sixteen, fifteen):
        Post16Destination.objects.create(
            pupil=p, school=published, destination="FE", provider="Exampleton College"
        )
    result = run(dpo, published)
    got = rows(result)
    assert got["Turns16Today"]["age_group"] == "16+"
    assert got["Turns16Today"]["post16_provider"] == "Exampleton College"
    # The 13+ recipient does not receive post-16 data.
    assert got["StillFifteen"]["age_group"] == "13-15"
    assert got["StillFifteen"]["post16_provider"] == ""
    recipients = {d.recipient_key for d in Disclosure.objects.all()}
    assert recipients == {"youth_support_13", "youth_support_16"}
    assert disclosures_for(sixteen.pk).get().recipient_key == "youth_support_16"


def test_29_february_birthday_is_13_on_1_march(published: School, trust: Trust, dpo: User) -> None:
    pupil(trust, published, 5, D(2016, 2, 29), "Leapling")
    assert "Leapling" not in rows(run(dpo, published, on=D(2029, 2, 28)))
    assert "Leapling" in rows(run(dpo, published, on=D(2029, 3, 1)))


def test_opt_down_limits_the_row_to_name_address_and_date_of_birth(
    published: School, trust: Trust, dpo: User
) -> None:
    limited = pupil(trust, published, 6, D(2012, 5, 1), "OptedDown")
    pupil(trust, published, 7, D(2012, 6, 1), "FullShare")
    parent = limited.contact_links.get().contact
    with acting_as(dpo, channel="web"):
        YouthSupportChoice.objects.create(
            pupil=limited, state="limited", decided_by="parent", contact=parent, on=D(2026, 9, 10)
        )
    result = run(dpo, published)
    got = rows(result)
    basic = {"forename", "preferred_forename", "surname", "date_of_birth"} | {
        "address_line1",
        "address_line2",
        "town",
        "county",
        "postcode",
    }
    fixed = {"school_urn", "age_group", "sharing"}
    filled = {k for k, v in got["OptedDown"].items() if v}
    assert got["OptedDown"]["sharing"] == "limited"
    assert filled <= basic | fixed, filled - basic - fixed
    assert got["OptedDown"]["date_of_birth"] == "2012-05-01" and got["OptedDown"]["postcode"] == "EX1 2AB"
    assert got["FullShare"]["contact1_email"] == "p7@example.com"
    assert got["OptedDown"]["contact1_email"] == ""
    row = disclosures_for(limited.pk).get()
    assert row.limited and "contact1_email" not in row.fields
    assert result.counts() == {"included": 1, "limited": 1, "excluded": 0}
    # UPNs are not in the default register's youth-support categories: never sent.
    assert "upn" not in result.headers


def test_a_parents_opt_down_carries_over_the_16th_birthday_until_the_pupil_decides(
    published: School, trust: Trust, dpo: User
) -> None:
    p = pupil(trust, published, 8, D(2010, 11, 1), "NowSixteen")
    with acting_as(dpo, channel="web"):
        YouthSupportChoice.objects.create(
            pupil=p,
            state="limited",
            decided_by="parent",
            contact=p.contact_links.get().contact,
            on=D(2025, 1, 10),
        )
    assert rows(run(dpo, published))["NowSixteen"]["sharing"] == "limited"
    with acting_as(dpo, channel="web"):
        YouthSupportChoice.objects.create(pupil=p, state="full", decided_by="pupil", on=D(2026, 11, 20))
    assert rows(run(dpo, published))["NowSixteen"]["sharing"] == "full"


def test_a_restricted_pupil_is_left_out_with_the_reason(published: School, trust: Trust, dpo: User) -> None:
    p = pupil(trust, published, 9, D(2012, 1, 1), "Restricted")
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(pupil=p, categories=[], ground="accuracy", started_on=D(2026, 11, 1))
    result = run(dpo, published)
    assert "Restricted" not in rows(result)
    outcome = next(o for o in result.outcomes if o.pupil_id == p.pk)
    assert outcome.status == "excluded" and "restricted" in outcome.reason.lower()
    assert not disclosures_for(p.pk).exists()


def test_a_refused_run_writes_nothing(
    loaded: Any, trust: Trust, school_b: School, dpo: User, tmp_path: Path
) -> None:
    # School B has no published notice: the gate refuses, no file, no log.
    pupil(trust, school_b, 10, D(2012, 1, 1), "NoNotice")
    out = tmp_path / "yss.csv"
    with pytest.raises(ShareRefused):
        run(dpo, school_b, deliver=out.write_bytes)
    assert not out.exists()
    assert not ShareRun.objects.exists() and not Disclosure.objects.exists()


def test_failed_delivery_rolls_the_log_back(published: School, trust: Trust, dpo: User) -> None:
    pupil(trust, published, 11, D(2012, 1, 1), "Undelivered")

    def broken(content: bytes) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        run(dpo, published, deliver=broken)
    assert not Disclosure.objects.exists()


def test_cli_writes_the_file_and_prints_the_summary(
    published: School, trust: Trust, dpo: User, tmp_path: Path, capsys: Any
) -> None:
    pupil(trust, published, 12, D(2012, 3, 3), "ViaCli")
    out = tmp_path / "yss.zip"
    call_command(
        "share",
        "youth-services",
        "--school",
        published.urn,
        "--on",
        "2026-11-24",
        "--output",
        str(out),
        "--actor",
        dpo.username,
        "--summary",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"included": 1, "limited": 0, "excluded": 0}
    # The file leaves only as an AES-256 encrypted package; the passphrase is printed once.
    assert b"ViaCli" not in out.read_bytes()
    (csv_bytes,) = packages.read(out.read_bytes(), data["passphrase"]).values()
    assert b"ViaCli" in csv_bytes
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "share",
            "youth-services",
            "--school",
            published.urn,
            "--on",
            "2026-11-24",
            "--output",
            str(out),
            "--actor",
            dpo.username,
        )
    assert verify_disclosures().ok
    with pytest.raises(CommandError, match="--on"):
        call_command(
            "share",
            "youth-services",
            "--school",
            published.urn,
            "--on",
            "24/11/2026",
            "--output",
            str(out),
            "--actor",
            dpo.username,
        )
    with pytest.raises(CommandError, match="no school"):
        call_command(
            "share",
            "youth-services",
            "--school",
            "999999",
            "--on",
            "2026-11-24",
            "--output",
            str(out),
            "--actor",
            dpo.username,
        )
