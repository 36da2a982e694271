"""Erasure (UK GDPR Art 17): delete or anonymise the pupil's data that nothing requires the school to keep,
and say what was kept and why.

The plan goes through the registry (`registered_models(subject="pupil")`), never a list of models, and
decides each data category from the school's effective register of processing:

1. Safeguarding records are kept (KCSIE; child-protection file DOB + 25 years: rules §5).
2. Records of data-protection requests are kept: they show how the school met its duties (Art 5(2)) and
   are needed for any complaint to the ICO or a court (Art 17(3)(e)).
3. A category the register names no purpose for is kept and flagged: nothing is erased without the
   register saying why it was held (the DPO adds it to the register, then erases).
4. A category used for any purpose resting on legal obligation (Art 6(1)(c)) or public task (Art 6(1)(e))
   is kept: Art 17(3)(b). The reason names the purpose, the basis and the legislation.
5. A category held only on consent is erased (Art 17(1)(b): consent withdrawn, no other ground).
6. A category held on other bases (contract, legitimate interests, vital interests) is erased unless its
   nearest retention rule has not yet run out for that record (kept for legal claims, Art 17(3)(e)).

A record whose every personal field is erasable is DELETED (with its files, after the transaction
commits) unless deleting it would take other records with it or is blocked; a record with some fields
to keep is ANONYMISED (the erasable fields emptied). The pupil record itself is deleted only when nothing
must be kept, which in practice never happens while the erasure request (which protects it) exists.
`ErasureEntry` rows record what was done: record type, fields, categories, row count, action and why,
never a value. Copies of erased values in earlier rectifications of the same record are emptied too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from steward.accounts.roles import Action
from steward.organisations.models import School
from steward.people.models import Enrolment
from steward.register.choices import BASIS_INFO, Art6, PeriodKind, Trigger
from steward.register.models import RetentionRule
from steward.register.resolve import Effective, covers, effective, load_snapshot
from steward.registry.registry import ModelEntry, registered_models
from steward.registry.taxonomy import taxonomy
from steward.rights.models import (
    ErasureAction,
    ErasureEntry,
    EventKind,
    Rectification,
    RequestKind,
    RightsRequest,
)
from steward.rights.outcomes._common import require_in_progress, require_kind
from steward.rights.services import _event, _locked, _require

KEEPING_BASES = (Art6.LEGAL_OBLIGATION, Art6.PUBLIC_TASK)
SAFEGUARDING = "pupil.safeguarding"
RIGHTS_RECORDS = ("pupil.rights", "contact.rights")

KEPT_SAFEGUARDING = (
    "Safeguarding record: kept for child protection (Keeping Children Safe in Education; the child-protection "
    "file is kept until the pupil's date of birth + 25 years, rules §5). Erasure does not apply: UK GDPR "
    "Art 17(3)(b)."
)
KEPT_RIGHTS = (
    "Record of a data-protection request: kept to show how the school met its duties (UK GDPR Art 5(2)) "
    "and for any complaint to the ICO or a court (Art 17(3)(e))."
)

UNBLANKABLE = (
    "The record must stay (other fields of it, or other records, must be kept), and this field cannot be "
    "left empty."
)


class _NoBlank:
    def __repr__(self) -> str:
        return "NO_BLANK"


NO_BLANK: Any = _NoBlank()


@dataclass(frozen=True)
class Decision:
    """What the register says about one data category at one school."""

    category: str
    erase: bool
    reason: str
    # Retention rules that may still keep an otherwise erasable record (rule 6 above).
    rules: tuple[RetentionRule, ...] = ()


@dataclass
class PlanItem:
    """One kind of record and what erasure does to some of its rows."""

    model: ModelEntry
    action: ErasureAction
    fields: tuple[str, ...]
    categories: tuple[str, ...]
    reason: str
    pks: list[Any] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model.label

    @property
    def rows(self) -> int:
        return len(self.pks)


@dataclass
class ErasurePlan:
    """What `erase` would do now: every record type of the pupil with rows, deleted, anonymised or kept."""

    request: RightsRequest
    on: dt.date
    items: list[PlanItem]

    def of(self, action: ErasureAction) -> list[PlanItem]:
        return [i for i in self.items if i.action == action]

    @property
    def deleted(self) -> list[PlanItem]:
        return self.of(ErasureAction.DELETED)

    @property
    def anonymised(self) -> list[PlanItem]:
        return self.of(ErasureAction.ANONYMISED)

    @property
    def kept(self) -> list[PlanItem]:
        return self.of(ErasureAction.KEPT)

    @property
    def pupil_deleted(self) -> bool:
        return any(i.model.subject_path == "" for i in self.deleted)

    def item(self, label: str, action: ErasureAction) -> PlanItem | None:
        return next((i for i in self.items if i.label == label and i.action == action), None)


# --- deciding a category -----------------------------------------------------------------------------


def _basis_text(purpose: Any, basis: Any) -> str:
    info = BASIS_INFO[basis.basis]
    law = f" ({basis.legislation})" if basis.legislation else ""
    return f"'{purpose.name}' ({purpose.key}): {info.short}, {info.article}{law}"


def decide(eff: Effective, category_key: str) -> Decision:
    """Whether data of `category_key` may be erased under the effective register `eff`, and why."""
    cat = taxonomy().get(category_key)
    if cat.within(SAFEGUARDING):
        return Decision(category_key, False, KEPT_SAFEGUARDING)
    if any(cat.within(k) for k in RIGHTS_RECORDS):
        return Decision(category_key, False, KEPT_RIGHTS)
    purpose_keys: list[str] = []
    for use, keys in eff.uses:
        if covers(use.category_key, category_key):
            purpose_keys += [k for k in keys if k not in purpose_keys]
    if not purpose_keys:
        return Decision(
            category_key,
            False,
            f"The register of processing names no purpose for {cat.label} ({category_key}): kept until the "
            "DPO records why it is held; nothing is erased without that.",
        )
    purposes = [eff.purpose(k) for k in purpose_keys]
    strong = [_basis_text(p, b) for p in purposes for b in eff.bases(p) if b.basis in KEEPING_BASES]
    if strong:
        return Decision(
            category_key,
            False,
            f"{cat.label} ({category_key}) is needed for "
            + "; ".join(strong)
            + ". Erasure does not apply to data needed for a legal obligation or a public task "
            "(UK GDPR Art 17(3)(b)).",
        )
    bases = {b.basis for p in purposes for b in eff.bases(p)}
    named = ", ".join(f"'{p.name}' ({p.key})" for p in purposes)
    if bases <= {Art6.CONSENT}:
        return Decision(
            category_key,
            True,
            f"{cat.label} ({category_key}) is held only on consent, for {named}: with consent withdrawn there "
            "is no other ground to keep it (UK GDPR Art 17(1)(b)).",
        )
    on_bases = ", ".join(sorted(BASIS_INFO[b].short for b in bases))
    rules = _nearest_rules(eff, category_key)
    return Decision(
        category_key,
        True,
        f"{cat.label} ({category_key}) is held on {on_bases} for {named}; no legal obligation or public task "
        "needs it (UK GDPR Art 17(1))" + (", and its retention period has ended." if rules else "."),
        rules=rules,
    )


def _nearest_rules(eff: Effective, category_key: str) -> tuple[RetentionRule, ...]:
    """The retention rules on the most specific key covering the category (a rule covers its key and
    every key below it that has no rule of its own)."""
    rules = [r for r in eff.retention if covers(r.category_key, category_key)]
    if not rules:
        return ()
    deepest = max(len(r.category_key) for r in rules)
    return tuple(r for r in rules if len(r.category_key) == deepest)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _retained_by(rule: RetentionRule, row: models.Model, entry: ModelEntry, ctx: _Ctx) -> bool:
    """Whether `rule` still keeps this record on `ctx.on` (an unknown start keeps it: the safe answer)."""
    if rule.period_kind == PeriodKind.WHILE_ON_ROLL:
        return ctx.on_roll
    if rule.period_kind != PeriodKind.FIXED:
        return False  # "until consent is withdrawn" and the like: the request itself ends it
    start: dt.date | None
    if rule.trigger == Trigger.DATE_OF_BIRTH:
        start = ctx.pupil_dob
    elif rule.trigger == Trigger.LEAVING_DATE:
        start = ctx.left_on
    elif entry.retention_from:
        path = entry.retention_from
        start = _as_date(type(row)._default_manager.filter(pk=row.pk).values_list(path, flat=True).first())
    else:
        start = None
    if start is None:
        return True
    end = start + relativedelta(years=rule.years or 0, months=rule.months or 0, days=rule.days or 0)
    return end > ctx.on


# --- the plan ----------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    request: RightsRequest
    on: dt.date
    pupil_dob: dt.date
    on_roll: bool
    left_on: dt.date | None
    snapshot: Any
    registers: dict[int, Effective] = field(default_factory=dict)
    decisions: dict[tuple[int, str], Decision] = field(default_factory=dict)

    def decision(self, school_id: int, category_key: str) -> Decision:
        key = (school_id, category_key)
        if key not in self.decisions:
            if school_id not in self.registers:
                school = School.objects.get(pk=school_id)
                self.registers[school_id] = effective(self.snapshot, school)
            self.decisions[key] = decide(self.registers[school_id], category_key)
        return self.decisions[key]


def _rows(entry: ModelEntry, pupil_id: int) -> list[models.Model]:
    manager = entry.model._default_manager
    qs = (
        manager.filter(pk=pupil_id)
        if not entry.subject_path
        else manager.filter(**{entry.subject_path: pupil_id})
    )
    return list(qs.order_by("pk"))


def _field(obj: models.Model | type[models.Model], name: str) -> models.Field[Any, Any]:
    f = obj._meta.get_field(name)
    assert isinstance(f, models.Field)
    return f


def blank_value(f: models.Field[Any, Any]) -> Any:
    """The empty value an erasable field is set to when its record must stay (NO_BLANK if there is none)."""
    if f.null:
        return None
    if f.has_default():
        return f.get_default()
    if isinstance(f, models.CharField | models.TextField | models.FileField):
        return ""
    return NO_BLANK


def _context(request: RightsRequest, on: dt.date) -> _Ctx:
    pupil = request.pupil
    enrolments = list(Enrolment.objects.filter(pupil=pupil))
    on_roll = any(e.leaving_date is None or e.leaving_date > on for e in enrolments)
    left = [e.leaving_date for e in enrolments if e.leaving_date is not None]
    return _Ctx(
        request=request,
        on=on,
        pupil_dob=pupil.date_of_birth,
        on_roll=on_roll,
        left_on=None if on_roll or not left else max(left),
        snapshot=load_snapshot(pupil.trust_id),
    )


def erasure_plan(request: RightsRequest, on: dt.date | None = None) -> ErasurePlan:
    """What erasure would delete, anonymise and keep for the request's pupil, record type by record type,
    each with its reason, as of `on` (default today: retention periods are measured to it). Reads only
    and holds no values (counts, field names, reasons), so the DPO can review it before `erase` applies
    it; callers show it only to those who may act on the request."""
    on = on or timezone.localdate()
    ctx = _context(request, on)
    items: dict[tuple[str, ErasureAction, tuple[str, ...], str], PlanItem] = {}

    def add(entry: ModelEntry, action: ErasureAction, names: Iterable[str], reason: str, pk: Any) -> None:
        names = tuple(names)
        key = (entry.label, action, names, reason)
        if key not in items:
            cats = tuple(dict.fromkeys(entry.field(n).category.key for n in names))
            items[key] = PlanItem(entry, action, names, cats, reason)
        items[key].pks.append(pk)

    for entry in registered_models(subject="pupil"):
        personal = entry.personal_fields()
        if not personal:
            continue
        for row in _rows(entry, request.pupil_id):
            school_id = getattr(row, "school_id", None) or request.school_id
            erase: list[str] = []
            keep: dict[str, list[str]] = defaultdict(list)
            reasons: list[str] = []
            for fe in personal:
                d = ctx.decision(school_id, fe.category.key)
                if d.erase and any(_retained_by(r, row, entry, ctx) for r in d.rules):
                    kept_by = next(r for r in d.rules if _retained_by(r, row, entry, ctx))
                    keep[
                        f"{fe.category.label} ({fe.category.key}) is within its retention period: "
                        f"{kept_by.record_type}, {kept_by.summary} ({kept_by.source}). Kept for legal "
                        "claims (UK GDPR Art 17(3)(e))."
                    ].append(fe.name)
                elif d.erase:
                    erase.append(fe.name)
                    if d.reason not in reasons:
                        reasons.append(d.reason)
                else:
                    keep[d.reason].append(fe.name)
            if erase and not keep:
                add(entry, ErasureAction.DELETED, erase, " ".join(reasons), row.pk)
            elif erase:
                unblankable = [n for n in erase if blank_value(_field(row, n)) is NO_BLANK]
                for n in unblankable:
                    keep[UNBLANKABLE].append(n)
                erase = [n for n in erase if n not in unblankable]
                if erase:
                    add(entry, ErasureAction.ANONYMISED, erase, " ".join(reasons), row.pk)
            for reason, names in keep.items():
                add(entry, ErasureAction.KEPT, names, reason, row.pk)
    plan = ErasurePlan(request=request, on=on, items=list(items.values()))
    _downgrade_blocked_deletes(plan)
    return plan


def _downgrade_blocked_deletes(plan: ErasurePlan) -> None:
    """A record is deleted only if deleting it takes nothing else with it that is not itself being deleted,
    and nothing protects it; otherwise its erasable fields are emptied instead."""
    doomed = {(i.label, i.pks[n]) for i in plan.deleted for n in range(len(i.pks))}
    for item in list(plan.deleted):
        blocked: list[Any] = []
        for pk in item.pks:
            obj = item.model.model._default_manager.get(pk=pk)
            collector = Collector(using=router.db_for_write(type(obj)))
            try:
                collector.collect([obj])
            except (ProtectedError, RestrictedError):
                blocked.append(pk)
                continue
            takes = [
                (m._meta.label, o.pk)
                for m, objs in collector.data.items()
                for o in objs
                if not m._meta.auto_created
            ]
            if any(t not in doomed for t in takes) or any(qs.exists() for qs in collector.fast_deletes):
                blocked.append(pk)
        if not blocked:
            continue
        item.pks = [pk for pk in item.pks if pk not in blocked]
        reason = (
            item.reason + " The record itself stays, emptied, because other records that must be kept "
            "depend on it."
        )
        model = item.model.model
        fixed = tuple(n for n in item.fields if blank_value(_field(model, n)) is NO_BLANK)
        emptied = tuple(n for n in item.fields if n not in fixed)
        if emptied:
            cats = tuple(dict.fromkeys(item.model.field(n).category.key for n in emptied))
            plan.items.append(PlanItem(item.model, ErasureAction.ANONYMISED, emptied, cats, reason, blocked))
        if fixed:
            cats = tuple(dict.fromkeys(item.model.field(n).category.key for n in fixed))
            plan.items.append(PlanItem(item.model, ErasureAction.KEPT, fixed, cats, UNBLANKABLE, blocked))
        if not item.pks:
            plan.items.remove(item)


# --- applying it -------------------------------------------------------------------------------------


def _files(obj: models.Model, names: Iterable[str] | None = None) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.FileField) and (names is None or f.name in names):
            value = getattr(obj, f.name)
            if value:
                out.append((value.storage, value.name))
    return out


def _delete_files_after_commit(files: list[tuple[Any, str]]) -> None:
    # Storage is not transactional: files go only once the database change is committed, so a failure
    # part-way leaves both the rows and the files as they were.
    def go() -> None:
        for storage, name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(go)


@transaction.atomic
def erase(*, actor: Any, request: RightsRequest, on: dt.date) -> list[ErasureEntry]:
    """Apply the erasure plan for an erasure request in progress and record what was deleted, anonymised
    and kept, with the reasons (`ErasureEntry`, never a value). Only the trust DPO may (Action.
    MANAGE_REGISTER). All of it or none: any failure rolls everything back and no file is removed.
    """
    _require(actor, request.school_id, Action.MANAGE_REGISTER)
    request = _locked(request)
    require_kind(request, RequestKind.ERASURE)
    require_in_progress(request)
    if on < request.received_on:
        raise ValidationError({"on": "Erasure cannot be applied before the request was received."})
    plan = erasure_plan(request, on)
    files: list[tuple[Any, str]] = []
    erased_fields: dict[tuple[str, str], set[str]] = defaultdict(set)  # (model, object id) -> fields
    for item in plan.anonymised:
        for pk in item.pks:
            obj = item.model.model._default_manager.select_for_update().get(pk=pk)
            files += _files(obj, item.fields)
            for name in item.fields:
                setattr(obj, name, blank_value(_field(obj, name)))
            obj.save()
            erased_fields[(item.label, str(pk))].update(item.fields)
    for item in plan.deleted:
        for pk in item.pks:
            gone = item.model.model._default_manager.filter(pk=pk).first()
            if gone is None:
                continue  # already gone with a record deleted before it
            files += _files(gone)
            gone.delete()
            erased_fields[(item.label, str(pk))].update(item.fields)
    copies = _empty_rectification_copies(request, erased_fields)
    entries = [
        ErasureEntry(
            request=request,
            model=i.label,
            fields=list(i.fields),
            categories=list(i.categories),
            rows=i.rows,
            action=i.action,
            reason=i.reason,
            on=on,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        for i in plan.items
    ]
    if copies:
        entries.append(
            ErasureEntry(
                request=request,
                model=Rectification._meta.label,
                fields=["before", "after"],
                categories=["pupil.rights"],
                rows=copies,
                action=ErasureAction.ANONYMISED,
                reason="Earlier rectifications held copies of values now erased; the copies are emptied and "
                "the record that the correction happened is kept.",
                on=on,
                actor=actor if getattr(actor, "pk", None) else None,
            )
        )
    for e in entries:
        e.full_clean()
        e.save()
    counts = {a: sum(e.rows for e in entries if e.action == a) for a in ErasureAction}
    _event(
        request,
        actor=actor,
        kind=EventKind.OUTCOME_APPLIED,
        on=on,
        method="erasure",
        note=(
            f"Erasure applied: {counts[ErasureAction.DELETED]} records deleted, "
            f"{counts[ErasureAction.ANONYMISED]} anonymised, {counts[ErasureAction.KEPT]} kept with reasons "
            "(see the erasure entries)."
        ),
    )
    _delete_files_after_commit(files)
    return entries


def _empty_rectification_copies(request: RightsRequest, erased: dict[tuple[str, str], set[str]]) -> int:
    n = 0
    for rect in Rectification.objects.filter(request__pupil_id=request.pupil_id).select_for_update():
        if rect.field in erased.get((rect.model, rect.object_id), set()) and (rect.before or rect.after):
            rect.before = ""
            rect.after = ""
            rect.save()
            n += 1
    return n
