"""The audit log: one row per create, update, delete, view or export, chained by hashes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

ACTIONS = [
    ("create", "Created"),
    ("update", "Updated"),
    ("delete", "Deleted"),
    ("view", "Viewed"),
    ("export", "Exported"),
    ("import", "Imported"),
    ("search", "Searched"),
    ("login", "Signed in"),
    ("login_failed", "Sign-in failed"),
    ("logout", "Signed out"),
]


class AuditEvent(models.Model):
    """Something a person or process did to personal data, written in the same transaction.

    Each event stores the hash of the one before it, so deleting or editing a row breaks the chain
    and `steward audit verify` reports where. Field values are never copied here, only field
    names, so the log itself holds no special-category data.
    """

    at = models.DateTimeField("at", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="actor",
    )
    # The user id is kept outside the foreign key too, so deleting a user (SET_NULL) leaves the
    # hashed record, and so the chain, intact.
    actor_ref = models.BigIntegerField("actor user id", null=True, blank=True)
    actor_label = models.CharField("actor name", max_length=150)
    channel = models.CharField("channel", max_length=8)
    request_id = models.CharField("request id", max_length=32, db_index=True)
    action = models.CharField("action", max_length=16, choices=ACTIONS)
    model = models.CharField("record type", max_length=100, blank=True)
    object_id = models.CharField("record id", max_length=64, blank=True)
    school_id_ref = models.BigIntegerField("school id", null=True, blank=True, db_index=True)
    pupil_id_ref = models.BigIntegerField("pupil id", null=True, blank=True, db_index=True)
    contact_id_ref = models.BigIntegerField("contact id", null=True, blank=True, db_index=True)
    categories = models.JSONField("data categories", default=list)
    special = models.BooleanField("special-category data touched", default=False)
    fields = models.JSONField("fields changed", default=list)
    detail = models.JSONField("detail", default=dict)
    prev_hash = models.CharField("previous hash", max_length=64)
    hash = models.CharField("hash", max_length=64, unique=True)

    class PersonalData:
        subject = "staff"
        subject_path = "actor"
        retention_from = "at"
        fields = {
            "id": "system.key",
            "at": "staff.activity",
            "actor": "staff.activity",
            "actor_ref": "staff.activity",
            "actor_label": "staff.activity",
            "channel": "staff.activity",
            "request_id": "staff.activity",
            "action": "staff.activity",
            "model": "staff.activity",
            "object_id": "staff.activity",
            "school_id_ref": "system.key",
            "pupil_id_ref": "system.key",
            "contact_id_ref": "system.key",
            "categories": "staff.activity",
            "special": "staff.activity",
            "fields": "staff.activity",
            "detail": "staff.activity",
            "prev_hash": "system.provenance",
            "hash": "system.provenance",
        }

    class Meta:
        verbose_name = "audit event"
        ordering = ["-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.model}#{self.object_id}"


class ChainHead(models.Model):
    """A single row locked while an event is appended, so concurrent writers extend the chain in turn."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return self.last_hash
