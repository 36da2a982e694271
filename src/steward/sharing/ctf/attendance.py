"""Attendance in a CTF: session totals per academic year and the session marks themselves.

Totals follow the School Attendance (Pupil Registration) (England) Regulations 2024 categories:
present and approved educational activity count as attended; the "not counted in possible attendance"
codes (dual registration elsewhere, not required to attend, unable to attend because of exceptional
circumstances, closures, prospective pupils) are left out of possible sessions; G, N, O and U are
unauthorised; every other absence is authorised.

`AttendanceMarks` holds one character per session, two per calendar day (morning then afternoon)
from `AttendanceStartDate`, "-" where no mark is recorded (weekends, holidays). One character per
session cannot hold the 2024 two-character codes, so C1/C2 are written as C, J1 as J and Y1-Y7 as
Y, the pre-2024 letters for those reasons, and read back as C, J1 and Y7. The exact current layout
of AttendSessions is UNCONFIRMED (rules.md §8.2 has the element names only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from steward.core import codes

NO_MARK = "-"
# Two-character 2024 codes, as the single letters used before 2024 (and back again on import).
TO_LETTER = {"C1": "C", "C2": "C", "J1": "J", **{f"Y{i}": "Y" for i in range(1, 8)}}
FROM_LETTER = {"J": "J1", "Y": "Y7"}
SESSIONS = ("AM", "PM")


def encode(marks: Iterable[tuple[dt.date, str, str]]) -> tuple[dt.date, str, int]:
    """(start date, mark string, how many two-character codes were shortened) for (date, session, code)."""
    by_slot = {(d, s): c for d, s, c in marks}
    start = min(d for d, _s in by_slot)
    end = max(d for d, _s in by_slot)
    out: list[str] = []
    shortened = 0
    day = start
    while day <= end:
        for session in SESSIONS:
            code = by_slot.get((day, session), NO_MARK)
            if code in TO_LETTER:
                code = TO_LETTER[code]
                shortened += 1
            out.append(code)
        day += dt.timedelta(days=1)
    return start, "".join(out), shortened


def decode(start: dt.date, text: str) -> list[tuple[dt.date, str, str]]:
    """The (date, session, code) marks of a mark string; ValueError names the first unknown character."""
    out: list[tuple[dt.date, str, str]] = []
    for i, ch in enumerate(text):
        if ch == NO_MARK:
            continue
        code = FROM_LETTER.get(ch, ch)
        if code not in codes.ATTENDANCE:
            raise ValueError(f"character {i + 1} ({ch!r}) is not an attendance code")
        out.append((start + dt.timedelta(days=i // 2), SESSIONS[i % 2], code))
    return out
