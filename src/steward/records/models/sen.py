from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from steward.core import codes
from steward.core.codes import choices
from steward.records.models.base import PupilRecord, record_upload_to


class SENProvision(PupilRecord):
    """A period of SEN provision: E (EHC plan), K (SEN support) or N (no SEN)."""

    provision = models.CharField("SEN provision", max_length=1, choices=choices(codes.SEN_PROVISION))
    start_date = models.DateField("from")
    end_date = models.DateField("until", null=True, blank=True)

    class PersonalData:
        fields = {
            "provision": "pupil.sen.provision",
            "start_date": "pupil.sen.provision",
            "end_date": "pupil.sen.provision",
        }

    class Meta:
        verbose_name = "SEN provision"
        ordering = ["pupil", "-start_date"]

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "End date cannot be before the start date."})

    def __str__(self) -> str:
        return self.get_provision_display()


class SENNeed(PupilRecord):
    """A type of special educational need, ranked (1 = primary need, 2 = secondary)."""

    need = models.CharField("type of need", max_length=4, choices=choices(codes.SEN_NEED))
    rank = models.PositiveSmallIntegerField("rank", choices=[(1, "Primary need"), (2, "Secondary need")])
    start_date = models.DateField("identified on", null=True, blank=True)
    end_date = models.DateField("until", null=True, blank=True)
    notes = models.TextField("notes", blank=True)

    class PersonalData:
        fields = {
            "need": "pupil.sen.need",
            "rank": "pupil.sen.need",
            "start_date": "pupil.sen.need",
            "end_date": "pupil.sen.need",
            "notes": "pupil.sen.need",
        }

    class Meta:
        verbose_name = "SEN need"
        ordering = ["pupil", "rank"]

    def __str__(self) -> str:
        return f"{self.rank}: {self.get_need_display()}"


class EHCP(PupilRecord):
    """An education, health and care plan issued by the local authority."""

    la_reference = models.CharField("LA reference", max_length=40, blank=True)
    requested_on = models.DateField("assessment requested on", null=True, blank=True)
    issued_on = models.DateField("plan issued on")
    next_review_on = models.DateField("next annual review", null=True, blank=True)
    ceased_on = models.DateField("ceased on", null=True, blank=True)
    document = models.FileField("plan document", upload_to=record_upload_to, blank=True)

    class PersonalData:
        fields = {
            "la_reference": "pupil.sen.ehcp",
            "requested_on": "pupil.sen.ehcp",
            "issued_on": "pupil.sen.ehcp",
            "next_review_on": "pupil.sen.ehcp",
            "ceased_on": "pupil.sen.ehcp",
            "document": "pupil.sen.ehcp",
        }

    class Meta:
        verbose_name = "EHC plan"
        ordering = ["pupil", "-issued_on"]

    def clean(self) -> None:
        if self.requested_on and self.issued_on and self.issued_on < self.requested_on:
            raise ValidationError(
                {"issued_on": "A plan cannot be issued before the assessment was requested."}
            )

    def __str__(self) -> str:
        return f"EHC plan issued {self.issued_on}"


class EHCPReview(PupilRecord):
    """An annual (or early) review of an EHC plan."""

    ehcp = models.ForeignKey(EHCP, on_delete=models.CASCADE, related_name="reviews", verbose_name="EHC plan")
    review_date = models.DateField("review date")
    outcome = models.TextField("outcome and recommendations", blank=True)
    sent_to_la_on = models.DateField("report sent to LA on", null=True, blank=True)

    class PersonalData:
        fields = {
            "ehcp": "system.key",
            "review_date": "pupil.sen.ehcp",
            "outcome": "pupil.sen.ehcp",
            "sent_to_la_on": "pupil.sen.ehcp",
        }

    class Meta:
        verbose_name = "EHC plan review"
        ordering = ["pupil", "-review_date"]

    def __str__(self) -> str:
        return f"Review {self.review_date}"
