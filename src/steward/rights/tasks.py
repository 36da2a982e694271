"""Manual search tasks: the systems Steward cannot reach (CCTV, email, payments, the MIS itself).

An access or portability request covers everything the school holds, not only what Steward holds.
`suggest_tasks` lists the systems of the school's effective register that hold pupil data; each
becomes a task assigned to a member of staff, due a week before the legal deadline, who returns what
they found (files are stored with their SHA-256) or says nothing was found. The final bundle is refused
while any task is open (`open_tasks`).

Permissions: staff who may progress requests at the school (Action.CHANGE_PUPILS), as in `services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.register.models import System
from steward.register.resolve import effective, load_snapshot
from steward.rights.models import (
    EventKind,
    ManualTask,
    ManualTaskFile,
    RightsRequest,
    TaskStatus,
)
from steward.rights.services import _event, _locked, _not_closed, _require, due
from steward.rights.workflow import BUNDLE_KINDS

# Staff need time to search and the reviewer time to redact: tasks fall due a week before the deadline.
TASK_LEAD = dt.timedelta(days=7)
# Files whose text Steward extracts for redaction (`task_file_text`); others are kept as returned.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".csv", ".md", ".htm", ".html", ".pdf", ".docx", ".eml"})


@dataclass(frozen=True)
class Suggestion:
    """A register system to search by hand, and whether a task for it already exists."""

    system: System
    name: str
    function: str
    categories: tuple[str, ...]
    instructions: str
    has_task: bool


def _is_steward(system: System) -> bool:
    # Steward is searched automatically (the registry); a register row for it is not a manual task.
    return "steward" in {system.key.lower(), system.catalogue_key.lower()} or "steward" in system.name.lower()


def suggest_tasks(request: RightsRequest) -> list[Suggestion]:
    """The systems of the school's effective register holding pupil data, to search by hand."""
    eff = effective(load_snapshot(request.school.trust_id), request.school)
    tasked = set(
        request.tasks.exclude(status=TaskStatus.CANCELLED)
        .exclude(system__isnull=True)
        .values_list("system__key", flat=True)
    )
    out = []
    for s in eff.systems:
        pupil_cats = tuple(k for k in s.categories if k == "pupil" or k.startswith("pupil."))
        if not pupil_cats or _is_steward(s):
            continue
        out.append(
            Suggestion(
                system=s,
                name=s.name,
                function=s.get_function_display(),
                categories=pupil_cats,
                instructions=(
                    f"Search {s.name} for everything held about {request.pupil.display_name} "
                    f"(date of birth {request.pupil.date_of_birth:%d/%m/%Y}) and return it as files, or "
                    "record that nothing was found."
                ),
                has_task=s.key in tasked,
            )
        )
    return out


def default_due(request: RightsRequest) -> dt.date:
    """A week before the legal deadline (or today when the clock is paused)."""
    deadline = due(request).due
    if deadline is None:
        return timezone.localdate()
    return max(deadline - TASK_LEAD, request.received_on)  # type: ignore[no-any-return]


def _bundle_request(request: RightsRequest) -> None:
    if request.kind not in BUNDLE_KINDS:
        raise ValidationError({"kind": "Searches and bundles are for access and portability requests only."})


@transaction.atomic
def create_task(
    *,
    actor: Any,
    request: RightsRequest,
    system: System | None = None,
    system_name: str = "",
    instructions: str,
    assigned_to: Any,
    due_on: dt.date | None = None,
) -> ManualTask:
    """Ask a member of staff to search a system by hand. `system_name` defaults to the register
    system's name; `due_on` to a week before the legal deadline. Writes TASK_CREATED."""
    _require(actor, request.school_id)
    request = _locked(request)
    _not_closed(request)
    _bundle_request(request)
    if system is not None and system.trust_id != request.school.trust_id:
        raise ValidationError({"system": "That system is not in this trust's register."})
    name = (system_name or (system.name if system is not None else "")).strip()
    if not name:
        raise ValidationError({"system_name": "Name the system or place to search."})
    if assigned_to is None:
        raise ValidationError({"assigned_to": "Assign the task to a member of staff."})
    if not scope_for(assigned_to).may(Action.CHANGE_PUPILS, request.school_id):
        raise ValidationError({"assigned_to": f"{assigned_to} cannot work on requests at this school."})
    task = ManualTask(
        request=request,
        system=system,
        system_name=name,
        instructions=instructions,
        assigned_to=assigned_to,
        due_on=due_on or default_due(request),
    )
    task.full_clean()
    task.save()
    who = assigned_to.get_full_name() or assigned_to.get_username()
    _event(
        request,
        actor=actor,
        kind=EventKind.TASK_CREATED,
        on=timezone.localdate(),
        method=name[:100],
        note=f"Search {name}: assigned to {who}, due {task.due_on.isoformat()}.",
    )
    return task


