"""Changes to the register. Only the trust's DPO (Action.MANAGE_REGISTER) may make them.

Every service is keyword-only, typed and atomic; it validates each row with `full_clean()` (one rule,
one place: the models), writes, then re-checks the whole register of the trust (every school's
effective register) and refuses, rolling everything back, if the edit broke one of the two rules:

1. an active purpose must have a lawful basis;
2. a special category used or shared in a purpose must have an Art 9 condition in that purpose.

The ValidationError names the field the caller was changing. Audit events come from the models
(`audit_changes = True`) in the same transaction, as the actor in the current `acting_as` context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import record
from steward.organisations.models import School, Trust
from steward.register.choices import Audience, Origin
from steward.register.defaults import DefaultRegister, catalogue, default_register
from steward.register.models import (
    ROW_MODELS,
    CategoryUse,
    ConsentPurpose,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    RegisterRow,
    RetentionRule,
    SpecialCondition,
    System,
)
from steward.register.resolve import all_violations, load_snapshot

R = TypeVar("R", bound=RegisterRow)

# Fields no caller sets directly: identity and scope are arguments, timestamps are automatic.
_PROTECTED = {"id", "trust", "school", "created_at", "updated_at", "origin"}
REGISTER_FIELDS = ("automated_decisions", "profiling", "adm_description", "youth_support_model")


# --- permission and the register-wide rules -----------------------------------------------------


def _has_ledger(purpose: ConsentPurpose) -> bool:
    """Whether consents were recorded against the purpose (the consent app's ledger)."""
    from steward.consent.models import ConsentEvent

    return ConsentEvent.objects.filter(purpose=purpose).exists()


def _require_manage(actor: Any, trust: Trust) -> None:
    """Only the trust's DPO changes its register. Someone with no role in the trust does not learn
    that it exists (404); someone with a role there but not this permission is refused (403)."""
    scope = scope_for(actor)
    if trust.pk not in scope.trust_ids:
        raise Http404("No such register")
    if Action.MANAGE_REGISTER not in scope.trust_actions.get(trust.pk, set()):
        raise PermissionDenied(f"Only the data protection officer of {trust.name} may change its register.")


def _check_school(trust: Trust, school: School | None) -> None:
    if school is not None and school.trust_id != trust.pk:
        raise ValidationError({"school": f"{school.name} belongs to another trust."})


def _schools(trust: Trust) -> list[School]:
    return list(School.objects.filter(trust=trust))


@contextmanager
def _rules_kept(trust: Trust, field: str) -> Iterator[None]:
    """Refuse (inside the caller's transaction) an edit that breaks a register rule it did not find
    broken: the error lists every new break, under `field`."""
    schools = _schools(trust)
    before = {(v.rule, v.school_id) for v in all_violations(load_snapshot(trust.pk), schools)}
    yield
    new = [v for v in all_violations(load_snapshot(trust.pk), schools) if (v.rule, v.school_id) not in before]
    if new:
        raise ValidationError({field: [v.message for v in new]})


def _delete(instance: models.Model, trust: Trust, field: str) -> None:
    """Delete under the register rules. On refusal the transaction rolls back, and the caller's object
    gets its id back (Django clears it on delete), so it still names the row that is still there."""
    pk = instance.pk
    try:
        with _rules_kept(trust, field):
            instance.delete()
    except ValidationError:
        instance.pk = pk
        raise


def _clean(instance: models.Model, prefix: str = "") -> None:
    """full_clean(), with the field names prefixed (e.g. bases[0].legislation) when it is a child row."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        if not prefix:
            raise
        raise ValidationError({f"{prefix}.{k}": v for k, v in exc.message_dict.items()}) from None


def _settable(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields} - _PROTECTED


def _apply(instance: models.Model, fields: Mapping[str, Any]) -> None:
    what = type(instance)._meta.verbose_name
    identity: str = getattr(instance, "identity_field", "")
    if identity and identity in fields:
        # Other rows and the school overrides name a row by its identity: it never changes.
        raise ValidationError({identity: f"A {what}'s {identity.replace('_', ' ')} cannot be changed."})
    unknown = sorted(set(fields) - _settable(type(instance)))
    if unknown:
        raise ValidationError({name: f"A {what} has no field {name!r}." for name in unknown})
    for name, value in fields.items():
        setattr(instance, name, list(value) if isinstance(value, tuple) else value)


def _copy_row(row: R, school: School) -> R:
    """An unsaved copy of a trust row for `school` (its override)."""
    values = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.name not in {"id", "school", "created_at", "updated_at"}
    }
    copy = type(row)(**values)
    copy.school = school
    return copy


def _row_in_scope(model: type[R], trust: Trust, school: School | None, identity: str) -> R | None:
    return model._default_manager.filter(
        trust=trust, school=school, **{model.identity_field: identity}
    ).first()


def _upsert(
    model: type[R],
    *,
    trust: Trust,
    school: School | None,
    identity: str,
    fields: Mapping[str, Any],
    origin: str = Origin.LOCAL,
) -> tuple[R, bool]:
    """The row for `identity` in this scope, created if missing (a school's first edit of a trust row
    starts from a copy of it, so the override only differs where the school changed it)."""
    row = _row_in_scope(model, trust, school, identity)
    created = row is None
    if row is None:
        trust_row = _row_in_scope(model, trust, None, identity) if school is not None else None
        if trust_row is not None and school is not None:
            row = _copy_row(trust_row, school)
        else:
            # New rows go to the end of their list in notices unless the caller places them.
            last = model._default_manager.filter(trust=trust).aggregate(last=models.Max("position"))["last"]
            row = model(
                trust=trust,
                school=school,
                origin=origin,
                position=0 if last is None else last + 1,
                **{model.identity_field: identity},
            )
    _apply(row, fields)
    _clean(row)
    row.save()
    return row, created


# --- loading the default register ------------------------------------------------------------------


def _strip(item: Mapping[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in {"seen_in", *drop}}


@transaction.atomic
def load_default_register(
    trust: Trust, *, actor: Any, replace: bool = False, data: DefaultRegister | None = None
) -> Register:
    """Create the trust's register from Steward's default register (`defaults/register.toml`).

    Refuses when the trust already has one, unless `replace`: then the whole register, school
    overrides included, is replaced. Loading the same defaults again with `replace` gives the same
    register, so the command can be re-run safely.
    """
    _require_manage(actor, trust)
    d = data or default_register()
    existing = Register.objects.filter(trust=trust, school__isnull=True).first()
    has_rows = existing is not None or any(
        m._default_manager.filter(trust=trust).exists() for m in ROW_MODELS
    )
    if has_rows and not replace:
        since = (
            f" (loaded from the default register {existing.defaults_version})"
            if existing and existing.defaults_version
            else ""
        )
        raise ValidationError(
            {
                "trust": f"{trust.name} already has a register{since}. Replace it (school overrides included) "
                "with replace=True, or edit it."
            },
            code="exists",
        )
    kept_consents: dict[tuple[str, int | None], ConsentPurpose] = {}
    if has_rows:
        doomed: tuple[type[models.Model], ...] = (*ROW_MODELS, Register)
        for model in doomed:
            # Per-object deletes, so every removed row is audited (cascades include bases and conditions).
            for row in model._default_manager.filter(trust=trust):
                if isinstance(row, ConsentPurpose) and _has_ledger(row):
                    # Recorded consents name their purpose: the purpose stays, refreshed from the defaults
                    # below when the defaults have it (the ledger is never rewritten).
                    kept_consents[(row.key, row.school_id)] = row
                    continue
                row.delete()

    register = Register(trust=trust, defaults_version=d.version, **d.register)
    _clean(register, "register")
    register.save()
    counts = {"purposes": 0, "bases": 0, "conditions": 0}
    for i, item in enumerate(d.purposes):
        purpose = Purpose(
            trust=trust, origin=Origin.DEFAULT, position=i, **_strip(item, "bases", "conditions")
        )
        _clean(purpose, f"purposes[{i}]")
        purpose.save()
        counts["purposes"] += 1
        for j, b in enumerate(item.get("bases", [])):
            basis = LawfulBasis(purpose=purpose, position=j, **b)
            _clean(basis, f"purposes[{i}].bases[{j}]")
            basis.save()
            counts["bases"] += 1
        for j, c in enumerate(item.get("conditions", [])):
            condition = SpecialCondition(purpose=purpose, **c)
            _clean(condition, f"purposes[{i}].conditions[{j}]")
            condition.save()
            counts["conditions"] += 1
    sections: tuple[tuple[str, type[RegisterRow], tuple[dict[str, Any], ...]], ...] = (
        ("categories", CategoryUse, d.categories),
        ("recipients", Recipient, d.recipients),
        ("systems", System, d.systems),
        ("retention", RetentionRule, d.retention),
        # After the purposes and their bases: a consent purpose names a purpose resting on consent.
        ("consents", ConsentPurpose, d.consents),
    )
    for name, model, items in sections:
        for i, item in enumerate(items):
            fields = _strip(item)
            kept = kept_consents.pop((fields.get("key", ""), None), None) if model is ConsentPurpose else None
            if kept is not None:
                for field, value in {"origin": Origin.DEFAULT, "position": i, **fields}.items():
                    setattr(kept, field, value)
                row = kept
            else:
                row = model(trust=trust, origin=Origin.DEFAULT, position=i, **fields)
            _clean(row, f"{name}[{i}]")
            row.save()
        counts[name] = len(items)
    broken = all_violations(load_snapshot(trust.pk), _schools(trust))
    if broken:
        raise ValidationError({"__all__": [v.message for v in broken]})
    # One summary event beside the per-row create events: which default register, and what it replaced.
    record(
        "import",
        model=Register._meta.label,
        object_id=register.pk,
        detail={
            "source": "default register",
            "version": d.version,
            "replaced": bool(has_rows),
            "rows": counts,
        },
    )
    return register


# --- register-level facts --------------------------------------------------------------------------


@transaction.atomic
def register_update(*, actor: Any, trust: Trust, school: School | None = None, **fields: Any) -> Register:
    """Change register-level facts (automated decision-making, profiling, youth support opt-out);
    with `school`, that school's own facts (starting from the trust's)."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    unknown = sorted(set(fields) - set(REGISTER_FIELDS))
    if unknown:
        raise ValidationError({name: f"Not a register-level fact: {name!r}." for name in unknown})
    base = Register.objects.filter(trust=trust, school__isnull=True).first()
    if base is None:
        raise ValidationError(
            {"trust": f"{trust.name} has no register yet: load the default register first."}
        )
    reg = base if school is None else Register.objects.filter(trust=trust, school=school).first()
    if reg is None:
        reg = Register(trust=trust, school=school, **{f: getattr(base, f) for f in REGISTER_FIELDS})
    for name, value in fields.items():
        setattr(reg, name, value)
    _clean(reg)
    reg.save()
    return reg


