"""Trusts (or local authorities acting for maintained schools), schools and term dates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from steward.core import codes
from steward.core.codes import choices
from steward.core.validators import validate_estab, validate_la_code, validate_urn


class Trust(models.Model):
    """A data controller: a multi-academy trust, or the governing body of a single school."""

    audit_changes = True

    name = models.CharField("name", max_length=200)
    companies_house_number = models.CharField("Companies House number", max_length=8, blank=True)
    ico_registration = models.CharField("ICO registration number", max_length=12, blank=True)
    address = models.TextField("registered address", blank=True)
    dpo_name = models.CharField("DPO name", max_length=200, blank=True)
    dpo_email = models.EmailField("DPO email", blank=True)
    dpo_phone = models.CharField("DPO telephone", max_length=40, blank=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name = "trust"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school (establishment) in a trust, identified by its URN and LA/establishment number."""

    audit_changes = True

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools", verbose_name="trust")
    urn = models.CharField("URN", max_length=6, unique=True, validators=[validate_urn])
    la_code = models.CharField("LA code", max_length=3, validators=[validate_la_code])
    estab = models.CharField("establishment number", max_length=4, validators=[validate_estab])
    name = models.CharField("name", max_length=200)
    phase = models.CharField("phase", max_length=16, choices=choices(codes.SCHOOL_PHASE))
    school_type = models.CharField("type", max_length=16, choices=choices(codes.SCHOOL_TYPE))
    address = models.TextField("address", blank=True)
    postcode = models.CharField("postcode", max_length=10, blank=True)
    local_authority = models.CharField("local authority", max_length=100, blank=True)
    headteacher = models.CharField("headteacher", max_length=200, blank=True)
    phone = models.CharField("telephone", max_length=40, blank=True)
    email = models.EmailField("email", blank=True)
    website = models.URLField("website", blank=True)
    dpo_name = models.CharField("DPO name", max_length=200, blank=True, help_text="Empty: the trust's DPO.")
    dpo_email = models.EmailField("DPO email", blank=True)
    dpo_phone = models.CharField("DPO telephone", max_length=40, blank=True)

    class Meta:
        verbose_name = "school"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "estab"],
                name="unique_laestab",
                violation_error_message="Another school already has this LA code and establishment number.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.estab}"

    @property
    def is_maintained(self) -> bool:
        return self.school_type == "maintained"

    def dpo_contact(self) -> dict[str, str]:
        """The DPO to name on notices: the school's own, else the trust's."""
        if self.dpo_name or self.dpo_email:
            return {"name": self.dpo_name, "email": self.dpo_email, "phone": self.dpo_phone}
        t = self.trust
        return {"name": t.dpo_name, "email": t.dpo_email, "phone": t.dpo_phone}

    def is_school_day(self, day: dt.date) -> bool:
        """True when `day` is a weekday inside a term and not an INSET or closure day."""
        if day.weekday() >= 5:
            return False
        terms = self.terms.filter(start__lte=day, end__gte=day)
        if not terms.exists():
            return False
        return not self.closures.filter(date=day).exists()


class Term(models.Model):
    """One school term (or half term) with its first and last day."""

    audit_changes = True

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms", verbose_name="school")
    academic_year = models.CharField("academic year", max_length=9, help_text="e.g. 2026/2027")
    name = models.CharField("name", max_length=40, help_text="e.g. Autumn 1")
    start = models.DateField("first day")
    end = models.DateField("last day")

    class Meta:
        verbose_name = "term"
        ordering = ["school", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="term_end_after_start",
                violation_error_message="A term's last day cannot be before its first day.",
            ),
        ]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "A term's last day cannot be before its first day."})
        if self.start and self.end and self.school_id:
            overlap = Term.objects.filter(school_id=self.school_id, start__lte=self.end, end__gte=self.start)
            if self.pk:
                overlap = overlap.exclude(pk=self.pk)
            if overlap.exists():
                raise ValidationError("This term overlaps another term of the same school.")

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year}"


class Closure(models.Model):
    """A day inside a term when the school is closed to pupils (INSET, polling day, emergency)."""

    audit_changes = True

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="closures", verbose_name="school"
    )
    date = models.DateField("date")
    reason = models.CharField("reason", max_length=100, blank=True)

    class Meta:
        verbose_name = "closure day"
        ordering = ["school", "date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="unique_closure_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"
