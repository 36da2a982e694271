"""The annual data check: a family reviews the contact, medical and dietary details the school holds and
sends corrections, which staff review before anything in the record changes.

What is shown is found through the personal-data registry: the fields of CHECKED (model, fields) whose
registry category is a contact, pupil-contact or health (allergy, condition, medication) category, each
with whether giving it is mandatory or optional and why, from the school's register (the category use
that covers the field's category most closely). A parent sees their own contact record, never the other
contacts' (an estranged parent's address is not theirs to see); a pupil sees their own details.

A submission is checked field by field with the model's own validation (`full_clean`), so the portal
refuses exactly what staff would be refused; an invalid value is refused naming the field, and nothing
is stored.

Staff review: accepting applies each accepted change under a rectification request logged for the
submission (channel "portal", the family member as requester) with `rights.outcomes.rectification.rectify`,
which keeps the value before and after. `rectify` corrects pupil records only (it refuses a record whose
data subject is not the request's pupil), so a parent's own contact details are corrected here with the
model's validation, audited by the registry's signals, with a note in the request's log; the values
before and after stay in the submission. The request is then reviewed and released ("answered") so the
family sees it closed.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.people.models import Pupil, PupilAddress
from steward.portal.models import DataCheckSubmission, PortalRole, SubmissionStatus
from steward.portal.selectors import children, require_link, school_of, today
from steward.register.resolve import covers
from steward.register.selectors import effective_register
from steward.registry.registry import entry_for

# Which records the data check shows, and which of their fields (in page order).
CONTACT_FIELDS = (
    "title",
    "forename",
    "surname",
    "email",
    "phone_mobile",
    "phone_home",
    "phone_work",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
)
CHECKED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("people.Contact", CONTACT_FIELDS),
    ("people.Pupil", ("email",)),
    ("people.PupilAddress", ("line1", "line2", "town", "county", "postcode")),
    ("records.Allergy", ("allergen", "severity", "reaction", "treatment")),
    ("records.MedicalCondition", ("condition", "details", "management", "emergency_procedure")),
    ("records.Medication", ("name", "dosage", "frequency")),
)
CHECKED_CATEGORIES = (
    "contact.identity",
    "contact.details",
    "pupil.contact",
    "pupil.health.allergy",
    "pupil.health.condition",
    "pupil.health.medication",
)
TEXTAREA_MIN_LENGTH = 200  # text fields without a short max_length are typed in a text area


@dataclass(frozen=True)
class CheckField:
    """One detail the school holds, as the data check shows it."""

    key: str  # "<app.Model>:<pk>:<field>", the form field name
    model: str
    object_id: int
    field: str
    label: str
    value: str
    display: str
    category: str
    special: bool
    choices: tuple[tuple[str, str], ...]
    multiline: bool
    provision: str  # "mandatory", "optional", "school_record" or "" (not in the register)
    provision_label: str
    requirement: str
    consequence: str

    @property
    def mandatory(self) -> bool:
        return self.provision == "mandatory"


@dataclass(frozen=True)
class CheckGroup:
    """The fields of one record (a contact, an address, an allergy...)."""

    title: str
    fields: tuple[CheckField, ...]


def _as_text(obj: models.Model, name: str) -> str:
    f = obj._meta.get_field(name)
    assert isinstance(f, models.Field)
    return str(f.value_to_string(obj))


def _records(model_label: str, pupil: Pupil, contact: Any, on: dt.date) -> list[models.Model]:
    model = apps.get_model(model_label)
    if model_label == "people.Contact":
        return [contact] if contact is not None else []
    if model_label == "people.Pupil":
        return [pupil]
    if model is PupilAddress:
        current = Q(end_date__isnull=True) | Q(end_date__gte=on)
        return list(PupilAddress.objects.filter(current, pupil=pupil).order_by("-start_date", "pk"))
    return list(model._default_manager.filter(pupil=pupil).order_by("pk"))


def _provision(register: Any, category: str) -> Any:
    """The register's category use that covers `category` most closely (None when none does)."""
    uses = [u for u in register.uses if covers(u.category.key, category)]
    return max(uses, key=lambda u: len(u.category.key)) if uses else None


def _title(obj: models.Model) -> str:
    name = str(obj._meta.verbose_name)
    if obj._meta.label == "people.Contact":
        return "Your contact details"
    if obj._meta.label == "people.Pupil":
        return "Email address"
    return f"{name[:1].upper()}{name[1:]}: {obj}"


