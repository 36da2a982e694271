"""Data sharing: agreements with recipients, share runs, the disclosure log and notice-review flags.

The disclosure log is append-only and hash-chained like the audit log (`steward.core.hashchain`): one
row per pupil per disclosure, holding what was sent (categories, fields and a hash of the payload),
never the values themselves, so it can be kept as proof after the data is erased. Like the audit log
it refers to pupils by id (`pupil_ref`), not by foreign key, so no erasure or deletion can rewrite it.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref
from steward.register.choices import Art6
from steward.register.validators import validate_category_keys, validate_purpose_keys


def agreement_upload_to(instance: Any, filename: str) -> str:
    """Agreements live under the storage root by trust, named by a random id."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"sharing/{instance.trust_id or 'none'}/agreements/{uuid.uuid4().hex}{suffix}"


class Agreement(models.Model):
    """A data sharing agreement with a recipient in the register (parties, purposes, categories, dates).

    A share to a recipient whose register row says an agreement is required needs one in force on the
    day of the share that covers the share's purpose and categories.
    """

    audit_changes = True

    trust = models.ForeignKey(
        "organisations.Trust", on_delete=models.CASCADE, related_name="agreements", verbose_name="trust"
    )
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name="school (empty: every school of the trust)",
    )
    recipient_key = models.CharField("recipient (register key)", max_length=60)
    title = models.CharField("title", max_length=200)
    parties = models.TextField("parties", help_text="Who signed: the trust or school, and the recipient.")
    purposes = models.JSONField("purposes", default=list, validators=[validate_purpose_keys])
    categories = models.JSONField("data categories", default=list, validators=[validate_category_keys])
    lawful_basis = models.CharField("lawful basis", max_length=24, choices=Art6.choices)
    legal_gateway = models.TextField("legal gateway", blank=True)
    starts_on = models.DateField("in force from")
    ends_on = models.DateField("in force until", null=True, blank=True)
    onward_sharing = models.TextField(
        "onward sharing", blank=True, help_text="Whom the recipient may share the data with, and when."
    )
    document = models.FileField("signed agreement", upload_to=agreement_upload_to, blank=True, max_length=200)
    created_at = models.DateTimeField("recorded at", auto_now_add=True)

    class Meta:
        verbose_name = "data sharing agreement"
        ordering = ["trust", "recipient_key", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="sharing_agreement_ends_after_start",
                violation_error_message="An agreement cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.purposes:
            errors["purposes"] = "Name at least one purpose the agreement covers."
        if not self.categories:
            errors["categories"] = "Name at least one data category the agreement covers."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "An agreement cannot end before it starts."
        if errors:
            raise ValidationError(errors)

    def in_force(self, on: Any) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


class ShareKind(models.TextChoices):
    YOUTH_SUPPORT = "youth_support", "Youth support services (13+ and 16+)"
    STATUTORY = "statutory", "Statutory return (DfE, local authority)"
    ALTERNATIVE_PROVISION = "ap", "Alternative provision placement"
    AD_HOC = "ad_hoc", "Ad-hoc disclosure (police, courts, health, social care)"
    CTF = "ctf", "Common Transfer File"
    ROUTINE = "routine", "Routine share"


class ShareRun(models.Model):
    """One share: to whom, for what, on which basis, by whom, and the package sent (hash only)."""

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="share_runs", verbose_name="school"
    )
    kind = models.CharField("kind", max_length=16, choices=ShareKind.choices)
    recipient_key = models.CharField("recipient (register key)", max_length=60)
    recipient_name = models.CharField("recipient", max_length=200)
    purpose_key = models.CharField("purpose", max_length=60)
    lawful_basis = models.CharField("lawful basis", max_length=24, choices=Art6.choices)
    on = models.DateField("shared on")
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name="agreement",
    )
    override_reason = models.TextField("DPO override reason", blank=True)
    actor = staff_ref("shared by")
    at = models.DateTimeField("recorded at", auto_now_add=True)
    package_sha256 = models.CharField("SHA-256 of the package sent", max_length=64, blank=True)
    summary = models.JSONField("summary (included, limited, excluded, with reasons)", default=dict)

    class Meta:
        verbose_name = "share run"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_name} on {self.on}"


