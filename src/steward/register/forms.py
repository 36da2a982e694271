"""Forms for the register pages. They parse what the DPO typed or ticked; the rules live in the models
and services, whose errors `add_model_errors` puts back on the fields.

So that the model's message is the one people see (one validation point per rule), choice fields here
offer options without enforcing them: a crafted or stale value (an unknown data category, a purpose
removed since the page loaded) reaches `full_clean()` in the service and comes back with its reason.

Labels and hints come from the models' verbose names and help texts, so a field is called the same on
every page, in every error message and in the audit history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms import BoundField
from django.utils.text import capfirst, slugify

from steward.core import codes
from steward.organisations.models import School, Trust
from steward.register.choices import (
    SCHEDULE_1_CHOICES,
    Art6,
    Art9,
    Audience,
    PeriodKind,
    Provision,
    RecipientKind,
    RetentionAction,
    RuleStatus,
    Safeguard,
    Sharing,
    Source,
    SystemFunction,
    Transfer,
    Trigger,
    YouthSupportModel,
)
from steward.register.models import (
    CategoryUse,
    ConsentPurpose,
    GivenBy,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    RetentionRule,
    SpecialCondition,
    System,
)
from steward.register.selectors import purpose_options, system_catalogue
from steward.registry.taxonomy import taxonomy
from steward.web.forms import DateInputField, GovukForm

# --- options -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A checkbox or select option with a hint (the key) and whether it is special category data.
    `index` numbers the options of a field across groups, so only the first input carries the field's
    id (the error summary links to it) and every other id stays unique."""

    value: str
    label: str
    hint: str = ""
    special: bool = False
    depth: int = 0
    index: int = 0


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: tuple[Option, ...]


def _numbered(groups: Sequence[tuple[str, Sequence[Option]]]) -> tuple[OptionGroup, ...]:
    out: list[OptionGroup] = []
    i = 0
    for label, options in groups:
        numbered = []
        for o in options:
            numbered.append(Option(o.value, o.label, o.hint, o.special, o.depth, i))
            i += 1
        out.append(OptionGroup(label, tuple(numbered)))
    return tuple(out)


def category_groups(*, special_only: bool = False) -> tuple[OptionGroup, ...]:
    """The taxonomy's personal categories, grouped by whose data they are, in taxonomy order."""
    tax = taxonomy()
    groups: dict[str, list[Option]] = {}
    for c in tax.categories.values():
        if not c.personal or (special_only and not c.special):
            continue
        top = c.key.split(".")[0]
        hint = c.key
        groups.setdefault(tax.get(top).label, []).append(
            Option(c.key, c.label, hint, c.special, c.key.count("."))
        )
    return _numbered(list(groups.items()))


def _flat(groups: Sequence[OptionGroup]) -> list[tuple[str, str]]:
    return [(o.value, o.label) for g in groups for o in g.options]


def _simple(choices: Sequence[tuple[Any, Any]]) -> tuple[OptionGroup, ...]:
    return _numbered([("", [Option(str(v), str(label)) for v, label in choices])])


# --- fields ------------------------------------------------------------------------------------------


class OfferedChoiceField(forms.ChoiceField):
    """A select or radios whose options are offered, not enforced (the model says what is valid)."""

    def valid_value(self, value: Any) -> bool:
        return True


class OfferedTypedChoiceField(forms.TypedChoiceField):
    """Like OfferedChoiceField, coerced (e.g. a Schedule 1 paragraph number)."""

    def valid_value(self, value: Any) -> bool:
        return True


class OfferedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes whose options are offered, not enforced; `groups` lays them out under headings."""

    groups: tuple[OptionGroup, ...] = ()

    def valid_value(self, value: Any) -> bool:
        return True


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _label_hint(model: type[models.Model], name: str, hint: str | None) -> tuple[str, str]:
    field = _model_field(model, name)
    return capfirst(str(field.verbose_name)), str(field.help_text) if hint is None else hint


def text(
    model: type[models.Model],
    name: str,
    *,
    label: str = "",
    hint: str | None = None,
    long: bool = False,
    width: str = "",
    rows: int = 3,
) -> forms.CharField:
    """A text box (`long`: a textarea) labelled as the model field."""
    model_label, help_text = _label_hint(model, name, hint)
    field = forms.CharField(label=label or model_label, help_text=help_text, required=False)
    field.govuk = "textarea" if long else "input"  # type: ignore[attr-defined]
    field.width = width  # type: ignore[attr-defined]
    field.rows = rows  # type: ignore[attr-defined]
    return field


def choice(
    model: type[models.Model],
    name: str,
    choices: Sequence[tuple[Any, Any]],
    *,
    hint: str | None = None,
    select: bool = False,
    blank: str = "",
) -> OfferedChoiceField:
    """Radios (or a select) of `choices`. Radios start with an empty choice, which GOV.UK's radios
    leave out, so that nothing is picked until the DPO picks; a select shows `blank` first."""
    label, help_text = _label_hint(model, name, hint)
    field = OfferedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=[("", blank), *((str(v), str(lab)) for v, lab in choices)],
    )
    field.govuk = "select" if select else "radios"  # type: ignore[attr-defined]
    return field


def checkboxes(
    model: type[models.Model], name: str, groups: tuple[OptionGroup, ...], *, hint: str | None = None
) -> OfferedMultipleChoiceField:
    label, help_text = _label_hint(model, name, hint)
    field = OfferedMultipleChoiceField(
        label=label, help_text=help_text, required=False, choices=_flat(groups)
    )
    field.groups = groups
    field.govuk = "checkboxes"  # type: ignore[attr-defined]
    return field


def flag(model: type[models.Model], name: str, *, hint: str | None = None) -> forms.BooleanField:
    label, help_text = _label_hint(model, name, hint)
    field = forms.BooleanField(label=label, help_text=help_text, required=False)
    field.govuk = "checkbox"  # type: ignore[attr-defined]
    return field


def number(model: type[models.Model], name: str) -> forms.IntegerField:
    label, help_text = _label_hint(model, name, None)
    field = forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        error_messages={
            "invalid": f"{label} must be a whole number, like 6",
            "min_value": f"{label} must be 0 or more",
        },
    )
    field.govuk = "input"  # type: ignore[attr-defined]
    field.width = "3"  # type: ignore[attr-defined]
    return field


def date(model: type[models.Model], name: str) -> DateInputField:
    label, help_text = _label_hint(model, name, None)
    field = DateInputField(label=label, help_text=help_text or "For example, 1 9 2024")
    field.govuk = "date"  # type: ignore[attr-defined]
    return field


def category_select(
    model: type[models.Model], name: str, *, hint: str | None = None, special_only: bool = False
) -> OfferedChoiceField:
    """One data category, from a select grouped by whose data it is."""
    label, help_text = _label_hint(model, name, hint)
    groups = category_groups(special_only=special_only)
    field = OfferedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=[("", "Select a data category"), *_flat(groups)],
    )
    field.groups = groups  # type: ignore[attr-defined]
    field.blank = "Select a data category"  # type: ignore[attr-defined]
    field.govuk = "grouped_select"  # type: ignore[attr-defined]
    return field


PHASE_GROUPS = _simple(list(codes.SCHOOL_PHASE.items()))
SOURCE_GROUPS = _simple(Source.choices)
AUDIENCE_GROUPS = _simple(Audience.choices)

KEY_HINT = (
    "How Steward refers to it: lower-case letters, digits and underscores, for example music_service. "
    "Leave empty to make one from the name. It cannot be changed later."
)


def _purpose_groups(trust: Trust, school: School | None) -> tuple[OptionGroup, ...]:
    return _numbered(
        [
            (
                "",
                [
                    Option(key, name if active else f"{name} (inactive)", key)
                    for key, name, active in purpose_options(trust, school)
                ],
            )
        ]
    )


# --- forms ---------------------------------------------------------------------------------------------


class RegisterForm(GovukForm):
    """A register form: fields carry a `govuk` hint naming the GOV.UK component to draw, and `layout`
    groups them under headings (empty heading: no heading)."""

    model: ClassVar[type[models.Model]]
    layout: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    # Fields the form shows but the service takes separately (identity, first basis, ...).
    extra: ClassVar[frozenset[str]] = frozenset()
    # The field a register-rule refusal is reported under; a school override lists it first.
    rule_field: ClassVar[str] = ""
    # Service error keys that belong to a differently named form field.
    error_map: ClassVar[dict[str, str]] = {}

    def sections(self) -> Iterator[tuple[str, list[BoundField]]]:
        for heading, names in self.layout:
            shown = [self[n] for n in names if n in self.fields]
            if shown:
                yield heading, shown

    def values(self) -> dict[str, Any]:
        """The parsed model fields (not the extras), as the service takes them."""
        return {n: self.cleaned_data.get(n) for n in self.fields if n not in self.extra}

    def changes(self, row: models.Model) -> dict[str, Any]:
        """The values that differ from `row`, the rule field first. Ticked lists compare as sets and
        keep the row's order for what stays, so re-saving unchanged ticks records no change."""
        out: dict[str, Any] = {}
        for name, value in self.values().items():
            current = getattr(row, name)
            if isinstance(current, list) and isinstance(value, list):
                if set(current) == set(value):
                    continue
                value = [v for v in current if v in value] + [v for v in value if v not in current]
            elif current == value or (current is None and value == ""):
                continue
            out[name] = value
        if self.rule_field in out:
            out = {self.rule_field: out.pop(self.rule_field), **out}
        return out

    @classmethod
    def model_defaults(cls) -> dict[str, Any]:
        """The model's default for each field this form shows (a new row's starting values)."""
        out: dict[str, Any] = {}
        for _, names in cls.layout:
            for name in names:
                try:
                    field = cls.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if isinstance(field, models.Field) and field.has_default():
                    out[name] = field.get_default()
        return out

    @classmethod
    def initial_from(cls, row: models.Model) -> dict[str, Any]:
        """Initial values of the model fields this form shows, from a row."""
        names = {n for _, group in cls.layout for n in group} - cls.extra
        return {n: getattr(row, n) for n in names if hasattr(row, n)}


