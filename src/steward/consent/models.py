"""The consent ledger and the biometric deletion tasks.

The ledger is append-only: every grant, refusal, withdrawal, objection and biometric notification is
a new `ConsentEvent`, never an edit. The current state of a consent is replayed from it
(`consent.selectors.consent_state`), so it can always be shown how it came to be (UK GDPR Art 7(1):
the school must be able to demonstrate consent).

A `BiometricDeletionTask` is raised when biometric processing must stop (a parent withdraws or
objects, or the child objects: Protection of Freedoms Act 2012 s.26(3), (5)); the template lives in the
catering system, which Steward cannot reach, so deleting it is a manual task with a due date.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref

KEY = "system.key"
PROV = "system.provenance"
FILE = "system.file"
CONSENT = "pupil.consent"
BIOMETRIC = "pupil.consent.biometric"


class ConsentAction(models.TextChoices):
    GRANT = "grant", "Consent given"
    REFUSE = "refuse", "Consent refused"
    WITHDRAW = "withdraw", "Consent withdrawn"
    OBJECT = "object", "Objection"
    # A parent told in writing of the intention to process biometric data, before it starts (s.26(2)).
    NOTIFIED = "notified", "Parent notified (biometrics)"


# The actions that are decisions (a notification decides nothing).
DECISIONS = (ConsentAction.GRANT, ConsentAction.REFUSE, ConsentAction.WITHDRAW, ConsentAction.OBJECT)
# The decisions that stop processing.
STOPS = (ConsentAction.REFUSE, ConsentAction.WITHDRAW, ConsentAction.OBJECT)


class DecidedBy(models.TextChoices):
    PARENT = "parent", "A parent or carer"
    PUPIL = "pupil", "The pupil"
    SCHOOL = "school", "The school (notification)"


class Method(models.TextChoices):
    PORTAL = "portal", "In the portal"
    PAPER = "paper", "Paper form (scanned)"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    VERBAL = "verbal", "Verbal (noted by staff)"


# Methods that are in writing (Protection of Freedoms Act 2012 s.27: notification, consent, objection
# and withdrawal in writing; the portal and email are writing in electronic form).
WRITTEN = frozenset({Method.PORTAL, Method.PAPER, Method.LETTER, Method.EMAIL})


def evidence_upload_to(instance: Any, filename: str) -> str:
    """Scanned forms live under the storage root by pupil, named by a random id (never a name)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    pupil = getattr(instance, "pupil_id", None) or "none"
    return f"consent/{pupil}/{uuid.uuid4().hex}{suffix}"