def _task_locked(task: ManualTask) -> ManualTask:
    return ManualTask.objects.select_for_update().select_related("request").get(pk=task.pk)


@transaction.atomic
def complete_task(
    *,
    actor: Any,
    task: ManualTask,
    files: list[UploadedFile],
    note: str,
    nothing_found: bool = False,
    on: dt.date,
) -> ManualTask:
    """Record what a manual search found: the returned files (stored with their SHA-256 and original
    name), or that nothing is held. Writes TASK_COMPLETED."""
    task = _task_locked(task)
    request = task.request
    _require(actor, request.school_id)
    _not_closed(request)
    if not task.is_open:
        raise ValidationError({"status": f"The task is already {task.get_status_display().lower()}."})
    if nothing_found and files:
        raise ValidationError({"files": "Files were returned: untick 'nothing found', or remove the files."})
    if not nothing_found and not files:
        raise ValidationError({"files": "Return the files found, or record that nothing was found."})
    if on < request.received_on:
        raise ValidationError({"completed_on": "A search cannot finish before the request was received."})
    stored: list[ManualTaskFile] = []
    try:
        for upload in files:
            data = upload.read()
            name = PurePosixPath(upload.name or "file").name[:200]
            f = ManualTaskFile(
                task=task,
                original_name=name,
                content_type=(getattr(upload, "content_type", "") or "")[:100],
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            f.file.save(name, ContentFile(data), save=False)
            stored.append(f)
            f.full_clean()
            f.save()
    except Exception:
        for f in stored:  # the transaction rolls the rows back; the stored files go too
            f.file.delete(save=False)
        raise
    task.status = TaskStatus.NOTHING_FOUND if nothing_found else TaskStatus.DONE
    task.result_note = note
    task.completed_on = on
    task.completed_by = actor if getattr(actor, "pk", None) else None
    task.full_clean()
    task.save()
    what = "nothing found" if nothing_found else f"{len(stored)} file(s) returned"
    _event(
        request,
        actor=actor,
        kind=EventKind.TASK_COMPLETED,
        on=on,
        method=task.system_name[:100],
        note=f"Search {task.system_name}: {what}." + (f" {note}" if note else ""),
    )
    return task


@transaction.atomic
def cancel_task(*, actor: Any, task: ManualTask, reason: str, on: dt.date) -> ManualTask:
    """Withdraw a task that is not needed (e.g. the school does not use that system), with the reason."""
    task = _task_locked(task)
    request = task.request
    _require(actor, request.school_id)
    _not_closed(request)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the search is not needed."})
    if not task.is_open:
        raise ValidationError({"status": f"The task is already {task.get_status_display().lower()}."})
    task.status = TaskStatus.CANCELLED
    task.result_note = reason
    task.full_clean()
    task.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.NOTE,
        on=on,
        method="task cancelled",
        note=f"Search {task.system_name} cancelled: {reason}",
    )
    return task


def open_tasks(request: RightsRequest) -> QuerySet[ManualTask]:
    """The request's tasks still open (the final bundle waits for them)."""
    return request.tasks.filter(status=TaskStatus.OPEN).order_by("due_on", "pk")


def task_file_text(f: ManualTaskFile) -> str | None:
    """The text of a returned file (text, CSV, HTML, PDF, DOCX), or None when it has no readable text
    (an image, a video): such files are released as returned, so staff return them already redacted."""
    from steward.notices.extract import NoticeReadError, read_notice_bytes

    if PurePosixPath(f.original_name).suffix.lower() not in TEXT_SUFFIXES:
        return None
    try:
        with f.file.open("rb") as fh:
            data = fh.read()
        return read_notice_bytes(data, name=f.original_name).text
    except (NoticeReadError, OSError, ValueError):
        return None