class RowForm(RegisterForm):
    """A category use, recipient, system or retention rule form; `creating` adds its key field."""

    identity: ClassVar[str] = "key"

    def __init__(
        self,
        *args: Any,
        trust: Trust,
        school: School | None = None,
        creating: bool = False,
        **kwargs: Any,
    ) -> None:
        if creating and "initial" not in kwargs:
            # A new row starts from the model's defaults (active, routine, mandatory, ...), as the
            # services would create it.
            kwargs["initial"] = self.model_defaults()
        super().__init__(*args, **kwargs)
        self.trust, self.school, self.creating = trust, school, creating
        if not creating:
            self.fields.pop(self.identity, None)
        if "purposes" in self.fields:
            field = self.fields["purposes"]
            assert isinstance(field, OfferedMultipleChoiceField)
            field.groups = _purpose_groups(trust, school)
            field.choices = _flat(field.groups)

    def identity_value(self) -> str:
        """The key typed (or made from the name when left empty)."""
        value = str(self.cleaned_data.get(self.identity) or "").strip()
        if not value and self.identity == "key":
            value = slugify(str(self.cleaned_data.get("name") or "")).replace("-", "_")[:60]
        return value

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in super().values().items() if k != self.identity}


_WHERE = ("Where it applies", ("phases", "active", "notes"))


class WhereFields(forms.Form):
    """The fields every register row has: school phases, active, internal notes."""

    phases = checkboxes(Purpose, "phases", PHASE_GROUPS, hint="Leave all unticked for every phase.")
    active = flag(Purpose, "active")
    notes = text(Purpose, "notes", long=True)


