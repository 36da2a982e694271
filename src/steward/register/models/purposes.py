"""Purposes of processing, their lawful bases (Art 6) and special-category conditions (Art 9)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.register.choices import (
    BASIS_INFO,
    CONDITION_ARTICLE,
    PARAGRAPHS_FOR,
    SCHEDULE_1_CHOICES,
    Art6,
    Art9,
    schedule_1_citation,
)
from steward.register.models.base import RegisterRow, unique_per_scope
from steward.register.validators import validate_audiences, validate_category_key, validate_key
from steward.registry.taxonomy import taxonomy

# Cited as if in force, these mislead readers: the 1998 Act was repealed on 25 May 2018.
REPEALED = re.compile(r"Data Protection Act 1998", re.IGNORECASE)


def purpose_school_id(purpose_id: int | None) -> int | None:
    """The school of a purpose (None for trust rows), read afresh: audit signals ask while deleting."""
    if purpose_id is None:
        return None
    return Purpose.objects.filter(pk=purpose_id).values_list("school_id", flat=True).first()


class Purpose(RegisterRow):
    """Why the school processes personal data, e.g. "Keep children safe" (UK GDPR Art 13(1)(c))."""

    audit_changes = True

    key = models.CharField("key", max_length=60, validators=[validate_key])
    name = models.CharField("name", max_length=120, help_text="e.g. Support pupils' learning")
    description = models.TextField(
        "description for parents and older pupils", help_text="Plain language, as it will appear in notices."
    )
    description_young = models.TextField(
        "description for younger pupils",
        blank=True,
        help_text="Short and simple, for the younger pupils' notice.",
    )
    audiences = models.JSONField(
        "notices it appears in",
        default=list,
        blank=True,
        validators=[validate_audiences],
        help_text="pupil, parent and/or ap (alternative provision).",
    )

    class Meta:
        verbose_name = "purpose"
        ordering = ["position", "key"]
        constraints = unique_per_scope("purpose", "key", "a purpose")

    def __str__(self) -> str:
        return self.name


class LawfulBasis(models.Model):
    """A lawful basis (UK GDPR Art 6(1)) a purpose relies on, with the law behind it."""

    audit_changes = True

    purpose = models.ForeignKey(
        Purpose, on_delete=models.CASCADE, related_name="bases", verbose_name="purpose"
    )
    basis = models.CharField("lawful basis", max_length=24, choices=Art6.choices)
    legislation = models.TextField(
        "legislation",
        blank=True,
        help_text="Required for legal obligation and public task (Art 6(3)), e.g. Education Act 1996 s537A.",
    )
    legitimate_interests = models.TextField(
        "legitimate interests",
        blank=True,
        help_text="Required for legitimate interests: whose interests, and why they are not overridden.",
    )
    explanation = models.TextField(
        "explanation", blank=True, help_text="What this basis covers, in plain words."
    )
    position = models.PositiveSmallIntegerField("position", default=0)

    class Meta:
        verbose_name = "lawful basis"
        verbose_name_plural = "lawful bases"
        ordering = ["purpose", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "basis"],
                name="register_basis_unique_per_purpose",
                violation_error_message="This purpose already relies on this lawful basis.",
            ),
            models.CheckConstraint(
                condition=~Q(basis__in=[Art6.LEGAL_OBLIGATION, Art6.PUBLIC_TASK]) | ~Q(legislation=""),
                name="register_basis_cites_legislation",
                violation_error_message="Legal obligation and public task must cite the legislation they rest on.",
            ),
            models.CheckConstraint(
                condition=~Q(basis=Art6.LEGITIMATE_INTERESTS) | ~Q(legitimate_interests=""),
                name="register_basis_describes_interests",
                violation_error_message="Legitimate interests must say what the interests are.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.get_basis_display()}"

    @property
    def school_id(self) -> int | None:
        """The school of the purpose, so audit events of a school's override name the school."""
        return purpose_school_id(self.purpose_id)

    @property
    def article(self) -> str:
        return BASIS_INFO[self.basis].article

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        info = BASIS_INFO.get(self.basis)
        if info and info.needs_legislation and not self.legislation.strip():
            errors["legislation"] = (
                f"{info.short.capitalize()} ({info.article}) must cite the legislation it rests on "
                "(Art 6(3)), e.g. Education Act 1996 s537A."
            )
        if REPEALED.search(self.legislation):
            errors["legislation"] = (
                "The Data Protection Act 1998 was repealed on 25 May 2018: cite the UK GDPR and the "
                "Data Protection Act 2018 instead."
            )
        if self.basis == Art6.LEGITIMATE_INTERESTS and not self.legitimate_interests.strip():
            errors["legitimate_interests"] = (
                "Say what the legitimate interests are (UK GDPR Art 13(1)(d)). Note that a school, as a public "
                "authority, cannot rely on them for processing in the performance of its tasks."
            )
        if errors:
            raise ValidationError(errors)


