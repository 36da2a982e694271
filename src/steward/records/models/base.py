"""The shared shape of every category record: whose, which school, who recorded it, when, from where."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models

from steward.core import codes
from steward.core.codes import choices


def record_upload_to(instance: Any, filename: str) -> str:
    """Files live under the storage root by school and pupil, named by a random id (never the pupil's name)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    school = getattr(instance, "school_id", None) or "none"
    pupil = getattr(instance, "pupil_id", None) or "none"
    return f"records/{school}/{pupil}/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


class PupilRecord(models.Model):
    """Abstract base: a record about one pupil, kept by one school."""

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="+", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="school"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="recorded by",
    )
    recorded_at = models.DateTimeField("recorded at", auto_now_add=True)
    source = models.CharField("source", max_length=20, choices=choices(codes.SOURCE), default="school")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "pupil__date_of_birth"
        fields = {
            "id": "system.key",
            "pupil": "system.key",
            "school": "system.key",
            "recorded_by": "system.provenance",
            "recorded_at": "system.provenance",
            "source": "system.provenance",
        }

    class Meta:
        abstract = True
