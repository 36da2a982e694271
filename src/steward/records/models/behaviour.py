from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from steward.core import codes
from steward.core.codes import choices
from steward.records.models.base import PupilRecord


class BehaviourIncident(PupilRecord):
    """A behaviour incident (or commendation) and the action taken."""

    occurred_at = models.DateTimeField("occurred at")
    kind = models.CharField(
        "kind",
        max_length=10,
        choices=[("negative", "Incident"), ("positive", "Commendation")],
        default="negative",
    )
    category = models.CharField("category", max_length=60)
    description = models.TextField("description")
    location = models.CharField("location", max_length=120, blank=True)
    action_taken = models.TextField("action taken", blank=True)
    points = models.SmallIntegerField("points", default=0)

    class PersonalData:
        fields = {
            "occurred_at": "pupil.behaviour.incident",
            "kind": "pupil.behaviour.incident",
            "category": "pupil.behaviour.incident",
            "description": "pupil.behaviour.incident",
            "location": "pupil.behaviour.incident",
            "action_taken": "pupil.behaviour.incident",
            "points": "pupil.behaviour.incident",
        }

    class Meta:
        verbose_name = "behaviour incident"
        ordering = ["pupil", "-occurred_at"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.category}"


class Exclusion(PupilRecord):
    """A suspension or permanent exclusion: dates, sessions missed, DfE reason code."""

    kind = models.CharField("kind", max_length=4, choices=choices(codes.EXCLUSION_KIND))
    start_date = models.DateField("start date")
    end_date = models.DateField("end date", null=True, blank=True)
    sessions = models.PositiveSmallIntegerField("sessions", help_text="Number of half-day sessions")
    reason = models.CharField("reason code", max_length=2, choices=choices(codes.EXCLUSION_REASON))
    description = models.TextField("description", blank=True)
    parents_notified_on = models.DateField("parents notified on", null=True, blank=True)
    governors_review_on = models.DateField("governors' review on", null=True, blank=True)
    la_notified_on = models.DateField("LA notified on", null=True, blank=True)

    class PersonalData:
        fields = {
            "kind": "pupil.behaviour.exclusion",
            "start_date": "pupil.behaviour.exclusion",
            "end_date": "pupil.behaviour.exclusion",
            "sessions": "pupil.behaviour.exclusion",
            "reason": "pupil.behaviour.exclusion",
            "description": "pupil.behaviour.exclusion",
            "parents_notified_on": "pupil.behaviour.exclusion",
            "governors_review_on": "pupil.behaviour.exclusion",
            "la_notified_on": "pupil.behaviour.exclusion",
        }

    class Meta:
        verbose_name = "suspension or exclusion"
        verbose_name_plural = "suspensions and exclusions"
        ordering = ["pupil", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sessions__gte=1),
                name="exclusion_sessions_positive",
                violation_error_message="A suspension or exclusion covers at least one session.",
            ),
        ]

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "End date cannot be before the start date."})
        if self.kind == "SUSP" and self.sessions and self.sessions > 90:
            # Statutory guidance: no more than 45 school days of suspension in a school year.
            raise ValidationError(
                {
                    "sessions": "A pupil cannot be suspended for more than 45 school days (90 sessions) in a year."
                }
            )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date} ({self.reason})"
