"""`steward notice check FILE [--format json|text] [--strict]`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.notices.patterns import ITEM_KEYS

HERE = Path(__file__).parent
COMPLETE = HERE / "samples" / "complete_notice.md"
SEED_003 = HERE / "seeds" / "003_12312462d6893b60.txt"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("notice", *args, stdout=out)
    return out.getvalue()


def test_check_json_for_a_seed() -> None:
    data = json.loads(run("check", str(SEED_003), "--format", "json"))
    assert data["file"] == str(SEED_003)
    assert list(data["items"]) == list(ITEM_KEYS)
    assert data["items"]["controller_identity"] == {
        "present": True,
        "evidence": [
            {
                "line": 17,
                "text": "We, St Neots Learning Partnership are the ‘data controller’ for the purposes of data protection law.",
            }
        ],
    }
    assert data["items"]["automated_decision_making"] == {"present": False, "evidence": []}
    assert data["summary"] == {
        "present": 15,
        "missing": ["special_category_condition", "automated_decision_making"],
        "problems": 8,
    }
    dpo = [p for p in data["problems"] if p["kind"] == "inconsistent_contact"]
    assert dpo == [
        {
            "kind": "inconsistent_contact",
            "line": 189,
            "text": dpo[0]["text"],
            "advice": dpo[0]["advice"],
        }
    ]
    assert dpo[0]["text"].startswith("- Paul Stratford, The ICT Service")
    assert {p["kind"] for p in data["problems"]} == {"placeholder", "outdated_law", "inconsistent_contact"}


def test_check_text_report_is_readable() -> None:
    text = run("check", str(SEED_003))
    assert text.startswith(f"Privacy notice check: {SEED_003} (txt)")
    assert "Items present: 15 of 17; problems: 8" in text
    assert "[present] Controller's identity (controller_identity)" in text
    assert '             line 17: "We, St Neots Learning Partnership' in text
    assert "[MISSING] Automated decision-making and profiling (automated_decision_making)" in text
    assert "needed: say whether automated decision-making or profiling happens" in text
    assert "line 189 [inconsistent_contact]" in text
    assert "'Paul Stafford' on line 19" in text


def test_complete_notice_text_report_says_no_problems() -> None:
    text = run("check", str(COMPLETE))
    assert "Items present: 17 of 17; problems: 0" in text
    assert text.rstrip().endswith("No problems found.")


def test_strict_exits_1_on_gaps_and_0_when_complete() -> None:
    run("check", str(COMPLETE), "--strict")  # no exception: exit status 0
    with pytest.raises(CommandError) as excinfo:
        run("check", str(SEED_003), "--strict")
    assert excinfo.value.returncode == 1
    assert "2 item(s) missing, 8 problem(s)" in str(excinfo.value)


def test_unreadable_file_is_a_command_error_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError) as excinfo:
        run("check", str(path))
    assert excinfo.value.returncode == 2
    assert str(path) in str(excinfo.value)
    assert "is not a Word .docx file" in str(excinfo.value)


def test_subcommand_is_required() -> None:
    with pytest.raises(CommandError, match="SUBCOMMAND"):
        run()


def test_console_exit_codes(tmp_path: Path) -> None:
    """The real console entry point: 0 with gaps, 1 with --strict, 2 for an unreadable file."""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    base = [sys.executable, "-m", "steward", "notice", "check"]
    ok = subprocess.run(
        [*base, str(SEED_003), "--format", "json"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["summary"]["problems"] == 8
    strict = subprocess.run([*base, str(SEED_003), "--strict"], capture_output=True, text=True, check=False)
    assert strict.returncode == 1
    bad = subprocess.run([*base, str(empty)], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "the file is empty" in bad.stderr
