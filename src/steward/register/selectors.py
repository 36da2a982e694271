"""Reads of the register: a school's effective register as plain data, and what a notice still lacks.

The notice compiler consumes `effective_register(school)`; nothing in the `RegisterView` it returns is
a model instance, so a compiled notice depends only on these dataclasses. The register is not personal
data (it describes processing, and its public form is the privacy notice), so reading it needs no
actor; changing it does (`services`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School, Trust
from steward.register.choices import (
    BASIS_INFO,
    CONDITION_ARTICLE,
    Art6,
    Art9,
    Audience,
    Provision,
    RecipientKind,
    RetentionAction,
    RuleStatus,
    Safeguard,
    Sharing,
    Source,
    SystemFunction,
    Transfer,
    YouthSupportModel,
    schedule_1_citation,
)
from steward.register.defaults import CatalogueSystem, catalogue
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
from steward.register.resolve import Effective, covers, effective, load_snapshot, violations
from steward.registry.taxonomy import taxonomy

# How deep in the taxonomy category uses are grouped for notices: pupil data by its second level
# (identifiers, characteristics, health, ...: the DfE model notice's list), parent data as one group.
GROUP_DEPTH = {"pupil": 2, "contact": 1, "staff": 1}


@dataclass(frozen=True)
class CategoryRef:
    """A taxonomy category as notices name it."""

    key: str
    label: str
    description: str
    special: bool


def category_ref(key: str) -> CategoryRef:
    c = taxonomy().get(key)
    return CategoryRef(key=c.key, label=c.label, description=c.description, special=c.special)


@dataclass(frozen=True)
class BasisView:
    """A lawful basis of a purpose: `basis` is an `Art6` value, `article` e.g. "UK GDPR Art 6(1)(e)"."""

    basis: str
    label: str
    short: str
    article: str
    plain: str
    legislation: str
    legitimate_interests: str
    explanation: str


@dataclass(frozen=True)
class ConditionView:
    """An Art 9 condition for a special category in a purpose, e.g. Art 9(2)(g) with Sch 1 Pt 2 para 18."""

    purpose_key: str
    category: CategoryRef
    condition: str
    label: str
    article: str
    schedule_1_paragraph: int | None
    schedule_1: str
    explanation: str

    @property
    def citation(self) -> str:
        return "; ".join(c for c in (self.article, self.schedule_1) if c)


@dataclass(frozen=True)
class PurposeView:
    """A purpose with its bases, conditions and the categories it uses."""

    key: str
    name: str
    description: str
    description_young: str
    audiences: tuple[str, ...]
    bases: tuple[BasisView, ...]
    conditions: tuple[ConditionView, ...]
    categories: tuple[CategoryRef, ...]
    school_specific: bool

    @property
    def consent_based(self) -> bool:
        return any(b.basis == Art6.CONSENT for b in self.bases) or any(
            c.condition == Art9.EXPLICIT_CONSENT for c in self.conditions
        )


@dataclass(frozen=True)
class CategoryUseView:
    """A category of data: must it be given, why, what if not, where it comes from, what it is for."""

    category: CategoryRef
    provision: str
    provision_label: str
    requirement: str
    consequence: str
    sources: tuple[str, ...]
    source_labels: tuple[str, ...]
    purposes: tuple[str, ...]

    @property
    def mandatory(self) -> bool:
        return self.provision == Provision.MANDATORY


@dataclass(frozen=True)
class CategoryGroup:
    """Category uses under one heading, e.g. "Medical and health" (pupil.health)."""

    key: str
    label: str
    special: bool
    uses: tuple[CategoryUseView, ...]


@dataclass(frozen=True)
class RecipientView:
    """Who receives data, on what basis and gateway, how often, what, and which notice sections it triggers."""

    key: str
    name: str
    kind: str
    kind_label: str
    description: str
    lawful_basis: BasisView
    legal_gateway: str
    routine: bool
    categories: tuple[CategoryRef, ...]
    purposes: tuple[str, ...]
    dsa_required: bool
    youth_support_13: bool
    youth_support_16: bool
    npd: bool
    information_url: str


@dataclass(frozen=True)
class SystemView:
    """A system or processor. Empty hosting or `international_transfer == "unknown"` means to confirm."""

    key: str
    name: str
    function: str
    function_label: str
    supplier: str
    description: str
    hosting_location: str
    international_transfer: str
    transfer_destination: str
    transfer_safeguard: str
    transfer_safeguard_label: str
    transfer_safeguard_detail: str
    processor_agreement_date: dt.date | None
    categories: tuple[CategoryRef, ...]
    catalogue_key: str
    origin: str


@dataclass(frozen=True)
class RetentionView:
    """How long a record is kept: `summary` reads e.g. "the pupil's date of birth + 25 years, then review"."""

    key: str
    category: CategoryRef
    record_type: str
    trigger: str
    period_kind: str
    years: int | None
    months: int | None
    days: int | None
    action: str
    action_label: str
    summary: str
    source: str
    status: str
    status_label: str


@dataclass(frozen=True)
class AdmView:
    """Automated decision-making and profiling (Art 13(2)(f))."""

    automated_decisions: bool
    profiling: bool
    description: str

    @property
    def any(self) -> bool:
        return self.automated_decisions or self.profiling


@dataclass(frozen=True)
class ControllerView:
    """The controller (the trust) and the school, from the organisation records (never duplicated here)."""

    name: str
    address: str
    ico_registration: str
    companies_house_number: str
    school_name: str
    school_urn: str
    school_address: str
    school_postcode: str
    school_phone: str
    school_email: str
    school_website: str
    local_authority: str
    maintained: bool


@dataclass(frozen=True)
class DpoView:
    """The DPO to name in notices: the school's own, else the trust's."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class RegisterView:
    """A school's effective register: everything a privacy notice says about processing.

    Flags for the notice compiler: `youth_support_13` / `youth_support_16` (include the youth support
    sections), `npd` (include the National Pupil Database section), `adm.any` (describe automated
    decisions rather than say there are none), `international_transfers` (systems that send data abroad).
    """

    exists: bool
    school_urn: str
    school_name: str
    school_phase: str
    controller: ControllerView
    dpo: DpoView
    purposes: tuple[PurposeView, ...]
    conditions: tuple[ConditionView, ...]
    categories: tuple[CategoryGroup, ...]
    recipients: tuple[RecipientView, ...]
    systems: tuple[SystemView, ...]
    retention: tuple[RetentionView, ...]
    adm: AdmView
    youth_support_model: str
    youth_support_model_label: str
    defaults_version: str
    taxonomy_version: str
    audience: str = ""  # set by for_audience()

    @property
    def youth_support_13(self) -> bool:
        return any(r.youth_support_13 for r in self.recipients)

    @property
    def youth_support_16(self) -> bool:
        return any(r.youth_support_16 for r in self.recipients)

    @property
    def npd(self) -> bool:
        return any(r.npd for r in self.recipients)

    @property
    def uses(self) -> tuple[CategoryUseView, ...]:
        return tuple(u for g in self.categories for u in g.uses)

    @property
    def special_categories(self) -> tuple[CategoryRef, ...]:
        seen: dict[str, CategoryRef] = {}
        for u in self.uses:
            if u.category.special:
                seen.setdefault(u.category.key, u.category)
        return tuple(seen.values())

    @property
    def consent_based(self) -> bool:
        """True when any purpose relies on consent: the notice must explain withdrawing it."""
        return any(p.consent_based for p in self.purposes)

    @property
    def international_transfers(self) -> tuple[SystemView, ...]:
        return tuple(s for s in self.systems if s.international_transfer == Transfer.YES)

    @property
    def transfers_unconfirmed(self) -> tuple[SystemView, ...]:
        return tuple(s for s in self.systems if s.international_transfer == Transfer.UNKNOWN)

    def purpose(self, key: str) -> PurposeView:
        for p in self.purposes:
            if p.key == key:
                return p
        raise KeyError(f"no active purpose {key!r} in this register")

    def recipient(self, key: str) -> RecipientView:
        for r in self.recipients:
            if r.key == key:
                return r
        raise KeyError(f"no recipient {key!r} in this register")

    def for_audience(self, audience: str) -> RegisterView:
        """The register as one notice tells it: only the purposes meant for `audience`, and the
        categories, conditions and recipients serving them."""
        if audience not in Audience.values:
            raise ValueError(f"unknown audience {audience!r}: use one of {', '.join(Audience.values)}")
        purposes = tuple(p for p in self.purposes if audience in p.audiences)
        keys = {p.key for p in purposes}
        groups = []
        for g in self.categories:
            uses = tuple(
                replace(u, purposes=tuple(k for k in u.purposes if k in keys))
                for u in g.uses
                if any(k in keys for k in u.purposes)
            )
            if uses:
                groups.append(replace(g, uses=uses))
        recipients = tuple(
            replace(r, purposes=tuple(k for k in r.purposes if k in keys))
            for r in self.recipients
            if any(k in keys for k in r.purposes)
        )
        return replace(
            self,
            purposes=purposes,
            conditions=tuple(c for c in self.conditions if c.purpose_key in keys),
            categories=tuple(groups),
            recipients=recipients,
            audience=audience,
        )

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-ready data, flags included."""
        data = asdict(self)
        data["flags"] = {
            "youth_support_13": self.youth_support_13,
            "youth_support_16": self.youth_support_16,
            "npd": self.npd,
            "automated_decisions": self.adm.any,
            "consent_based": self.consent_based,
            "international_transfers": bool(self.international_transfers),
        }
        return data


@dataclass(frozen=True)
class Problem:
    """Something a complete notice needs and the register lacks (`severity` "error"), or something the
    DPO should confirm (`severity` "advice"). `field` names the model field to fix; `ref` the row."""

    code: str
    message: str
    severity: str = "error"
    field: str = ""
    ref: str = ""


# --- building the view --------------------------------------------------------------------------


def _basis_view(
    basis: str, legislation: str = "", legitimate_interests: str = "", explanation: str = ""
) -> BasisView:
    info = BASIS_INFO[basis]
    return BasisView(
        basis=basis,
        label=Art6(basis).label,
        short=info.short,
        article=info.article,
        plain=info.plain,
        legislation=legislation,
        legitimate_interests=legitimate_interests,
        explanation=explanation,
    )


def _basis(b: LawfulBasis) -> BasisView:
    return _basis_view(b.basis, b.legislation, b.legitimate_interests, b.explanation)


def _condition(purpose_key: str, c: SpecialCondition) -> ConditionView:
    return ConditionView(
        purpose_key=purpose_key,
        category=category_ref(c.category_key),
        condition=c.condition,
        label=Art9(c.condition).label,
        article=CONDITION_ARTICLE[c.condition],
        schedule_1_paragraph=c.schedule_1_paragraph,
        schedule_1=schedule_1_citation(c.schedule_1_paragraph),
        explanation=c.explanation,
    )


def _use(u: CategoryUse, purposes: tuple[str, ...]) -> CategoryUseView:
    return CategoryUseView(
        category=category_ref(u.category_key),
        provision=u.provision,
        provision_label=Provision(u.provision).label,
        requirement=u.requirement,
        consequence=u.consequence,
        sources=tuple(u.sources),
        source_labels=tuple(Source(s).label for s in u.sources),
        purposes=purposes,
    )


def group_key(category_key: str) -> str:
    """The heading a category is listed under (pupil.health.allergy -> pupil.health; contact.* -> contact)."""
    parts = category_key.split(".")
    return ".".join(parts[: GROUP_DEPTH.get(parts[0], 1)])


def _groups(uses: list[CategoryUseView]) -> tuple[CategoryGroup, ...]:
    order: dict[str, list[CategoryUseView]] = {}
    for u in uses:
        order.setdefault(group_key(u.category.key), []).append(u)
    tax = taxonomy()
    return tuple(
        CategoryGroup(key=k, label=tax.get(k).label, special=tax.get(k).special, uses=tuple(v))
        for k, v in order.items()
    )


def _recipient(r: Recipient, purposes: tuple[str, ...]) -> RecipientView:
    return RecipientView(
        key=r.key,
        name=r.name,
        kind=r.kind,
        kind_label=RecipientKind(r.kind).label,
        description=r.description,
        lawful_basis=_basis_view(r.lawful_basis),
        legal_gateway=r.legal_gateway,
        routine=r.sharing == Sharing.ROUTINE,
        categories=tuple(category_ref(k) for k in r.categories),
        purposes=purposes,
        dsa_required=r.dsa_required,
        youth_support_13=r.youth_support_13,
        youth_support_16=r.youth_support_16,
        npd=r.npd,
        information_url=r.information_url,
    )


def _system(s: System) -> SystemView:
    return SystemView(
        key=s.key,
        name=s.name,
        function=s.function,
        function_label=SystemFunction(s.function).label,
        supplier=s.supplier,
        description=s.description,
        hosting_location=s.hosting_location,
        international_transfer=s.international_transfer,
        transfer_destination=s.transfer_destination,
        transfer_safeguard=s.transfer_safeguard,
        transfer_safeguard_label=Safeguard(s.transfer_safeguard).label if s.transfer_safeguard else "",
        transfer_safeguard_detail=s.transfer_safeguard_detail,
        processor_agreement_date=s.processor_agreement_date,
        categories=tuple(category_ref(k) for k in s.categories),
        catalogue_key=s.catalogue_key,
        origin=s.origin,
    )


def _retention(r: RetentionRule) -> RetentionView:
    return RetentionView(
        key=r.key,
        category=category_ref(r.category_key),
        record_type=r.record_type,
        trigger=r.trigger,
        period_kind=r.period_kind,
        years=r.years,
        months=r.months,
        days=r.days,
        action=r.action,
        action_label=RetentionAction(r.action).label,
        summary=r.summary,
        source=r.source,
        status=r.status,
        status_label=RuleStatus(r.status).label,
    )


def _controller(school: School) -> ControllerView:
    t = school.trust
    return ControllerView(
        name=t.name,
        address=t.address,
        ico_registration=t.ico_registration,
        companies_house_number=t.companies_house_number,
        school_name=school.name,
        school_urn=school.urn,
        school_address=school.address,
        school_postcode=school.postcode,
        school_phone=school.phone,
        school_email=school.email,
        school_website=school.website,
        local_authority=school.local_authority,
        maintained=school.is_maintained,
    )


def _view(school: School, eff: Effective, exists: bool) -> RegisterView:
    uses_by_purpose: dict[str, list[CategoryRef]] = {}
    use_views: list[CategoryUseView] = []
    for u, keys in eff.uses:
        use_views.append(_use(u, keys))
        for k in keys:
            uses_by_purpose.setdefault(k, []).append(category_ref(u.category_key))
    purposes: list[PurposeView] = []
    conditions: list[ConditionView] = []
    for p in eff.purposes:
        conds = tuple(_condition(p.key, c) for c in eff.conditions(p))
        conditions += conds
        purposes.append(
            PurposeView(
                key=p.key,
                name=p.name,
                description=p.description,
                description_young=p.description_young,
                audiences=tuple(p.audiences),
                bases=tuple(_basis(b) for b in eff.bases(p)),
                conditions=conds,
                categories=tuple(uses_by_purpose.get(p.key, ())),
                school_specific=p.school_id is not None,
            )
        )
    reg = eff.register
    model = reg.youth_support_model if reg else YouthSupportModel.OBJECT
    dpo = school.dpo_contact()
    return RegisterView(
        exists=exists,
        school_urn=school.urn,
        school_name=school.name,
        school_phase=school.phase,
        controller=_controller(school),
        dpo=DpoView(name=dpo["name"], email=dpo["email"], phone=dpo["phone"]),
        purposes=tuple(purposes),
        conditions=tuple(conditions),
        categories=_groups(use_views),
        recipients=tuple(_recipient(r, keys) for r, keys in eff.recipients),
        systems=tuple(_system(s) for s in eff.systems),
        retention=tuple(_retention(r) for r in eff.retention),
        adm=AdmView(
            automated_decisions=bool(reg and reg.automated_decisions),
            profiling=bool(reg and reg.profiling),
            description=reg.adm_description if reg else "",
        ),
        youth_support_model=model,
        youth_support_model_label=YouthSupportModel(model).label,
        defaults_version=reg.defaults_version if reg else "",
        taxonomy_version=taxonomy().version,
    )


def effective_register(school: School) -> RegisterView:
    """The register as it applies to `school`: the trust's rows with the school's overrides, active
    rows for the school's phase only. An empty view (exists=False) when the trust has no register."""
    snapshot = load_snapshot(school.trust_id)
    return _view(school, effective(snapshot, school), snapshot.exists)


