"""Forms for the rights-request pages. They parse what staff typed or ticked; the rules live in the
models and services (`rights/services.py`, `rights/workflow.py`), whose refusals `add_model_errors`
puts back on the fields.

As on the register pages, labels come from the models' verbose names, so a field is called the same on
every page and in every message. Free text is never required here: where a service needs it (a reason,
a method), the service says so. Dates and enumerated choices are parsed here, because a service cannot
take "no date" or a value outside its enumeration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.text import capfirst

from steward.core import codes
from steward.organisations.models import School
from steward.people.models import PupilContact
from steward.register.forms import flag, text
from steward.rights.models import (
    CLOSED_STATUSES,
    Channel,
    CompetenceAssessment,
    CompetenceOutcome,
    DpoOutcome,
    FeeDecision,
    PupilView,
    RequesterKind,
    RequestEvent,
    RequestKind,
    RightsRequest,
    Status,
)
from steward.web.forms import DateInputField, GovukForm

# --- fields ------------------------------------------------------------------------------------------


def _label(model: Any, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def on_date(label: str = "Date", *, hint: str = "For example, 24 11 2026") -> DateInputField:
    """A required date, defaulting to today (set in the form's __init__)."""
    field = DateInputField(
        label=label,
        help_text=hint,
        required=True,
        error_messages={"required": f"Enter the {label.lower()}"},
    )
    field.govuk = "date"  # type: ignore[attr-defined]
    return field


def pick(
    label: str,
    choices: Sequence[tuple[Any, Any]],
    *,
    hint: str = "",
    select: bool = False,
    blank: str = "",
    required: bool = True,
) -> forms.ChoiceField:
    """Radios (or a select) that must be one of `choices`: the services take enumerations only."""
    message = f"Select {label[0].lower() + label[1:]}" if label else "Select an option"
    field = forms.ChoiceField(
        label=label,
        help_text=hint,
        required=required,
        choices=[("", blank), *((str(v), str(lab)) for v, lab in choices)],
        error_messages={"required": message, "invalid_choice": message},
    )
    field.govuk = "select" if select else "radios"  # type: ignore[attr-defined]
    return field


class RightsForm(GovukForm):
    """A form drawn field by field with the GOV.UK component each field's `govuk` hint names;
    `layout` groups them under headings (empty heading: none)."""

    layout: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    # Service error keys that belong to a differently named form field.
    error_map: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today is not None:
            for name, field in self.fields.items():
                if isinstance(field, DateInputField) and name not in self.initial:
                    self.initial[name] = today

    def sections(self) -> Iterator[tuple[str, list[BoundField]]]:
        layout = self.layout or (("", tuple(self.fields)),)
        for heading, names in layout:
            shown = [self[n] for n in names if n in self.fields]
            if shown:
                yield heading, shown

    def add_refusal(self, exc: Any) -> None:
        """A service's ValidationError (or TransitionRefused) on the fields it names."""
        self.add_model_errors(exc, self.error_map)


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A member of staff, by name (username when no name is recorded)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


# --- the dashboard -----------------------------------------------------------------------------------


class DashboardFilterForm(GovukForm):
    """Filters of the requests dashboard (a GET form)."""

    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *RequestKind.choices])
    mine = forms.BooleanField(label="Only requests assigned to me", required=False)
    closed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    pupil = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All my schools"), *((str(s.pk), s.name) for s in schools)]

    def filters(self) -> dict[str, Any]:
        """The arguments of `selectors.dashboard` (empty when the filters do not parse)."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        status = d.get("status") or ""
        return {
            "school_id": d.get("school"),
            "status": status,
            "kind": d.get("kind") or "",
            "assigned_to_me": bool(d.get("mine")),
            "pupil_id": d.get("pupil"),
            # A closed status shows the closed list.
            "closed": bool(d.get("closed")) or status in {s.value for s in CLOSED_STATUSES},
        }


# --- intake ------------------------------------------------------------------------------------------


class PupilFindForm(GovukForm):
    """Find the pupil a request is about, by name or UPN."""

    q = forms.CharField(label="Pupil's name or UPN", required=False, max_length=100)


def _contact_label(link: PupilContact) -> str:
    pr = "has parental responsibility" if link.parental_responsibility else "no parental responsibility"
    court = "; court order recorded" if link.court_order else ""
    relationship = codes.RELATIONSHIP.get(link.relationship, link.relationship)
    return f"{link.contact} ({relationship}, {pr}{court})"


class RequestLogForm(RightsForm):
    """Log a request received by letter, email or in person (`services.request_log`)."""

    layout = (
        ("", ("school", "kind")),
        ("Who made the request", ("requester_kind", "requester_contact", "requester_name")),
        ("Written authority", ("authority", "authority_description")),
        ("How it arrived", ("received_on", "channel", "description", "identity_required")),
        ("Who works on it", ("assigned_to",)),
    )
    error_map = {"on": "received_on"}
    school = forms.ModelChoiceField(
        label="School",
        queryset=School.objects.none(),
        empty_label="Select a school",
        error_messages={"required": "Select the school", "invalid_choice": "Select one of your schools"},
    )
    kind = pick(_label(RightsRequest, "kind"), RequestKind.choices)
    requester_kind = pick("Who made the request?", RequesterKind.choices)
    requester_contact = pick(
        "Which contact made it?",
        (),
        hint="The pupil's contacts. Only a contact with parental responsibility may ask on the pupil's behalf.",
        required=False,
    )
    requester_name = text(
        RightsRequest,
        "requester_name",
        label="Third party's name",
        hint="For a third party only, for example a solicitor. Leave empty for the pupil or a contact.",
    )
    authority = forms.FileField(
        label="Written authority",
        required=False,
        help_text="A third party needs the written authority of the pupil or a parent: attach it (PDF or a "
        "photo). If the page shows an error, attach it again.",
    )
    authority_description = text(RightsRequest, "authority_description", long=True)
    received_on = on_date(_label(RightsRequest, "received_on"))
    channel = pick(_label(RightsRequest, "channel"), Channel.choices)
    description = text(RightsRequest, "description", long=True, rows=4)
    identity_required = flag(
        RightsRequest,
        "identity_required",
        hint="Ask only where you cannot be sure who the requester is (for example, a request by email "
        "from an address you do not hold). The clock waits for the evidence.",
    )
    assigned_to = StaffChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "Select someone who works on requests at the school"},
    )
    school.govuk = "select"  # type: ignore[attr-defined]
    assigned_to.govuk = "select"  # type: ignore[attr-defined]
    allow_duplicate = forms.BooleanField(label="Log it as a separate request anyway", required=False)
    duplicate_reason = text(
        RightsRequest,
        "duplicate_reason",
        long=True,
        hint="For example, the parent asks for a different period.",
    )

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[School],
        links: Sequence[PupilContact],
        staff_by_school: dict[int, list[Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        assert isinstance(school, forms.ModelChoiceField)
        school.queryset = schools
        # The usual case: the pupil is at one of the user's schools, so there is nothing to choose.
        self.only_school = schools[0] if len(schools) == 1 else None
        if self.only_school is not None:
            del self.fields["school"]
        contact = self.fields["requester_contact"]
        assert isinstance(contact, forms.ChoiceField)
        contact.choices = [("", ""), *((str(link.contact_id), _contact_label(link)) for link in links)]
        self.links = {link.contact_id: link for link in links}
        self.staff_by_school = staff_by_school
        assignee = self.fields["assigned_to"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = (
            get_user_model()
            .objects.filter(pk__in={u.pk for people in staff_by_school.values() for u in people})
            .order_by("first_name", "last_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        school, person = data.get("school") or self.only_school, data.get("assigned_to")
        if (
            school is not None
            and person is not None
            and person not in self.staff_by_school.get(school.pk, [])
        ):
            label = person.get_full_name() or person.get_username()
            self.add_error("assigned_to", f"{label} cannot work on requests at {school.name}.")
        return data

    def contact(self) -> Any:
        value = self.cleaned_data.get("requester_contact")
        link = self.links.get(int(value)) if value else None
        return link.contact if link is not None else None

    def values(self) -> dict[str, Any]:
        """The arguments of `services.request_log` this form gives (the view adds actor and pupil)."""
        data = self.cleaned_data
        return {
            "school": data.get("school") or self.only_school,
            "kind": data["kind"],
            "requester_kind": data["requester_kind"],
            "requester_contact": self.contact(),
            "requester_name": data.get("requester_name") or "",
            "authority": data.get("authority"),
            "authority_description": data.get("authority_description") or "",
            "received_on": data["received_on"],
            "channel": data["channel"],
            "description": data.get("description") or "",
            "assigned_to": data.get("assigned_to"),
            "allow_duplicate": bool(data.get("allow_duplicate")),
            "duplicate_reason": data.get("duplicate_reason") or "",
        }


# --- actions on a request ----------------------------------------------------------------------------


class AssignForm(RightsForm):
    assigned_to = StaffChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody",
        help_text="Staff who may work on requests at the request's school.",
        error_messages={"invalid_choice": "Select someone who works on requests at the school"},
    )

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff
        field.govuk = "select"  # type: ignore[attr-defined]


class IdentityRequestedForm(RightsForm):
    on = on_date("Date asked")
    note = text(
        RequestEvent,
        "note",
        label="What was asked for",
        long=True,
        hint="For example, a copy of a passport or driving licence.",
    )


class IdentityVerifiedForm(RightsForm):
    error_map = {"evidence_note": "evidence_note"}
    on = on_date("Date verified")
    method = text(
        RequestEvent,
        "method",
        label="How identity was verified",
        hint="For example, seen in person at the school office.",
    )
    evidence_note = text(
        RequestEvent,
        "note",
        label="Evidence noted",
        long=True,
        hint="What was seen, not a copy of it: for example, passport, name and date of birth match.",
    )


class ClarificationAskedForm(RightsForm):
    on = on_date("Date asked", hint="The clock pauses from this day until the answer arrives.")
    note = text(RequestEvent, "note", label="What was asked", long=True)


class ClarificationReceivedForm(RightsForm):
    on = on_date("Date received", hint="The clock runs again from this day.")
    note = text(RequestEvent, "note", label="What the requester said", long=True)


class FeeDecidedForm(RightsForm):
    error_map = {"fee_amount": "amount", "fee_reason": "reason", "fee_decided_on": "on"}
    decision = pick(_label(RightsRequest, "fee_decision"), FeeDecision.choices)
    amount = forms.DecimalField(
        label="Fee (£)",
        required=False,
        max_digits=8,
        decimal_places=2,
        help_text="Only when a fee is charged.",
        error_messages={"invalid": "Fee must be an amount of money, like 10.00"},
    )
    amount.govuk = "input"  # type: ignore[attr-defined]
    amount.width = "5"  # type: ignore[attr-defined]
    reason = text(
        RightsRequest,
        "fee_reason",
        long=True,
        hint="Why the request is manifestly unfounded or excessive (not needed for no fee).",
    )
    complaint_rights_told = flag(RightsRequest, "complaint_rights_told", hint="Needed for a refusal.")
    on = on_date(_label(RightsRequest, "fee_decided_on"))


class FeeReceivedForm(RightsForm):
    error_map = {"fee_received_on": "on"}
    on = on_date(
        _label(RightsRequest, "fee_received_on"), hint="The clock starts again from this day if later."
    )


class ExtensionForm(RightsForm):
    error_map = {
        "extension_reason": "reason",
        "extension_decided_on": "decided_on",
        "extension_told_on": "requester_told_on",
    }
    reason = text(
        RightsRequest,
        "extension_reason",
        long=True,
        hint="Why the request is complex or numerous: the requester is told this.",
    )
    decided_on = on_date(_label(RightsRequest, "extension_decided_on"))
    requester_told_on = on_date(_label(RightsRequest, "extension_told_on"), hint="Within the first month.")


class CompetenceForm(RightsForm):
    error_map = {"assessment_note": "note", "assessed_on": "on", "outcome": "outcome"}
    on = on_date(_label(CompetenceAssessment, "assessed_on"))
    outcome = pick("Is the pupil competent to exercise their own rights?", CompetenceOutcome.choices)
    note = text(CompetenceAssessment, "assessment_note", long=True)


class PupilViewForm(RightsForm):
    error_map = {"pupil_view_note": "note", "pupil_view_on": "on", "pupil_view": "view"}
    on = on_date(_label(CompetenceAssessment, "pupil_view_on"))
    view = pick(_label(CompetenceAssessment, "pupil_view"), PupilView.choices)
    note = text(
        CompetenceAssessment,
        "pupil_view_note",
        long=True,
        hint="What the pupil said, or why they were not asked.",
    )


class DpoDecisionForm(RightsForm):
    error_map = {"dpo_reasons": "reasons", "dpo_decided_on": "on", "dpo_decision": "decision"}
    on = on_date(_label(CompetenceAssessment, "dpo_decided_on"))
    decision = pick(_label(CompetenceAssessment, "dpo_decision"), DpoOutcome.choices)
    reasons = text(
        CompetenceAssessment,
        "dpo_reasons",
        long=True,
        rows=5,
        hint="The factors weighed: the pupil's maturity and views, any harm, court orders.",
    )


class TransitionForm(RightsForm):
    """Move the request to one of the statuses the state machine allows from here (release excepted)."""

    error_map = {"reason": "note", "outcome_reason": "note"}
    to = pick("Move the request to", ())
    note = text(RequestEvent, "note", label="Reason or note", long=True)
    on = on_date("Date")

    def __init__(
        self, *args: Any, targets: Sequence[tuple[Status, str]], note_hint: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", ""), *((str(s), f"{s.label}: {d}") for s, d in targets)]
        self.fields["note"].help_text = note_hint


class ReleaseForm(RightsForm):
    error_map = {"release_method": "method", "released_on": "on", "released_to": "sent_to"}
    on = on_date(_label(RightsRequest, "released_on"))
    method = text(
        RightsRequest,
        "release_method",
        label="How it was sent",
        hint="For example, secure email, or handed over in person.",
    )
    sent_to = text(
        RightsRequest,
        "released_to",
        label="Sent to",
        hint="The requester, unless it went to someone acting for them.",
    )


class NoteForm(RightsForm):
    note = text(RequestEvent, "note", long=True, rows=5)
    on = on_date("Date")
