"""Forms for the sharing pages. They parse what was typed or ticked; the rules live in the services (the
gate, `adhoc`, `ctf`), whose refusals the views put back on the form.

Fields carry a `govuk` hint naming the GOV.UK component the shared field template draws
(`register/fields/field.html`); a file upload is drawn by `sharing/fields/file.html`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet

from steward.organisations.models import School
from steward.placements.forms import AgreementForm, PlacementsForm, date, text
from steward.register.choices import Art6
from steward.register.forms import Option, OptionGroup
from steward.register.selectors import CategoryRef
from steward.sharing.models import AdHocDecision, Exemption
from steward.sharing.models_transfer import CP_METHODS

MAX_CTF_BYTES = 20 * 1024 * 1024
_SPLIT = re.compile(r"[\s,;]+")


def _kind(field: forms.Field, kind: str, **attrs: Any) -> forms.Field:
    field.govuk = kind  # type: ignore[attr-defined]
    for k, v in attrs.items():
        setattr(field, k, v)
    return field


def choice(label: str, choices: Sequence[tuple[str, str]], *, blank: str = "", hint: str = "") -> forms.Field:
    options = [("", blank), *choices] if blank else list(choices)
    return _kind(
        forms.ChoiceField(
            label=label,
            help_text=hint,
            choices=options,
            required=False,
            error_messages={"invalid_choice": f"{label}: select one of the options"},
        ),
        "select",
    )


def radios(label: str, choices: Sequence[tuple[str, str]], *, hint: str = "") -> forms.Field:
    return _kind(
        forms.ChoiceField(
            label=label,
            help_text=hint,
            choices=[("", ""), *choices],
            required=False,
            error_messages={"invalid_choice": f"{label}: select one of the options"},
        ),
        "radios",
    )


def school_field(schools: QuerySet[School]) -> forms.Field:
    return choice("School", [(s.urn, s.name) for s in schools])


def categories_field(label: str, refs: Sequence[CategoryRef], hint: str) -> forms.Field:
    """Checkboxes of taxonomy categories, labelled as the taxonomy labels them (key as the hint)."""
    field = forms.MultipleChoiceField(
        label=label, help_text=hint, required=False, choices=[(r.key, r.label) for r in refs]
    )
    field.groups = (  # type: ignore[attr-defined]
        OptionGroup(
            "",
            tuple(Option(r.key, r.label, r.key, r.special, r.key.count("."), i) for i, r in enumerate(refs)),
        ),
    )
    field.error_messages["invalid_choice"] = "%(value)s is not shared with this recipient in the register"
    return _kind(field, "checkboxes")


def upn_list(raw: str) -> list[str]:
    return [u for u in _SPLIT.split(raw or "") if u]


class SharingForm(PlacementsForm):
    """A GOV.UK form drawn field by field in declaration order; `required` names fields that must be filled."""

    required: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.required:
            if name in self.fields and name not in self.errors and data.get(name) in (None, "", []):
                field = self.fields[name]
                label = str(field.label)
                verb = "Select" if isinstance(field, forms.ChoiceField) else "Enter"
                lowered = label if label[:2].isupper() else label[0].lower() + label[1:]
                self.add_error(name, f"{verb} the {lowered}")
        return data


class RunForm(SharingForm):
    """A youth-support run: the school and the day (ages are taken on it)."""

    required = ("school", "on")

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = school_field(schools)
        self.fields["on"] = date("Date of the share", "Ages are taken on this day. For example, 24 11 2026")


class StatutoryForm(SharingForm):
    required = ("school", "recipient", "on")

    def __init__(
        self, *args: Any, schools: QuerySet[School], recipients: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = school_field(schools)
        self.fields["recipient"] = choice(
            "Recipient",
            recipients,
            blank="Select a recipient",
            hint="The register's recipients for statutory returns.",
        )
        self.fields["on"] = date("Census day", "Pupils on roll on this day. For example, 15 1 2027")
        self.fields["start"] = date(
            "Start of the attendance period (optional)", "Leave empty for 1 September of the academic year"
        )


class OverrideForm(SharingForm):
    """The DPO's override of a refused share: the reason is required (audited; the notice is flagged)."""

    required = ("override_reason",)
    override_reason = text(
        "Reason for overriding the gate",
        hint="Why this share must go ahead although the register or notice does not cover it. It is recorded "
        "with the share, audited, and the notice is flagged for review.",
        long=True,
    )


class FlagResolveForm(SharingForm):
    required = ("resolution",)
    resolution = text("How was it resolved?", hint="For example, the notice was republished.", long=True)


class CpSentForm(SharingForm):
    required = ("sent_on", "method")
    sent_on = date("Sent on")
    method = choice("How it was sent", CP_METHODS, blank="Select a method")
    receipt_confirmed_on = date(
        "Receipt confirmed on (optional)", "When the new school confirmed it received the file"
    )


