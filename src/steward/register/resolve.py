"""A school's effective register, and the two rules every register edit keeps.

The effective register of a school is the trust's rows, each replaced by the school's own row with the
same key where there is one, less the rows that are inactive or meant for other school phases, plus the
school's own additions. The rules:

1. every active purpose has at least one lawful basis (UK GDPR Art 6(1));
2. every special category used in a purpose (by a category use) or shared for it (with a recipient)
   has an Art 9(2) condition in that purpose.

Everything here works on one snapshot of the trust's rows, so checking every school of a trust after
an edit costs a handful of queries, whatever the number of schools.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from steward.organisations.models import School
from steward.register.models import (
    CategoryUse,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    RegisterRow,
    RetentionRule,
    SpecialCondition,
    System,
)
from steward.registry.taxonomy import taxonomy

R = TypeVar("R", bound=RegisterRow)


@dataclass
class Snapshot:
    """Every register row of one trust (trust rows and all school overrides)."""

    trust_id: int
    registers: list[Register]
    purposes: list[Purpose]
    uses: list[CategoryUse]
    recipients: list[Recipient]
    systems: list[System]
    retention: list[RetentionRule]

    @property
    def exists(self) -> bool:
        return any(r.school_id is None for r in self.registers)


def load_snapshot(trust_id: int) -> Snapshot:
    """Read the whole register of a trust (purposes with their bases and conditions)."""
    return Snapshot(
        trust_id=trust_id,
        registers=list(Register.objects.filter(trust_id=trust_id)),
        purposes=list(Purpose.objects.filter(trust_id=trust_id).prefetch_related("bases", "conditions")),
        uses=list(CategoryUse.objects.filter(trust_id=trust_id)),
        recipients=list(Recipient.objects.filter(trust_id=trust_id)),
        systems=list(System.objects.filter(trust_id=trust_id)),
        retention=list(RetentionRule.objects.filter(trust_id=trust_id)),
    )


def _winners(rows: Iterable[R], school_id: int | None) -> dict[str, R]:
    """Trust rows by identity, each replaced by the school's own row with the same identity."""
    chosen: dict[str, R] = {}
    for r in rows:
        if r.school_id is None:
            chosen.setdefault(r.identity, r)
    if school_id is not None:
        for r in rows:
            if r.school_id == school_id:
                chosen[r.identity] = r
    return chosen


def applies(row: RegisterRow, phase: str | None) -> bool:
    """Active, and meant for this school phase (no phase: the trust-wide view, every phase)."""
    return row.active and (phase is None or not row.phases or phase in row.phases)


def _ordered(rows: Iterable[R]) -> list[R]:
    return sorted(rows, key=lambda r: (r.position, r.identity))


@dataclass
class Effective:
    """The register as it applies to one school (or, with no school, the trust's own rows)."""

    school: School | None
    register: Register | None
    purposes: list[Purpose]
    uses: list[tuple[CategoryUse, tuple[str, ...]]]
    recipients: list[tuple[Recipient, tuple[str, ...]]]
    systems: list[System]
    retention: list[RetentionRule]
    # Rows kept out because none of their purposes is active here.
    idle_uses: list[CategoryUse] = field(default_factory=list)
    idle_recipients: list[Recipient] = field(default_factory=list)

    @property
    def purpose_keys(self) -> set[str]:
        return {p.key for p in self.purposes}

    def purpose(self, key: str) -> Purpose:
        for p in self.purposes:
            if p.key == key:
                return p
        raise KeyError(key)

    @staticmethod
    def bases(purpose: Purpose) -> list[LawfulBasis]:
        return sorted(purpose.bases.all(), key=lambda b: (b.position, b.pk or 0))

    @staticmethod
    def conditions(purpose: Purpose) -> list[SpecialCondition]:
        return sorted(purpose.conditions.all(), key=lambda c: (c.category_key, c.condition))


def effective(snapshot: Snapshot, school: School | None) -> Effective:
    """Resolve the effective register of `school` (None: the trust-level rows alone)."""
    sid = school.pk if school is not None else None
    phase = school.phase if school is not None else None
    register = next((r for r in snapshot.registers if r.school_id == sid), None) if sid else None
    register = register or next((r for r in snapshot.registers if r.school_id is None), None)

    purposes = _ordered(p for p in _winners(snapshot.purposes, sid).values() if applies(p, phase))
    active = {p.key for p in purposes}
    uses: list[tuple[CategoryUse, tuple[str, ...]]] = []
    idle_uses: list[CategoryUse] = []
    for u in _ordered(u for u in _winners(snapshot.uses, sid).values() if applies(u, phase)):
        keys = tuple(k for k in u.purposes if k in active)
        if keys:
            uses.append((u, keys))
        else:
            idle_uses.append(u)
    recipients: list[tuple[Recipient, tuple[str, ...]]] = []
    idle_recipients: list[Recipient] = []
    for rec in _ordered(r for r in _winners(snapshot.recipients, sid).values() if applies(r, phase)):
        keys = tuple(k for k in rec.purposes if k in active)
        if keys:
            recipients.append((rec, keys))
        else:
            idle_recipients.append(rec)
    return Effective(
        school=school,
        register=register,
        purposes=purposes,
        uses=uses,
        recipients=recipients,
        systems=_ordered(s for s in _winners(snapshot.systems, sid).values() if applies(s, phase)),
        retention=_ordered(r for r in _winners(snapshot.retention, sid).values() if applies(r, phase)),
        idle_uses=idle_uses,
        idle_recipients=idle_recipients,
    )