# --- purposes, bases and conditions ----------------------------------------------------------------


@transaction.atomic
def purpose_create(
    *,
    actor: Any,
    trust: Trust,
    key: str,
    name: str,
    description: str,
    bases: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]] = (),
    school: School | None = None,
    description_young: str = "",
    audiences: Sequence[str] = (Audience.PUPIL, Audience.PARENT),
    phases: Sequence[str] = (),
    active: bool = True,
    position: int | None = None,
    notes: str = "",
) -> Purpose:
    """Add a purpose with its lawful bases (each {"basis", "legislation", ...}) and, optionally, its
    Art 9 conditions (each {"category_key", "condition", "schedule_1_paragraph", ...}).

    An active purpose needs at least one basis: refused otherwise, naming `bases`.
    """
    _require_manage(actor, trust)
    _check_school(trust, school)
    if active and not bases:
        raise ValidationError(
            {
                "bases": "An active purpose needs at least one lawful basis (UK GDPR Art 6(1)); add one, "
                "or create the purpose inactive."
            }
        )
    with _rules_kept(trust, "bases"):
        if position is None:
            last = (
                Purpose.objects.filter(trust=trust)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
            )
            position = (last or 0) + 1
        purpose = Purpose(
            trust=trust,
            school=school,
            key=key,
            name=name,
            description=description,
            description_young=description_young,
            audiences=list(audiences),
            phases=list(phases),
            active=active,
            position=position,
            notes=notes,
        )
        _clean(purpose)
        purpose.save()
        for j, b in enumerate(bases):
            basis = LawfulBasis(purpose=purpose, position=j, **b)
            _clean(basis, f"bases[{j}]")
            basis.save()
        for j, c in enumerate(conditions):
            condition = SpecialCondition(purpose=purpose, **c)
            _clean(condition, f"conditions[{j}]")
            condition.save()
    return purpose


