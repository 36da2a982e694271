"""Forms for the staff consent pages. They parse what was chosen; `record_consent` keeps the rules and its
errors go back on the fields (`add_model_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from steward.consent.enforcement import USES
from steward.consent.models import ConsentAction, DecidedBy, Method
from steward.people.models import Contact
from steward.register.models import ConsentPurpose
from steward.web.forms import DateInputField, GovukForm

USE_LABELS = {
    "display": "Displays in school",
    "website": "School website",
    "social": "Social media",
    "press": "Press",
}


def _kind(field: forms.Field, kind: str) -> forms.Field:
    field.govuk = kind  # type: ignore[attr-defined]
    return field


class ConsentForm(GovukForm):
    """Record a decision made on paper, by letter, by email or in conversation."""

    def __init__(
        self, *args: Any, purposes: Sequence[ConsentPurpose], contacts: Sequence[Contact], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.purposes = {p.key: p for p in purposes}
        self.contacts = {str(c.pk): c for c in contacts}
        self.fields["purpose"] = _kind(
            forms.ChoiceField(
                label="Consent",
                choices=[("", "Select a consent"), *((p.key, p.name) for p in purposes)],
                error_messages={"required": "Select the consent"},
            ),
            "select",
        )
        self.fields["action"] = _kind(
            forms.ChoiceField(
                label="Decision",
                choices=ConsentAction.choices,
                error_messages={"required": "Select the decision"},
            ),
            "radios",
        )
        self.fields["by"] = _kind(
            forms.ChoiceField(
                label="Made by",
                choices=DecidedBy.choices,
                help_text="The school only notifies parents of biometric processing.",
                error_messages={"required": "Select who made the decision"},
            ),
            "radios",
        )
        self.fields["contact"] = _kind(
            forms.ChoiceField(
                label="Parent or carer",
                required=False,
                choices=[("", "Not a parent"), *((str(c.pk), str(c)) for c in contacts)],
                help_text="The parent who decided, or the parent notified.",
            ),
            "select",
        )
        self.fields["method"] = _kind(
            forms.ChoiceField(
                label="How",
                choices=[(v, label) for v, label in Method.choices if v != Method.PORTAL],
                error_messages={"required": "Select how the decision was made"},
            ),
            "radios",
        )
        self.fields["on"] = _kind(
            DateInputField(label="Takes effect on", help_text="For example, 24 11 2026"), "date"
        )
        self.fields["evidence"] = _kind(
            forms.FileField(
                label="Scanned form or letter",
                required=False,
                help_text="Optional: the signed form, letter or email.",
            ),
            "file",
        )
        self.fields["note"] = _kind(
            forms.CharField(label="Note", required=False, widget=forms.Textarea), "textarea"
        )

    def fields_in_order(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "purpose": self.purposes[data["purpose"]],
            "action": data["action"],
            "by": data["by"],
            "contact": self.contacts.get(data.get("contact") or ""),
            "method": data["method"],
            "on": data["on"],
            "evidence": data.get("evidence"),
            "note": data.get("note") or "",
        }


class PhotoExportForm(GovukForm):
    """Choose the use (and day) of a photo export."""

    use = _kind(
        forms.ChoiceField(
            label="Use",
            choices=[(u, USE_LABELS[u]) for u in USES],
            error_messages={"required": "Select the use"},
        ),
        "radios",
    )
    on = _kind(DateInputField(label="Consent on", help_text="For example, 24 11 2026"), "date")

    def fields_in_order(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]


class DoneForm(GovukForm):
    """Mark a biometric deletion task done."""

    note = _kind(
        forms.CharField(
            label="Note",
            required=False,
            help_text="For example, the catering system's confirmation reference.",
        ),
        "input",
    )

    def fields_in_order(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]