def data_check_items(*, user: Any, pupil: Pupil, on: dt.date | None = None) -> list[CheckGroup]:
    """What the school holds that the person may check for this child, grouped by record. Another
    family's child is a 404. The caller records the view (`audit_data_check_view`)."""
    link = require_link(user)
    pupil = _child(user, pupil)
    on = on or today()
    contact = link.contact if link.role == PortalRole.PARENT else None
    register = effective_register(school_of(pupil, on))
    groups: list[CheckGroup] = []
    for model_label, names in CHECKED:
        model = apps.get_model(model_label)
        entry = entry_for(model)
        for obj in _records(model_label, pupil, contact, on):
            fields: list[CheckField] = []
            for name in names:
                category = entry.field(name).category
                if not any(covers(c, category.key) for c in CHECKED_CATEGORIES):
                    continue
                mf = model._meta.get_field(name)
                assert isinstance(mf, models.Field)
                use = _provision(register, category.key)
                value = _as_text(obj, name)
                display = str(getattr(obj, f"get_{name}_display")()) if mf.choices else value
                fields.append(
                    CheckField(
                        key=f"{model_label}:{obj.pk}:{name}",
                        model=model_label,
                        object_id=int(obj.pk),
                        field=name,
                        label=str(mf.verbose_name)[:1].upper() + str(mf.verbose_name)[1:],
                        value=value,
                        display=display,
                        category=category.key,
                        special=category.special,
                        choices=tuple((str(k), str(v)) for k, v in (mf.choices or ())),  # type: ignore[misc]
                        multiline=isinstance(mf, models.TextField)
                        or (mf.max_length or 0) >= TEXTAREA_MIN_LENGTH,
                        provision=use.provision if use else "",
                        provision_label=use.provision_label if use else "Not listed in the school's register",
                        requirement=use.requirement if use else "",
                        consequence=use.consequence if use else "",
                    )
                )
            if fields:
                groups.append(CheckGroup(title=_title(obj), fields=tuple(fields)))
    return groups


def audit_data_check_view(pupil: Pupil, groups: list[CheckGroup], page: str) -> None:
    """Record that the signed-in person viewed these details of the pupil (categories, special or not)."""
    cats = sorted({f.category for g in groups for f in g.fields})
    record(
        "view",
        model=Pupil._meta.label,
        object_id=pupil.pk,
        subject=Subject(pupil_id=pupil.pk),
        categories=cats,
        special=any(f.special for g in groups for f in g.fields),
        detail={"page": page},
    )


def _child(user: Any, pupil: Pupil) -> Pupil:
    found = children(user).filter(pk=pupil.pk).first()
    if found is None:
        raise Http404("No such page")
    return found


def _apply_text(obj: models.Model, name: str, text: str) -> None:
    """Set a field from typed text the way a form would (raises ValidationError for a bad value)."""
    mf = obj._meta.get_field(name)
    assert isinstance(mf, models.Field)
    value = mf.to_python(text.strip())
    if value is None and not mf.null:
        value = ""
    setattr(obj, name, value)


def _messages(exc: ValidationError, name: str) -> list[str]:
    if hasattr(exc, "error_dict"):
        found = exc.error_dict.get(name) or exc.error_dict.get(NON_FIELD_ERRORS) or []
        msgs = [m for e in found for m in e.messages]
        if not msgs:  # an error on another field the change causes (a model's clean())
            msgs = [m for errs in exc.error_dict.values() for e in errs for m in e.messages]
        return msgs
    return list(exc.messages)


