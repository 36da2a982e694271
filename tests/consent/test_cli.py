"""`steward consent record|state|export-photos`: happy paths, refusals exit with the reason and change
nothing, and the actor's scope."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.consent.conftest import TODAY, Family

from steward.accounts.models import User
from steward.consent.models import ConsentEvent
from steward.organisations.models import School, Trust
from steward.records.models import Photograph


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("consent", *args, stdout=out)
    return out.getvalue()


def test_record_then_state(family: Family, school_a: School, users: dict[str, User], tmp_path: Path) -> None:
    scan = tmp_path / "form.pdf"
    scan.write_bytes(b"%PDF-1.4 signed")
    out = run(
        "record",
        "--school",
        school_a.urn,
        "--upn",
        family.pupil.upn,
        "--purpose",
        "trips",
        "--action",
        "grant",
        "--by",
        "parent",
        "--contact",
        str(family.mum.pk),
        "--method",
        "paper",
        "--evidence",
        str(scan),
        "--actor",
        "office_manager",
    )
    assert "consent given for trips" in out and "Now: given" in out
    assert ConsentEvent.objects.get().evidence
    data = json.loads(
        run(
            "state",
            "--school",
            school_a.urn,
            "--upn",
            family.pupil.upn,
            "--format",
            "json",
            "--actor",
            "office_manager",
        )
    )
    trips = next(c for c in data["consents"] if c["purpose"] == "trips")
    assert (trips["state"], trips["effective"]) == ("given", True)
    assert "photos_website: not_asked" in run(
        "state", "--school", school_a.urn, "--upn", family.pupil.upn, "--actor", "office_manager"
    )


def test_a_refusal_exits_with_the_reason_and_changes_nothing(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    with pytest.raises(CommandError, match=r"--by: .*decided by a parent"):
        run(
            "record",
            "--school",
            school_a.urn,
            "--upn",
            family.pupil.upn,
            "--purpose",
            "trips",
            "--action",
            "grant",
            "--by",
            "pupil",
            "--method",
            "paper",
            "--actor",
            "office_manager",
        )
    with pytest.raises(CommandError, match="no school"):
        run("state", "--school", school_a.urn, "--upn", family.pupil.upn, "--actor", "teacher")
    assert not ConsentEvent.objects.exists()


def test_export_photos(family: Family, school_a: School, users: dict[str, User], tmp_path: Path) -> None:
    p = Photograph(pupil=family.pupil, school=school_a, purpose="display", taken_on=TODAY, caption="Art")
    p.image.save("a.jpg", ContentFile(b"\xff\xd8 fictional"), save=False)
    p.save()
    target = tmp_path / "out.zip"
    out = run(
        "export-photos",
        "--school",
        school_a.urn,
        "--use",
        "display",
        "--output",
        str(target),
        "--actor",
        "office_manager",
    )
    assert "Wrote 0 photograph(s)" in out and family.pupil.upn in out
    assert zipfile.ZipFile(target).namelist() == []
    with pytest.raises(CommandError, match="may not export"):
        run(
            "export-photos",
            "--school",
            school_a.urn,
            "--use",
            "display",
            "--output",
            str(target),
            "--actor",
            "dsl",
        )


def test_the_dpo_enters_the_dpia_then_activates_biometrics(
    loaded: object, trust: Trust, users: dict[str, User]
) -> None:
    with pytest.raises(CommandError, match="DPIA"):
        run("purpose", "biometric_catering", "--trust", str(trust.pk), "--active", "yes", "--actor", "dpo")
    with pytest.raises(CommandError):
        run(
            "purpose",
            "biometric_catering",
            "--trust",
            str(trust.pk),
            "--dpia-reference",
            "D-1",
            "--actor",
            "office_manager",
        )
    out = run(
        "purpose",
        "biometric_catering",
        "--trust",
        str(trust.pk),
        "--dpia-reference",
        "DPIA-2026-07",
        "--active",
        "yes",
        "--actor",
        "dpo",
    )
    assert "biometric_catering (active)" in out and "DPIA-2026-07" in out
