"""Art 19: whom to tell about a rectification, erasure or restriction.

Today the answer comes from the register: the recipients the school's effective register says receive a
category the request changed. Issue 5 adds the disclosure log (what was actually sent, to whom, when);
this function should then answer from that log, so that only recipients who really received the data are
told (rules §3: tell every recipient, unless impossible or disproportionate).
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.register.resolve import effective, load_snapshot
from steward.rights.models import ErasureAction, RightsRequest
from steward.rights.outcomes._common import overlaps


@dataclass(frozen=True)
class RecipientToTell:
    """A recipient (register key and name) and the changed categories it receives."""

    key: str
    name: str
    categories: tuple[str, ...]


def changed_categories(request: RightsRequest) -> tuple[list[str], bool]:
    """The categories the request's outcome changed, and whether it restricted every category."""
    keys: set[str] = set(request.rectifications.values_list("category", flat=True))
    for cats in request.erasures.exclude(action=ErasureAction.KEPT).values_list("categories", flat=True):
        keys.update(cats or [])
    everything = False
    for cats in request.restrictions.values_list("categories", flat=True):
        if not cats:
            everything = True
        keys.update(cats or [])
    return sorted(keys), everything


def recipients_to_tell(request: RightsRequest) -> list[RecipientToTell]:
    """Recipients to tell (Art 19) about what this request's outcome rectified, erased or restricted:
    every recipient in the school's effective register that receives one of those categories (a
    recipient of `pupil.health` is told of a change to `pupil.health.allergy`, and the reverse).

    Register-based until issue 5's disclosure log exists; then it should list only those actually sent
    the data. Reading it needs no actor: the register is not personal data.
    """
    keys, everything = changed_categories(request)
    if not keys and not everything:
        return []
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    out: list[RecipientToTell] = []
    for rec, _purposes in eff.recipients:
        hit = sorted({c for c in keys for r in rec.categories if overlaps(c, r)})
        if everything:
            hit = sorted(set(hit) | set(rec.categories))
        if hit:
            out.append(RecipientToTell(key=rec.key, name=rec.name, categories=tuple(hit)))
    return out
