"""Alternative provision: providers, which sign-ins belong to them, and placements.

A placement is a window of access. While it runs (from `starts_on` to the first of `ends_on`, the
agreement's end and an early end), the provider's users see the placement's pupil, and only the data
categories chosen for that pupil when the placement was commissioned. Outside the window the pupil does
not exist for them (404). The share itself is logged once, in the disclosure log, when the placement is
commissioned (`services.commission_placement`), with the version of the AP privacy notice sent to the
family.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref
from steward.register.validators import validate_category_keys

# The register recipient and purpose every placement shares under (the default register's keys).
RECIPIENT = "ap_providers"
PURPOSE = "alternative_provision"

validate_ukprn = RegexValidator(
    r"^1\d{7}$",
    "A UK provider reference number is 8 digits starting with 1, like 10012345.",
    code="invalid_ukprn",
)


class Provider(models.Model):
    """An alternative provision provider the trust commissions (an organisation, not a person)."""

    audit_changes = True

    trust = models.ForeignKey(
        "organisations.Trust", on_delete=models.PROTECT, related_name="ap_providers", verbose_name="trust"
    )
    name = models.CharField("name", max_length=200)
    ukprn = models.CharField(
        "UK provider reference number",
        max_length=8,
        blank=True,
        validators=[validate_ukprn],
        help_text="Optional: the 8-digit UKPRN from the UK Register of Learning Providers.",
    )
    address = models.TextField("address", blank=True)
    email = models.EmailField(
        "contact email", help_text="The provider's office address for placement matters (not a person's)."
    )
    created_at = models.DateTimeField("added at", auto_now_add=True)

    class Meta:
        verbose_name = "alternative provision provider"
        ordering = ["trust", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "name"],
                name="placements_provider_unique_name",
                violation_error_message="The trust already has a provider with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderUser(models.Model):
    """Which sign-in belongs to which provider. The user holds the portal role "provider" and no staff
    role, so the staff scope gives them nothing; what they see comes from their provider's placements."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_link",
        verbose_name="user",
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="users", verbose_name="provider"
    )
    added_by = staff_ref("added by")
    added_at = models.DateTimeField("added at", auto_now_add=True)

    class PersonalData:
        subject = "staff"
        subject_path = "user"
        fields = {
            "id": "system.key",
            "user": "system.key",
            "provider": "staff.account",
            "added_by": "system.provenance",
            "added_at": "staff.account",
        }

    class Meta:
        verbose_name = "provider user"
        ordering = ["provider", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.provider})"


class PlacementQuerySet(models.QuerySet["Placement"]):
    def active_on(self, on: dt.date) -> PlacementQuerySet:
        """Placements the provider may see on `on`: started, not past their end or the agreement's end,
        and not ended early (an early end on day D stops access from D)."""
        return self.filter(
            Q(agreement__ends_on__isnull=True) | Q(agreement__ends_on__gte=on),
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
            starts_on__lte=on,
            ends_on__gte=on,
            agreement__starts_on__lte=on,
        )