# --- what is missing ------------------------------------------------------------------------------


def _via_ref(via: str) -> str:
    """ "category use pupil.health" -> "category:pupil.health"; "recipient nhs" -> "recipient:nhs"."""
    what, _, key = via.rpartition(" ")
    return f"{'category' if what == 'category use' else what}:{key}"


def _problems(school: School, eff: Effective, view: RegisterView, exists: bool) -> list[Problem]:
    out: list[Problem] = []
    if not exists:
        return [
            Problem(
                "no_register",
                f"{school.trust.name} has no register yet: load the default register "
                f"(steward register load-defaults --trust {school.trust_id} --actor USER).",
            )
        ]
    if not (view.dpo.email or view.dpo.phone):
        out.append(
            Problem(
                "no_dpo_contact",
                f"No contact details for the data protection officer: give an email address or telephone "
                f"number on the trust ({school.trust.name}) or the school ({school.name}) record.",
                field="dpo_email",
                ref=f"school:{school.urn}",
            )
        )
    if not eff.purposes:
        out.append(Problem("no_purposes", "The register has no active purposes."))
    for v in violations(eff):
        code = "purpose_without_basis" if v.kind == "no_basis" else "special_category_without_condition"
        out.append(
            Problem(
                code,
                v.message.removeprefix(f"At {school.name}: "),
                field="bases" if v.kind == "no_basis" else "conditions",
                ref=f"purpose:{v.purpose_key}" if v.kind == "no_basis" else _via_ref(v.via),
            )
        )
    for r, _ in eff.recipients:
        if not r.legal_gateway.strip():
            out.append(
                Problem(
                    "recipient_without_gateway",
                    f"The recipient '{r.name}' ({r.key}) has no legal gateway: say which law or agreement "
                    "allows the sharing.",
                    field="legal_gateway",
                    ref=f"recipient:{r.key}",
                )
            )
    for u, _ in eff.uses:
        if not any(covers(rule.category_key, u.category_key) for rule in eff.retention):
            out.append(
                Problem(
                    "category_without_retention",
                    f"{taxonomy().get(u.category_key).label} ({u.category_key}) has no retention rule: add "
                    "one for it or for a category above it.",
                    field="category_key",
                    ref=f"category:{u.category_key}",
                )
            )
        if u.provision == Provision.MANDATORY and not u.consequence.strip():
            out.append(
                Problem(
                    "mandatory_without_consequence",
                    f"{u.category_key} is mandatory but the consequence of not providing it is not stated.",
                    field="consequence",
                    ref=f"category:{u.category_key}",
                )
            )
        if not u.sources:
            out.append(
                Problem(
                    "category_without_source",
                    f"{u.category_key} does not say where the data comes from.",
                    field="sources",
                    ref=f"category:{u.category_key}",
                )
            )
    if view.adm.any and not view.adm.description.strip():
        out.append(
            Problem(
                "adm_without_description",
                "Automated decision-making or profiling is recorded without a description.",
                field="adm_description",
            )
        )
    for s in eff.systems:
        if s.international_transfer == Transfer.YES and not (s.transfer_safeguard and s.transfer_destination):
            out.append(
                Problem(
                    "transfer_without_safeguard",
                    f"{s.name} sends data abroad without a recorded destination and safeguard.",
                    field="transfer_safeguard",
                    ref=f"system:{s.key}",
                )
            )
    return out


