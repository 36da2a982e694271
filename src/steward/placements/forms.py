"""Forms for the placement pages. They parse what was typed or ticked; the rules live in the services
(and the models' `full_clean`), whose errors `add_model_errors` puts back on the fields.

Each field carries a `govuk` hint naming the GOV.UK component the shared field template draws
(`register/fields/field.html`). Category checkboxes offer only what the register shares with AP
providers, labelled as the register labels them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import QuerySet

from steward.core import codes
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.placements.models import Provider
from steward.register.forms import Option, OptionGroup
from steward.register.selectors import CategoryRef
from steward.sharing.models import Agreement
from steward.web.forms import DateInputField, GovukForm

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _kind(field: forms.Field, kind: str, **attrs: Any) -> forms.Field:
    field.govuk = kind  # type: ignore[attr-defined]
    for k, v in attrs.items():
        setattr(field, k, v)
    return field


def text(label: str, *, hint: str = "", long: bool = False, width: str = "", rows: int = 4) -> forms.Field:
    return _kind(
        forms.CharField(label=label, help_text=hint, required=False),
        "textarea" if long else "input",
        width=width,
        rows=rows,
    )


def date(label: str, hint: str = "For example, 27 3 2027") -> forms.Field:
    return _kind(DateInputField(label=label, help_text=hint), "date")


def select(label: str, queryset: Any, blank: str, *, hint: str = "") -> forms.Field:
    return _kind(
        forms.ModelChoiceField(
            label=label,
            help_text=hint,
            queryset=queryset,
            required=False,
            empty_label=blank,
            error_messages={"invalid_choice": f"{label}: select one of the options"},
        ),
        "select",
    )


def category_options(refs: Sequence[CategoryRef]) -> tuple[OptionGroup, ...]:
    """The register's categories for AP providers as checkbox options (label, key as hint)."""
    return (
        OptionGroup(
            "",
            tuple(Option(r.key, r.label, r.key, r.special, r.key.count("."), i) for i, r in enumerate(refs)),
        ),
    )


def categories_field(label: str, refs: Sequence[CategoryRef], hint: str) -> forms.Field:
    field = forms.MultipleChoiceField(
        label=label, help_text=hint, required=False, choices=[(r.key, r.label) for r in refs]
    )
    field.groups = category_options(refs)  # type: ignore[attr-defined]
    field.error_messages["invalid_choice"] = (
        "%(value)s is not shared with alternative provision providers in the register"
    )
    return _kind(field, "checkboxes")


class PlacementsForm(GovukForm):
    """A form whose fields are drawn in declaration order by the shared field template."""

    def fields_in_order(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]


