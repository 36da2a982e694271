"""Rights requests (UK GDPR Arts 15-21 and the 2005 educational-record regulations): intake, events, competence.

Rules: `/work/shared/domain/rules.md` §1 (subject access: clock, ID, clarification, fees, children, parents,
third parties, court orders) and §3 (the other rights). The workflow's state machine is `rights/workflow.py`;
writes go through `rights/services.py`, reads through `rights/selectors.py`.
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
RIGHTS = "pupil.rights"
REQUESTER = "contact.rights"


def authority_upload_to(instance: Any, filename: str) -> str:
    """Written authorities live under the storage root by school, named by a random id (never a name)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    school = getattr(instance, "school_id", None) or "none"
    return f"rights/{school}/authority/{uuid.uuid4().hex}{suffix}"


class RequestKind(models.TextChoices):
    ACCESS = "access", "Access (subject access request)"
    EDUCATIONAL_RECORD = "educational_record", "Educational record"
    RECTIFICATION = "rectification", "Rectification"
    ERASURE = "erasure", "Erasure"
    RESTRICTION = "restriction", "Restriction of processing"
    OBJECTION = "objection", "Objection"
    PORTABILITY = "portability", "Data portability"
    WITHDRAW_CONSENT = "withdraw_consent", "Withdrawal of consent"
    YOUTH_SUPPORT_OPT_DOWN = (
        "youth_support_opt_down",
        "Youth support opt-down (name, address, date of birth only)",
    )


# Requests whose answer discloses the pupil's data to the requester (rules §1.5 applies before release).
DISCLOSING_KINDS = frozenset({RequestKind.ACCESS, RequestKind.EDUCATIONAL_RECORD})


class RequesterKind(models.TextChoices):
    PUPIL = "pupil", "The pupil"
    PARENT = "parent", "A contact with parental responsibility"
    THIRD_PARTY = "third_party", "An authorised third party (with written authority)"


class Channel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    PORTAL = "portal", "Portal"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_IDENTITY = "awaiting_identity", "Awaiting identity"
    AWAITING_CLARIFICATION = "awaiting_clarification", "Awaiting clarification"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    READY = "ready", "Ready to release"
    RELEASED = "released", "Released"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_STATUSES = frozenset({Status.RELEASED, Status.REFUSED, Status.WITHDRAWN})


class FeeDecision(models.TextChoices):
    NONE = "none", "No fee (the default)"
    FEE = "fee", "Reasonable fee (manifestly unfounded or excessive)"
    REFUSED = "refused", "Refused as manifestly unfounded or excessive"


class CompetenceOutcome(models.TextChoices):
    COMPETENT = "competent", "Competent to exercise their own rights"
    NOT_COMPETENT = "not_competent", "Not competent: the parent may act for them"


class PupilView(models.TextChoices):
    CONSENTS = "consents", "Consents to release to the parent"
    OBJECTS = "objects", "Objects to release to the parent"
    NOT_ASKED = "not_asked", "Not asked (reason recorded)"


class DpoOutcome(models.TextChoices):
    RELEASE = "release", "Release to the requester"
    WITHHOLD = "withhold", "Do not release to the requester"


