"""`steward adhoc`: log a request, decide it as the DPO (the disclosed data written only as an encrypted
package, the passphrase printed once), list; refusals exit 1 with the reason and change nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import pyzipper
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.sharing.models import AdHocRequest, Disclosure, ShareRun

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def published(loaded: Any, school_a: School, dpo: User) -> School:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_a, audience="parent")
    return school_a


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("adhoc", *args, stdout=out)
    return out.getvalue()


def log_args(
    pupil: Pupil, *extra: str, exemption: str = "sch2_para2", actor: str = "office_manager"
) -> list[str]:
    return [
        "log",
        "--school", "100001",
        "--recipient", "police_courts",
        "--organisation", "Exampleshire Police",
        "--requester", "DC Example",
        "--reference", "DP-2026-0042",
        "--received", TODAY.isoformat(),
        "--upn", pupil.upn,
        "--asked-for", "Identity and attendance for an investigation near the school.",
        "--purpose", "investigate_crime",
        "--basis", "legal_obligation",
        "--exemption", exemption,
        "--actor", actor,
        *extra,
    ]  # fmt: skip


def logged(pupil: Pupil, **kw: Any) -> AdHocRequest:
    data = json.loads(run(*log_args(pupil, "--format", "json", **kw)))
    return AdHocRequest.objects.get(pk=data["id"])


def decide_args(req: AdHocRequest, *extra: str, actor: str = "dpo") -> list[str]:
    return [
        "decide", str(req.pk),
        "--decision", "disclosed",
        "--reasons", "Sch 2 para 2 applies: not disclosing would prejudice the investigation.",
        "--category", "pupil.identity",
        "--actor", actor,
        *extra,
    ]  # fmt: skip


def test_log_then_decide_writes_an_encrypted_package_and_prints_the_passphrase_once(
    published: School, pupil_a: Pupil, tmp_path: Path
) -> None:
    text = run(*log_args(pupil_a))
    req = AdHocRequest.objects.get()
    assert f"Logged ad-hoc request #{req.pk} from Exampleshire Police about 1 pupil(s)" in text
    assert (req.decision, req.logged_by.username if req.logged_by else None) == ("pending", "office_manager")
    assert AuditEvent.objects.filter(model="sharing.AdHocRequest", action="create", channel="cli").exists()

    target = tmp_path / "to-police.zip"
    text = run(*decide_args(req, "--output", str(target)))
    passphrase = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Passphrase: "))
    assert "by another channel" in text and str(target) in text
    data = target.read_bytes()
    assert pupil_a.upn.encode() not in data and passphrase.encode() not in data
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        zf.setpassword(passphrase.encode())
        sent = json.loads(zf.read(f"disclosure-{req.pk}.json"))
    assert set(sent) == {pupil_a.upn}
    req.refresh_from_db()
    assert (req.decision, req.approved_by.username if req.approved_by else None) == ("disclosed", "dpo")
    row = Disclosure.objects.get()
    assert (row.pupil_ref, row.recipient_key, row.channel) == (pupil_a.pk, "police_courts", "cli")
    assert passphrase not in json.dumps(ShareRun.objects.get().summary)


def test_list_in_text_and_json_filtered_by_school_and_decision(
    published: School, pupil_a: Pupil, tmp_path: Path
) -> None:
    assert "No ad-hoc disclosure requests." in run("list", "--actor", "dpo")
    req = logged(pupil_a)
    # Staff of another school see none of them.
    assert "No ad-hoc disclosure requests." in run("list", "--actor", "teacher_b")
    assert f"#{req.pk}" in run("list", "--actor", "dpo") and "PENDING" in run(
        "list", "--school", "100001", "--actor", "dpo"
    )
    rows = json.loads(run("list", "--format", "json", "--actor", "dpo"))
    assert [(r["id"], r["decision"], r["pupils"], r["school"]) for r in rows] == [
        (req.pk, "pending", 1, "100001")
    ]
    assert json.loads(run("list", "--school", "100002", "--format", "json", "--actor", "dpo")) == []
    run("decide", str(req.pk), "--decision", "refused", "--reasons", "Not necessary.", "--actor", "dpo")
    assert json.loads(run("list", "--decision", "pending", "--format", "json", "--actor", "dpo")) == []
    (refused,) = json.loads(run("list", "--decision", "refused", "--format", "json", "--actor", "dpo"))
    assert (refused["decision"], refused["approved_by"], refused["run"]) == ("refused", "dpo", None)
    with pytest.raises(CommandError, match="no school with URN 999999"):
        run("list", "--school", "999999", "--actor", "dpo")


def test_a_gate_refusal_exits_with_the_code_and_writes_nothing(
    published: School, pupil_a: Pupil, tmp_path: Path
) -> None:
    req = logged(pupil_a, exemption="none")
    target = tmp_path / "refused.zip"
    with pytest.raises(CommandError, match=r"Refused by the sharing gate.*\[purpose_not_covered\]"):
        run(*decide_args(req, "--output", str(target)))
    assert not target.exists() and not Disclosure.objects.exists() and not ShareRun.objects.exists()
    req.refresh_from_db()
    assert req.decision == "pending"


def test_only_the_dpo_decides(published: School, pupil_a: Pupil, tmp_path: Path) -> None:
    req = logged(pupil_a)
    target = tmp_path / "x.zip"
    with pytest.raises(CommandError, match="Not decided"):
        run(*decide_args(req, "--output", str(target), actor="office_manager"))
    with pytest.raises(CommandError, match="Not decided"):
        run(*decide_args(req, "--output", str(target), actor="teacher_b"))  # outside the school
    assert not target.exists() and AdHocRequest.objects.get().decision == "pending"
    assert not Disclosure.objects.exists()


def test_bad_input_is_refused_naming_the_option(
    published: School, pupil_a: Pupil, pupil_b: Pupil, tmp_path: Path, users: dict[str, User]
) -> None:
    with pytest.raises(CommandError, match="--upn: not pupils of Oakfield Primary"):
        run(*log_args(pupil_b))
    with pytest.raises(CommandError, match="--school: no school"):
        run(*[("999999" if a == "100001" else a) for a in log_args(pupil_a)])
    with pytest.raises(CommandError, match="--received"):
        run(*[("24/11/2026" if a == TODAY.isoformat() else a) for a in log_args(pupil_a)])
    with pytest.raises(CommandError, match="lawful_basis"):
        run(*[("whim" if a == "legal_obligation" else a) for a in log_args(pupil_a)])
    with pytest.raises(CommandError, match="You may not log"):
        run(*log_args(pupil_a, actor="teacher"))
    with pytest.raises(CommandError, match="--actor: no user"):
        run(*log_args(pupil_a, actor="nobody"))
    assert not AdHocRequest.objects.exists()

    req = logged(pupil_a)
    with pytest.raises(CommandError, match="--output: say where"):
        run(*decide_args(req))
    existing = tmp_path / "already.zip"
    existing.write_bytes(b"earlier")
    with pytest.raises(CommandError, match="already exists"):
        run(*decide_args(req, "--output", str(existing)))
    with pytest.raises(CommandError, match="does not exist"):
        run(*decide_args(req, "--output", str(tmp_path / "missing" / "x.zip")))
    with pytest.raises(CommandError, match="No ad-hoc request #999999"):
        run("decide", "999999", "--decision", "refused", "--reasons", "r", "--actor", "dpo")
    with pytest.raises(CommandError, match="categories"):
        run("decide", str(req.pk), "--decision", "partly", "--reasons", "r", "--output", str(tmp_path / "y.zip"),
            "--actor", "dpo")  # fmt: skip
    assert existing.read_bytes() == b"earlier" and not Disclosure.objects.exists()
    assert AdHocRequest.objects.get().decision == "pending"
