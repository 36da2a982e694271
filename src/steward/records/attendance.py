"""Attendance session totals, as the census, the CTF and the school's own reports count them.

The School Attendance (Pupil Registration) (England) Regulations 2024 categories: present and approved
educational activity count as attended; the "not counted in possible attendance" codes (dual
registration elsewhere, not required to attend, unable to attend because of exceptional circumstances,
closures, prospective pupils) are left out of possible sessions; G, N, O and U are unauthorised; every
other absence is authorised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from steward.core import codes

NOT_POSSIBLE = frozenset({"D", "X", "Z", "#", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"})
ATTENDED = frozenset(codes.ATTENDANCE_PRESENT) - {"D"}
UNAUTHORISED = frozenset(codes.ATTENDANCE_UNAUTHORISED)


@dataclass(frozen=True)
class Totals:
    possible: int
    authorised: int
    attended: int
    unauthorised: int


def totals(marks: Iterable[str]) -> Totals:
    """Session totals for a run of attendance codes."""
    possible = authorised = attended = unauthorised = 0
    for code in marks:
        if code in NOT_POSSIBLE:
            continue
        possible += 1
        if code in ATTENDED:
            attended += 1
        elif code in UNAUTHORISED:
            unauthorised += 1
        else:
            authorised += 1
    return Totals(possible, authorised, attended, unauthorised)