class Disclosure(models.Model):
    """One row per pupil per disclosure, hash-chained (see the module docstring).

    Rows are only ever inserted by `sharing.log.record_disclosures`; `save` refuses updates.
    """

    at = models.DateTimeField("at", db_index=True)
    run = models.ForeignKey(
        ShareRun, on_delete=models.PROTECT, related_name="disclosures", verbose_name="share run"
    )
    pupil_ref = models.BigIntegerField("pupil id", db_index=True)
    school_ref = models.BigIntegerField("school id", db_index=True)
    recipient_key = models.CharField("recipient (register key)", max_length=60)
    recipient_name = models.CharField("recipient", max_length=200)
    purpose_key = models.CharField("purpose", max_length=60)
    lawful_basis = models.CharField("lawful basis", max_length=24)
    categories = models.JSONField("data categories", default=list)
    fields = models.JSONField("fields sent", default=list)
    payload_sha256 = models.CharField("SHA-256 of what was sent about this pupil", max_length=64)
    limited = models.BooleanField("limited (e.g. name, address and date of birth only)", default=False)
    override = models.BooleanField("sent on a DPO override", default=False)
    actor_label = models.CharField("by", max_length=150)
    channel = models.CharField("channel", max_length=8)
    prev_hash = models.CharField("previous hash", max_length=64)
    hash = models.CharField("hash", max_length=64, unique=True)

    class Meta:
        verbose_name = "disclosure"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Pupil #{self.pupil_ref} to {self.recipient_name} at {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("The disclosure log is append-only.")
        super().save(*args, **kwargs)


class DisclosureChainHead(models.Model):
    """The newest disclosure hash, locked while rows are appended (so deleting the newest is noticed)."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "disclosure chain head"

    def __str__(self) -> str:
        return self.last_hash


class NoticeReviewFlag(models.Model):
    """Raised when a DPO overrides the gate: the share went ahead although the published notice or the
    register did not cover it, so the notice must be reviewed (and republished if the share stays)."""

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="notice_flags", verbose_name="school"
    )
    run = models.ForeignKey(
        ShareRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="share run"
    )
    reason = models.TextField("why the notice needs review")
    raised_at = models.DateTimeField("raised at", auto_now_add=True)
    raised_by = staff_ref("raised by")
    resolved_on = models.DateField("resolved on", null=True, blank=True)
    resolution = models.TextField("resolution", blank=True)

    class Meta:
        verbose_name = "notice review flag"
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Notice review for {self.school}: {self.reason[:60]}"


class Exemption(models.TextChoices):
    """What an ad-hoc disclosure relies on when the notice and the usual purposes do not cover it.

    DPA 2018 Schedule 2 paragraph 2 (crime and taxation) and paragraph 5 (legal proceedings, or required
    by law or a court order) disapply the transparency provisions and the purpose limitation principle
    to the extent that applying them would prejudice the purpose; the disclosure still needs a lawful
    basis (and, for special category data, an Art 9 condition).
    """

    NONE = "", "None: the register and notice cover it"
    CRIME = "sch2_para2", "DPA 2018 Sch 2 para 2: prevention or detection of crime"
    LEGAL = "sch2_para5", "DPA 2018 Sch 2 para 5: required by law, court order or legal proceedings"
    SAFEGUARDING = "safeguarding", "Safeguarding a child at risk (DPA 2018 Sch 1 para 18)"


class AdHocDecision(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    DISCLOSED = "disclosed", "Disclosed"
    PARTLY = "partly", "Partly disclosed"
    REFUSED = "refused", "Refused"


class AdHocRequest(models.Model):
    """A one-off request for pupil data from the police, a court, health or social care: what was asked,
    what it relies on, who approved it, and (through its share run) exactly what was disclosed."""

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="adhoc_requests", verbose_name="school"
    )
    recipient_key = models.CharField("recipient (register key)", max_length=60)
    requester_organisation = models.CharField("requesting organisation", max_length=200)
    requester_name = models.CharField("officer or person asking", max_length=200)
    reference = models.CharField("their reference", max_length=100, blank=True)
    received_on = models.DateField("received on")
    pupil_refs = models.JSONField("pupil ids", default=list)
    asked_for = models.TextField("what was asked for, and why")
    purpose_key = models.CharField("purpose", max_length=60)
    lawful_basis = models.CharField("lawful basis", max_length=24, choices=Art6.choices)
    exemption = models.CharField("exemption relied on", max_length=16, choices=Exemption.choices, blank=True)
    decision = models.CharField(
        "decision", max_length=10, choices=AdHocDecision.choices, default=AdHocDecision.PENDING
    )
    reasons = models.TextField("reasons for the decision", blank=True)
    approved_by = staff_ref("approved by")
    decided_on = models.DateField("decided on", null=True, blank=True)
    run = models.ForeignKey(
        ShareRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="share run"
    )
    disclosed_description = models.TextField("what was disclosed", blank=True)
    logged_by = staff_ref("logged by")
    created_at = models.DateTimeField("logged at", auto_now_add=True)

    class Meta:
        verbose_name = "ad-hoc disclosure request"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | (~Q(reasons="") & Q(decided_on__isnull=False)),
                name="sharing_adhoc_decision_reasoned",
                violation_error_message="A decision needs its reasons and the date it was made.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_organisation} ({self.received_on}): {self.get_decision_display()}"


from steward.sharing.models_transfer import ChildProtectionTransfer, CtfFile, TransferReceived  # noqa: E402, F401
