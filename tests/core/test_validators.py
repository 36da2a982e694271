"""UPN and ULN validation with real-format examples (CBDS P1 check letter; ESFA ULN check digit)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from steward.core.validators import (
    is_temporary_upn,
    uln_check_digit,
    upn_check_letter,
    validate_uln,
    validate_upn,
)


@pytest.mark.parametrize(
    "upn",
    [
        "B801200005001",  # the worked example in python-stdnum's UPN module (LA 801, Bristol)
        "X201300125001",  # LA 201 (City of London), estab 3001, 2025 issue, serial 001
        " b801200005001 ",  # case and surrounding space are normalised
    ],
)
def test_valid_upns(upn: str) -> None:
    validate_upn(upn)


def test_wrong_check_letter_names_the_expected_letter() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upn("A801200005001")
    assert exc.value.code == "upn_check_letter"
    assert "expected B" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("upn", "code"),
    [
        ("B80120000500", "upn_length"),  # 12 characters
        ("B8012000050011", "upn_length"),  # 14 characters
        ("880120000500A", "upn_format"),  # first character must be a letter
        ("X80120000A001", "upn_format"),  # middle part must be numeric
        ("B80120000500I", "upn_format"),  # temporary UPNs never end in I, O or S
    ],
)
def test_malformed_upns(upn: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_upn(upn)
    assert exc.value.code == code


def test_unknown_la_number_is_refused() -> None:
    body = "000200005001"
    with pytest.raises(ValidationError) as exc:
        validate_upn(upn_check_letter(body) + body)
    assert exc.value.code == "upn_la"


def test_temporary_upn_final_letter_counts_by_table_value() -> None:
    # A temporary UPN ends in a letter valued by the same 23-letter table (A=0 ... Z=22).
    body = "80120000500A"
    upn = upn_check_letter(body) + body
    validate_upn(upn)
    assert is_temporary_upn(upn)
    assert not is_temporary_upn("B801200005001")


@given(st.from_regex(r"\A(801|201|330)[0-9]{9}\Z"))
def test_any_permanent_upn_with_computed_letter_validates(body: str) -> None:
    validate_upn(upn_check_letter(body) + body)


def test_valid_uln() -> None:
    # 1000000043: sum 1*10 + 4*2 = 18, 18 mod 11 = 7, check digit 10 - 7 = 3 (ESFA ILR rule DD01 test case).
    validate_uln("1000000043")


def test_uln_check_digit_arithmetic() -> None:
    assert uln_check_digit("100000004") == 3
    assert uln_check_digit("100000006") is None  # remainder 0: never issued (ILR DD01 "remainder zero")


@pytest.mark.parametrize(
    ("uln", "code"),
    [
        ("1000000044", "uln_check_digit"),
        ("1000000063", "uln_check_digit"),
        ("100000004", "uln_format"),
        ("10000000430", "uln_format"),
        ("10000A0043", "uln_format"),
    ],
)
def test_invalid_ulns(uln: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_uln(uln)
    assert exc.value.code == code