class CategoryUseForm(RowForm, WhereFields):
    model = CategoryUse
    identity = "category_key"
    rule_field = "purposes"
    layout = (
        ("", ("category_key",)),
        ("Providing it", ("provision", "requirement", "consequence")),
        ("Where it comes from and what it is for", ("sources", "purposes")),
        _WHERE,
    )
    category_key = category_select(
        CategoryUse,
        "category_key",
        hint="A category covers every category below it: Medical and health covers allergies and medication.",
    )
    provision = choice(CategoryUse, "provision", Provision.choices)
    requirement = text(CategoryUse, "requirement", long=True)
    consequence = text(CategoryUse, "consequence", long=True)
    sources = checkboxes(CategoryUse, "sources", SOURCE_GROUPS)
    purposes = checkboxes(CategoryUse, "purposes", (), hint="The purposes it serves.")


class RecipientForm(RowForm, WhereFields):
    model = Recipient
    rule_field = "categories"
    layout = (
        ("", ("name", "key", "kind", "description")),
        ("Lawful basis and how often", ("lawful_basis", "legal_gateway", "sharing", "dsa_required")),
        ("What is shared, and why", ("categories", "purposes")),
        (
            "Sections of the privacy notice",
            ("youth_support_13", "youth_support_16", "npd", "information_url"),
        ),
        _WHERE,
    )
    name = text(Recipient, "name")
    key = text(Recipient, "key", hint=KEY_HINT, width="20")
    kind = choice(Recipient, "kind", RecipientKind.choices, select=True, blank="Select a kind")
    description = text(Recipient, "description", long=True)
    lawful_basis = choice(Recipient, "lawful_basis", Art6.choices)
    legal_gateway = text(Recipient, "legal_gateway", long=True)
    sharing = choice(Recipient, "sharing", Sharing.choices)
    dsa_required = flag(Recipient, "dsa_required")
    categories = checkboxes(Recipient, "categories", category_groups())
    purposes = checkboxes(Recipient, "purposes", (), hint="The purposes the sharing serves.")
    youth_support_13 = flag(Recipient, "youth_support_13")
    youth_support_16 = flag(Recipient, "youth_support_16")
    npd = flag(Recipient, "npd")
    information_url = text(Recipient, "information_url")


class SystemForm(RowForm, WhereFields):
    model = System
    layout = (
        ("", ("name", "key", "function", "supplier", "description")),
        (
            "Hosting and transfers",
            (
                "hosting_location",
                "international_transfer",
                "transfer_destination",
                "transfer_safeguard",
                "transfer_safeguard_detail",
                "processor_agreement_date",
            ),
        ),
        ("What it holds", ("categories",)),
        _WHERE,
    )
    name = text(System, "name")
    key = text(System, "key", hint=KEY_HINT, width="20")
    function = choice(System, "function", SystemFunction.choices, select=True, blank="Select a function")
    supplier = text(System, "supplier")
    description = text(System, "description", long=True)
    hosting_location = text(System, "hosting_location")
    international_transfer = choice(System, "international_transfer", Transfer.choices)
    transfer_destination = text(System, "transfer_destination")
    # A select, not radios: "None" must stay choosable when a transfer is withdrawn.
    transfer_safeguard = choice(System, "transfer_safeguard", Safeguard.choices, select=True, blank="None")
    transfer_safeguard_detail = text(System, "transfer_safeguard_detail", long=True)
    processor_agreement_date = date(System, "processor_agreement_date")
    categories = checkboxes(System, "categories", category_groups())


class RetentionRuleForm(RowForm, WhereFields):
    model = RetentionRule
    layout = (
        ("", ("record_type", "key", "category_key")),
        ("Period", ("trigger", "period_kind", "years", "months", "days", "action")),
        ("Source", ("source", "status")),
        _WHERE,
    )
    record_type = text(RetentionRule, "record_type")
    key = text(RetentionRule, "key", hint=KEY_HINT.replace("the name", "the record"), width="20")
    category_key = category_select(RetentionRule, "category_key")
    trigger = choice(RetentionRule, "trigger", Trigger.choices, select=True, blank="Select a trigger")
    period_kind = choice(RetentionRule, "period_kind", PeriodKind.choices)
    years = number(RetentionRule, "years")
    months = number(RetentionRule, "months")
    days = number(RetentionRule, "days")
    action = choice(RetentionRule, "action", RetentionAction.choices)
    source = text(RetentionRule, "source", long=True)
    status = choice(RetentionRule, "status", RuleStatus.choices)

    def identity_value(self) -> str:
        value = str(self.cleaned_data.get("key") or "").strip()
        return value or slugify(str(self.cleaned_data.get("record_type") or "")).replace("-", "_")[:60]