def _advice(school: School, eff: Effective, view: RegisterView) -> list[Problem]:
    out: list[Problem] = []

    def add(code: str, message: str, field: str = "", ref: str = "") -> None:
        out.append(Problem(code, message, severity="advice", field=field, ref=ref))

    if not (school.address or school.phone or school.email):
        add(
            "no_school_contact",
            f"{school.name} has no address, telephone or email on record: the notice will give only the "
            "DPO's contact details.",
            "address",
            f"school:{school.urn}",
        )
    for audience in Audience:
        if not any(audience.value in p.audiences for p in view.purposes):
            add(
                "audience_without_purposes",
                f"No active purpose appears in the notice for {audience.label.lower()}.",
                "audiences",
            )
    for p in eff.purposes:
        for b in eff.bases(p):
            if b.basis == Art6.LEGITIMATE_INTERESTS:
                add(
                    "legitimate_interests_public_authority",
                    f"'{p.name}' relies on legitimate interests. A school is a public authority and cannot "
                    "rely on them for processing in the performance of its tasks (UK GDPR Art 6(1), last "
                    "subparagraph): use public task, or keep this to processing outside the school's tasks.",
                    "basis",
                    f"purpose:{p.key}",
                )
    for u in eff.idle_uses:
        add(
            "category_without_active_purpose",
            f"{u.category_key} serves no purpose that is active here, so it is left out of the notice.",
            "purposes",
            f"category:{u.category_key}",
        )
    for r in eff.idle_recipients:
        add(
            "recipient_without_active_purpose",
            f"'{r.name}' serves no purpose that is active here, so it is left out of the notice.",
            "purposes",
            f"recipient:{r.key}",
        )
    for s in eff.systems:
        # One item per system, listing what to confirm, so the list stays readable for a DPO.
        todo: list[tuple[str, str]] = []
        if not s.supplier:
            todo.append(("supplier", "pick the product from the catalogue or name the supplier"))
        if not s.hosting_location:
            todo.append(("hosting_location", "confirm where the data is hosted"))
        if s.international_transfer == Transfer.UNKNOWN:
            todo.append(
                ("international_transfer", "confirm whether data leaves the UK (and if so, the safeguard)")
            )
        if s.supplier and not s.processor_agreement_date:
            todo.append(
                (
                    "processor_agreement_date",
                    "record when the processor agreement (UK GDPR Art 28) was signed",
                )
            )
        if todo:
            add(
                "system_to_confirm",
                f"{s.name}: {'; '.join(t for _, t in todo)}.",
                todo[0][0],
                f"system:{s.key}",
            )
    for rule in eff.retention:
        if rule.status == RuleStatus.UNCONFIRMED:
            add(
                "retention_unconfirmed",
                f"Retention of '{rule.record_type}' ({rule.summary}) comes from an unconfirmed source: check it "
                "against the current IRMS toolkit.",
                "status",
                f"retention:{rule.key}",
            )
    return out


