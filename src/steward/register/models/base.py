"""The register header (register-level facts) and the shared shape of every register row.

A register belongs to a trust (the data controller). A row with no school applies to every school of
the trust; a row with a school applies to that school only and, when it has the same key as a trust
row, replaces it there (a school disables a trust row by overriding it with `active=False`).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.register.choices import Origin, YouthSupportModel
from steward.register.validators import validate_phases


class RegisterRow(models.Model):
    """Abstract base: one entry of a trust's register, or one school's override of it."""

    audit_changes = True
    # The field that identifies the row within the register; a school row with the same value
    # overrides the trust row.
    identity_field: ClassVar[str] = "key"

    trust = models.ForeignKey(
        "organisations.Trust", on_delete=models.CASCADE, related_name="+", verbose_name="trust"
    )
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="school",
        help_text="Empty: applies to every school of the trust. Set: this school only, replacing the trust row "
        "with the same key.",
    )
    active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive rows are kept but left out of the effective register and the notices.",
    )
    phases = models.JSONField(
        "school phases",
        default=list,
        blank=True,
        validators=[validate_phases],
        help_text="The school phases the row applies to; empty means every phase.",
    )
    position = models.PositiveSmallIntegerField("position", default=0, help_text="Order in notices.")
    origin = models.CharField("origin", max_length=10, choices=Origin.choices, default=Origin.LOCAL)
    notes = models.TextField("internal notes", blank=True, help_text="For the DPO; never shown in notices.")
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        abstract = True

    @property
    def identity(self) -> str:
        return str(getattr(self, self.identity_field))

    @property
    def is_override(self) -> bool:
        return self.school_id is not None

    def clean(self) -> None:
        super().clean()
        school = self.school if self.school_id else None
        if school is not None and self.trust_id and school.trust_id != self.trust_id:
            raise ValidationError({"school": "This school belongs to another trust."})


def unique_per_scope(model: str, field: str, what: str) -> list[models.BaseConstraint]:
    """One trust row and at most one override per school for each identity value.

    Two partial constraints, because NULL schools never collide in a plain unique constraint.
    """
    return [
        models.UniqueConstraint(
            fields=["trust", field],
            condition=Q(school__isnull=True),
            name=f"register_{model}_unique_trust_{field}",
            violation_error_message=f"The trust's register already has {what} with this {field.replace('_', ' ')}.",
        ),
        models.UniqueConstraint(
            fields=["school", field],
            condition=Q(school__isnull=False),
            name=f"register_{model}_unique_school_{field}",
            violation_error_message=f"This school already has its own {what} with this {field.replace('_', ' ')}.",
        ),
    ]


class Register(models.Model):
    """The register of processing of a trust (with no school), or one school's register-level facts.

    It holds facts about the processing as a whole. The controller's and the DPO's details come from
    the trust and school records, never from here.
    """

    audit_changes = True

    trust = models.ForeignKey(
        "organisations.Trust", on_delete=models.CASCADE, related_name="+", verbose_name="trust"
    )
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="school",
        help_text="Empty: the trust's register. Set: this school's own facts, replacing the trust's.",
    )
    defaults_version = models.CharField(
        "default register version",
        max_length=20,
        blank=True,
        help_text="The version of Steward's default register it was loaded from; empty if typed in.",
    )
    automated_decisions = models.BooleanField(
        "automated decision-making",
        default=False,
        help_text="Are decisions with legal or similarly significant effects made by automated means alone?",
    )
    profiling = models.BooleanField("profiling", default=False)
    adm_description = models.TextField(
        "automated decision-making and profiling: description",
        blank=True,
        help_text="The logic involved, and the significance and consequences for the pupil (Art 13(2)(f)).",
    )
    youth_support_model = models.CharField(
        "youth support opt-out",
        max_length=10,
        choices=YouthSupportModel.choices,
        default=YouthSupportModel.OBJECT,
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "register of processing"
        verbose_name_plural = "registers of processing"
        constraints = [
            models.UniqueConstraint(
                fields=["trust"],
                condition=Q(school__isnull=True),
                name="register_register_one_per_trust",
                violation_error_message="This trust already has a register.",
            ),
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(school__isnull=False),
                name="register_register_one_per_school",
                violation_error_message="This school already has its own register facts.",
            ),
            models.CheckConstraint(
                condition=Q(automated_decisions=False, profiling=False) | ~Q(adm_description=""),
                name="register_register_adm_described",
                violation_error_message="Describe the automated decision-making or profiling: its logic, "
                "significance and consequences.",
            ),
        ]

    def __str__(self) -> str:
        return f"Register of {self.school or self.trust}"

    def clean(self) -> None:
        super().clean()
        school = self.school if self.school_id else None
        if school is not None and self.trust_id and school.trust_id != self.trust_id:
            raise ValidationError({"school": "This school belongs to another trust."})
        if (self.automated_decisions or self.profiling) and not self.adm_description.strip():
            raise ValidationError(
                {
                    "adm_description": "Describe the automated decision-making or profiling: its logic, "
                    "significance and consequences (UK GDPR Art 13(2)(f))."
                }
            )
