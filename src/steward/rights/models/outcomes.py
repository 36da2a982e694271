"""What applying a rights request left behind: rectifications with history, what erasure removed or kept
and why, restrictions on a pupil's data, objection decisions, and the youth-support sharing choice.

Written through `rights/outcomes.py`. Rules: `/work/shared/domain/rules.md` §3 (Arts 16-21) and §6
(youth support services: the parent decides until 16, then the pupil).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from steward.core.fields import staff_ref
from steward.rights.models.requests import KEY, PROV, RIGHTS, RightsRequest

YSS = "pupil.rights"


class Rectification(models.Model):
    """One field corrected (or completed by a supplementary statement) because of a rectification request.

    The value before is kept beside the value after: the history the DPO needs to show what was wrong and
    when it was put right (rules §3: a record that a mistake happened can itself be accurate).
    """

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="rectifications", verbose_name="request"
    )
    model = models.CharField("record type", max_length=100)
    object_id = models.CharField("record id", max_length=64)
    field = models.CharField("field", max_length=100)
    category = models.CharField("data category", max_length=100)
    before = models.TextField("value before", blank=True)
    after = models.TextField("value after", blank=True)
    statement = models.TextField("supplementary statement", blank=True)
    on = models.DateField("corrected on")
    actor = staff_ref("corrected by")
    at = models.DateTimeField("recorded at", auto_now_add=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "model": PROV,
            "object_id": KEY,
            "field": PROV,
            "category": PROV,
            "before": RIGHTS,
            "after": RIGHTS,
            "statement": RIGHTS,
            "on": RIGHTS,
            "actor": PROV,
            "at": PROV,
        }

    class Meta:
        verbose_name = "rectification"
        ordering = ["request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.model}.{self.field} #{self.object_id} corrected on {self.on}"


class ErasureAction(models.TextChoices):
    DELETED = "deleted", "Deleted"
    ANONYMISED = "anonymised", "Anonymised"
    KEPT = "kept", "Kept"


class ErasureEntry(models.Model):
    """What an erasure did to one kind of record: deleted, anonymised or kept, with the reason.

    No erased value is stored here: only the record type, the fields, how many rows, and why.
    """

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="erasures", verbose_name="request"
    )
    model = models.CharField("record type", max_length=100)
    fields = models.JSONField("fields", default=list)
    categories = models.JSONField("data categories", default=list)
    rows = models.PositiveIntegerField("records", default=0)
    action = models.CharField("action", max_length=10, choices=ErasureAction.choices)
    reason = models.TextField("why")
    on = models.DateField("applied on")
    actor = staff_ref("applied by")

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "model": PROV,
            "fields": PROV,
            "categories": PROV,
            "rows": PROV,
            "action": RIGHTS,
            "reason": RIGHTS,
            "on": RIGHTS,
            "actor": PROV,
        }

    class Meta:
        verbose_name = "erasure entry"
        verbose_name_plural = "erasure entries"
        ordering = ["request", "model", "pk"]

    def __str__(self) -> str:
        return f"{self.model}: {self.get_action_display()} ({self.rows})"


class RestrictionGround(models.TextChoices):
    ACCURACY = "accuracy", "Accuracy contested (while it is checked)"
    UNLAWFUL = "unlawful", "Processing unlawful; restriction asked instead of erasure"
    LEGAL_CLAIMS = "legal_claims", "No longer needed by the school; needed by the person for legal claims"
    OBJECTION_PENDING = "objection_pending", "Objection pending (Art 21(1))"


class Restriction(models.Model):
    """A restriction of processing on a pupil's data (Art 18): while active, the data in `categories`
    (every category when empty) may be stored but not shared, exported or otherwise used.

    The sharing gate and exports ask `rights.outcomes.restricted_categories(pupil)`. Lifting needs the
    date the person was told beforehand (Art 18(3)).
    """

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="restrictions", verbose_name="pupil"
    )
    request = models.ForeignKey(
        RightsRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restrictions",
        verbose_name="request",
    )
    categories = models.JSONField("data categories (empty: all)", default=list, blank=True)
    ground = models.CharField("ground", max_length=20, choices=RestrictionGround.choices)
    note = models.TextField("note", blank=True)
    started_on = models.DateField("restricted from")
    lifted_on = models.DateField("lifted on", null=True, blank=True)
    lift_reason = models.TextField("why lifted", blank=True)
    told_before_lift_on = models.DateField("person told before lifting on", null=True, blank=True)
    created_by = staff_ref("recorded by")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "started_on"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "request": KEY,
            "categories": RIGHTS,
            "ground": RIGHTS,
            "note": RIGHTS,
            "started_on": RIGHTS,
            "lifted_on": RIGHTS,
            "lift_reason": RIGHTS,
            "told_before_lift_on": RIGHTS,
            "created_by": PROV,
        }

    class Meta:
        verbose_name = "restriction of processing"
        ordering = ["pupil", "-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True)
                | (Q(told_before_lift_on__isnull=False) & ~Q(lift_reason="")),
                name="rights_restriction_lift_told",
                violation_error_message=(
                    "Lifting a restriction needs the reason and the date the person was told beforehand."
                ),
            ),
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("started_on")),
                name="rights_restriction_lift_after_start",
                violation_error_message="A restriction cannot be lifted before it started.",
            ),
        ]

    def __str__(self) -> str:
        return f"Restriction on pupil #{self.pupil_id} from {self.started_on}"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None

    def clean(self) -> None:
        if self.lifted_on and self.told_before_lift_on and self.told_before_lift_on > self.lifted_on:
            raise ValidationError(
                {"told_before_lift_on": "The person must be told before the restriction is lifted."}
            )


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld: the processing stops for this pupil"
    COMPELLING_GROUNDS = "compelling", "Not upheld: compelling legitimate grounds override"
    LEGAL_CLAIMS = "legal_claims", "Not upheld: needed for legal claims"
    NO_RIGHT = "no_right", "No right to object: the processing is a legal obligation"


class ObjectionDecision(models.Model):
    """The decision on an objection (Art 21): to which processing, the outcome, and the reasons."""

    request = models.OneToOneField(
        RightsRequest, on_delete=models.CASCADE, related_name="objection", verbose_name="request"
    )
    purpose = models.ForeignKey(
        "register.Purpose",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="purpose objected to",
    )
    processing = models.TextField("processing objected to")
    outcome = models.CharField("outcome", max_length=12, choices=ObjectionOutcome.choices)
    reasons = models.TextField("reasons")
    decided_on = models.DateField("decided on")
    decided_by = staff_ref("decided by")

    class PersonalData:
        subject = "pupil"
        subject_path = "request__pupil"
        retention_from = "request__received_on"
        fields = {
            "id": KEY,
            "request": KEY,
            "purpose": KEY,
            "processing": RIGHTS,
            "outcome": RIGHTS,
            "reasons": RIGHTS,
            "decided_on": RIGHTS,
            "decided_by": PROV,
        }

    class Meta:
        verbose_name = "objection decision"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reasons=""),
                name="rights_objection_has_reasons",
                violation_error_message="An objection decision needs its reasons.",
            ),
        ]

    def __str__(self) -> str:
        return f"Objection on request #{self.request_id}: {self.get_outcome_display()}"


class YouthSupportState(models.TextChoices):
    """rules §6: the MIS 'Youth Support Service Agreement' values, and the two answers."""

    UNSOUGHT = "unsought", "Not yet asked"
    NO_RESPONSE = "no_response", "Asked, no response (full sharing applies)"
    FULL = "full", "Full sharing"
    LIMITED = "limited", "Name, address and date of birth only"


class DecidedBy(models.TextChoices):
    PARENT = "parent", "A parent (pupil under 16)"
    PUPIL = "pupil", "The pupil (16 or over)"
    SCHOOL = "school", "The school (recording that it asked)"


class YouthSupportChoice(models.Model):
    """One entry in a pupil's youth-support sharing ledger (Education and Skills Act 2008 s.14; rules §6).

    Append-only; the pupil's state is the latest entry. Until 16 a parent with parental responsibility
    decides; from the 16th birthday only the pupil does (the services refuse a parent's entry then).
    """

    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.CASCADE, related_name="youth_support_choices", verbose_name="pupil"
    )
    state = models.CharField("sharing", max_length=12, choices=YouthSupportState.choices)
    decided_by = models.CharField("decided by", max_length=8, choices=DecidedBy.choices)
    contact = models.ForeignKey(
        "people.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="parent who decided",
    )
    request = models.ForeignKey(
        RightsRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="youth_support_choices",
        verbose_name="request",
    )
    on = models.DateField("decided on")
    note = models.TextField("note", blank=True)
    recorded_by = staff_ref("recorded by")
    at = models.DateTimeField("recorded at", auto_now_add=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "on"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "state": YSS,
            "decided_by": YSS,
            "contact": KEY,
            "request": KEY,
            "on": YSS,
            "note": YSS,
            "recorded_by": PROV,
            "at": PROV,
        }

    class Meta:
        verbose_name = "youth-support sharing choice"
        ordering = ["pupil", "on", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by="parent") | Q(contact__isnull=False),
                name="rights_yss_parent_named",
                violation_error_message="A parent's choice must name the parent.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} ({self.get_decided_by_display()}, {self.on})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Youth-support choices are append-only: record a new choice instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