class CommissionForm(PlacementsForm):
    """Commission a placement at one school: whom, with whom, under which agreement, when, what."""

    def __init__(
        self,
        *args: Any,
        pupils: QuerySet[Pupil],
        providers: QuerySet[Provider],
        agreements: Iterable[Agreement],
        categories: Sequence[CategoryRef],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agreement_ids = [a.pk for a in agreements]
        self.fields["pupil"] = select("Pupil", pupils, "Select a pupil")
        self.fields["provider"] = select("Provider", providers, "Select a provider")
        self.fields["agreement"] = select(
            "Data sharing agreement",
            Agreement.objects.filter(pk__in=agreement_ids).order_by("-starts_on", "-pk"),
            "Select an agreement",
            hint="The agreement with alternative provision providers the data is shared under.",
        )
        self.fields["starts_on"] = date("Starts on")
        self.fields["ends_on"] = date("Ends on")
        self.fields["services"] = text(
            "Services", hint="What the provider will deliver for the pupil.", long=True
        )
        self.fields["categories"] = categories_field(
            "Data the provider needs about this pupil",
            categories,
            "Choose case by case what this pupil's needs require. Only what the register shares with "
            "alternative provision providers is offered; the provider sees nothing else.",
        )
        self.fields["reason"] = text("Reason for the placement", long=True)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class EndForm(PlacementsForm):
    reason = _kind(
        forms.CharField(label="Why is the placement ending early?", required=False, widget=forms.Textarea),
        "textarea",
    )


class ProviderForm(PlacementsForm):
    name = text("Name", width="20")
    ukprn = text("UK provider reference number (optional)", hint="8 digits, starting with 1", width="10")
    email = text("Contact email", hint="The provider's office address for placement matters.", width="20")
    address = text("Address", long=True)


class ProviderUserForm(PlacementsForm):
    """A sign-in for a person at the provider. The person sets their own password from a one-time link."""

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"] = text("First name", width="20")
        self.fields["last_name"] = text("Last name", width="20")
        self.fields["email"] = text("Work email address", width="20")
        self.fields["username"] = text("Username", hint="What they will type to sign in.", width="20")
        self.fields["school"] = select(
            "Granted by", schools, "Select your school", hint="The school giving this person a sign-in."
        )


class AgreementForm(PlacementsForm):
    """A data sharing agreement with AP providers (recorded by the trust's DPO)."""

    def __init__(self, *args: Any, categories: Sequence[CategoryRef], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"] = text("Title", width="30")
        self.fields["parties"] = text(
            "Parties", hint="Who signed: the trust or school, and the provider(s).", long=True
        )
        self.fields["categories"] = categories_field(
            "Data categories it covers", categories, "What the agreement allows to be shared."
        )
        self.fields["starts_on"] = date("In force from")
        self.fields["ends_on"] = date("In force until", "Leave empty if it has no end date")
        self.fields["onward_sharing"] = text(
            "Onward sharing",
            hint="When the provider may share information back with the school, and with whom else.",
            long=True,
        )


class AttendanceForm(PlacementsForm):
    date = date("Date", "For example, 27 3 2027")
    session = _kind(
        forms.ChoiceField(
            label="Session", required=False, choices=[("", ""), ("AM", "Morning"), ("PM", "Afternoon")]
        ),
        "radios",
    )
    code = _kind(
        forms.ChoiceField(
            label="Attendance code",
            required=False,
            choices=[("", "Select a code"), *((k, f"{k} – {v}") for k, v in codes.ATTENDANCE.items())],
        ),
        "select",
    )
    minutes_late = _kind(
        forms.IntegerField(
            label="Minutes late (optional)",
            required=False,
            min_value=0,
            error_messages={"invalid": "Minutes late must be a whole number, like 10"},
        ),
        "input",
        width="3",
    )
    comment = text("Comment (optional)", width="30")


class IncidentForm(PlacementsForm):
    day = date("Date", "For example, 27 3 2027")
    time = text("Time", hint="24-hour clock, for example 14:05", width="5")
    kind = _kind(
        forms.ChoiceField(
            label="Kind",
            required=False,
            choices=[("", ""), ("negative", "Incident"), ("positive", "Commendation")],
        ),
        "radios",
    )
    category = text("Category", hint="For example, disruption or kindness", width="20")
    description = text("What happened", long=True)
    location = text("Where (optional)", width="20")
    action_taken = text("Action taken (optional)", long=True)

    def occurred_at(self) -> dt.datetime | None:
        """The date and time as one local datetime; None with the error on the form when unusable."""
        day = self.cleaned_data.get("day")
        raw = self.cleaned_data.get("time") or ""
        match = _TIME.match(raw)
        if day is None:
            self.add_error("day", "Enter the date")
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.add_error("time", "Enter the time on the 24-hour clock, like 14:05")
            return None
        if day is None:
            return None
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(day, dt.time(int(match[1]), int(match[2]))))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("kind"):
            data["kind"] = "negative"
        return data


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's set-password form (its validators apply) with GOV.UK wording."""

    def error_summary(self) -> list[dict[str, str]]:
        items = [{"href": "", "text": str(e)} for e in self.non_field_errors()]
        for name in ("new_password1", "new_password2"):
            errors = self.errors.get(name)
            if errors:
                items.append({"href": f"#{self[name].auto_id}", "text": str(errors[0])})
        return items


def require_date(form: GovukForm, name: str) -> None:
    """Put an error on an empty required date (the GOV.UK date field itself allows empty)."""
    if form.cleaned_data.get(name) is None and name not in form.errors:
        form.add_error(name, f"{form.fields[name].label}: enter a date")
