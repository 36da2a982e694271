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
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.text import capfirst

from steward.core import codes
from steward.organisations.models import School
from steward.people.models import PupilContact
from steward.register.forms import (
    OfferedMultipleChoiceField,
    Option,
    OptionGroup,
    category_groups,
    flag,
    text,
)
from steward.rights.models import (
    CLOSED_STATUSES,
    BundleState,
    Channel,
    CompetenceAssessment,
    CompetenceOutcome,
    DecidedBy,
    DpoOutcome,
    FeeDecision,
    ManualTask,
    MarkDecision,
    ObjectionDecision,
    ObjectionOutcome,
    PupilView,
    Rectification,
    RequesterKind,
    RequestEvent,
    RequestKind,
    Restriction,
    RestrictionGround,
    RightsRequest,
    Status,
    YouthSupportChoice,
    YouthSupportState,
)
from steward.rights.redaction import Kind, ReasonCode
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


# --- response work: manual searches, bundles, the redaction review -----------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one file input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class TaskCreateForm(RightsForm):
    """Ask a member of staff to search a system by hand (`tasks.create_task`)."""

    error_map = {"system": "system_name"}
    system = forms.CharField(required=False, widget=forms.HiddenInput)
    system_name = text(
        ManualTask,
        "system_name",
        hint="For example, CCTV, the school email system, the payments system.",
    )
    instructions = text(ManualTask, "instructions", long=True, rows=4)
    assigned_to = StaffChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Select a member of staff",
        error_messages={"invalid_choice": "Select someone who works on requests at the school"},
    )
    assigned_to.govuk = "select"  # type: ignore[attr-defined]
    due_on = DateInputField(
        label="Due on",
        required=False,
        help_text="A week before the legal deadline unless you change it. For example, 24 11 2026",
    )
    due_on.govuk = "date"  # type: ignore[attr-defined]

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff


class TaskCompleteForm(RightsForm):
    """Return what a manual search found, or that nothing is held (`tasks.complete_task`)."""

    error_map = {"completed_on": "on", "status": "returned", "files": "returned", "result_note": "note"}
    returned = MultipleFileField(
        label="Files returned",
        help_text="Choose one or more files (text, PDF, Word, images). Attach them again if the page shows an error.",
    )
    nothing_found = forms.BooleanField(label="Nothing is held in this system", required=False)
    nothing_found.govuk = "checkbox"  # type: ignore[attr-defined]
    note = text(ManualTask, "result_note", long=True)
    on = on_date("Date searched")


class TaskCancelForm(RightsForm):
    error_map = {"status": "reason", "result_note": "reason"}
    reason = text(ManualTask, "result_note", label="Why the search is not needed", long=True)
    on = on_date("Date")


class BundleBuildForm(GovukForm):
    state = forms.ChoiceField(choices=BundleState.choices)


class MarkDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        choices=[(MarkDecision.ACCEPTED, "Accept"), (MarkDecision.REMOVED, "Remove")],
        error_messages={
            "required": "Accept or remove the redaction",
            "invalid_choice": "Accept or remove it",
        },
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class AcceptAllForm(GovukForm):
    location = forms.CharField(max_length=200)
    note = forms.CharField(required=False, max_length=2000)


REASON_CHOICES = [(r.value, r.label.capitalize()) for r in ReasonCode]


class AddRedactionForm(GovukForm):
    """The reviewer's own redaction of one text: the exact words, which occurrence, and the reason.

    `spans()` turns the words into character spans of `source` (the text under review), leaving out
    occurrences already inside a mark that is applied (accepted or proposed)."""

    location = forms.CharField(max_length=200, widget=forms.HiddenInput)
    words = forms.CharField(
        label="Text to redact",
        max_length=500,
        strip=False,
        help_text="Type or paste it exactly as it appears in the text above, with the same capitals.",
        error_messages={"required": "Enter the text to redact"},
    )
    occurrence = forms.IntegerField(
        label="Which occurrence",
        required=False,
        min_value=1,
        help_text="Leave empty to redact every occurrence; 1 for the first, 2 for the second.",
        error_messages={
            "invalid": "Which occurrence must be a whole number, like 1",
            "min_value": "Which occurrence must be 1 or more",
        },
    )
    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Select a reason"), *REASON_CHOICES],
        error_messages={"required": "Select the reason", "invalid_choice": "Select one of the reasons"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)

    def __init__(
        self, *args: Any, source: str, covered: Sequence[tuple[int, int]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.covered = covered
        self.found: list[tuple[int, int]] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        words = data.get("words") or ""
        if not words.strip():
            return data
        starts = []
        i = self.source.find(words)
        while i >= 0:
            starts.append(i)
            i = self.source.find(words, i + len(words))
        if not starts:
            self.add_error(
                "words",
                f"“{words}” is not in this text: type it exactly as it appears (capitals, spaces, punctuation).",
            )
            return data
        n = data.get("occurrence")
        if n is not None:
            if n > len(starts):
                self.add_error(
                    "occurrence",
                    f"“{words}” appears {len(starts)} time{'s' if len(starts) != 1 else ''} in this text, not {n}.",
                )
                return data
            starts = [starts[n - 1]]
        spans = [(s, s + len(words)) for s in starts]
        fresh = [sp for sp in spans if not any(a <= sp[0] and sp[1] <= b for a, b in self.covered)]
        if not fresh:
            self.add_error("words", f"“{words}” is already redacted here.")
            return data
        self.found = fresh
        return data


class ReviewDoneForm(GovukForm):
    note = forms.CharField(
        label="Note on the review",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was checked, for example: every returned file read in full.",
    )


class ReviewFilterForm(GovukForm):
    undecided = forms.BooleanField(label="Only redactions still to decide", required=False)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *((k.value, k.value.capitalize()) for k in Kind)],
    )