PURPOSE_FIELDS = (
    "name",
    "description",
    "description_young",
    "audiences",
    "phases",
    "active",
    "position",
    "notes",
)


@transaction.atomic
def purpose_update(*, actor: Any, purpose: Purpose, **fields: Any) -> Purpose:
    """Change a purpose's wording, audiences, phases, order or active flag (its key never changes:
    category uses and recipients name it). Making a purpose without a basis active is refused."""
    _require_manage(actor, purpose.trust)
    unknown = sorted(set(fields) - set(PURPOSE_FIELDS))
    if unknown:
        raise ValidationError({name: f"A purpose's {name!r} cannot be changed here." for name in unknown})
    with _rules_kept(purpose.trust, "active"):
        _apply(purpose, fields)
        _clean(purpose)
        purpose.save()
    return purpose


@transaction.atomic
def purpose_delete(*, actor: Any, purpose: Purpose) -> None:
    """Delete a purpose and its bases and conditions. A trust purpose that category uses or recipients
    still name is refused (make it inactive instead); deleting a school's override restores the trust's."""
    trust = purpose.trust
    _require_manage(actor, trust)
    if purpose.school_id is None:
        users = [
            f"category use {u.category_key}"
            for u in CategoryUse.objects.filter(trust=trust)
            if purpose.key in u.purposes
        ] + [f"recipient {r.key}" for r in Recipient.objects.filter(trust=trust) if purpose.key in r.purposes]
        if users:
            raise ValidationError(
                {
                    "key": f"'{purpose.name}' is still named by {', '.join(users)}: remove it from them first, "
                    "or make the purpose inactive."
                }
            )
    _delete(purpose, trust, "key")


