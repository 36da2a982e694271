"""What data the school uses and why (category uses), and how long it keeps it (retention rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.register.choices import PeriodKind, Provision, RetentionAction, RuleStatus, Source, Trigger
from steward.register.models.base import RegisterRow, unique_per_scope
from steward.register.validators import (
    validate_category_key,
    validate_key,
    validate_purpose_keys,
    validate_sources,
)
from steward.registry.taxonomy import taxonomy


def unknown_purposes(row: RegisterRow, keys: Iterable[str]) -> list[str]:
    """The keys that name no purpose of the row's register (the trust's, plus the row's school's own)."""
    from steward.register.models.purposes import Purpose

    wanted = set(keys)
    if not wanted or not row.trust_id:
        return []
    scope = Q(school__isnull=True) | Q(school_id=row.school_id) if row.school_id else Q(school__isnull=True)
    known = set(
        Purpose.objects.filter(scope, trust_id=row.trust_id, key__in=wanted).values_list("key", flat=True)
    )
    return sorted(wanted - known)


def check_purposes(row: RegisterRow, keys: Any, field: str = "purposes") -> dict[str, str]:
    """An error for `field` when it names purposes the register does not have."""
    if not isinstance(keys, list | tuple):
        return {}
    missing = unknown_purposes(row, keys)
    if missing:
        return {field: f"No such purpose in this register: {', '.join(missing)}."}
    return {}


class CategoryUse(RegisterRow):
    """A category of data the school processes: whether it must be given, where it comes from, and why."""

    audit_changes = True
    identity_field = "category_key"

    category_key = models.CharField(
        "data category",
        max_length=100,
        validators=[validate_category_key],
        help_text="A key from the taxonomy, e.g. pupil.health.allergy (it covers every key below it).",
    )
    provision = models.CharField(
        "must it be provided?", max_length=16, choices=Provision.choices, default=Provision.MANDATORY
    )
    requirement = models.TextField(
        "why it is required",
        blank=True,
        help_text="The law or need that makes it mandatory (a statutory or contractual requirement?).",
    )
    consequence = models.TextField(
        "consequence of not providing it", blank=True, help_text="Required when providing it is mandatory."
    )
    sources = models.JSONField(
        "sources", default=list, validators=[validate_sources], help_text="Where the data comes from."
    )
    purposes = models.JSONField(
        "purposes",
        default=list,
        validators=[validate_purpose_keys],
        help_text="Keys of the purposes it serves.",
    )

    class Meta:
        verbose_name = "category use"
        ordering = ["position", "category_key"]
        constraints = unique_per_scope("categoryuse", "category_key", "a use of this data category")

    def __str__(self) -> str:
        return self.category_key

    @property
    def label(self) -> str:
        return taxonomy().get(self.category_key).label

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.provision == Provision.MANDATORY and not self.consequence.strip():
            errors["consequence"] = "Say what happens if this mandatory data is not provided (Art 13(2)(e))."
        if not self.sources:
            errors["sources"] = (
                f"Say where the data comes from, e.g. {Source.PARENTS.value} or {Source.SCHOOL.value}."
            )
        if not self.purposes:
            errors["purposes"] = "Name at least one purpose the data serves."
        errors.update(check_purposes(self, self.purposes))
        if errors:
            raise ValidationError(errors)


class RetentionRule(RegisterRow):
    """How long a record of a data category is kept, what starts the clock, what happens at the end, and why.

    `status` says how sure we are of the source (rules.md §5 marks each row confirmed or UNCONFIRMED).
    """

    audit_changes = True

    key = models.CharField("key", max_length=60, validators=[validate_key])
    category_key = models.CharField(
        "data category",
        max_length=100,
        validators=[validate_category_key],
        help_text="The rule covers this key and every key below it that has no rule of its own.",
    )
    record_type = models.CharField("record", max_length=200, help_text="e.g. Attendance register entries")
    trigger = models.CharField("retention starts from", max_length=20, choices=Trigger.choices)
    period_kind = models.CharField(
        "period", max_length=16, choices=PeriodKind.choices, default=PeriodKind.FIXED
    )
    years = models.PositiveSmallIntegerField("years", null=True, blank=True)
    months = models.PositiveSmallIntegerField("months", null=True, blank=True)
    days = models.PositiveSmallIntegerField("days", null=True, blank=True)
    action = models.CharField("action at the end", max_length=16, choices=RetentionAction.choices)
    source = models.TextField(
        "source", blank=True, help_text="The statute, guidance or toolkit page it comes from."
    )
    status = models.CharField(
        "status", max_length=16, choices=RuleStatus.choices, default=RuleStatus.UNCONFIRMED
    )

    class Meta:
        verbose_name = "retention rule"
        ordering = ["position", "category_key", "key"]
        constraints = [
            *unique_per_scope("retentionrule", "key", "a retention rule"),
            models.CheckConstraint(
                condition=~Q(period_kind=PeriodKind.FIXED) | Q(years__gt=0) | Q(months__gt=0) | Q(days__gt=0),
                name="register_retention_fixed_has_period",
                violation_error_message="A fixed retention period needs a number of years, months or days.",
            ),
            models.CheckConstraint(
                condition=Q(period_kind=PeriodKind.FIXED)
                | Q(years__isnull=True, months__isnull=True, days__isnull=True),
                name="register_retention_period_only_when_fixed",
                violation_error_message="Only a fixed retention period has years, months or days.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.summary}"

    @property
    def summary(self) -> str:
        """E.g. "the pupil's date of birth + 25 years, then review"."""
        action = RetentionAction(self.action).label if self.action else ""
        action = action[0].lower() + action[1:] if action else ""
        if self.period_kind == PeriodKind.WHILE_ON_ROLL:
            return f"while the pupil is on roll, then {action}"
        trigger = Trigger(self.trigger).label if self.trigger else ""
        if self.period_kind == PeriodKind.UNTIL_TRIGGER:
            return f"until {trigger}, then {action}"
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if n
        ]
        return f"{trigger} + {' '.join(parts)}, then {action}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        has_period = any(n for n in (self.years, self.months, self.days))
        if self.period_kind == PeriodKind.FIXED and not has_period:
            errors["years"] = "A fixed retention period needs a number of years, months or days."
        if self.period_kind != PeriodKind.FIXED and any(
            n is not None for n in (self.years, self.months, self.days)
        ):
            errors["period_kind"] = (
                "Only a fixed retention period has years, months or days; leave them empty."
            )
        if not self.source.strip():
            errors["source"] = (
                "Cite the source of the rule (statute, guidance or toolkit), or say it is a local choice."
            )
        if errors:
            raise ValidationError(errors)