@transaction.atomic
def submit_data_check(
    *, actor: Any, pupil: Pupil, values: dict[str, str], message: str = "", on: dt.date | None = None
) -> DataCheckSubmission:
    """Send corrections to the details shown by `data_check_items` (`values`: field key -> new text;
    unchanged values are ignored) and an optional message, for staff to review.

    Each changed value is checked with its model's own validation. Refused (ValidationError keyed by the
    field key, nothing stored): an invalid value; a key that is not one of the details shown; nothing
    changed and no message (`changes`).
    """
    link = require_link(actor)
    pupil = _child(actor, pupil)
    on = on or today()
    shown = {f.key: f for g in data_check_items(user=actor, pupil=pupil, on=on) for f in g.fields}
    errors: dict[str, list[str]] = {}
    changes: list[dict[str, Any]] = []
    edited: dict[tuple[str, int], tuple[models.Model, list[CheckField]]] = {}
    for key, raw in values.items():
        item = shown.get(key)
        if item is None:
            errors[key] = ["This detail cannot be changed here."]
            continue
        new = (raw or "").strip()
        if new == item.value:
            continue
        target = edited.get((item.model, item.object_id))
        if target is None:
            original = apps.get_model(item.model)._default_manager.get(pk=item.object_id)
            target = (copy.copy(original), [])
            edited[(item.model, item.object_id)] = target
        try:
            _apply_text(target[0], item.field, new)
        except ValidationError as exc:
            errors[key] = [f"{item.label}: {m}" for m in exc.messages]
            continue
        target[1].append(item)
        changes.append(
            {
                "model": item.model,
                "object_id": item.object_id,
                "field": item.field,
                "label": item.label,
                "category": item.category,
                "old": item.value,
                "new": new,
            }
        )
    for obj, items in edited.values():
        names = {i.field for i in items}
        others = [f.name for f in obj._meta.concrete_fields if f.name not in names]
        try:
            obj.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for i in items:
                msgs = _messages(exc, i.field)
                if msgs:
                    errors.setdefault(i.key, []).extend(f"{i.label}: {m}" for m in msgs)
    message = (message or "").strip()
    if not errors and not changes and not message:
        errors["changes"] = ["You have not changed anything. Change a detail, or tell us what is wrong."]
    if errors:
        raise ValidationError(errors)
    submission = DataCheckSubmission(
        pupil=pupil,
        school=school_of(pupil, on),
        submitted_by=actor,
        contact=link.contact,
        changes=changes,
        message=message,
    )
    submission.full_clean()
    submission.save()
    return submission


def my_submissions(user: Any, pupil: Pupil) -> QuerySet[DataCheckSubmission]:
    """The data-check submissions this person sent about the child, newest first."""
    require_link(user)
    pupil = _child(user, pupil)
    return DataCheckSubmission.objects.filter(pupil=pupil, submitted_by=user)


# --- staff review -------------------------------------------------------------------------------------


def _review_schools(actor: Any) -> set[int]:
    # Reviewers apply rectifications: they change pupils and handle rights requests at the school.
    return scope_for(actor).schools_reading(["pupil.rights"], Action.CHANGE_PUPILS)


