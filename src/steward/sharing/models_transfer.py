"""Transfers between schools: common transfer files written and received, and child protection files.

A CTF written is logged like every share (a `ShareRun` and one `Disclosure` per pupil); `CtfFile`
adds what the run does not hold: the file's name, sequence number and destination. A CTF received
is incoming data, so it is not a share: `TransferReceived` records it (file hash, source school, the
pupils it created or updated). A child protection file never goes in a CTF (KCSIE; rules.md §5 and
§8.2): `ChildProtectionTransfer` records that one is owed to the next school, by when, and when and
how it was sent.
"""

from __future__ import annotations

from django.db import models

from steward.core.fields import staff_ref

CP_METHODS = [
    ("secure_transfer", "Secure electronic transfer (e.g. the CP system's transfer)"),
    ("secure_email", "Encrypted email"),
    ("by_hand", "By hand, signed for"),
    ("recorded_post", "Recorded or special delivery"),
    ("other", "Other"),
]


class CtfFile(models.Model):
    """One common transfer file written: name, sequence number, destination and the share that logged it.

    Holds no pupil data (the disclosure rows of the run name the pupils).
    """

    audit_changes = True

    run = models.ForeignKey(
        "sharing.ShareRun", on_delete=models.PROTECT, related_name="ctf_files", verbose_name="share run"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="source school"
    )
    dest_la = models.CharField("destination LA", max_length=3)
    dest_estab = models.CharField("destination establishment", max_length=4)
    dest_urn = models.CharField("destination URN", max_length=6, blank=True)
    dest_name = models.CharField("destination school", max_length=200, blank=True)
    sequence = models.PositiveIntegerField("sequence number")
    file_name = models.CharField("file name", max_length=60)
    ctf_version = models.CharField("CTF version", max_length=8)
    sha256 = models.CharField("SHA-256 of the XML", max_length=64)
    pupil_count = models.PositiveIntegerField("pupils")
    created_at = models.DateTimeField("written at", auto_now_add=True)

    class Meta:
        verbose_name = "common transfer file written"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "dest_la", "dest_estab", "sequence"],
                name="unique_ctf_sequence_per_destination",
                violation_error_message="This CTF sequence number is already used for that destination.",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class ChildProtectionTransfer(models.Model):
    """A child protection file owed to a pupil's next school, sent separately from the CTF.

    KCSIE (rules.md §5): within 5 school days of the pupil leaving (in-year), or within the first 5
    school days of a new term; separately from the main file, securely, with confirmation of receipt.
    """

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="+", verbose_name="pupil"
    )
    from_school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="from school"
    )
    ctf = models.ForeignKey(
        CtfFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_protection_transfers",
        verbose_name="CTF that triggered it",
    )
    dest_la = models.CharField("destination LA", max_length=3)
    dest_estab = models.CharField("destination establishment", max_length=4)
    dest_urn = models.CharField("destination URN", max_length=6, blank=True)
    dest_name = models.CharField("destination school", max_length=200, blank=True)
    exported_on = models.DateField("CTF exported on")
    due_on = models.DateField("due by")
    due_basis = models.CharField("how the due date was counted", max_length=200)
    sent_on = models.DateField("sent on", null=True, blank=True)
    method = models.CharField("method", max_length=16, choices=CP_METHODS, blank=True)
    sent_by = staff_ref("sent by")
    receipt_confirmed_on = models.DateField("receipt confirmed on", null=True, blank=True)
    created_at = models.DateTimeField("recorded at", auto_now_add=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "pupil__date_of_birth"
        # That a pupil has a child protection file, and where it went, is itself safeguarding data.
        fields = {
            "id": "system.key",
            "pupil": "system.key",
            "from_school": "system.key",
            "ctf": "system.key",
            "dest_la": "pupil.safeguarding",
            "dest_estab": "pupil.safeguarding",
            "dest_urn": "pupil.safeguarding",
            "dest_name": "pupil.safeguarding",
            "exported_on": "pupil.safeguarding",
            "due_on": "pupil.safeguarding",
            "due_basis": "pupil.safeguarding",
            "sent_on": "pupil.safeguarding",
            "method": "pupil.safeguarding",
            "sent_by": "system.provenance",
            "receipt_confirmed_on": "pupil.safeguarding",
            "created_at": "system.provenance",
        }

    class Meta:
        verbose_name = "child protection file transfer"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Child protection file of pupil #{self.pupil_id} due {self.due_on}"


class TransferReceived(models.Model):
    """A common transfer file received and imported: which file (hash), from which school, which pupils.

    Pupils are referred to by id, like the disclosure log, so erasing a pupil never rewrites the record
    of what arrived; `summary` holds counts and field names, never values.
    """

    audit_changes = True

    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="+", verbose_name="importing school"
    )
    file_name = models.CharField("file name", max_length=200)
    sha256 = models.CharField("SHA-256 of the file", max_length=64, db_index=True)
    ctf_version = models.CharField("CTF version", max_length=8)
    source_la = models.CharField("source LA", max_length=3)
    source_estab = models.CharField("source establishment", max_length=4)
    source_urn = models.CharField("source URN", max_length=6, blank=True)
    source_name = models.CharField("source school", max_length=200, blank=True)
    pupil_refs = models.JSONField("pupil ids", default=list)
    summary = models.JSONField("summary (created, updated, unchanged; fields changed)", default=dict)
    actor = staff_ref("imported by")
    received_at = models.DateTimeField("imported at", auto_now_add=True)

    class Meta:
        verbose_name = "common transfer file received"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} from {self.source_la}{self.source_estab}"
