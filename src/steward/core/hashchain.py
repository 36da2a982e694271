"""Hash chains for append-only logs (the audit log, the disclosure log).

Each row stores the previous row's hash and its own: sha256(previous hash + canonical JSON of the
row's hashed fields). Editing a row breaks its own hash; deleting or reordering rows breaks a link;
deleting the newest rows is caught by comparing the last hash with a separately kept chain head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def digest(prev_hash: str, payload: dict[str, Any]) -> str:
    """The hash of one row: its predecessor's hash followed by its payload as canonical JSON."""
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: how many rows checked, and the first bad row with the reason."""

    checked: int
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""


def verify_rows(
    rows: Iterable[Any], payload: Callable[[Any], dict[str, Any]], *, head_hash: str | None, noun: str = "row"
) -> ChainReport:
    """Walk `rows` (oldest first; each with `id`, `prev_hash`, `hash`) and recompute every link.

    `head_hash` is the last hash as the separately kept chain head records it (None when no head).
    """
    prev = GENESIS
    checked = 0
    for row in rows:
        if row.prev_hash != prev:
            return ChainReport(
                checked,
                False,
                row.id,
                f"previous-hash link broken ({noun}s were removed or reordered)",
            )
        if digest(prev, payload(row)) != row.hash:
            return ChainReport(
                checked, False, row.id, f"content does not match its hash (the {noun} was altered)"
            )
        prev = row.hash
        checked += 1
    if head_hash is not None and head_hash != prev:
        return ChainReport(
            checked, False, None, f"the newest {noun}s were removed (chain head does not match)"
        )
    return ChainReport(checked, True)