def review_queue(actor: Any, *, status: str = SubmissionStatus.PENDING) -> QuerySet[DataCheckSubmission]:
    """Submissions at the schools where the actor reviews data checks (oldest pending first)."""
    qs = DataCheckSubmission.objects.filter(school_id__in=_review_schools(actor)).select_related(
        "pupil", "school", "contact"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("submitted_at", "pk") if status == SubmissionStatus.PENDING else qs


def may_review(actor: Any) -> bool:
    return bool(_review_schools(actor))


def get_submission(actor: Any, pk: Any) -> DataCheckSubmission:
    """One submission the actor may review and whose every category they may read, else Http404.
    Viewing it is recorded (it shows the family's values)."""
    try:
        sub = review_queue(actor, status="").get(pk=pk)
    except (DataCheckSubmission.DoesNotExist, ValueError, TypeError):
        raise Http404("No such submission") from None
    scope = scope_for(actor)
    cats = sorted({str(c.get("category", "")) for c in sub.changes})
    if not all(scope.may_read(c, sub.school_id) for c in cats if c):
        raise Http404("No such submission")
    record(
        "view",
        model=DataCheckSubmission._meta.label,
        object_id=sub.pk,
        subject=Subject(pupil_id=sub.pupil_id, school_id=sub.school_id),
        categories=cats,
        special=any(c.startswith("pupil.health") for c in cats),
        detail={"page": "data check review"},
    )
    return sub


def _current_text(change: dict[str, Any]) -> str | None:
    model = apps.get_model(change["model"])
    obj = model._default_manager.filter(pk=change["object_id"]).first()
    return None if obj is None else _as_text(obj, change["field"])


def stale_changes(submission: DataCheckSubmission) -> set[int]:
    """Indexes of changes whose record no longer holds the value the family saw (changed since, or
    deleted): those cannot be accepted as they stand."""
    return {i for i, c in enumerate(submission.changes) if _current_text(c) != c["old"]}


@transaction.atomic
def review_submission(
    *,
    actor: Any,
    submission: DataCheckSubmission,
    accept: list[int],
    note: str = "",
    on: dt.date | None = None,
) -> DataCheckSubmission:
    """Accept all, some (`accept`: indexes into `changes`) or none of a submission's changes.

    Accepted changes are applied under a rectification request (see the module docstring) and the
    request is answered; the submission records each decision. Refused, changing nothing: a submission
    already reviewed (`status`); an index that is not one of its changes, or a change whose record has
    changed since it was sent (`changes`); rejecting anything without a note saying why (`note`); a
    value the model now refuses (naming the field). Outside the actor's schools is a 404.
    """
    from steward.rights import services as rights
    from steward.rights.models import RequesterKind, RequestKind, Status
    from steward.rights.outcomes.rectification import rectify

    sub = get_submission(actor, submission.pk)
    sub = DataCheckSubmission.objects.select_for_update().get(pk=sub.pk)
    if sub.status != SubmissionStatus.PENDING:
        raise ValidationError(
            {"status": f"This submission was already reviewed ({sub.get_status_display()})."}
        )
    chosen = set()
    for index in accept:
        if not isinstance(index, int) or not 0 <= index < len(sub.changes):
            raise ValidationError({"changes": f"There is no change {index!r} in this submission."})
        chosen.add(index)
    note = (note or "").strip()
    rejected = len(sub.changes) - len(chosen)
    if rejected and not note:
        raise ValidationError(
            {"note": "Say why the changes not accepted were turned down: the family is told."}
        )
    stale = stale_changes(sub) & chosen
    if stale:
        labels = ", ".join(sub.changes[i]["label"] for i in sorted(stale))
        raise ValidationError(
            {
                "changes": f"{labels}: the record has changed since the family sent this. Reject it with a note."
            }
        )
    on = on or today()
    now = timezone.now()
    if chosen:
        parent = sub.contact is not None
        req = rights.request_log(
            actor=actor,
            school=sub.school,
            pupil=sub.pupil,
            kind=RequestKind.RECTIFICATION,
            requester_kind=RequesterKind.PARENT if parent else RequesterKind.PUPIL,
            requester_contact=sub.contact,
            received_on=timezone.localdate(sub.submitted_at),
            channel="portal",
            description=f"Corrections sent in the annual data check (submission {sub.pk}).",
            allow_duplicate=True,
            duplicate_reason=f"The annual data check (submission {sub.pk}) is applied as its own request.",
        )
        req = rights.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=on)
        scope = scope_for(actor)
        for index in sorted(chosen):
            change = sub.changes[index]
            model = apps.get_model(change["model"])
            target = model._default_manager.get(pk=change["object_id"])
            if not scope.may_read(change["category"], sub.school_id):
                raise Http404("No such submission")
            if entry_for(model).subject == "pupil":
                probe = copy.copy(target)
                _apply_text(probe, change["field"], change["new"])
                rect = rectify(
                    actor=actor,
                    request=req,
                    target=target,
                    field=change["field"],
                    value=getattr(probe, change["field"]),
                    on=on,
                )
                change["applied"] = f"rectification {rect.pk}"
            else:
                _correct_contact(actor=actor, request=req, target=target, change=change, on=on)
                change["applied"] = "contact record"
        rights.transition(actor=actor, request=req, to=Status.AWAITING_REVIEW, on=on)
        rights.transition(
            actor=actor,
            request=req,
            to=Status.READY,
            on=on,
            note=f"Reviewed in the data-check queue: {len(chosen)} of {len(sub.changes)} changes accepted.",
        )
        rights.release(actor=actor, request=req, on=on, method="portal")
        sub.request = req
    for index, change in enumerate(sub.changes):
        change["decision"] = "accepted" if index in chosen else "rejected"
    if len(chosen) == len(sub.changes):  # every change, or a message with no changes: noted
        sub.status = SubmissionStatus.ACCEPTED
    elif chosen:
        sub.status = SubmissionStatus.PARTLY
    else:
        sub.status = SubmissionStatus.REJECTED
    sub.reviewed_by = actor
    sub.reviewed_at = now
    sub.note = note
    sub.full_clean()
    sub.save()
    return sub


def _correct_contact(
    *, actor: Any, request: Any, target: models.Model, change: dict[str, Any], on: dt.date
) -> None:
    """Correct a parent's own contact record (rectify() is for the pupil's records): the model's
    validation, a save the registry's signals audit, and a note (record and field, never values) in the
    request's log."""
    from steward.rights import services as rights

    obj = type(target)._default_manager.select_for_update().get(pk=target.pk)
    _apply_text(obj, change["field"], change["new"])
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError({change["field"]: _messages(exc, change["field"])}) from None
    obj.save()
    rights.note_added(
        actor=actor,
        request=request,
        on=on,
        note=f"Rectified: {obj._meta.verbose_name} #{obj.pk}, field {change['field']} ({change['category']}).",
    )


def require_reviewer(actor: Any) -> None:
    """The review pages exist only for those who review data checks somewhere."""
    if not may_review(actor):
        raise Http404("No such page")