class PurposeForm(RowForm, WhereFields):
    """A purpose; when creating, also its first lawful basis (an active purpose needs one)."""

    model = Purpose
    rule_field = "active"
    extra = frozenset({"basis", "legislation", "legitimate_interests", "explanation"})
    error_map = {
        "bases": "basis",
        "bases[0].basis": "basis",
        "bases[0].legislation": "legislation",
        "bases[0].legitimate_interests": "legitimate_interests",
        "bases[0].explanation": "explanation",
    }
    layout = (
        ("", ("name", "key", "description", "description_young", "audiences")),
        ("Lawful basis", ("basis", "legislation", "legitimate_interests", "explanation")),
        _WHERE,
    )
    name = text(Purpose, "name")
    key = text(Purpose, "key", hint=KEY_HINT, width="20")
    description = text(Purpose, "description", long=True)
    description_young = text(Purpose, "description_young", long=True)
    audiences = checkboxes(
        Purpose, "audiences", AUDIENCE_GROUPS, hint="The privacy notices that explain this purpose."
    )
    basis = choice(
        LawfulBasis, "basis", Art6.choices, hint="You can add more lawful bases once the purpose is saved."
    )
    legislation = text(LawfulBasis, "legislation", long=True)
    legitimate_interests = text(LawfulBasis, "legitimate_interests", long=True)
    explanation = text(LawfulBasis, "explanation", long=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.creating:
            for name in self.extra:
                self.fields.pop(name)

    @classmethod
    def model_defaults(cls) -> dict[str, Any]:
        # purpose_create's default: the pupils' and the parents' notices.
        return {**super().model_defaults(), "audiences": [Audience.PUPIL.value, Audience.PARENT.value]}

    def first_basis(self) -> list[dict[str, Any]]:
        """The first basis as purpose_create takes it (none when no basis was picked)."""
        if not self.cleaned_data.get("basis"):
            return []
        return [{name: self.cleaned_data.get(name) or "" for name in sorted(self.extra)}]


class ConsentPurposeForm(RowForm, WhereFields):
    """A consent purpose: what families are asked to agree to, who decides, and what relies on it. The
    rules (CCTV is not consent-based; a biometric purpose is given by both, in writing, and active only
    with a DPIA reference and an alternative; the register purpose must rest on consent) are the model's,
    and come back on the fields they name."""

    model = ConsentPurpose
    rule_field = "active"
    layout = (
        ("", ("name", "key", "description")),
        ("Who decides", ("given_by", "competent_age", "written_only")),
        ("What relies on it", ("relies_on", "purpose_key")),
        ("Biometrics", ("biometric", "dpia_reference", "alternative")),
        _WHERE,
    )
    name = text(ConsentPurpose, "name")
    key = text(ConsentPurpose, "key", hint=KEY_HINT.replace("music_service", "photos_prospectus"), width="20")
    description = text(ConsentPurpose, "description", long=True)
    given_by = choice(ConsentPurpose, "given_by", GivenBy.choices)
    competent_age = number(ConsentPurpose, "competent_age")
    written_only = flag(ConsentPurpose, "written_only")
    relies_on = text(ConsentPurpose, "relies_on", long=True, rows=4)
    biometric = flag(ConsentPurpose, "biometric")
    dpia_reference = text(ConsentPurpose, "dpia_reference", width="20")
    alternative = text(ConsentPurpose, "alternative", long=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label, help_text = _label_hint(ConsentPurpose, "purpose_key", None)
        # Every purpose of the register is offered; the model refuses one that does not rest on consent.
        field = OfferedChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[
                ("", "None"),
                *(
                    (key, f"{name} (inactive)" if not active else name)
                    for key, name, active in purpose_options(self.trust, self.school)
                ),
            ],
        )
        field.govuk = "select"  # type: ignore[attr-defined]
        self.fields["purpose_key"] = field


class BasisForm(RegisterForm):
    """A lawful basis of a purpose. Its basis is chosen when it is added and fixed afterwards."""

    model = LawfulBasis
    layout = (("", ("basis", "legislation", "legitimate_interests", "explanation")),)
    basis = choice(LawfulBasis, "basis", Art6.choices)
    legislation = text(LawfulBasis, "legislation", long=True)
    legitimate_interests = text(LawfulBasis, "legitimate_interests", long=True)
    explanation = text(LawfulBasis, "explanation", long=True)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            self.fields.pop("basis")


def _schedule_1_select() -> OfferedTypedChoiceField:
    label, help_text = _label_hint(SpecialCondition, "schedule_1_paragraph", None)
    field = OfferedTypedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "None needed"), *((str(n), t) for n, t in SCHEDULE_1_CHOICES)],
    )
    field.govuk = "select"  # type: ignore[attr-defined]
    return field


