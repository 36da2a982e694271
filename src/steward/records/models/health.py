from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from steward.records.models.base import PupilRecord, record_upload_to

SEVERITY = [
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
    ("anaphylaxis", "Anaphylaxis risk"),
]


class MedicalCondition(PupilRecord):
    """A medical condition the school needs to know about, and how it is managed in school."""

    condition = models.CharField("condition", max_length=120)
    details = models.TextField("details", blank=True)
    management = models.TextField("management in school", blank=True)
    emergency_procedure = models.TextField("emergency procedure", blank=True)
    diagnosed_on = models.DateField("diagnosed on", null=True, blank=True)
    review_date = models.DateField("review date", null=True, blank=True)

    class PersonalData:
        fields = {
            "condition": "pupil.health.condition",
            "details": "pupil.health.condition",
            "management": "pupil.health.condition",
            "emergency_procedure": "pupil.health.condition",
            "diagnosed_on": "pupil.health.condition",
            "review_date": "pupil.health.condition",
        }

    class Meta:
        verbose_name = "medical condition"
        ordering = ["pupil", "condition"]

    def __str__(self) -> str:
        return self.condition


class Allergy(PupilRecord):
    """An allergy or medically required diet."""

    allergen = models.CharField("allergen", max_length=120)
    severity = models.CharField("severity", max_length=12, choices=SEVERITY)
    reaction = models.TextField("reaction", blank=True)
    treatment = models.TextField("emergency treatment", blank=True)

    class PersonalData:
        fields = {
            "allergen": "pupil.health.allergy",
            "severity": "pupil.health.allergy",
            "reaction": "pupil.health.allergy",
            "treatment": "pupil.health.allergy",
        }

    class Meta:
        verbose_name = "allergy"
        verbose_name_plural = "allergies"
        ordering = ["pupil", "allergen"]

    def __str__(self) -> str:
        return f"{self.allergen} ({self.get_severity_display()})"


class Medication(PupilRecord):
    """A medicine held or administered in school, with the parent's written agreement."""

    name = models.CharField("medicine", max_length=120)
    dosage = models.CharField("dosage", max_length=120)
    frequency = models.CharField("when given", max_length=120, blank=True)
    storage = models.CharField("where stored", max_length=120, blank=True)
    parental_agreement_on = models.DateField("parent's written agreement on", null=True, blank=True)
    start_date = models.DateField("from", null=True, blank=True)
    end_date = models.DateField("until", null=True, blank=True)

    class PersonalData:
        fields = {
            "name": "pupil.health.medication",
            "dosage": "pupil.health.medication",
            "frequency": "pupil.health.medication",
            "storage": "pupil.health.medication",
            "parental_agreement_on": "pupil.health.medication",
            "start_date": "pupil.health.medication",
            "end_date": "pupil.health.medication",
        }

    class Meta:
        verbose_name = "medication"
        ordering = ["pupil", "name"]

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Medication end date cannot be before its start date."})

    def __str__(self) -> str:
        return f"{self.name} {self.dosage}"


class HealthcarePlan(PupilRecord):
    """An individual healthcare plan; the document is stored under the storage root."""

    title = models.CharField("title", max_length=120)
    document = models.FileField("document", upload_to=record_upload_to, blank=True)
    start_date = models.DateField("agreed on")
    review_date = models.DateField("review date", null=True, blank=True)
    agreed_with = models.CharField(
        "agreed with", max_length=200, blank=True, help_text="Parents, health professionals involved"
    )

    class PersonalData:
        fields = {
            "title": "pupil.health.plan",
            "document": "pupil.health.plan",
            "start_date": "pupil.health.plan",
            "review_date": "pupil.health.plan",
            "agreed_with": "pupil.health.plan",
        }

    class Meta:
        verbose_name = "individual healthcare plan"
        ordering = ["pupil", "-start_date"]

    def __str__(self) -> str:
        return self.title


class Accident(PupilRecord):
    """An accident or injury in school, the treatment given, and whether it is RIDDOR-reportable."""

    occurred_at = models.DateTimeField("occurred at")
    location = models.CharField("location", max_length=120, blank=True)
    description = models.TextField("what happened")
    injury = models.CharField("injury", max_length=200)
    treatment = models.TextField("treatment given", blank=True)
    first_aider = models.CharField("first aider", max_length=120, blank=True)
    parent_informed_at = models.DateTimeField("parent informed at", null=True, blank=True)
    hospital = models.BooleanField("taken to hospital", default=False)
    riddor_reportable = models.BooleanField("RIDDOR reportable", default=False)
    riddor_reference = models.CharField("RIDDOR reference", max_length=40, blank=True)

    class PersonalData:
        retention_from = "pupil__date_of_birth"
        fields = {
            "occurred_at": "pupil.health.injury",
            "location": "pupil.health.injury",
            "description": "pupil.health.injury",
            "injury": "pupil.health.injury",
            "treatment": "pupil.health.injury",
            "first_aider": "pupil.health.injury",
            "parent_informed_at": "pupil.health.injury",
            "hospital": "pupil.health.injury",
            "riddor_reportable": "pupil.health.injury",
            "riddor_reference": "pupil.health.injury",
        }

    class Meta:
        verbose_name = "accident"
        ordering = ["pupil", "-occurred_at"]

    def clean(self) -> None:
        if self.riddor_reference and not self.riddor_reportable:
            raise ValidationError(
                {"riddor_reportable": "A RIDDOR reference is given: mark it RIDDOR reportable."}
            )

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.injury}"