def register_problems(school: School, *, include_advice: bool = False) -> list[Problem]:
    """What the school's notice would lack (severity "error"), and with `include_advice` also what the
    DPO should confirm (severity "advice"). Empty means a complete notice can be compiled."""
    snapshot = load_snapshot(school.trust_id)
    eff = effective(snapshot, school)
    view = _view(school, eff, snapshot.exists)
    problems = _problems(school, eff, view, snapshot.exists)
    if include_advice and snapshot.exists:
        problems += _advice(school, eff, view)
    return problems


def problems_by_school(trust: Trust, schools: Iterable[School]) -> dict[int, list[Problem]]:
    """`register_problems(school, include_advice=True)` for several schools of one trust, from one
    snapshot (the trust overview lists every school's count without a round of queries per school)."""
    snapshot = load_snapshot(trust.pk)
    out: dict[int, list[Problem]] = {}
    for school in schools:
        eff = effective(snapshot, school)
        view = _view(school, eff, snapshot.exists)
        found = _problems(school, eff, view, snapshot.exists)
        if snapshot.exists:
            found += _advice(school, eff, view)
        out[school.pk] = found
    return out


# --- the DPO's working view: every row, and whether it applies --------------------------------------


class RowState(models.TextChoices):
    """Why a listed row is, or is not, in the effective register (the notice)."""

    APPLIES = "applies", "In the register"
    INACTIVE = "inactive", "Inactive"
    DISABLED = "disabled", "Left out at this school"
    OTHER_PHASE = "other_phase", "Not for this school's phase"
    IDLE = "idle", "Serves no active purpose"


