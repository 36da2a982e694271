"""Who a portal sign-in is, how they were invited, and the corrections they send in the annual data check.

A `PortalLink` ties a user account to exactly one data subject it speaks for: a `Contact` (a parent or
carer) or a `Pupil` (the pupil themself). An `Invitation` is a one-time link: only the SHA-256 of its token
is stored, so a copy of the database cannot be used to sign anyone in. A `DataCheckSubmission` holds what a
family says should change; nothing in the record changes until staff accept it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref

KEY = "system.key"
PROV = "system.provenance"
ACCOUNT = "staff.account"


class PortalRole(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    PUPIL = "pupil", "Pupil"


class PortalLink(models.Model):
    """A portal sign-in and the person it is: one contact (parent or carer) or one pupil, never both."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="portal_link", verbose_name="user"
    )
    contact = models.OneToOneField(
        "people.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_link",
        verbose_name="contact",
    )
    pupil = models.OneToOneField(
        "people.Pupil",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_link",
        verbose_name="pupil",
    )
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="inviting school",
        help_text="The school whose staff invited the person (its staff manage the sign-in).",
    )
    created_by = staff_ref("invited by")
    created_at = models.DateTimeField("created at", auto_now_add=True)
    disabled_at = models.DateTimeField("access disabled at", null=True, blank=True)
    disabled_by = staff_ref("access disabled by")

    class PersonalData:
        # The account of a portal user is classified like every other sign-in (accounts.User is "staff"
        # data: the account holder's own); the contact or pupil it speaks for is a key.
        subject = "staff"
        subject_path = "user"
        retention_from = "created_at"
        fields = {
            "id": KEY,
            "user": KEY,
            "contact": KEY,
            "pupil": KEY,
            "school": KEY,
            "created_by": PROV,
            "created_at": ACCOUNT,
            "disabled_at": ACCOUNT,
            "disabled_by": PROV,
        }

    class Meta:
        verbose_name = "portal link"
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(pupil__isnull=True))
                | (Q(contact__isnull=True) & Q(pupil__isnull=False)),
                name="portal_link_contact_or_pupil",
                violation_error_message="A portal sign-in is either a contact's or a pupil's, not both.",
            ),
        ]

    def clean(self) -> None:
        if bool(self.contact_id) == bool(self.pupil_id):
            raise ValidationError(
                {"contact": "A portal sign-in is either a contact's or a pupil's, not both or neither."}
            )

    @property
    def role(self) -> PortalRole:
        return PortalRole.PARENT if self.contact_id else PortalRole.PUPIL

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def __str__(self) -> str:
        return f"Portal sign-in of {self.contact or self.pupil}"


class InvitationStatus(models.TextChoices):
    SENT = "sent", "Sent"
    USED = "used", "Used"
    EXPIRED = "expired", "Expired"
    REPLACED = "replaced", "Replaced by a newer link"
    DISABLED = "disabled", "Access disabled"


class Invitation(models.Model):
    """A one-time link emailed to a contact or pupil: following it lets them set a password and signs
    them in. Only the SHA-256 of the token is kept; it works once, until `expires_at`."""

    link = models.ForeignKey(
        PortalLink, on_delete=models.CASCADE, related_name="invitations", verbose_name="portal sign-in"
    )
    email = models.EmailField("sent to")
    token_hash = models.CharField("token SHA-256", max_length=64, unique=True)
    created_by = staff_ref("sent by")
    created_at = models.DateTimeField("sent at", auto_now_add=True)
    expires_at = models.DateTimeField("expires at")
    used_at = models.DateTimeField("used at", null=True, blank=True)
    revoked_at = models.DateTimeField(
        "revoked at", null=True, blank=True, help_text="A newer link was sent, or access was disabled."
    )

    class PersonalData:
        subject = "staff"
        subject_path = "link__user"
        retention_from = "created_at"
        fields = {
            "id": KEY,
            "link": KEY,
            "email": "staff.identity",
            "token_hash": PROV,
            "created_by": PROV,
            "created_at": ACCOUNT,
            "expires_at": ACCOUNT,
            "used_at": ACCOUNT,
            "revoked_at": ACCOUNT,
        }

    class Meta:
        verbose_name = "portal invitation"
        ordering = ["-created_at", "-pk"]

    def status_on(self, now: object) -> InvitationStatus:
        """Sent, used, expired, replaced or disabled, at the moment `now` (a datetime)."""
        if self.used_at is not None:
            return InvitationStatus.USED
        if self.revoked_at is not None:
            return (
                InvitationStatus.DISABLED if self.link.disabled_at is not None else InvitationStatus.REPLACED
            )
        if self.expires_at <= now:  # type: ignore[operator]
            return InvitationStatus.EXPIRED
        return InvitationStatus.SENT

    def __str__(self) -> str:
        return f"Invitation #{self.pk} to {self.email}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"
    PARTLY = "partly", "Partly accepted"


class DataCheckSubmission(models.Model):
    """Corrections a family sends in the annual data check, waiting for staff review.

    `changes` is a list of {model, object_id, field, old, new} (values as text), each checked against
    the model's own validation when submitted; after review each also carries `decision` (accepted or
    rejected) and, once applied, `applied` (the rectification's id, or "contact" for a contact's own
    details). Nothing in the record changes until staff accept a change.
    """

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="+", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="school"
    )
    submitted_by = staff_ref("submitted by")
    contact = models.ForeignKey(
        "people.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="submitted by (contact)",
    )
    submitted_at = models.DateTimeField("submitted at", auto_now_add=True)
    changes = models.JSONField("changes", default=list)
    message = models.TextField("anything else the family told us", blank=True)
    status = models.CharField(
        "status", max_length=8, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    reviewed_by = staff_ref("reviewed by")
    reviewed_at = models.DateTimeField("reviewed at", null=True, blank=True)
    note = models.TextField("reviewer's note", blank=True)
    request = models.ForeignKey(
        "rights.RightsRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rectification request",
        help_text="The rectification request the accepted changes were applied under.",
    )

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "submitted_at"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "school": KEY,
            "submitted_by": PROV,
            "contact": KEY,
            "submitted_at": "pupil.rights",
            # The changes may hold contact details and health data; classified as the most sensitive
            # thing they can hold, so every rule for health data (who reads it, retention) applies.
            "changes": "pupil.health",
            "message": "pupil.health",
            "status": "pupil.rights",
            "reviewed_by": PROV,
            "reviewed_at": "pupil.rights",
            "note": "pupil.rights",
            "request": KEY,
        }

    class Meta:
        verbose_name = "data check submission"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"Data check #{self.pk} for {self.pupil} ({self.get_status_display()})"
