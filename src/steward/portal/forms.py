"""Forms of the portal and its staff pages. They parse what was typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.web.forms import GovukForm


class SetPasswordForm(GovukForm):
    """Choose a password through a one-time invitation link."""

    password = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words you will remember work well.",
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RequestForm(GovukForm):
    """A rights request from the portal."""

    kind = forms.ChoiceField(label="What are you asking for?", widget=forms.RadioSelect)
    description = forms.CharField(
        label="Tell us more",
        help_text="For example, which information, or what is wrong and what it should say.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class InviteForm(GovukForm):
    """Invite a contact or the pupil to the portal."""

    who = forms.ChoiceField(label="Who are you inviting?", widget=forms.RadioSelect)
    email = forms.EmailField(
        label="Their email address",
        help_text="The link to set a password is sent here. It is also their username.",
        max_length=254,
    )

    def __init__(self, *args: Any, who: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = who  # type: ignore[attr-defined]


class ReviewForm(GovukForm):
    """Accept all, some or none of a data-check submission's changes."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("all", "Accept every change"),
            ("some", "Accept the ticked changes only"),
            ("none", "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    accept = forms.MultipleChoiceField(label="Changes to accept", required=False)
    note = forms.CharField(
        label="Note to the family",
        required=False,
        help_text="Needed when you turn down any change: say why.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].choices = [(str(i), str(i)) for i in range(count)]  # type: ignore[attr-defined]

    def chosen(self, count: int) -> list[int]:
        decision = self.cleaned_data["decision"]
        if decision == "all":
            return list(range(count))
        if decision == "none":
            return []
        return sorted(int(i) for i in self.cleaned_data["accept"])