class ConsentEvent(models.Model):
    """One entry in a pupil's consent ledger: a decision (or a biometric notification), by whom, how and
    when, with the privacy notice in force that the person was shown."""

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.PROTECT, related_name="consent_events", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="school",
        help_text="The pupil's school the decision was recorded at.",
    )
    purpose = models.ForeignKey(
        "register.ConsentPurpose",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name="consent purpose",
    )
    action = models.CharField("action", max_length=10, choices=ConsentAction.choices)
    by = models.CharField("by", max_length=8, choices=DecidedBy.choices)
    contact = models.ForeignKey(
        "people.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_events",
        verbose_name="parent or carer",
        help_text="The parent who decided, or (for a notification) the parent notified.",
    )
    method = models.CharField("how", max_length=8, choices=Method.choices)
    on = models.DateField("effective from")
    at = models.DateTimeField("recorded at", auto_now_add=True)
    notice_version = models.ForeignKey(
        "notices.NoticeVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="privacy notice shown",
        help_text="The notice in force for the person's audience on the day; empty if none was published.",
    )
    evidence = models.FileField(
        "scanned form or letter", upload_to=evidence_upload_to, blank=True, max_length=200
    )
    note = models.TextField("note", blank=True)
    recorded_by = staff_ref("recorded by")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "on"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "school": KEY,
            "purpose": KEY,
            "action": CONSENT,
            "by": CONSENT,
            "contact": KEY,
            "method": CONSENT,
            "on": CONSENT,
            "at": PROV,
            "notice_version": KEY,
            "evidence": CONSENT,
            "note": CONSENT,
            "recorded_by": PROV,
        }

    class Meta:
        verbose_name = "consent event"
        ordering = ["pupil", "on", "at", "pk"]
        indexes = [models.Index(fields=["pupil", "purpose", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(by="parent") | Q(contact__isnull=False),
                name="consent_event_parent_has_contact",
                violation_error_message="A decision by a parent must name the parent.",
            ),
            models.CheckConstraint(
                condition=~Q(by="pupil") | Q(contact__isnull=True),
                name="consent_event_pupil_has_no_contact",
                violation_error_message="A decision by the pupil cannot name a parent.",
            ),
            models.CheckConstraint(
                condition=(Q(action="notified") & Q(by="school") & Q(contact__isnull=False))
                | (~Q(action="notified") & ~Q(by="school")),
                name="consent_event_notified_by_school",
                violation_error_message="Only the school notifies, and a notification names the parent notified; "
                "the school makes no consent decisions.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.get_by_display().lower()} on {self.on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a correction is a new event, so the ledger shows what was believed when.
        if self.pk is not None and not self._state.adding:
            raise ValidationError("The consent ledger is append-only: record a new event instead.")
        super().save(*args, **kwargs)

    @property
    def in_writing(self) -> bool:
        return self.method in WRITTEN

    @property
    def who(self) -> str:
        """Plain words for who acted: the parent's name, "the pupil" or "the school"."""
        if self.by == DecidedBy.PARENT and self.contact is not None:
            return str(self.contact)
        return "the pupil" if self.by == DecidedBy.PUPIL else "the school"


# Biometric deletion is due this many calendar days after processing must stop. Calendar days, not
# school days: the law asks for destruction "as soon as practicable" (PoFA 2012 Explanatory Notes para
# 145) and deleting a template is minutes' work for the catering system's administrator; a school-day
# count would let a template sit on a supplier's system through a six-week summer holiday (and needs
# term dates to be entered). Matching itself stops at once: the ledger makes the consent ineffective
# from the withdrawal's date.
DELETION_DAYS = 14


class BiometricDeletionTask(models.Model):
    """Delete a pupil's biometric template from the system that holds it (a manual task with a due date)."""

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.PROTECT, related_name="biometric_deletions", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="school"
    )
    purpose = models.ForeignKey(
        "register.ConsentPurpose", on_delete=models.PROTECT, related_name="+", verbose_name="consent purpose"
    )
    event = models.ForeignKey(
        ConsentEvent,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="raised by",
        help_text="The withdrawal or objection that stopped processing.",
    )
    raised_on = models.DateField("raised on")
    due_on = models.DateField("delete by")
    reason = models.TextField("why")
    done_on = models.DateField("deleted on", null=True, blank=True)
    done_by = staff_ref("deleted by")
    note = models.TextField("note", blank=True, help_text="For example, the system's confirmation reference.")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "raised_on"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "school": KEY,
            "purpose": KEY,
            "event": KEY,
            "raised_on": BIOMETRIC,
            "due_on": BIOMETRIC,
            "reason": BIOMETRIC,
            "done_on": BIOMETRIC,
            "done_by": PROV,
            "note": BIOMETRIC,
        }

    class Meta:
        verbose_name = "biometric deletion task"
        ordering = ["done_on", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("raised_on")),
                name="consent_deletion_due_after_raised",
                violation_error_message="A deletion cannot be due before it was raised.",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=models.F("raised_on")),
                name="consent_deletion_done_after_raised",
                violation_error_message="A deletion cannot be done before it was raised.",
            ),
        ]

    def __str__(self) -> str:
        return f"Delete the biometric template of {self.pupil} by {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.done_on is None