@dataclass(frozen=True)
class ListedRow:
    """One row of a register listing. In a school's listing `row` is the row that counts there (the
    school's own version when it has one) and `trust_row` the trust's row it replaces, if any; in the
    trust's listing `row` is the trust's row and `school_versions` names the schools that replace it."""

    row: Any
    trust_row: Any | None
    state: str
    school_versions: tuple[str, ...] = ()

    @property
    def applies(self) -> bool:
        return self.state == RowState.APPLIES

    @property
    def source(self) -> str:
        """ "trust", "school_version" (replaces a trust row) or "school_only" (the school's addition)."""
        if self.row.school_id is None:
            return "trust"
        return "school_version" if self.trust_row is not None else "school_only"


@dataclass(frozen=True)
class Listing:
    """Every row of a trust's register (or, with `school`, of that school's view of it), in notice
    order, each with its state: what the register pages show and the DPO edits."""

    trust: Trust
    school: School | None
    exists: bool
    register: Any | None  # the Register facts that apply here (the school's own, else the trust's)
    school_facts: bool  # the school has facts of its own
    purposes: tuple[ListedRow, ...]
    uses: tuple[ListedRow, ...]
    recipients: tuple[ListedRow, ...]
    systems: tuple[ListedRow, ...]
    retention: tuple[ListedRow, ...]

    def find(self, section: str, identity: str) -> ListedRow | None:
        """The listed row of `section` ("purposes", "uses", ...) with this key, if any."""
        rows: tuple[ListedRow, ...] = getattr(self, section)
        return next((r for r in rows if r.row.identity == identity), None)


