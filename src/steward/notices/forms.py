"""Forms of the notice pages. They parse what a person sent; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from steward.notices.extract import MAX_BYTES, ExtractedNotice, NoticeReadError, read_notice_bytes
from steward.web.forms import DateInputField, GovukForm


class PublishForm(GovukForm):
    """The date a new version takes effect."""

    effective_from = DateInputField(
        label="Takes effect from",
        help_text="The day the new version replaces the current one. For example, 1 9 2026",
    )

    def clean_effective_from(self) -> Any:
        value = self.cleaned_data.get("effective_from")
        if value is None:
            raise ValidationError("Enter the date the new version takes effect")
        return value


class DiffForm(GovukForm):
    """Two versions of a notice to compare."""

    old = forms.TypedChoiceField(label="Compare version", coerce=int)
    new = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(n), f"Version {n}") for n in numbers]
        for name in ("old", "new"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = "Select one of the published versions"
            field.error_messages["required"] = "Select a version"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("old") is not None and data.get("old") == data.get("new"):
            self.add_error("new", "Select two different versions")
        return data


class CheckForm(GovukForm):
    """A notice file to check: text, Markdown, HTML, PDF or Word."""

    file = forms.FileField(
        label="Upload a privacy notice",
        help_text="A text, Markdown, HTML, PDF or Word (.docx) file, up to 25 MB",
        error_messages={
            "required": "Select a privacy notice file to check",
            "empty": "The selected file is empty",
            "invalid": "Select a file to upload",
        },
    )

    def clean_file(self) -> ExtractedNotice:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError("The selected file must be smaller than 25 MB")
        name = upload.name or "upload"
        try:
            return read_notice_bytes(upload.read(), name=name)
        except NoticeReadError as exc:
            raise ValidationError(f"The selected file cannot be checked: {exc}") from None