class RightsRequest(models.Model):
    """A rights request about one pupil (access, educational record, rectification, erasure, ...)."""

    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.PROTECT,
        related_name="rights_requests",
        verbose_name="school",
    )
    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.PROTECT, related_name="rights_requests", verbose_name="subject pupil"
    )
    kind = models.CharField("kind of request", max_length=24, choices=RequestKind.choices)
    requester_kind = models.CharField("requester", max_length=12, choices=RequesterKind.choices)
    requester_contact = models.ForeignKey(
        "people.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rights_requests",
        verbose_name="requester (contact)",
    )
    requester_name = models.CharField("requester name", max_length=200, blank=True)
    authority = models.FileField(
        "written authority", upload_to=authority_upload_to, blank=True, max_length=200
    )
    authority_description = models.TextField("written authority description", blank=True)
    received_on = models.DateField("received on")
    channel = models.CharField("received by", max_length=10, choices=Channel.choices)
    description = models.TextField("what is asked")
    status = models.CharField("status", max_length=24, choices=Status.choices, default=Status.RECEIVED)
    clock_started_on = models.DateField(
        "clock started on", help_text="The latest of receipt, ID received and fee received (rules §1.2)."
    )
    identity_required = models.BooleanField("identity evidence asked for", default=False)
    identity_verified_on = models.DateField("identity verified on", null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="duplicate of",
    )
    duplicate_reason = models.TextField("why a second open request was logged", blank=True)
    extension_reason = models.TextField("extension reason", blank=True)
    extension_decided_on = models.DateField("extension decided on", null=True, blank=True)
    extension_told_on = models.DateField("requester told of the extension on", null=True, blank=True)
    fee_decision = models.CharField(
        "fee decision", max_length=8, choices=FeeDecision.choices, default=FeeDecision.NONE
    )
    fee_amount = models.DecimalField("fee (£)", max_digits=8, decimal_places=2, null=True, blank=True)
    fee_reason = models.TextField("fee or refusal reasons", blank=True)
    fee_decided_on = models.DateField("fee decided on", null=True, blank=True)
    fee_received_on = models.DateField("fee received on", null=True, blank=True)
    complaint_rights_told = models.BooleanField(
        "requester told of the right to complain to the ICO and to a court", default=False
    )
    outcome_reason = models.TextField("refusal or withdrawal reason", blank=True)
    released_on = models.DateField("released on", null=True, blank=True)
    released_to = models.CharField("released to", max_length=200, blank=True)
    release_method = models.CharField("release method", max_length=100, blank=True)
    bundle_sha256 = models.CharField("bundle SHA-256", max_length=64, blank=True)
    assigned_to = staff_ref("assigned to")
    created_by = staff_ref("logged by")
    created_at = models.DateTimeField("logged at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "received_on"
        fields = {
            "id": KEY,
            "school": KEY,
            "pupil": KEY,
            "kind": RIGHTS,
            "requester_kind": RIGHTS,
            "requester_contact": KEY,
            "requester_name": REQUESTER,
            "authority": REQUESTER,
            "authority_description": REQUESTER,
            "received_on": RIGHTS,
            "channel": RIGHTS,
            "description": RIGHTS,
            "status": RIGHTS,
            "clock_started_on": RIGHTS,
            "identity_required": REQUESTER,
            "identity_verified_on": REQUESTER,
            "duplicate_of": KEY,
            "duplicate_reason": RIGHTS,
            "extension_reason": RIGHTS,
            "extension_decided_on": RIGHTS,
            "extension_told_on": RIGHTS,
            "fee_decision": RIGHTS,
            "fee_amount": RIGHTS,
            "fee_reason": RIGHTS,
            "fee_decided_on": RIGHTS,
            "fee_received_on": RIGHTS,
            "complaint_rights_told": RIGHTS,
            "outcome_reason": RIGHTS,
            "released_on": RIGHTS,
            "released_to": REQUESTER,
            "release_method": RIGHTS,
            "bundle_sha256": PROV,
            "assigned_to": PROV,
            "created_by": PROV,
            "created_at": PROV,
            "updated_at": PROV,
        }

    class Meta:
        verbose_name = "rights request"
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["pupil", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(clock_started_on__gte=models.F("received_on")),
                name="rights_clock_not_before_receipt",
                violation_error_message="The clock cannot start before the request was received.",
            ),
            models.CheckConstraint(
                condition=~Q(requester_kind="parent") | Q(requester_contact__isnull=False),
                name="rights_parent_has_contact",
                violation_error_message="A request by a parent must name the contact who made it.",
            ),
            models.CheckConstraint(
                condition=~Q(requester_kind="pupil") | Q(requester_contact__isnull=True),
                name="rights_pupil_has_no_contact",
                violation_error_message="A request by the pupil cannot name a contact as the requester.",
            ),
            models.CheckConstraint(
                condition=~Q(requester_kind="third_party") | (~Q(authority="") & ~Q(requester_name="")),
                name="rights_third_party_has_authority",
                violation_error_message="A third party needs a name and the written authority.",
            ),
            models.CheckConstraint(
                condition=~Q(fee_decision="fee") | (Q(fee_amount__gt=0) & ~Q(fee_reason="")),
                name="rights_fee_has_amount_and_reason",
                violation_error_message="A fee needs an amount above zero and the reason it is charged.",
            ),
            models.CheckConstraint(
                condition=~Q(fee_decision="refused") | (~Q(fee_reason="") & Q(complaint_rights_told=True)),
                name="rights_refusal_has_reasons_and_complaint_right",
                violation_error_message=(
                    "A refusal needs its reasons and a record that the requester was told of the right "
                    "to complain to the ICO and to a court."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(extension_decided_on__isnull=True, extension_told_on__isnull=True, extension_reason="")
                    | (
                        Q(extension_decided_on__isnull=False, extension_told_on__isnull=False)
                        & ~Q(extension_reason="")
                    )
                ),
                name="rights_extension_complete",
                violation_error_message=(
                    "An extension needs its reason, the date decided and the date the requester was told."
                ),
            ),
            models.CheckConstraint(
                condition=Q(extension_told_on__isnull=True)
                | Q(extension_told_on__gte=models.F("received_on")),
                name="rights_extension_told_after_receipt",
                violation_error_message="The requester cannot be told of an extension before the request arrived.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request #{self.pk} ({self.get_status_display()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.requester_kind == RequesterKind.PARENT and not self.requester_contact_id:
            errors["requester_contact"] = "A request by a parent must name the contact who made it."
        if self.requester_kind == RequesterKind.PUPIL and self.requester_contact_id:
            errors["requester_contact"] = "A request by the pupil cannot name a contact as the requester."
        if self.requester_kind == RequesterKind.THIRD_PARTY:
            if not self.authority:
                errors["authority"] = "A third party needs the written authority of the pupil or a parent."
            if not self.requester_name.strip():
                errors["requester_name"] = "Give the third party's name."
        if self.received_on and self.clock_started_on and self.clock_started_on < self.received_on:
            errors["clock_started_on"] = "The clock cannot start before the request was received."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class EventKind(models.TextChoices):
    LOGGED = "logged", "Request logged"
    STATUS_CHANGE = "status_change", "Status changed"
    IDENTITY_REQUESTED = "identity_requested", "Identity evidence asked for"
    IDENTITY_VERIFIED = "identity_verified", "Identity verified"
    CLARIFICATION_ASKED = "clarification_asked", "Clarification asked (clock paused)"
    CLARIFICATION_RECEIVED = "clarification_received", "Clarification received (clock resumed)"
    FEE_DECIDED = "fee_decided", "Fee decided"
    FEE_RECEIVED = "fee_received", "Fee received"
    EXTENSION_DECIDED = "extension_decided", "Extension decided"
    COMPETENCE_ASSESSED = "competence_assessed", "Competence assessed"
    PUPIL_VIEW_RECORDED = "pupil_view_recorded", "Pupil's view recorded"
    DPO_DECISION = "dpo_decision", "DPO decision"
    RELEASED = "released", "Released"
    NOTE = "note", "Note"
    SEARCHED = "searched", "Records searched"
    BUNDLE_BUILT = "bundle_built", "Response bundle built"
    TASK_CREATED = "task_created", "Manual search task created"
    TASK_COMPLETED = "task_completed", "Manual search task completed"
    REDACTIONS_REVIEWED = "redactions_reviewed", "Redactions reviewed"
    OUTCOME_APPLIED = "outcome_applied", "Outcome applied"
    REMINDER_SENT = "reminder_sent", "Deadline reminder sent"
    ASSIGNED = "assigned", "Assigned"


class RequestEvent(models.Model):
    """One entry in a rights request's append-only log (who did what, when, and the date it took effect)."""

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="events", verbose_name="request"
    )
    at = models.DateTimeField("recorded at", auto_now_add=True)
    on = models.DateField("effective date")
    actor = staff_ref("recorded by")
    kind = models.CharField("event", max_length=24, choices=EventKind.choices)
    from_status = models.CharField("from status", max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField("to status", max_length=24, choices=Status.choices, blank=True)
    method = models.CharField("method", max_length=100, blank=True)
    note = models.TextField("note", blank=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "at": PROV,
            "on": RIGHTS,
            "actor": PROV,
            "kind": RIGHTS,
            "from_status": RIGHTS,
            "to_status": RIGHTS,
            "method": RIGHTS,
            "note": RIGHTS,
        }

    class Meta:
        verbose_name = "rights request event"
        ordering = ["request", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="status_change") | (~Q(from_status="") & ~Q(to_status="")),
                name="rights_event_status_change_names_both",
                violation_error_message="A status change must name the status before and after.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Request events are append-only: add a new event instead.")
        super().save(*args, **kwargs)


class CompetenceAssessment(models.Model):
    """For a parent's request about a pupil: the pupil's competence, their view, and any DPO decision (§1.5)."""

    request = models.OneToOneField(
        RightsRequest, on_delete=models.CASCADE, related_name="competence", verbose_name="request"
    )
    assessed_by = staff_ref("assessed by")
    assessed_on = models.DateField("assessed on", null=True, blank=True)
    pupil_age = models.PositiveSmallIntegerField("pupil's age when assessed", null=True, blank=True)
    outcome = models.CharField("outcome", max_length=16, choices=CompetenceOutcome.choices, blank=True)
    assessment_note = models.TextField("assessment notes", blank=True)
    pupil_view = models.CharField("pupil's view", max_length=12, choices=PupilView.choices, blank=True)
    pupil_view_note = models.TextField("pupil's view, or why not asked", blank=True)
    pupil_view_on = models.DateField("view recorded on", null=True, blank=True)
    dpo_decision = models.CharField("DPO decision", max_length=10, choices=DpoOutcome.choices, blank=True)
    dpo_reasons = models.TextField("DPO reasons", blank=True)
    dpo_decided_by = staff_ref("DPO")
    dpo_decided_on = models.DateField("DPO decided on", null=True, blank=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "assessed_by": PROV,
            "assessed_on": RIGHTS,
            "pupil_age": RIGHTS,
            "outcome": RIGHTS,
            "assessment_note": RIGHTS,
            "pupil_view": RIGHTS,
            "pupil_view_note": RIGHTS,
            "pupil_view_on": RIGHTS,
            "dpo_decision": RIGHTS,
            "dpo_reasons": RIGHTS,
            "dpo_decided_by": PROV,
            "dpo_decided_on": RIGHTS,
        }

    class Meta:
        verbose_name = "competence assessment"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(assessed_on__isnull=False),
                name="rights_competence_dated",
                violation_error_message="A competence assessment needs the date it was made.",
            ),
            models.CheckConstraint(
                condition=~Q(pupil_view="not_asked") | ~Q(pupil_view_note=""),
                name="rights_view_not_asked_has_reason",
                violation_error_message="Say why the pupil's view was not asked.",
            ),
            models.CheckConstraint(
                condition=Q(dpo_decision="") | (~Q(dpo_reasons="") & Q(dpo_decided_on__isnull=False)),
                name="rights_dpo_decision_has_reasons",
                violation_error_message="A DPO decision needs its reasons and the date it was made.",
            ),
        ]

    def __str__(self) -> str:
        return f"Competence for request #{self.request_id}"