def _listed(
    rows: Sequence[RegisterRow],
    school: School | None,
    applied: set[int],
    idle: set[int],
    school_names: Mapping[int, str],
) -> tuple[ListedRow, ...]:
    trust_rows = {r.identity: r for r in rows if r.school_id is None}
    chosen: dict[str, RegisterRow] = dict(trust_rows)
    versions: dict[str, list[str]] = {}
    for r in rows:
        if r.school_id is None:
            continue
        if school is None:
            versions.setdefault(r.identity, []).append(school_names.get(r.school_id, ""))
        elif r.school_id == school.pk:
            chosen[r.identity] = r
    phase = school.phase if school is not None else None
    out: list[ListedRow] = []
    for r in sorted(chosen.values(), key=lambda r: (r.position, r.identity)):
        trust_row = trust_rows.get(r.identity) if r.school_id is not None else None
        if r.pk in applied:
            state = RowState.APPLIES
        elif not r.active:
            state = RowState.DISABLED if trust_row is not None else RowState.INACTIVE
        elif r.pk in idle:
            state = RowState.IDLE
        elif phase is not None and r.phases and phase not in r.phases:
            state = RowState.OTHER_PHASE
        else:  # not reached: `effective` leaves rows out only for the reasons above
            state = RowState.INACTIVE
        out.append(ListedRow(r, trust_row, state.value, tuple(sorted(versions.get(r.identity, ())))))
    return tuple(out)


