from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from steward.records.models.base import PupilRecord, record_upload_to

PHOTO_PURPOSES = [
    ("identification", "Identification (MIS, safeguarding)"),
    ("display", "Displays in school"),
    ("website", "School website"),
    ("social", "Social media"),
    ("press", "Press"),
    ("prospectus", "Prospectus and printed publications"),
    ("learning", "Learning records"),
]


class Photograph(PupilRecord):
    """A photograph of a pupil, with the purpose it was taken for."""

    image = models.FileField("image", upload_to=record_upload_to)
    purpose = models.CharField("purpose", max_length=16, choices=PHOTO_PURPOSES)
    taken_on = models.DateField("taken on")
    caption = models.CharField("caption", max_length=200, blank=True)

    class PersonalData:
        retention_from = "taken_on"
        fields = {
            "image": "pupil.image",
            "purpose": "pupil.image",
            "taken_on": "pupil.image",
            "caption": "pupil.image",
        }

    class Meta:
        verbose_name = "photograph"
        ordering = ["pupil", "-taken_on"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.taken_on}"


class Trip(models.Model):
    """A trip or off-site activity run by a school (no personal data by itself)."""

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="trips", verbose_name="school"
    )
    name = models.CharField("name", max_length=150)
    destination = models.CharField("destination", max_length=150)
    start_date = models.DateField("departs")
    end_date = models.DateField("returns")
    residential = models.BooleanField("residential", default=False)
    overseas = models.BooleanField("overseas", default=False)
    major_incident = models.BooleanField(
        "a major incident occurred",
        default=False,
        help_text="Keeps every participant's consent until DOB + 25 years.",
    )

    class Meta:
        verbose_name = "trip"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="trip_dates_ordered",
                violation_error_message="A trip cannot return before it departs.",
            ),
        ]

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A trip cannot return before it departs."})

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date})"


class TripParticipant(PupilRecord):
    """A pupil on a trip: consent and the medical notes taken for it."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="participants", verbose_name="trip")
    consent_given = models.BooleanField("parental consent given", default=False)
    consent_date = models.DateField("consent date", null=True, blank=True)
    consent_by = models.CharField("consent given by", max_length=120, blank=True)
    medical_notes = models.TextField("medical and dietary notes", blank=True)

    class PersonalData:
        retention_from = "trip__end_date"
        fields = {
            "trip": "system.key",
            "consent_given": "pupil.trip",
            "consent_date": "pupil.trip",
            "consent_by": "pupil.trip",
            "medical_notes": "pupil.health.trip",
        }

    class Meta:
        verbose_name = "trip participant"
        ordering = ["trip", "pupil"]
        constraints = [
            models.UniqueConstraint(
                fields=["trip", "pupil"],
                name="one_place_per_trip",
                violation_error_message="This pupil is already on the trip.",
            ),
        ]

    def clean(self) -> None:
        if self.consent_given and not self.consent_date:
            raise ValidationError({"consent_date": "Record the date the consent was given."})

    def __str__(self) -> str:
        return f"{self.pupil} on {self.trip}"


class Note(PupilRecord):
    """A free-text note staff keep about a pupil (kept out of special-category areas by policy)."""

    title = models.CharField("title", max_length=150)
    body = models.TextField("note")

    class PersonalData:
        fields = {
            "title": "pupil.note",
            "body": "pupil.note",
        }

    class Meta:
        verbose_name = "note"
        ordering = ["pupil", "-recorded_at"]

    def __str__(self) -> str:
        return self.title
