"""Model fields Steward declares the same way in many places."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def staff_ref(verbose_name: str) -> models.ForeignKey[Any, Any]:
    """Who did something (logged, decided, recorded...): a user, kept as empty if the account is deleted,
    with no reverse accessor (a user's history is read from the audit log, not from every table)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )
