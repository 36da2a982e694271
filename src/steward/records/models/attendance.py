from __future__ import annotations

from django.db import models

from steward.core import codes
from steward.core.codes import choices
from steward.records.models.base import PupilRecord


class AttendanceMark(PupilRecord):
    """One session mark in the attendance register (DfE code), kept at least 6 years from entry."""

    date = models.DateField("date")
    session = models.CharField("session", max_length=2, choices=[("AM", "Morning"), ("PM", "Afternoon")])
    code = models.CharField("attendance code", max_length=2, choices=choices(codes.ATTENDANCE))
    minutes_late = models.PositiveSmallIntegerField("minutes late", null=True, blank=True)
    comment = models.CharField("comment", max_length=200, blank=True)

    class PersonalData:
        retention_from = "date"
        fields = {
            "date": "pupil.attendance",
            "session": "pupil.attendance",
            "code": "pupil.attendance",
            "minutes_late": "pupil.attendance",
            "comment": "pupil.attendance",
        }

    class Meta:
        verbose_name = "attendance mark"
        ordering = ["pupil", "-date", "session"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school", "date", "session"],
                name="one_mark_per_session",
                violation_error_message="This pupil already has a mark for that session.",
            ),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    @property
    def present(self) -> bool:
        return self.code in codes.ATTENDANCE_PRESENT

    def __str__(self) -> str:
        return f"{self.date} {self.session} {self.code}"
