"""Forms that parse what a person typed. The rules live in the models and services.

A form here turns text into values (dates from three boxes, ids from choices); whether a UPN,
a date of birth or an admission date is acceptable is decided by `full_clean` inside the
service, and the errors it raises are put back on the form's fields with `add_model_errors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import QuerySet

from steward.audit.models import ACTIONS
from steward.core import codes
from steward.organisations.models import School
from steward.people.models import Pupil

# Django's wording for an empty required model field, reworded the GOV.UK way below.
_EMPTY_MESSAGES = {
    str(models.Field.default_error_messages["blank"]),
    str(models.Field.default_error_messages["null"]),
}


def _lower_first(label: str) -> str:
    # "Legal surname" -> "legal surname", but "UPN" stays "UPN".
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


class GovukForm(forms.Form):
    """A form that can list its errors for a GOV.UK error summary."""

    def anchor(self, name: str) -> str:
        """The id of the element an error summary link for `name` should move focus to."""
        field = self.fields[name]
        base = self[name].auto_id
        return f"{base}_day" if isinstance(field, DateInputField) else str(base)

    def error_summary(self) -> list[dict[str, str]]:
        """Errors in page order, each with the link target of its field (non-field errors first)."""
        items = [{"href": "", "text": str(e)} for e in self.non_field_errors()]
        for name in self.fields:
            errors = self.errors.get(name)
            if errors:
                items.append({"href": f"#{self.anchor(name)}", "text": str(errors[0])})
        return items

    def add_model_errors(self, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
        """Put a model ValidationError on the form, naming the field in each message.

        `field_map` renames error keys (e.g. "enrolment.admission_date" -> "admission_date").
        Errors for fields the form does not show are kept as non-field errors.
        """
        mapping = field_map or {}
        error_dict = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        for key, errors in error_dict.items():
            name = mapping.get(key, key)
            field = self.fields.get(name)
            for error in errors:
                for message in error.messages:
                    if field is None:
                        label = key.rsplit(".", 1)[-1].replace("_", " ").capitalize()
                        text = message if key == NON_FIELD_ERRORS else f"{label}: {message}"
                        self.add_error(None, text)
                    else:
                        self.add_error(name, self.reword(name, str(message)))

    def reword(self, name: str, message: str) -> str:
        """Say what to do for an empty field; otherwise keep the model's rule, naming the field."""
        field = self.fields[name]
        label = str(field.label or name)
        if message in _EMPTY_MESSAGES:
            verb = "Select" if isinstance(field, forms.ChoiceField) else "Enter"
            return f"{verb} the {_lower_first(label)}"
        if label.lower() not in message.lower():
            return f"{label}: {message}"
        return message


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes named <field>_day, <field>_month, <field>_year."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        super().__init__(
            widgets={
                "day": forms.TextInput(numeric),
                "month": forms.TextInput(numeric),
                "year": forms.TextInput(numeric),
            },
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A GOV.UK date input: three boxes in, one date (or None when all are empty) out."""

    widget = DateInputWidget

    def __init__(self, **kwargs: Any) -> None:
        parts = (forms.CharField(required=False),) * 3
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "For example, 27 3 2019")
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dt.date | None:
        if not data_list or not any(p.strip() for p in data_list if p):
            return None
        day, month, year = ((p or "").strip() for p in data_list)
        label = str(self.label or "Date")
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(
                f"{label} must be a real date, with a 4-digit year, like 27 3 2007", code="invalid"
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording; the checks are Django's own."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password (both are case-sensitive)",
        "inactive": "This account cannot sign in. Ask your data protection officer",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # GOV.UK pages do not move focus on load: screen-reader users lose the page heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def anchor(self, name: str) -> str:
        return str(self[name].auto_id)

    def error_summary(self) -> list[dict[str, str]]:
        """Sign-in errors; a wrong username or password links to the username box."""
        items = [{"href": f"#{self.anchor('username')}", "text": str(e)} for e in self.non_field_errors()]
        for name in ("username", "password"):
            errors = self.errors.get(name)
            if errors:
                items.append({"href": f"#{self.anchor(name)}", "text": str(errors[0])})
        return items


def _model_choices(name: str, blank: str | None = None) -> list[tuple[str, str]]:
    field = Pupil._meta.get_field(name)
    options = [(str(k), str(v)) for k, v in getattr(field, "choices", None) or []]
    return [("", blank), *options] if blank is not None else options


class PupilSearchForm(GovukForm):
    """Search words, an optional school of the user's, and whether to include leavers."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    include_leavers = forms.BooleanField(label="Include pupils who have left", required=False)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ChoiceField)
        school_field.choices = [("", "All my schools"), *((str(s.pk), s.name) for s in schools)]


class PupilCreateForm(GovukForm):
    """The fields of a new pupil and their first enrolment. Only parsing happens here."""

    upn = forms.CharField(
        label="UPN",
        required=False,
        help_text="Unique pupil number: 13 characters, a check letter then 12 characters",
    )
    legal_forename = forms.CharField(label="Legal forename", required=False)
    middle_names = forms.CharField(label="Middle names", required=False)
    legal_surname = forms.CharField(label="Legal surname", required=False)
    preferred_forename = forms.CharField(label="Preferred forename", required=False)
    preferred_surname = forms.CharField(label="Preferred surname", required=False)
    date_of_birth = DateInputField(label="Date of birth")
    sex = forms.ChoiceField(
        label="Sex", required=False, choices=[("", ""), *codes.SEX.items()], widget=forms.RadioSelect
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False, initial="NOBT")
    first_language = forms.ChoiceField(label="First language", required=False, initial="NOT")
    ncy = forms.ChoiceField(label="National curriculum year", required=False)
    school = forms.ModelChoiceField(
        label="School",
        queryset=School.objects.none(),
        empty_label="Select a school",
        error_messages={"required": "Select the school", "invalid_choice": "Select one of your schools"},
    )
    admission_date = DateInputField(label="Admission date")

    PUPIL_FIELDS = (
        "upn",
        "legal_forename",
        "middle_names",
        "legal_surname",
        "preferred_forename",
        "preferred_surname",
        "date_of_birth",
        "sex",
        "ethnicity",
        "first_language",
        "ncy",
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, blank in (("ethnicity", None), ("first_language", None), ("ncy", "Select a year")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _model_choices(name, blank)
        school = self.fields["school"]
        assert isinstance(school, forms.ModelChoiceField)
        school.queryset = schools
        if len(schools) == 1:
            school.initial = schools[0].pk

    def pupil_fields(self) -> dict[str, Any]:
        """The parsed pupil fields, ready for `pupil_create`."""
        return {name: self.cleaned_data.get(name) for name in self.PUPIL_FIELDS}

    def enrolment(self) -> dict[str, Any]:
        return {"admission_date": self.cleaned_data.get("admission_date")}


class AuditFilterForm(GovukForm):
    """Filter the audit log by action and pupil id."""

    action = forms.ChoiceField(label="Action", required=False, choices=[("", "All actions"), *ACTIONS])
    pupil = forms.IntegerField(
        label="Pupil id",
        required=False,
        min_value=1,
        error_messages={"invalid": "Pupil id must be a number, like 42"},
    )
