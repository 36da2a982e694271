"""Who receives pupil data (recipients) and the systems and processors that hold it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.register.choices import (
    Art6,
    RecipientKind,
    Safeguard,
    Sharing,
    SystemFunction,
    Transfer,
)
from steward.register.models.base import RegisterRow, unique_per_scope
from steward.register.models.data import check_purposes
from steward.register.validators import validate_category_keys, validate_key, validate_purpose_keys


class Recipient(RegisterRow):
    """An organisation (or kind of organisation) the school shares pupil data with (Art 13(1)(e)).

    The flags tell the notice compiler which standard sections to include: youth support services for
    pupils aged 13+ and 16+ (Education Act 1996 s507B), and the National Pupil Database.
    """

    audit_changes = True

    key = models.CharField("key", max_length=60, validators=[validate_key])
    name = models.CharField("name", max_length=200, help_text="e.g. The Department for Education (DfE)")
    kind = models.CharField("kind", max_length=24, choices=RecipientKind.choices)
    description = models.TextField(
        "what we share and why", blank=True, help_text="Plain language, for notices."
    )
    lawful_basis = models.CharField("lawful basis", max_length=24, choices=Art6.choices)
    legal_gateway = models.TextField(
        "legal gateway",
        blank=True,
        help_text="The law or agreement that allows the sharing, e.g. The Education (Information About "
        "Individual Pupils) (England) Regulations 2013.",
    )
    sharing = models.CharField("how often", max_length=16, choices=Sharing.choices, default=Sharing.ROUTINE)
    categories = models.JSONField("data categories shared", default=list, validators=[validate_category_keys])
    purposes = models.JSONField("purposes", default=list, validators=[validate_purpose_keys])
    dsa_required = models.BooleanField("data sharing agreement required", default=False)
    youth_support_13 = models.BooleanField(
        "youth support (pupils aged 13+)",
        default=False,
        help_text="Receives data on pupils aged 13+ for youth support services (Education Act 1996 s507B).",
    )
    youth_support_16 = models.BooleanField(
        "youth support (pupils aged 16+)",
        default=False,
        help_text="Receives data on pupils aged 16+ for post-16 education, training and careers.",
    )
    npd = models.BooleanField(
        "National Pupil Database", default=False, help_text="Data sent here is stored in the DfE's NPD."
    )
    information_url = models.URLField("where to find out more", blank=True)

    class Meta:
        verbose_name = "recipient"
        ordering = ["position", "key"]
        constraints = unique_per_scope("recipient", "key", "a recipient")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.categories:
            errors["categories"] = "Name at least one data category shared with this recipient."
        if not self.purposes:
            errors["purposes"] = "Name at least one purpose the sharing serves."
        errors.update(check_purposes(self, self.purposes))
        if errors:
            raise ValidationError(errors)


class System(RegisterRow):
    """A system or service that holds pupil data for the school, and the processor that runs it.

    Rows picked from the catalogue keep its key in `catalogue_key`; hosting facts start empty there
    ("to confirm") because only the supplier's current contract can say.
    """

    audit_changes = True

    key = models.CharField("key", max_length=60, validators=[validate_key])
    name = models.CharField("name", max_length=200, help_text="e.g. Arbor, or Management information system")
    function = models.CharField("function", max_length=24, choices=SystemFunction.choices)
    supplier = models.CharField(
        "supplier", max_length=200, blank=True, help_text="The processor; empty until the school picks one."
    )
    description = models.TextField("what it is used for", blank=True)
    hosting_location = models.CharField(
        "hosting location", max_length=200, blank=True, help_text="e.g. UK data centres; empty: to confirm."
    )
    international_transfer = models.CharField(
        "international transfer", max_length=8, choices=Transfer.choices, default=Transfer.UNKNOWN
    )
    transfer_destination = models.CharField("transferred to", max_length=200, blank=True)
    transfer_safeguard = models.CharField(
        "transfer safeguard", max_length=10, choices=Safeguard.choices, blank=True
    )
    transfer_safeguard_detail = models.TextField("transfer safeguard: detail", blank=True)
    processor_agreement_date = models.DateField("processor agreement signed", null=True, blank=True)
    categories = models.JSONField("data categories held", default=list, validators=[validate_category_keys])
    catalogue_key = models.CharField(
        "catalogue entry", max_length=60, blank=True, help_text="The catalogue entry it was picked from."
    )

    class Meta:
        verbose_name = "system"
        ordering = ["position", "key"]
        constraints = [
            *unique_per_scope("system", "key", "a system"),
            models.CheckConstraint(
                condition=~Q(international_transfer=Transfer.YES)
                | (~Q(transfer_destination="") & ~Q(transfer_safeguard="")),
                name="register_system_transfer_safeguarded",
                violation_error_message="An international transfer needs its destination and its safeguard.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.international_transfer == Transfer.YES:
            if not self.transfer_destination.strip():
                errors["transfer_destination"] = "Say which country or territory the data goes to."
            if not self.transfer_safeguard:
                errors["transfer_safeguard"] = (
                    "Say what makes the transfer lawful: UK adequacy regulations, the IDTA or the UK Addendum."
                )
            elif self.transfer_safeguard == Safeguard.OTHER and not self.transfer_safeguard_detail.strip():
                errors["transfer_safeguard_detail"] = "Describe the safeguard."
        elif self.transfer_safeguard or self.transfer_destination:
            errors["international_transfer"] = (
                "A destination or safeguard is recorded: set international transfer to yes, or clear them."
            )
        if not self.categories:
            errors["categories"] = "Name at least one data category the system holds."
        if errors:
            raise ValidationError(errors)