@transaction.atomic
def basis_add(
    *,
    actor: Any,
    purpose: Purpose,
    basis: str,
    legislation: str = "",
    legitimate_interests: str = "",
    explanation: str = "",
) -> LawfulBasis:
    """Add a lawful basis to a purpose; legal obligation and public task must cite legislation."""
    _require_manage(actor, purpose.trust)
    last = purpose.bases.order_by("-position").values_list("position", flat=True).first()
    row = LawfulBasis(
        purpose=purpose,
        basis=basis,
        legislation=legislation,
        legitimate_interests=legitimate_interests,
        explanation=explanation,
        position=0 if last is None else last + 1,
    )
    _clean(row)
    row.save()
    return row


@transaction.atomic
def basis_update(*, actor: Any, basis: LawfulBasis, **fields: Any) -> LawfulBasis:
    """Change the legislation, interests or explanation of a basis."""
    _require_manage(actor, basis.purpose.trust)
    allowed = {"legislation", "legitimate_interests", "explanation", "position"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: f"A basis's {name!r} cannot be changed here." for name in unknown})
    _apply(basis, fields)
    _clean(basis)
    basis.save()
    return basis


@transaction.atomic
def basis_remove(*, actor: Any, basis: LawfulBasis) -> None:
    """Remove a lawful basis; refused, naming `basis`, if it is the last one of an active purpose."""
    purpose = basis.purpose
    _require_manage(actor, purpose.trust)
    _delete(basis, purpose.trust, "basis")


@transaction.atomic
def condition_add(
    *,
    actor: Any,
    purpose: Purpose,
    category_key: str,
    condition: str,
    schedule_1_paragraph: int | None = None,
    explanation: str = "",
) -> SpecialCondition:
    """Add an Art 9(2) condition for a special category in a purpose, with its DPA 2018 Sch 1
    paragraph where the condition needs one ((b), (g), (h), (i), (j))."""
    _require_manage(actor, purpose.trust)
    row = SpecialCondition(
        purpose=purpose,
        category_key=category_key,
        condition=condition,
        schedule_1_paragraph=schedule_1_paragraph,
        explanation=explanation,
    )
    _clean(row)
    row.save()
    return row


@transaction.atomic
def condition_remove(*, actor: Any, condition: SpecialCondition) -> None:
    """Remove a condition; refused, naming `condition`, if a special category would be left without one."""
    trust = condition.purpose.trust
    _require_manage(actor, trust)
    _delete(condition, trust, "condition")


# --- category uses, recipients, systems, retention ------------------------------------------------


@transaction.atomic
def category_use_upsert(
    *, actor: Any, trust: Trust, category_key: str, school: School | None = None, **fields: Any
) -> CategoryUse:
    """Record (or change) the use of a data category: provision, requirement, consequence, sources,
    purposes. A special category in a purpose with no Art 9 condition for it is refused, naming `purposes`."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    with _rules_kept(trust, "purposes"):
        row, _ = _upsert(CategoryUse, trust=trust, school=school, identity=category_key, fields=fields)
    return row


@transaction.atomic
def recipient_upsert(
    *, actor: Any, trust: Trust, key: str, school: School | None = None, **fields: Any
) -> Recipient:
    """Record (or change) a recipient. Sharing a special category for purposes none of which has an
    Art 9 condition for it is refused, naming `categories`."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    with _rules_kept(trust, "categories"):
        row, _ = _upsert(Recipient, trust=trust, school=school, identity=key, fields=fields)
    return row