class SpecialCondition(models.Model):
    """An Art 9(2) condition (with its DPA 2018 Schedule 1 paragraph) for a special category in a purpose."""

    audit_changes = True

    purpose = models.ForeignKey(
        Purpose, on_delete=models.CASCADE, related_name="conditions", verbose_name="purpose"
    )
    category_key = models.CharField(
        "data category",
        max_length=100,
        validators=[validate_category_key],
        help_text="A special category from the taxonomy; a condition on pupil.health covers every key below it.",
    )
    condition = models.CharField("Art 9(2) condition", max_length=32, choices=Art9.choices)
    schedule_1_paragraph = models.PositiveSmallIntegerField(
        "DPA 2018 Schedule 1 paragraph",
        null=True,
        blank=True,
        choices=SCHEDULE_1_CHOICES,
        help_text="Required for Art 9(2)(b), (g), (h), (i) and (j).",
    )
    explanation = models.TextField(
        "explanation", blank=True, help_text="Why the condition applies, e.g. the duty it serves."
    )

    class Meta:
        verbose_name = "special-category condition"
        ordering = ["purpose", "category_key", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "category_key", "condition"],
                name="register_condition_unique",
                violation_error_message="This purpose already has this condition for this data category.",
            ),
            models.CheckConstraint(
                condition=Q(
                    condition__in=[
                        Art9.EXPLICIT_CONSENT,
                        Art9.VITAL_INTERESTS,
                        Art9.NOT_FOR_PROFIT,
                        Art9.MADE_PUBLIC,
                        Art9.LEGAL_CLAIMS,
                    ],
                    schedule_1_paragraph__isnull=True,
                )
                | Q(condition=Art9.EMPLOYMENT, schedule_1_paragraph=1)
                | Q(condition=Art9.HEALTH_CARE, schedule_1_paragraph=2)
                | Q(condition=Art9.PUBLIC_HEALTH, schedule_1_paragraph=3)
                | Q(condition=Art9.ARCHIVING_RESEARCH, schedule_1_paragraph=4)
                | Q(
                    condition=Art9.SUBSTANTIAL_PUBLIC_INTEREST,
                    schedule_1_paragraph__gte=6,
                    schedule_1_paragraph__lte=28,
                ),
                name="register_condition_schedule_1",
                violation_error_message="The Schedule 1 paragraph does not fit the Art 9(2) condition.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.category_key} under {self.get_condition_display()}"

    @property
    def school_id(self) -> int | None:
        """The school of the purpose, so audit events of a school's override name the school."""
        return purpose_school_id(self.purpose_id)

    @property
    def citation(self) -> str:
        cites = [CONDITION_ARTICLE[self.condition]]
        if self.schedule_1_paragraph:
            cites.append(schedule_1_citation(self.schedule_1_paragraph))
        return "; ".join(cites)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        tax = taxonomy()
        if self.category_key in tax and not tax.get(self.category_key).special:
            errors["category_key"] = (
                f"{tax.get(self.category_key).label} ({self.category_key}) is not special category data: "
                "it needs no Art 9 condition."
            )
        allowed = PARAGRAPHS_FOR.get(self.condition)
        para = self.schedule_1_paragraph
        if self.condition and allowed is not None and para not in allowed:
            if self.condition == Art9.SUBSTANTIAL_PUBLIC_INTEREST:
                want = "a Part 2 paragraph (6-28), e.g. para 6 statutory purposes or para 18 safeguarding"
            else:
                want = " or ".join(f"para {n}" for n in sorted(allowed))
            errors["schedule_1_paragraph"] = (
                f"{self.get_condition_display()} needs a condition in DPA 2018 Schedule 1: {want}."
            )
        elif self.condition and allowed is None and para is not None:
            errors["schedule_1_paragraph"] = (
                f"{self.get_condition_display()} needs no Schedule 1 paragraph; leave it empty."
            )
        if errors:
            raise ValidationError(errors)