class AdHocForm(SharingForm):
    """Log a request for a disclosure (police, courts, health, social care)."""

    required = (
        "school",
        "recipient",
        "requester_organisation",
        "requester_name",
        "received_on",
        "upns",
        "asked_for",
        "purpose",
        "lawful_basis",
    )

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[School],
        recipients: Sequence[tuple[str, str]],
        purposes: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = school_field(schools)
        self.fields["recipient"] = choice(
            "Recipient",
            recipients,
            blank="Select a recipient",
            hint="Who is asking, as the register names them.",
        )
        self.fields["requester_organisation"] = text("Requesting organisation", width="20")
        self.fields["requester_name"] = text("Officer or person asking", width="20")
        self.fields["reference"] = text("Their reference (optional)", width="10")
        self.fields["received_on"] = date("Received on")
        self.fields["upns"] = text(
            "Pupils (UPNs)",
            hint="One or more unique pupil numbers, separated by spaces or new lines. Find a UPN on the pupil's "
            "page.",
            long=True,
            rows=3,
        )
        self.fields["asked_for"] = text("What was asked for, and why", long=True)
        self.fields["purpose"] = choice("Purpose", purposes, blank="Select a purpose")
        self.fields["lawful_basis"] = choice("Lawful basis", Art6.choices, blank="Select a lawful basis")
        self.fields["exemption"] = radios(
            "Exemption relied on",
            [(k or "none", v) for k, v in Exemption.choices],
            hint="A DPA 2018 Schedule 2 exemption waives the notice and purpose checks, never the recipient, "
            "basis, categories or Art 9 condition.",
        )


class DecideForm(SharingForm):
    required = ("decision", "reasons")

    def __init__(self, *args: Any, categories: Sequence[CategoryRef], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = radios(
            "Decision", [(k, v) for k, v in AdHocDecision.choices if k != AdHocDecision.PENDING]
        )
        self.fields["reasons"] = text("Reasons for the decision", long=True)
        self.fields["categories"] = categories_field(
            "Data to disclose",
            categories,
            "Only what the register shares with this recipient is offered. Leave empty when refusing.",
        )
        self.fields["description"] = text(
            "What was disclosed (optional)",
            hint="Left empty, Steward describes it from the categories.",
            long=True,
        )


class CtfExportForm(SharingForm):
    required = ("school", "destination")

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = school_field(schools)
        self.fields["upns"] = text(
            "Pupils (UPNs)",
            hint="Separated by spaces or new lines. Or give a leaving date below.",
            long=True,
            rows=3,
        )
        self.fields["leavers_on"] = date(
            "Or: every pupil leaving on", "Pupils whose enrolment ends on this day. For example, 22 7 2027"
        )
        self.fields["destination"] = text(
            "Destination school",
            hint="Its 6-digit URN or 7-digit LA and establishment number, or 'unknown' when the next school is "
            "not known.",
            width="10",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = upn_list(data.get("upns") or "") or data.get("leavers_on") is not None
        if not chosen and "upns" not in self.errors and "leavers_on" not in self.errors:
            self.add_error("upns", "Enter the pupils' UPNs, or a leaving date")
        return data


class CtfImportForm(SharingForm):
    required = ("school", "file")

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = school_field(schools)
        self.fields["file"] = _kind(
            forms.FileField(
                label="Common transfer file (XML)",
                help_text="The file received from the pupil's previous school.",
                required=False,
            ),
            "file",
        )
        self.fields["admission_date"] = date("Admission date (optional)", "Leave empty for today")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None and upload.size > MAX_CTF_BYTES:
            self.add_error("file", "The file must be smaller than 20 MB")
        return data


class CtfConfirmForm(forms.Form):
    """The second step of an import: the stashed upload (token) and the key that opens it."""

    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$")
    key = forms.CharField(max_length=64)


class RecipientAgreementForm(AgreementForm):
    """An agreement with one register recipient: its purposes and categories only, and the signed copy."""

    def __init__(
        self,
        *args: Any,
        recipient_name: str,
        purposes: Sequence[tuple[str, str]],
        categories: Sequence[CategoryRef],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, categories=categories, **kwargs)
        self.fields["categories"].error_messages["invalid_choice"] = (
            f"%(value)s is not shared with {recipient_name} in the register"
        )
        self.fields["purposes"] = _kind(
            forms.MultipleChoiceField(
                label="Purposes it covers",
                required=False,
                choices=list(purposes),
                help_text="From the register.",
            ),
            "checkboxes",
        )
        self.fields["document"] = _kind(
            forms.FileField(label="Signed agreement (optional)", required=False, help_text="PDF or Word."),
            "file",
        )
        order = [
            "title",
            "parties",
            "purposes",
            "categories",
            "starts_on",
            "ends_on",
            "onward_sharing",
            "document",
        ]
        self.fields = {name: self.fields[name] for name in order}