class ConditionForm(RegisterForm):
    """An Art 9(2) condition for a special category in a purpose."""

    model = SpecialCondition
    layout = (("", ("category_key", "condition", "schedule_1_paragraph", "explanation")),)
    category_key = category_select(SpecialCondition, "category_key", special_only=True)
    condition = choice(SpecialCondition, "condition", Art9.choices, select=True, blank="Select a condition")
    schedule_1_paragraph = _schedule_1_select()
    explanation = text(SpecialCondition, "explanation", long=True)


class FactsForm(RegisterForm):
    """Register-level facts: automated decision-making, profiling, the youth support opt-out."""

    model = Register
    layout = (
        ("Automated decision-making and profiling", ("automated_decisions", "profiling", "adm_description")),
        ("Youth support services", ("youth_support_model",)),
    )
    automated_decisions = flag(Register, "automated_decisions")
    profiling = flag(
        Register,
        "profiling",
        hint="Is personal data used to evaluate, analyse or predict something about a pupil (UK GDPR Art 4(4))?",
    )
    # The model's name for it repeats the section heading; under the heading "Description" says it.
    adm_description = text(Register, "adm_description", label="Description", long=True, rows=5)
    youth_support_model = choice(
        Register,
        "youth_support_model",
        YouthSupportModel.choices,
        hint="What the school shares with youth support services for pupils aged 13 and over, and who can "
        "change it (Education Act 1996 s507B).",
    )


class CataloguePickForm(RegisterForm):
    """Pick a system from the catalogue, as a new system or in place of one already listed."""

    model = System
    layout = (("", ("catalogue_key", "replace")),)

    def __init__(self, *args: Any, systems: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_function: dict[str, list[Option]] = {}
        for s in system_catalogue():
            by_function.setdefault(SystemFunction(s.function).label, []).append(
                Option(
                    s.key, s.name if s.name == s.supplier or not s.supplier else f"{s.name} ({s.supplier})"
                )
            )
        groups = _numbered(list(by_function.items()))
        pick = OfferedChoiceField(
            label="System",
            help_text="Its function and the data categories it typically holds are filled in for you. Where it "
            "is hosted, and whether data leaves the UK, stay to confirm with the supplier.",
            required=False,
            choices=[("", "Select a system"), *_flat(groups)],
        )
        pick.groups = groups  # type: ignore[attr-defined]
        pick.blank = "Select a system"  # type: ignore[attr-defined]
        pick.govuk = "grouped_select"  # type: ignore[attr-defined]
        replace = OfferedChoiceField(
            label="Add it as a new system, or in place of one already listed?",
            required=False,
            choices=[("", "Add as a new system"), *((k, f"In place of: {n}") for k, n in systems)],
        )
        replace.govuk = "select"  # type: ignore[attr-defined]
        self.fields["catalogue_key"] = pick
        self.fields["replace"] = replace


class ConfirmForm(GovukForm):
    """The confirmation of a removal: no fields, only the errors of a refused removal."""
