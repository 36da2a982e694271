"""The work behind an access or portability response: what was searched, manual tasks for systems Steward
cannot reach (with the files staff return), the built bundle, and the redactions the DPO reviews.

Written through `rights/bundle.py` and `rights/review.py`; nothing here is edited by views directly.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref
from steward.rights.models.requests import FILE, KEY, PROV, RIGHTS, RightsRequest


def work_upload_to(instance: Any, filename: str) -> str:
    """Task returns and built bundles live under the storage root by request, named by a random id."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    request_id = getattr(instance, "request_id", None)
    if request_id is None and getattr(instance, "task", None) is not None:
        request_id = instance.task.request_id
    return f"rights/requests/{request_id or 'none'}/{uuid.uuid4().hex}{suffix}"


class SearchLogEntry(models.Model):
    """One source searched for a request: a registered model (by label) or a system outside Steward."""

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="searches", verbose_name="request"
    )
    at = models.DateTimeField("searched at", auto_now_add=True)
    actor = staff_ref("searched by")
    source = models.CharField("source searched", max_length=200)
    categories = models.JSONField("data categories", default=list)
    rows = models.PositiveIntegerField("records found", default=0)
    note = models.TextField("note", blank=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "at": PROV,
            "actor": PROV,
            "source": PROV,
            "categories": PROV,
            "rows": PROV,
            "note": RIGHTS,
        }

    class Meta:
        verbose_name = "search log entry"
        verbose_name_plural = "search log"
        ordering = ["request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.source}: {self.rows}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done: files returned"
    NOTHING_FOUND = "nothing_found", "Done: nothing held"
    CANCELLED = "cancelled", "Cancelled"


class ManualTask(models.Model):
    """A search Steward cannot do itself (CCTV, email, a payments system): assigned to staff, due on a date."""

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="tasks", verbose_name="request"
    )
    system = models.ForeignKey(
        "register.System",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="system (from the register)",
    )
    system_name = models.CharField("system or place to search", max_length=200)
    instructions = models.TextField("what to search for", blank=True)
    assigned_to = staff_ref("assigned to")
    due_on = models.DateField("due on")
    status = models.CharField("status", max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result_note = models.TextField("what was found", blank=True)
    completed_on = models.DateField("completed on", null=True, blank=True)
    completed_by = staff_ref("completed by")
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "system": KEY,
            "system_name": PROV,
            "instructions": RIGHTS,
            "assigned_to": PROV,
            "due_on": RIGHTS,
            "status": RIGHTS,
            "result_note": RIGHTS,
            "completed_on": RIGHTS,
            "completed_by": PROV,
            "created_at": PROV,
        }

    class Meta:
        verbose_name = "manual search task"
        ordering = ["request", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(status="cancelled") | Q(completed_on__isnull=False),
                name="rights_task_done_dated",
                violation_error_message="A completed task needs the date it was completed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Search {self.system_name} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class ManualTaskFile(models.Model):
    """A file returned by staff for a manual task (a CCTV still, an email export, a payments statement)."""

    task = models.ForeignKey(ManualTask, on_delete=models.CASCADE, related_name="files", verbose_name="task")
    file = models.FileField("file", upload_to=work_upload_to, max_length=200)
    original_name = models.CharField("original file name", max_length=200)
    content_type = models.CharField("content type", max_length=100, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = staff_ref("uploaded by")
    uploaded_at = models.DateTimeField("uploaded at", auto_now_add=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "task__request__pupil"
        retention_from = "task__request__received_on"
        fields = {
            "id": KEY,
            "task": KEY,
            "file": FILE,
            "original_name": FILE,
            "content_type": FILE,
            "sha256": PROV,
            "uploaded_by": PROV,
            "uploaded_at": PROV,
        }

    class Meta:
        verbose_name = "manual task file"
        ordering = ["task", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class BundleState(models.TextChoices):
    DRAFT = "draft", "Draft (for review)"
    FINAL = "final", "Final (redactions applied)"


class Bundle(models.Model):
    """A built response for an access or portability request: a readable PDF and a ZIP of JSON and CSV.

    Each build is kept (draft builds for review, then the final one released); `sha256` is the hash of
    the ZIP, which also holds the PDF, so the release can name exactly what was sent.
    """

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="bundles", verbose_name="request"
    )
    state = models.CharField("state", max_length=8, choices=BundleState.choices, default=BundleState.DRAFT)
    built_at = models.DateTimeField("built at", auto_now_add=True)
    built_by = staff_ref("built by")
    pdf = models.FileField("PDF", upload_to=work_upload_to, max_length=200)
    archive = models.FileField("ZIP (JSON and CSV)", upload_to=work_upload_to, max_length=200)
    sha256 = models.CharField("SHA-256 of the ZIP", max_length=64)
    manifest = models.JSONField("manifest (categories, sources, counts)", default=dict)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "state": RIGHTS,
            "built_at": PROV,
            "built_by": PROV,
            "pdf": FILE,
            "archive": FILE,
            "sha256": PROV,
            "manifest": RIGHTS,
        }

    class Meta:
        verbose_name = "response bundle"
        ordering = ["request", "-built_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} bundle for request #{self.request_id}"


class MarkOrigin(models.TextChoices):
    AUTOMATIC = "auto", "Found automatically"
    DPO = "dpo", "Added by the reviewer"


class MarkDecision(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REMOVED = "removed", "Removed (disclosed)"


class RedactionMark(models.Model):
    """One redaction in one piece of text of a response: where, what kind, why, and the reviewer's decision.

    `location` names the text: "<app.Model>:<pk>:<field>" for a record field, "task-file:<pk>" for a
    returned file's text. Spans are character offsets into that text as it was when the mark was made;
    `text` is kept so a changed source is noticed (the mark no longer matches) rather than misapplied.
    """

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="redactions", verbose_name="request"
    )
    location = models.CharField("where", max_length=200)
    start = models.PositiveIntegerField("start")
    end = models.PositiveIntegerField("end")
    text = models.TextField("text redacted")
    kind = models.CharField("kind", max_length=16)
    reason = models.CharField("reason code", max_length=24)
    person = models.CharField("known person", max_length=40, blank=True)
    origin = models.CharField("origin", max_length=4, choices=MarkOrigin.choices)
    decision = models.CharField(
        "decision", max_length=8, choices=MarkDecision.choices, default=MarkDecision.PROPOSED
    )
    decided_by = staff_ref("decided by")
    decided_at = models.DateTimeField("decided at", null=True, blank=True)
    note = models.TextField("reviewer's note", blank=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "location": PROV,
            "start": PROV,
            "end": PROV,
            "text": RIGHTS,
            "kind": RIGHTS,
            "reason": RIGHTS,
            "person": PROV,
            "origin": PROV,
            "decision": RIGHTS,
            "decided_by": PROV,
            "decided_at": PROV,
            "note": RIGHTS,
        }

    class Meta:
        verbose_name = "redaction"
        ordering = ["request", "location", "start", "pk"]
        indexes = [models.Index(fields=["request", "location"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="rights_redaction_span_not_empty",
                violation_error_message="A redaction must cover at least one character.",
            ),
            models.UniqueConstraint(
                fields=["request", "location", "start", "end"], name="rights_redaction_one_per_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location}[{self.start}:{self.end}] {self.reason}"

    def clean(self) -> None:
        if self.end is not None and self.start is not None and self.end <= self.start:
            raise ValidationError({"end": "A redaction must cover at least one character."})
