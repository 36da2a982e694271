"""API tokens: bearer keys that let a staff user's scripts call the REST API as that user."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY = "system.key"
ACCOUNT = "staff.account"


class ApiToken(models.Model):
    """A named bearer key for one staff user. Only a SHA-256 hash of the key is kept.

    The plain key is shown once, when the token is issued; `prefix` (its first characters)
    identifies the token in lists and in the audit log without revealing it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="user"
    )
    name = models.CharField("name", max_length=100, help_text="What the token is for, e.g. 'MIS sync'.")
    prefix = models.CharField("key prefix", max_length=16, db_index=True)
    key_hash = models.CharField("key hash (SHA-256)", max_length=64, unique=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)
    last_used_at = models.DateTimeField("last used at", null=True, blank=True)
    expires_at = models.DateTimeField("expires at", null=True, blank=True)
    revoked_at = models.DateTimeField("revoked at", null=True, blank=True)

    class PersonalData:
        subject = "staff"
        subject_path = "user"
        retention_from = "created_at"
        fields = {
            "id": KEY,
            "user": KEY,
            "name": ACCOUNT,
            "prefix": ACCOUNT,
            "key_hash": ACCOUNT,
            "created_at": ACCOUNT,
            "last_used_at": ACCOUNT,
            "expires_at": ACCOUNT,
            "revoked_at": ACCOUNT,
        }

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active_at(self, when: dt.datetime | None = None) -> bool:
        """Not revoked and not expired at `when` (default: now)."""
        now = when or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    @property
    def status(self) -> str:
        """'active', 'revoked' or 'expired'."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
