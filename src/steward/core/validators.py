"""Validators for DfE identifiers. Each raises ValidationError naming the rule that failed.

UPN (CBDS P1): 13 characters, a check letter then 12 digits; a temporary UPN ends in a letter.
The check letter is sum(digit_i * i for positions 2..13) mod 23 mapped onto A-Z without I, O, S.
ULN: 10 digits; sum(digit_i * (11 - i)) over the first nine digits mod 11 = r, the tenth digit
must equal 10 - r, and r = 0 is never issued (ESFA ILR rule DD01).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.gb import upn as stdnum_upn

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: I, O and S are never used
_UPN_SHAPE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (a final letter counts by its table value)."""
    total = 0
    for weight, ch in enumerate(body, start=2):
        value = int(ch) if ch.isdigit() else UPN_ALPHABET.index(ch)
        total += value * weight
    return UPN_ALPHABET[total % 23]


def normalise_upn(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def validate_upn(value: str) -> None:
    """A permanent or temporary UPN with a correct check letter and a known LA number."""
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise ValidationError(
            "UPN must be 13 characters (a check letter then 12 characters); got %(n)d.",
            code="upn_length",
            params={"n": len(upn)},
        )
    if not _UPN_SHAPE.match(upn):
        raise ValidationError(
            "UPN must be a letter, 11 digits, then a digit (or a letter for a temporary UPN).",
            code="upn_format",
        )
    if upn[12].isalpha() and upn[12] not in UPN_ALPHABET:
        raise ValidationError("A temporary UPN cannot end in I, O or S.", code="upn_format")
    try:
        stdnum_upn.validate(upn)
    except InvalidChecksum:
        raise ValidationError(
            "UPN check letter is wrong: expected %(expected)s for %(body)s.",
            code="upn_check_letter",
            params={"expected": upn_check_letter(upn[1:]), "body": upn[1:]},
        ) from None
    except InvalidComponent:
        raise ValidationError(
            "UPN characters 2-4 (%(la)s) are not a known local authority number.",
            code="upn_la",
            params={"la": upn[1:4]},
        ) from None
    except (InvalidFormat, InvalidLength):
        raise ValidationError("UPN is not in the DfE format.", code="upn_format") from None


def is_temporary_upn(value: str) -> bool:
    return normalise_upn(value)[-1:].isalpha()


def uln_check_digit(first_nine: str) -> int | None:
    """The ULN check digit for nine digits, or None when the remainder is 0 (never issued)."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def validate_uln(value: str) -> None:
    """A 10-digit ULN whose last digit is the check digit of the first nine."""
    uln = value.strip()
    if not re.fullmatch(r"[0-9]{10}", uln):
        raise ValidationError("ULN must be exactly 10 digits.", code="uln_format")
    expected = uln_check_digit(uln[:9])
    if expected is None:
        raise ValidationError(
            "ULN is not valid: its first nine digits give remainder 0.", code="uln_check_digit"
        )
    if int(uln[9]) != expected:
        raise ValidationError(
            "ULN check digit is wrong: expected %(expected)d.",
            code="uln_check_digit",
            params={"expected": expected},
        )


def validate_la_code(value: str) -> None:
    if not re.fullmatch(r"[0-9]{3}", value or ""):
        raise ValidationError("LA code must be 3 digits (e.g. 201).", code="la_code")


def validate_estab(value: str) -> None:
    if not re.fullmatch(r"[0-9]{4}", value or ""):
        raise ValidationError("Establishment number must be 4 digits (e.g. 3614).", code="estab")


def validate_urn(value: str) -> None:
    if not re.fullmatch(r"[0-9]{6}", value or ""):
        raise ValidationError("URN must be 6 digits (e.g. 100000).", code="urn")