def covers(condition_key: str, category_key: str) -> bool:
    """A condition on a key covers that key and every key below it."""
    return category_key == condition_key or category_key.startswith(condition_key + ".")


def specials_within(category_key: str) -> list[str]:
    """The special categories at or below a key (using pupil.characteristics uses its ethnicity)."""
    return [
        c.key
        for c in taxonomy().categories.values()
        if c.special and (c.key == category_key or c.key.startswith(category_key + "."))
    ]


def uncovered(category_key: str, condition_keys: Sequence[str]) -> list[str]:
    """Special categories within `category_key` no condition covers, highest in the tree only."""
    missing = [s for s in specials_within(category_key) if not any(covers(c, s) for c in condition_keys)]
    return [s for s in missing if not any(s.startswith(o + ".") for o in missing)]


@dataclass(frozen=True, order=True)
class Violation:
    """A broken rule in one school's effective register (school None: the trust-level rows)."""

    kind: str  # "no_basis" | "no_condition"
    purpose_key: str
    category_key: str
    via: str  # "" | "category use <key>" | "recipient <key>"
    school_id: int | None
    message: str = field(compare=False)

    @property
    def rule(self) -> tuple[str, str, str, str]:
        """The broken rule regardless of where it shows (the trust view and each school)."""
        return (self.kind, self.purpose_key, self.category_key, self.via)


def _label(key: str) -> str:
    return f"{taxonomy().get(key).label} ({key})"


def violations(eff: Effective) -> list[Violation]:
    """The rules `eff` breaks, each with a message a DPO can act on."""
    sid = eff.school.pk if eff.school is not None else None
    found: list[Violation] = []
    for p in eff.purposes:
        if not eff.bases(p):
            found.append(
                Violation(
                    "no_basis",
                    p.key,
                    "",
                    "",
                    sid,
                    f"The purpose '{p.name}' ({p.key}) is active but has no lawful basis (UK GDPR Art 6(1)): "
                    "add one, or make the purpose inactive.",
                )
            )
    conds = {p.key: [c.category_key for c in eff.conditions(p)] for p in eff.purposes}
    names = {p.key: p.name for p in eff.purposes}
    for use, keys in eff.uses:
        for pk in keys:
            for s in uncovered(use.category_key, conds[pk]):
                found.append(
                    Violation(
                        "no_condition",
                        pk,
                        s,
                        f"category use {use.category_key}",
                        sid,
                        f"{_label(s)} is special category data used for '{names[pk]}' ({pk}), which has no "
                        "Art 9 condition for it: add one (UK GDPR Art 9(2) with its DPA 2018 Schedule 1 "
                        "paragraph) first.",
                    )
                )
    for rec, keys in eff.recipients:
        missing: list[str] = []
        for cat in rec.categories:
            missing += [
                s for s in specials_within(cat) if s not in missing and not _covered_any(s, keys, conds)
            ]
        for s in missing:
            if any(s.startswith(o + ".") for o in missing):
                continue  # report only the highest uncovered category
            found.append(
                Violation(
                    "no_condition",
                    ",".join(keys),
                    s,
                    f"recipient {rec.key}",
                    sid,
                    f"{_label(s)} is special category data shared with '{rec.name}' ({rec.key}), but none "
                    f"of its purposes ({', '.join(keys)}) has an Art 9 condition for it.",
                )
            )
    if eff.school is not None:
        where = f"At {eff.school.name}: "
        found = [
            Violation(v.kind, v.purpose_key, v.category_key, v.via, v.school_id, where + v.message)
            for v in found
        ]
    return found


def _covered_any(category_key: str, purpose_keys: Sequence[str], conds: dict[str, list[str]]) -> bool:
    return any(any(covers(c, category_key) for c in conds[pk]) for pk in purpose_keys)


def all_violations(snapshot: Snapshot, schools: Sequence[School]) -> list[Violation]:
    """The violations of the trust-level rows and of each school; a rule broken at trust level is
    reported once, not again for every school that inherits it."""
    trust_level = violations(effective(snapshot, None))
    broken = {v.rule for v in trust_level}
    result = list(trust_level)
    for school in schools:
        result += [v for v in violations(effective(snapshot, school)) if v.rule not in broken]
    return result