class Placement(models.Model):
    """A pupil's alternative provision placement with a provider: dates, services, the data categories
    chosen for this pupil, the agreement it is shared under and the AP notice the family was sent."""

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="ap_placements", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="school"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="placements", verbose_name="provider"
    )
    agreement = models.ForeignKey(
        "sharing.Agreement", on_delete=models.PROTECT, related_name="+", verbose_name="data sharing agreement"
    )
    starts_on = models.DateField("starts on")
    ends_on = models.DateField("ends on")
    services = models.TextField("services", help_text="What the provider will deliver for the pupil.")
    categories = models.JSONField(
        "data categories shared",
        default=list,
        validators=[validate_category_keys],
        help_text="Chosen for this pupil, case by case, from what the register shares with AP providers.",
    )
    reason = models.TextField("reason for the placement")
    # The notice version is kept by number too: a FK alone would be emptied if a demo trust were replaced.
    ap_notice = models.ForeignKey(
        "notices.NoticeVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="AP privacy notice sent",
    )
    ap_notice_number = models.PositiveIntegerField("AP privacy notice version")
    notice_sent_on = models.DateField("notice sent to the family on")
    share_run = models.ForeignKey(
        "sharing.ShareRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="disclosure",
    )
    ended_on = models.DateField("ended early on", null=True, blank=True)
    end_reason = models.TextField("why it ended early", blank=True)
    ended_by = staff_ref("ended by")
    created_by = staff_ref("commissioned by")
    created_at = models.DateTimeField("commissioned at", auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "pupil__date_of_birth"
        fields = {
            "id": "system.key",
            "pupil": "system.key",
            "school": "system.key",
            "provider": "pupil.enrolment",
            "agreement": "system.provenance",
            "starts_on": "pupil.enrolment",
            "ends_on": "pupil.enrolment",
            "services": "pupil.enrolment",
            "categories": "pupil.enrolment",
            # Why a pupil goes to AP (exclusion, health, needs) is free text as sensitive as a note.
            "reason": "pupil.note",
            "ap_notice": "system.provenance",
            "ap_notice_number": "system.provenance",
            "notice_sent_on": "system.provenance",
            "share_run": "system.provenance",
            "ended_on": "pupil.enrolment",
            "end_reason": "pupil.note",
            "ended_by": "system.provenance",
            "created_by": "system.provenance",
            "created_at": "system.provenance",
        }

    class Meta:
        verbose_name = "alternative provision placement"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="placements_placement_ends_after_start",
                violation_error_message="A placement cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="placements_placement_early_end_has_reason",
                violation_error_message="Say why the placement ended early.",
            ),
        ]
        indexes = [models.Index(fields=["provider", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.provider} from {self.starts_on:%d %B %Y} to {self.ends_on:%d %B %Y}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "A placement cannot end before it starts."
        if not self.categories:
            errors["categories"] = "Choose at least one data category the provider needs for this pupil."
        if not (self.services or "").strip():
            errors["services"] = "Say what the provider will deliver."
        if not (self.reason or "").strip():
            errors["reason"] = "Say why the pupil needs alternative provision."
        if self.ended_on and not (self.end_reason or "").strip():
            errors["end_reason"] = "Say why the placement ended early."
        if errors:
            raise ValidationError(errors)

    @property
    def access_ends_on(self) -> dt.date:
        """The last day the provider can see the pupil: the placement's end, the agreement's end or the
        day before an early end, whichever comes first."""
        last = self.ends_on
        if self.agreement.ends_on is not None:
            last = min(last, self.agreement.ends_on)
        if self.ended_on is not None:
            last = min(last, self.ended_on - dt.timedelta(days=1))
        return last

    def active_on(self, on: dt.date) -> bool:
        return self.starts_on <= on <= self.access_ends_on and self.agreement.starts_on <= on

    def status_on(self, on: dt.date) -> str:
        """ "upcoming", "current" or "ended" (ended early, past its end, or its agreement ended)."""
        if self.ended_on is not None and self.ended_on <= on:
            return "ended"
        if on < self.starts_on:
            return "upcoming"
        return "current" if self.active_on(on) else "ended"

    def end_cause(self, on: dt.date) -> str:
        """Why an ended placement ended, in words (empty while it runs)."""
        if self.ended_on is not None and self.ended_on <= on:
            return f"Ended early on {self.ended_on.day} {self.ended_on:%B %Y}"
        if self.agreement.ends_on is not None and self.agreement.ends_on < min(on, self.ends_on):
            return f"The data sharing agreement ended on {self.agreement.ends_on.day} {self.agreement.ends_on:%B %Y}"
        if self.ends_on < on:
            return f"Ended on {self.ends_on.day} {self.ends_on:%B %Y}"
        return ""
