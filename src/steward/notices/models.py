"""Published versions of a school's privacy notices.

A `NoticeVersion` is what a notice said from its effective date: the Markdown compiled from the
register (the canonical text), the HTML rendered from it, the structured document (to render it again
in any format), a SHA-256 of the Markdown, and a snapshot of the register it was compiled from. It is
immutable: once saved it cannot be changed or deleted, through the model, its querysets or the admin,
so "what did the notice say on date D" is answered from a record nobody can rewrite. The one exception
is removing a whole (demo) trust, which must say so with `history_teardown(reason)`. Audit signals log
its creation (`audit_changes`).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from steward.notices.audiences import NoticeAudience


class ImmutableVersion(ValidationError):
    """An attempt to change or delete a published notice version."""


_teardown: contextvars.ContextVar[str] = contextvars.ContextVar("steward_notice_teardown", default="")


@contextmanager
def history_teardown(reason: str) -> Iterator[None]:
    """Allow deleting notice versions inside this block, for code that removes a whole trust (the demo's
    `--replace`). Never used by a page, the API or a notice command: there, history cannot be deleted.
    Deletions still send their audit events."""
    if not reason.strip():
        raise ValueError("say why the notice history is being deleted")
    token = _teardown.set(reason)
    try:
        yield
    finally:
        _teardown.reset(token)


def content_hash(content: str) -> str:
    """The SHA-256 of a notice's Markdown, as stored with each version."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class NoticeVersionQuerySet(models.QuerySet["NoticeVersion"]):
    """Published versions are never changed or deleted, in bulk either."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableVersion("Published notice versions cannot be changed: publish a new version instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        # Deleting nothing is allowed: generic clean-up code (the demo) deletes every model's rows of a trust.
        if _teardown.get() or not self.exists():
            return super().delete()
        raise ImmutableVersion("Published notice versions cannot be deleted: they are the notice's history.")


class NoticeVersion(models.Model):
    """One published version of a school's notice for one audience, in effect from `effective_from`
    until the next version's effective date."""

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.PROTECT,
        related_name="notice_versions",
        verbose_name="school",
    )
    audience = models.CharField("audience", max_length=16, choices=NoticeAudience.choices)
    number = models.PositiveIntegerField("version number", help_text="1, 2, 3... per school and audience.")
    effective_from = models.DateField("in effect from")
    published_at = models.DateTimeField("published at")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="published by",
    )
    title = models.CharField("title", max_length=300)
    content = models.TextField(
        "Markdown", help_text="The notice as compiled from the register: the canonical text of this version."
    )
    content_hash = models.CharField("SHA-256 of the Markdown", max_length=64)
    html = models.TextField(
        "HTML", help_text="The notice's sections rendered as HTML (no title or date line)."
    )
    document = models.JSONField(
        "structured document", help_text="The compiled document, to render this version in any format."
    )
    register_snapshot = models.JSONField(
        "register snapshot",
        encoder=DjangoJSONEncoder,  # processor agreement dates are dates
        help_text="The school's effective register the notice was compiled from.",
    )
    taxonomy_version = models.CharField("taxonomy version", max_length=20, blank=True)
    defaults_version = models.CharField("default register version", max_length=20, blank=True)

    objects = NoticeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "notice version"
        ordering = ["school", "audience", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "audience", "number"],
                name="notices_version_unique_number",
                violation_error_message="This notice already has a version with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="notices_version_number_positive",
                violation_error_message="Version numbers start at 1.",
            ),
        ]
        indexes = [models.Index(fields=["school", "audience", "effective_from"], name="notices_in_effect")]

    def __str__(self) -> str:
        return f"{self.school} {self.get_audience_display()} notice v{self.number}"

    def clean(self) -> None:
        super().clean()
        if self.content and self.content_hash and self.content_hash != content_hash(self.content):
            raise ValidationError({"content_hash": "The hash does not match the content."})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only an insert is allowed: a version is written once, by `services.publish_notice`.
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise ImmutableVersion(
                "Published notice versions cannot be changed: publish a new version instead."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if _teardown.get():
            return super().delete(*args, **kwargs)
        raise ImmutableVersion("Published notice versions cannot be deleted: they are the notice's history.")

    @property
    def hash_ok(self) -> bool:
        """True when the stored Markdown still matches its stored hash."""
        return content_hash(self.content) == self.content_hash