@transaction.atomic
def system_upsert(
    *, actor: Any, trust: Trust, key: str, school: School | None = None, **fields: Any
) -> System:
    """Record (or change) a system and its processor: supplier, hosting, transfers, agreement date."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    row, _ = _upsert(System, trust=trust, school=school, identity=key, fields=fields)
    return row


@transaction.atomic
def system_pick_from_catalogue(
    *,
    actor: Any,
    trust: Trust,
    catalogue_key: str,
    school: School | None = None,
    key: str | None = None,
    **fields: Any,
) -> System:
    """Pick a system from the catalogue. With `key` naming an existing row (e.g. the default "mis"),
    that row becomes the picked product; otherwise a row keyed by the catalogue key is added. Hosting
    and transfer facts stay "to confirm" until the school records them."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    try:
        entry = catalogue().get(catalogue_key)
    except KeyError:
        raise ValidationError({"catalogue_key": f"No system {catalogue_key!r} in the catalogue."}) from None
    values = {**entry.system_fields(), **fields}
    row, _ = _upsert(
        System, trust=trust, school=school, identity=key or entry.key, fields=values, origin=Origin.CATALOGUE
    )
    if row.origin != Origin.CATALOGUE:
        row.origin = Origin.CATALOGUE
        row.save(update_fields=["origin", "updated_at"])
    return row


@transaction.atomic
def retention_rule_upsert(
    *, actor: Any, trust: Trust, key: str, school: School | None = None, **fields: Any
) -> RetentionRule:
    """Record (or change) a retention rule: category, record, trigger, period, action, source, status."""
    _require_manage(actor, trust)
    _check_school(trust, school)
    row, _ = _upsert(RetentionRule, trust=trust, school=school, identity=key, fields=fields)
    return row


@transaction.atomic
def entry_remove(*, actor: Any, entry: RegisterRow) -> None:
    """Remove a category use, recipient, system or retention rule (use `purpose_delete` for purposes).
    Removing a school's override restores the trust's row for that school."""
    if isinstance(entry, Purpose):
        raise ValidationError({"key": "Use purpose_delete to remove a purpose."})
    _require_manage(actor, entry.trust)
    _delete(entry, entry.trust, entry.identity_field)


# --- per-school overrides --------------------------------------------------------------------------


@transaction.atomic
def override_for_school(*, actor: Any, entry: R, school: School, **changes: Any) -> R:
    """Make `school`'s own version of a trust row (a copy, with its bases and conditions for a purpose),
    changed by `changes`; if the school already has one, change that. The school's effective register
    then uses it instead of the trust's row."""
    trust = entry.trust
    _require_manage(actor, trust)
    _check_school(trust, school)
    if entry.school_id is not None:
        raise ValidationError({"school": "This row is already a school's own; change it directly."})
    field = next(iter(changes), "active")
    with _rules_kept(trust, field):
        row = _row_in_scope(type(entry), trust, school, entry.identity)
        if row is None:
            row = _copy_row(entry, school)
            fresh = True
        else:
            fresh = False
        _apply(row, changes)
        _clean(row)
        row.save()
        if fresh and isinstance(entry, Purpose) and isinstance(row, Purpose):
            for b in entry.bases.all():
                copy_b = LawfulBasis(
                    purpose=row,
                    basis=b.basis,
                    legislation=b.legislation,
                    legitimate_interests=b.legitimate_interests,
                    explanation=b.explanation,
                    position=b.position,
                )
                copy_b.save()
            for c in entry.conditions.all():
                SpecialCondition(
                    purpose=row,
                    category_key=c.category_key,
                    condition=c.condition,
                    schedule_1_paragraph=c.schedule_1_paragraph,
                    explanation=c.explanation,
                ).save()
    return row


def disable_for_school(*, actor: Any, entry: R, school: School) -> R:
    """Leave a trust row out of one school's register (an inactive override)."""
    return override_for_school(actor=actor, entry=entry, school=school, active=False)


@transaction.atomic
def override_remove(*, actor: Any, entry: RegisterRow) -> None:
    """Delete a school's override, so the school follows the trust's row again."""
    if entry.school_id is None:
        raise ValidationError({"school": "This is the trust's own row, not a school's override."})
    _require_manage(actor, entry.trust)
    _delete(entry, entry.trust, "school")


__all__ = [
    "basis_add",
    "basis_remove",
    "basis_update",
    "category_use_upsert",
    "condition_add",
    "condition_remove",
    "disable_for_school",
    "entry_remove",
    "load_default_register",
    "override_for_school",
    "override_remove",
    "purpose_create",
    "purpose_delete",
    "purpose_update",
    "recipient_upsert",
    "register_update",
    "retention_rule_upsert",
    "system_pick_from_catalogue",
    "system_upsert",
]