def register_listing(trust: Trust, school: School | None = None) -> Listing:
    """The trust's own rows (school None), or the rows as `school` sees them: the trust's, each
    replaced by the school's version where it has one, plus its additions. Rows the school's effective
    register leaves out are listed too, with the reason, so the DPO can bring them back."""
    snapshot = load_snapshot(trust.pk)
    eff = effective(snapshot, school)
    names = dict(School.objects.filter(trust=trust).values_list("pk", "name"))
    own = next((r for r in snapshot.registers if school and r.school_id == school.pk), None)
    return Listing(
        trust=trust,
        school=school,
        exists=snapshot.exists,
        register=eff.register,
        school_facts=own is not None,
        purposes=_listed(snapshot.purposes, school, {p.pk for p in eff.purposes}, set(), names),
        uses=_listed(
            snapshot.uses, school, {u.pk for u, _ in eff.uses}, {u.pk for u in eff.idle_uses}, names
        ),
        recipients=_listed(
            snapshot.recipients,
            school,
            {r.pk for r, _ in eff.recipients},
            {r.pk for r in eff.idle_recipients},
            names,
        ),
        systems=_listed(snapshot.systems, school, {s.pk for s in eff.systems}, set(), names),
        retention=_listed(snapshot.retention, school, {r.pk for r in eff.retention}, set(), names),
    )


def purpose_options(trust: Trust, school: School | None = None) -> list[tuple[str, str, bool]]:
    """(key, name, active) of the purposes a row in this scope may name: the trust's, and the school's own."""
    scope = Q(school__isnull=True) | Q(school=school) if school is not None else Q(school__isnull=True)
    chosen: dict[str, tuple[str, str, bool]] = {}
    # School rows come last, so a school's version of a purpose names it there.
    for key, name, active in (
        Purpose.objects.filter(scope, trust=trust)
        .order_by(F("school").asc(nulls_first=True), "position", "key")
        .values_list("key", "name", "active")
    ):
        chosen[key] = (key, name, active)
    return list(chosen.values())


# --- history ------------------------------------------------------------------------------------------

_HISTORY_MODELS: tuple[type[models.Model], ...] = (
    Register,
    Purpose,
    LawfulBasis,
    SpecialCondition,
    CategoryUse,
    Recipient,
    System,
    RetentionRule,
)


