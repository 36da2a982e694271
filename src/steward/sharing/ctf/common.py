"""What export and import share: academic years, the CTF version, destinations and file names.

Rules: ../shared/domain/rules.md §8.1 (version by academic year, unknown destination codes, file names).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from steward.organisations.models import School

# rules.md §8.1: a pupil whose next school is not known goes to S2S's Lost Pupil Database with these.
UNKNOWN_LA = "XXX"
UNKNOWN_ESTAB = "XXXX"
DOCUMENT_NAME = "Common Transfer File"
SUPPLIER_ID = "Steward"


def academic_year_start(on: dt.date) -> int:
    """The calendar year an English school year starts in: 1 September onwards is the new year."""
    return on.year if on.month >= 9 else on.year - 1


def academic_year_label(start: int) -> str:
    """Steward's label for a school year, as `Term.academic_year` and `Assessment.academic_year` hold it."""
    return f"{start}/{start + 1}"


def ctf_version(on: dt.date) -> str:
    """CTF version for a date: the last two digits of the academic-year start + ".0" (DfE's MTC and GIAP
    do this; 25.0 for 2025/26 is what GIAP is configured with, 26.0 for 2026/27 is UNCONFIRMED)."""
    return f"{academic_year_start(on) % 100:02d}.0"


@dataclass(frozen=True)
class Destination:
    """Where a CTF goes: a school (LA and establishment numbers, URN, name), or the unknown codes."""

    la: str
    estab: str
    urn: str = ""
    name: str = ""

    @property
    def unknown(self) -> bool:
        return self.la == UNKNOWN_LA and self.estab == UNKNOWN_ESTAB

    @property
    def laestab(self) -> str:
        return f"{self.la}{self.estab}"

    @classmethod
    def of(cls, school: School) -> Destination:
        return cls(la=school.la_code, estab=school.estab, urn=school.urn, name=school.name)


UNKNOWN = Destination(la=UNKNOWN_LA, estab=UNKNOWN_ESTAB, name="Destination unknown")


def resolve_destination(code: str) -> Destination:
    """A destination from what a user typed: `unknown` (or XXXXXXX), a URN, or a 7-digit LAESTAB of a
    school Steward knows. Anything else is refused with the reason: a CTF must name a real school or
    say plainly that the school is unknown, never a guess."""
    text = (code or "").strip()
    if text.lower() == "unknown" or text.upper() == UNKNOWN_LA + UNKNOWN_ESTAB:
        return UNKNOWN
    if re.fullmatch(r"[0-9]{6}", text):
        school = School.objects.filter(urn=text).first()
        if school is None:
            raise ValidationError(
                {
                    "destination": f"No school with URN {text} is known to Steward: add the school, or use "
                    "'unknown' (LA XXX, establishment XXXX) for a pupil whose next school is not known."
                },
                code="unknown_destination",
            )
        return Destination.of(school)
    if re.fullmatch(r"[0-9]{7}", text):
        school = School.objects.filter(la_code=text[:3], estab=text[3:]).first()
        if school is None:
            raise ValidationError(
                {
                    "destination": f"No school with LA/establishment number {text} is known to Steward: add "
                    "the school, or use 'unknown' (LA XXX, establishment XXXX)."
                },
                code="unknown_destination",
            )
        return Destination.of(school)
    raise ValidationError(
        {
            "destination": f"{text!r} is not a destination: give a school's 6-digit URN, its 7-digit "
            "LA/establishment number, or 'unknown'."
        },
        code="bad_destination",
    )


def file_name(source: School, destination: Destination, sequence: int) -> str:
    """`<LA><Estab>_CTF_<destLA><destEstab>_<nnn>.xml` (rules.md §8.1), nnn from 001 to 999 then round."""
    nnn = (sequence - 1) % 999 + 1
    return f"{source.la_code}{source.estab}_CTF_{destination.la}{destination.estab}_{nnn:03d}.xml"