# --- outcomes ------------------------------------------------------------------------------------------


def pupil_category_groups() -> tuple[OptionGroup, ...]:
    """The taxonomy's pupil categories as checkbox groups (the pupil's data, not contacts' or staff's)."""
    out: list[OptionGroup] = []
    i = 0
    for group in category_groups():
        options = []
        for o in group.options:
            if o.value == "pupil" or o.value.startswith("pupil."):
                options.append(Option(o.value, o.label, o.hint, o.special, o.depth, i))
                i += 1
        if options:
            out.append(OptionGroup(group.label, tuple(options)))
    return tuple(out)


def category_checkboxes(label: str, hint: str = "") -> OfferedMultipleChoiceField:
    groups = pupil_category_groups()
    field = OfferedMultipleChoiceField(
        label=label,
        help_text=hint,
        required=False,
        choices=[(o.value, o.label) for g in groups for o in g.options],
    )
    field.groups = groups
    field.govuk = "checkboxes"  # type: ignore[attr-defined]
    return field


class RectifyPickForm(GovukForm):
    """Which record and field to correct (a GET form, filled in step by step)."""

    record_type = forms.ChoiceField(label="Kind of record", required=False)
    record = forms.ChoiceField(label="Record", required=False)
    field = forms.ChoiceField(label="Field", required=False)

    def __init__(
        self,
        *args: Any,
        types: Sequence[tuple[str, str]],
        records: Sequence[tuple[str, str]] = (),
        fields: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices, blank in (
            ("record_type", types, "Select a kind of record"),
            ("record", records, "Select a record"),
            ("field", fields, "Select a field"),
        ):
            f = self.fields[name]
            assert isinstance(f, forms.ChoiceField)
            f.choices = [("", blank), *choices]


class RectifyForm(RightsForm):
    """Correct the chosen field, or record a supplementary statement (`outcomes.rectify`)."""

    error_map = {"target": "value"}
    value = forms.CharField(label="Corrected value", required=False, max_length=10000)
    value.govuk = "input"  # type: ignore[attr-defined]
    statement_only = forms.BooleanField(
        label="Keep the recorded value: record only a supplementary statement",
        required=False,
        help_text="For an opinion the pupil disputes, or to complete incomplete data.",
    )
    statement_only.govuk = "checkbox"  # type: ignore[attr-defined]
    statement = text(Rectification, "statement", long=True)
    on = on_date(_label(Rectification, "on"))

    def __init__(self, *args: Any, model_field: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_field = model_field
        self.value_keys = {model_field.name: "value"} if model_field is not None else {}
        if model_field is not None and model_field.choices:
            self.fields["value"] = forms.ChoiceField(
                label="Corrected value",
                required=False,
                choices=[
                    ("", "Select the corrected value"),
                    *((str(v), str(lab)) for v, lab in model_field.flatchoices),
                ],
            )
            self.fields["value"].govuk = "select"  # type: ignore[attr-defined]
        elif model_field is not None:
            hints = {
                "DateField": "As a date: YYYY-MM-DD, for example 2015-03-14.",
                "BooleanField": "true or false",
                "IntegerField": "A whole number.",
                "PositiveIntegerField": "A whole number.",
                "PositiveSmallIntegerField": "A whole number.",
                "DecimalField": "A number, for example 1.5.",
            }
            self.fields["value"].help_text = hints.get(model_field.get_internal_type(), "")
            if model_field.get_internal_type() == "TextField":
                self.fields["value"].govuk = "textarea"  # type: ignore[attr-defined]

    def clean_value(self) -> Any:
        """The typed value as the model field takes it (a date from YYYY-MM-DD, a number); empty is
        "no value". Whether it is acceptable is the model's decision (`full_clean` in the service)."""
        value = self.cleaned_data.get("value")
        if self.model_field is None or value in (None, ""):
            return None if self.model_field is not None and self.model_field.null else (value or "")
        try:
            return self.model_field.to_python(value)
        except ValidationError as exc:
            raise ValidationError(f"Corrected value: {exc.messages[0]}") from None

    def add_refusal(self, exc: Any) -> None:
        """The model's errors on the corrected field belong to the value box."""
        self.add_model_errors(exc, {**self.error_map, **self.value_keys})


class ErasureForm(RightsForm):
    error_map = {"status": "checked"}
    checked = forms.BooleanField(
        label="I have checked the plan",
        required=True,
        error_messages={"required": "Confirm that you have checked the plan"},
    )
    checked.govuk = "checkbox"  # type: ignore[attr-defined]
    on = on_date("Date applied")


class CategoriesChosen(RightsForm):
    """A form with "every category" or a choice of categories (one of the two)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("everything") and data.get("categories"):
            self.add_error("categories", "Tick every category, or choose categories, not both")
        elif not data.get("everything") and not data.get("categories"):
            self.add_error("categories", "Choose the categories to restrict, or tick every category")
        return data

    def keys(self) -> list[str] | None:
        """The categories for the service (None: every category)."""
        return (
            None if self.cleaned_data.get("everything") else list(self.cleaned_data.get("categories") or [])
        )


class RestrictForm(CategoriesChosen):
    """Restrict processing of the pupil's data (`outcomes.restrict`)."""

    error_map = {"request": "ground", "started_on": "on"}
    ground = pick(_label(Restriction, "ground"), RestrictionGround.choices)
    everything = forms.BooleanField(label="Every category of the pupil's data", required=False)
    everything.govuk = "checkbox"  # type: ignore[attr-defined]
    categories = category_checkboxes(
        "Or only these categories",
        "A category covers every category below it.",
    )
    note = text(Restriction, "note", long=True)
    on = on_date(_label(Restriction, "started_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("everything") and data.get("categories"):
            self.add_error("categories", "Tick every category, or choose categories, not both")
        elif not data.get("everything") and not data.get("categories"):
            self.add_error("categories", "Choose the categories to restrict, or tick every category")
        return data

    def keys(self) -> list[str] | None:
        return (
            None if self.cleaned_data.get("everything") else list(self.cleaned_data.get("categories") or [])
        )


class LiftRestrictionForm(RightsForm):
    error_map = {"lifted_on": "on", "told_before_lift_on": "told_on", "lift_reason": "reason"}
    reason = text(Restriction, "lift_reason", long=True)
    told_on = on_date(
        "Date the person was told", hint="They must be told before it is lifted (UK GDPR Art 18(3))."
    )
    on = on_date(_label(Restriction, "lifted_on"))


class ObjectionPurposeForm(GovukForm):
    purpose = forms.ChoiceField(label="Purpose objected to", required=False)

    def __init__(self, *args: Any, purposes: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["purpose"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = [("", "Select a purpose"), *purposes, ("none", "Not in the register")]


class ObjectionDecisionForm(RightsForm):
    error_map = {"decided_on": "on", "purpose": "outcome"}
    processing = text(ObjectionDecision, "processing", long=True)
    outcome = pick(_label(ObjectionDecision, "outcome"), ())
    reasons = text(ObjectionDecision, "reasons", long=True, rows=5)
    on = on_date(_label(ObjectionDecision, "decided_on"))

    def __init__(self, *args: Any, allowed: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["outcome"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = [("", ""), *((str(v), str(lab)) for v, lab in ObjectionOutcome.choices if v in allowed)]


class ObjectionPendingForm(CategoriesChosen):
    error_map = {"started_on": "on", "request": "categories"}
    everything = forms.BooleanField(label="Every category of the pupil's data", required=False)
    everything.govuk = "checkbox"  # type: ignore[attr-defined]
    categories = category_checkboxes("Or only the data the objection is about")
    note = text(Restriction, "note", long=True)
    on = on_date(_label(Restriction, "started_on"))


class YouthSupportChoiceForm(RightsForm):
    error_map = {"request": "state"}
    state = pick(_label(YouthSupportChoice, "state"), YouthSupportState.choices)
    decided_by = pick(_label(YouthSupportChoice, "decided_by"), DecidedBy.choices)
    contact = pick(
        "Parent who decided",
        (),
        select=True,
        blank="Not a parent's choice",
        required=False,
        hint="For a parent's choice: a contact with parental responsibility.",
    )
    note = text(YouthSupportChoice, "note", long=True)
    on = on_date(_label(YouthSupportChoice, "on"))

    def __init__(self, *args: Any, links: Sequence[PupilContact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["contact"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = [
            ("", "Not a parent's choice"),
            *((str(link.contact_id), _contact_label(link)) for link in links),
        ]
        self.links = {link.contact_id: link.contact for link in links}

    def parent(self) -> Any:
        value = self.cleaned_data.get("contact")
        return self.links.get(int(value)) if value else None


class OptDownForm(RightsForm):
    on = on_date("Date applied")


class ConsentWithdrawnForm(RightsForm):
    purpose_name = forms.CharField(
        label="Purpose the consent was for",
        required=False,
        max_length=200,
        help_text="Its name or key in the register, for example: photographs on the school website.",
    )
    purpose_name.govuk = "input"  # type: ignore[attr-defined]
    on = on_date("Date withdrawn")