def _ids_of(model: type[models.Model], trust: Trust | None, exclude: bool = False) -> QuerySet[Any]:
    """The ids (as text, like AuditEvent.object_id) of a model's rows in `trust` (or in every other trust)."""
    field = "purpose__trust" if model in (LawfulBasis, SpecialCondition) else "trust"
    qs = model._default_manager.all()
    qs = qs.exclude(**{field: trust}) if exclude else qs.filter(**{field: trust})
    return qs.annotate(ref=Cast("pk", output_field=models.CharField())).values("ref")


def _of_trust(trust: Trust) -> Q:
    """Register events that concern `trust`.

    An event names a school when the row is a school's; a trust row's event names none, so it is
    matched by its record while the row exists, and once deleted, by who did it (only the trust's own
    DPO can change its register; a named system process, such as a migration, has no actor)."""
    from steward.accounts.models import RoleAssignment

    ours = Q(pk__in=[])
    theirs = Q(pk__in=[])
    for model in _HISTORY_MODELS:
        label = model._meta.label
        ours |= Q(model=label, object_id__in=_ids_of(model, trust))
        theirs |= Q(model=label, object_id__in=_ids_of(model, trust, exclude=True))
    staff = RoleAssignment.objects.filter(trust=trust).values("user_id")
    schools = School.objects.filter(trust=trust).values("pk")
    return Q(school_id_ref__in=schools) | (
        Q(school_id_ref__isnull=True)
        & ~theirs
        & (ours | Q(actor_id__in=staff) | Q(actor__isnull=True, actor_ref__isnull=True))
    )


def register_history(
    actor: Any, trust: Trust, *, records: Mapping[str, Iterable[int]] | None = None
) -> QuerySet[Any]:
    """Audit events of the trust's register, newest first, limited to those `actor` may read in the
    audit log; with `records` ({"register.Purpose": [ids]}), only the events of those rows. Reading
    the history is recorded, as reading the audit log is."""
    from steward.audit.models import AuditEvent
    from steward.audit.selectors import events_visible_to
    from steward.audit.services import record

    qs = events_visible_to(actor).filter(model__startswith="register.")
    if records is None:
        qs = qs.filter(_of_trust(trust))
    else:
        wanted = Q(pk__in=[])
        for label, ids in records.items():
            wanted |= Q(model=label, object_id__in=[str(i) for i in ids])
        qs = qs.filter(wanted)
    record(
        "view",
        model=AuditEvent._meta.label,
        categories=["staff.activity"],
        detail={
            "page": "register history",
            "trust": trust.pk,
            "records": {k: sorted(v) for k, v in records.items()} if records is not None else None,
        },
    )
    return qs


# --- other reads ----------------------------------------------------------------------------------


def register_exists(trust: Trust) -> bool:
    """True once the trust has a register (loaded from the defaults or typed in)."""
    from steward.register.models import Register

    return Register.objects.filter(trust=trust, school__isnull=True).exists()


def system_catalogue(function: str | None = None) -> tuple[CatalogueSystem, ...]:
    """The systems a school can pick from, optionally for one function (e.g. "mis")."""
    systems = catalogue().systems
    return systems if function is None else tuple(s for s in systems if s.function == function)


def trusts_managed_by(actor: Any) -> QuerySet[Trust]:
    """The trusts whose register the actor may change (trust DPOs)."""
    scope = scope_for(actor)
    ids = [tid for tid, acts in scope.trust_actions.items() if Action.MANAGE_REGISTER in acts]
    return Trust.objects.filter(pk__in=ids)


def get_school_by_urn(urn: str) -> School:
    """A school by URN, else Http404 (the register of any school is public, like its notice)."""
    try:
        return School.objects.select_related("trust").get(urn=urn)
    except School.DoesNotExist:
        raise Http404(f"No school with URN {urn}") from None


__all__ = [
    "AdmView",
    "BasisView",
    "CategoryGroup",
    "CategoryRef",
    "CategoryUseView",
    "ConditionView",
    "ControllerView",
    "DpoView",
    "ListedRow",
    "Listing",
    "Problem",
    "PurposeView",
    "RecipientView",
    "RegisterView",
    "RetentionView",
    "RowState",
    "SystemView",
    "effective_register",
    "get_school_by_urn",
    "problems_by_school",
    "purpose_options",
    "register_exists",
    "register_history",
    "register_listing",
    "register_problems",
    "system_catalogue",
    "trusts_managed_by",
]
