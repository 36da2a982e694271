"""Biometrics under the Protection of Freedoms Act 2012 ss.26-28 (rules.md §7).

- Notify: each parent is told in writing before processing starts (s.26(2)); `unnotified_parents` is
  who has not been, and `record_consent` refuses a parent's consent until it is nobody.
- Stop and delete: when a withdrawal or objection (a parent's, or the child's at any age) makes
  processing stop, matching stops at once (the replayed state is no longer effective) and a
  `BiometricDeletionTask` is raised to delete the template from the catering system, due
  `DELETION_DAYS` calendar days later (see the model module for why calendar days).

Parents who must be notified: every contact with parental responsibility and no court order on the
link. A court order can mean the parent must not be contacted (s.27(1)(c): the child's welfare); the
school records the s.27 exception outside Steward, and Steward does not ask for that parent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.consent.models import (
    DELETION_DAYS,
    BiometricDeletionTask,
    ConsentAction,
    ConsentEvent,
)
from steward.consent.selectors import ConsentState, consent_state, today
from steward.people.models import Contact, Pupil, PupilContact
from steward.register.models import ConsentPurpose


def parents_to_notify(pupil: Pupil) -> list[Contact]:
    """The pupil's parents with parental responsibility and no court order on the link."""
    return [
        link.contact
        for link in PupilContact.objects.filter(
            pupil=pupil, parental_responsibility=True, court_order=False
        ).select_related("contact")
    ]


def unnotified_parents(*, pupil: Pupil, purpose: ConsentPurpose, on: dt.date) -> list[Contact]:
    """Parents with parental responsibility who have no written notification on or before `on`."""
    told = set(
        ConsentEvent.objects.filter(
            pupil=pupil,
            purpose__trust_id=purpose.trust_id,
            purpose__key=purpose.key,
            action=ConsentAction.NOTIFIED,
            on__lte=on,
        ).values_list("contact_id", flat=True)
    )
    return [c for c in parents_to_notify(pupil) if c.pk not in told]


def open_task(pupil: Pupil, purpose: ConsentPurpose) -> BiometricDeletionTask | None:
    return (
        BiometricDeletionTask.objects.filter(
            pupil=pupil, purpose__trust_id=purpose.trust_id, purpose__key=purpose.key, done_on__isnull=True
        )
        .order_by("pk")
        .first()
    )


def after_decision(*, event: ConsentEvent, before: ConsentState) -> BiometricDeletionTask | None:
    """Raise the deletion task when `event` made processing stop (it was effective just before, and is not
    now); at most one open task per pupil and purpose. Called by `record_consent` in its transaction."""
    purpose = event.purpose
    if not purpose.biometric or event.action == ConsentAction.GRANT or not before.effective:
        return None
    after = consent_state(event.pupil, purpose, event.on)
    if after.effective or open_task(event.pupil, purpose) is not None:
        return None
    task = BiometricDeletionTask(
        pupil=event.pupil,
        school=event.school,
        purpose=purpose,
        event=event,
        raised_on=event.on,
        due_on=event.on + dt.timedelta(days=DELETION_DAYS),
        reason=f"{after.reason} Delete the pupil's template from the system that holds it; they use the "
        f"alternative ({purpose.alternative}).",
    )
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def complete_deletion(
    *, actor: Any, task: BiometricDeletionTask, on: dt.date | None = None, note: str = ""
) -> BiometricDeletionTask:
    """Mark a deletion task done: the template was deleted from the system on `on` (default today)."""
    task = BiometricDeletionTask.objects.select_for_update().get(pk=task.pk)
    if not scope_for(actor).may(Action.CHANGE_PUPILS, task.school_id):
        raise PermissionDenied("You may not complete biometric deletion tasks at this school.")
    day = on or today()
    if task.done_on is not None:
        raise ValidationError({"done_on": f"The template was already recorded as deleted on {task.done_on}."})
    if day < task.raised_on:
        raise ValidationError({"done_on": "The template cannot be deleted before the task was raised."})
    if day > today():
        raise ValidationError({"done_on": "Record the deletion once it is done, not in advance."})
    task.done_on = day
    task.done_by = actor if getattr(actor, "pk", None) else None
    task.note = note
    task.full_clean()
    task.save()
    return task
