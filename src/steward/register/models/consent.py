"""Consent purposes: the things a school asks families to agree to, each defined in the register.

A consent purpose says what the consent is for, who may give it (a parent with parental
responsibility, the pupil once competent, either, or both for biometrics), and what relies on it.
Decisions themselves live in the consent ledger (`steward.consent`), never here.

Biometrics (Protection of Freedoms Act 2012 ss.26-28, rules.md §7): a biometric purpose is always
"both" (a parent consents; the child's objection overrides), always in writing, and cannot be active
without a DPIA reference (UK GDPR Art 35; the ICO's Chelmer Valley reprimand) and the reasonable
alternative the school offers (s.26(6)-(7)).

CCTV is never a consent purpose: it rests on public task (or legitimate interests for a non-public
function), so it is recorded as a register purpose and a system, not asked of families.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.register.choices import Art6
from steward.register.models.base import RegisterRow, unique_per_scope
from steward.register.validators import validate_key

# "CCTV", "closed-circuit television", "closed circuit TV": any of these in a key or name.
CCTV = re.compile(r"cctv|closed[\s_-]*circuit", re.IGNORECASE)
CCTV_REASON = (
    "CCTV is not consent-based: it rests on public task (or legitimate interests), and families cannot "
    "opt out of it one by one. Record it as a register purpose and a system instead."
)


class GivenBy(models.TextChoices):
    """Who may give (and withdraw) a consent."""

    PARENT = "parent", "A parent with parental responsibility"
    PUPIL = "pupil", "The pupil, once competent"
    EITHER = "either", "A parent, or the pupil once competent"
    BOTH = "both", "A parent consents and the pupil's objection overrides (biometrics)"


class ConsentPurpose(RegisterRow):
    """Something the school asks consent for, e.g. "Photographs on the school website"."""

    audit_changes = True

    key = models.CharField("key", max_length=60, validators=[validate_key])
    name = models.CharField("name", max_length=120, help_text="e.g. Photographs on the school website")
    description = models.TextField(
        "what it is for", help_text="Plain language, as families will read it when they decide."
    )
    relies_on = models.TextField(
        "what relies on it",
        blank=True,
        help_text="What in Steward or the school relies on this consent (one item a line), e.g. the "
        "website photo export.",
    )
    purpose_key = models.CharField(
        "register purpose",
        max_length=60,
        blank=True,
        validators=[validate_key],
        help_text="The register purpose whose lawful basis is this consent (e.g. publicity); empty if none.",
    )
    given_by = models.CharField("who may give it", max_length=8, choices=GivenBy.choices)
    competent_age = models.PositiveSmallIntegerField(
        "age from which the pupil may decide",
        default=13,
        help_text="Where the pupil may give or withdraw it, the age from which they may (UK GDPR Art 8 "
        "uses 13 for online services; schools use 12-13 for competence).",
    )
    biometric = models.BooleanField(
        "biometric",
        default=False,
        help_text="Processing of biometric information for automated recognition (Protection of Freedoms "
        "Act 2012 s.26): a parent consents in writing, and the pupil's objection always overrides.",
    )
    dpia_reference = models.CharField(
        "DPIA reference",
        max_length=120,
        blank=True,
        help_text="The data protection impact assessment; a biometric purpose cannot be active without one.",
    )
    alternative = models.TextField(
        "reasonable alternative",
        blank=True,
        help_text="What a pupil without consent uses instead, e.g. a PIN or card (required for biometrics).",
    )
    written_only = models.BooleanField(
        "in writing only",
        default=False,
        help_text="Notification, consent, objection and withdrawal must be in writing (always for "
        "biometrics, s.27): verbal decisions are refused.",
    )

    class Meta:
        verbose_name = "consent purpose"
        ordering = ["position", "key"]
        constraints = [
            *unique_per_scope("consentpurpose", "key", "a consent purpose"),
            models.CheckConstraint(
                condition=Q(biometric=False) | (Q(given_by=GivenBy.BOTH) & Q(written_only=True)),
                name="register_consentpurpose_biometric_both_written",
                violation_error_message="A biometric consent purpose is given by both (parent and pupil) and "
                "in writing only.",
            ),
            models.CheckConstraint(
                condition=Q(biometric=False) | Q(active=False) | (~Q(dpia_reference="") & ~Q(alternative="")),
                name="register_consentpurpose_biometric_dpia",
                violation_error_message="A biometric consent purpose cannot be active without a DPIA "
                "reference and a reasonable alternative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pupil_may_decide(self) -> bool:
        """Whether the pupil decides at all once competent (not for parent-only purposes)."""
        return self.given_by != GivenBy.PARENT

    def relies_on_items(self) -> list[str]:
        """The `relies_on` text, one item a line."""
        return [line.strip(" -*\t") for line in self.relies_on.splitlines() if line.strip(" -*\t")]

    def clean(self) -> None:
        # Written only is not a choice for biometrics (s.27): force it before the checks.
        if self.biometric:
            self.written_only = True
        super().clean()
        errors: dict[str, str] = {}
        if CCTV.search(self.key or ""):
            errors["key"] = CCTV_REASON
        elif CCTV.search(self.name or ""):
            errors["name"] = CCTV_REASON
        if self.biometric:
            if self.given_by != GivenBy.BOTH:
                errors["given_by"] = (
                    "Biometric processing needs a parent's written consent and stops on the pupil's objection "
                    "at any age (Protection of Freedoms Act 2012 s.26(3), (5)): choose 'both'."
                )
            if not self.alternative.strip():
                errors["alternative"] = (
                    "Record the reasonable alternative a pupil without consent uses, e.g. a PIN or card "
                    "(Protection of Freedoms Act 2012 s.26(7))."
                )
            if self.active and not self.dpia_reference.strip():
                errors["dpia_reference"] = (
                    "A biometric purpose cannot be active without a DPIA reference: a data protection impact "
                    "assessment is required before biometric processing starts (UK GDPR Art 35)."
                )
        if self.competent_age is not None and not 4 <= self.competent_age <= 18:
            errors["competent_age"] = "Give an age between 4 and 18."
        if self.purpose_key and self.trust_id and "purpose_key" not in errors:
            message = self._purpose_key_error()
            if message:
                errors["purpose_key"] = message
        if errors:
            raise ValidationError(errors)

    def _purpose_key_error(self) -> str:
        """Why `purpose_key` does not name a register purpose resting on consent ('' if it does)."""
        from steward.register.models.purposes import LawfulBasis, Purpose

        scope = (
            Q(school__isnull=True) | Q(school_id=self.school_id) if self.school_id else Q(school__isnull=True)
        )
        rows = list(Purpose.objects.filter(scope, trust_id=self.trust_id, key=self.purpose_key))
        if not rows:
            return f"No such purpose in this register: {self.purpose_key}."
        # The school's own row replaces the trust's where there is one.
        row = next((r for r in rows if r.school_id is not None), rows[0])
        if not LawfulBasis.objects.filter(purpose=row, basis=Art6.CONSENT).exists():
            return (
                f"The purpose '{row.name}' ({row.key}) does not rest on consent (UK GDPR Art 6(1)(a)): "
                "link a purpose whose lawful basis is consent, or leave this empty."
            )
        return ""
