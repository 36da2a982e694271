from __future__ import annotations

from django.db import models

from steward.records.models.base import PupilRecord

STAGES = [
    ("EYFSP", "Early years foundation stage profile"),
    ("PHON", "Phonics screening check"),
    ("KS1", "Key stage 1"),
    ("MTC", "Multiplication tables check"),
    ("KS2", "Key stage 2"),
    ("KS4", "Key stage 4 (GCSE and equivalent)"),
    ("KS5", "Key stage 5 (A level and equivalent)"),
    ("INT", "Internal assessment"),
]


class Assessment(PupilRecord):
    """A result: an internal assessment or a statutory one (KS2, GCSE, ...)."""

    kind = models.CharField(
        "kind", max_length=10, choices=[("internal", "Internal"), ("statutory", "Statutory")]
    )
    stage = models.CharField("stage", max_length=5, choices=STAGES)
    academic_year = models.CharField("academic year", max_length=9)
    subject = models.CharField("subject", max_length=60)
    component = models.CharField("component", max_length=60, blank=True)
    result = models.CharField("result", max_length=30)
    result_date = models.DateField("result date")
    awarding_body = models.CharField("awarding body", max_length=60, blank=True)

    class PersonalData:
        fields = {
            "kind": "pupil.assessment",
            "stage": "pupil.assessment",
            "academic_year": "pupil.assessment",
            "subject": "pupil.assessment",
            "component": "pupil.assessment",
            "result": "pupil.assessment",
            "result_date": "pupil.assessment",
            "awarding_body": "pupil.assessment",
        }

    class Meta:
        verbose_name = "assessment result"
        ordering = ["pupil", "-result_date"]

    def __str__(self) -> str:
        return f"{self.stage} {self.subject}: {self.result}"


class Post16Learning(PupilRecord):
    """A post-16 learning aim (qualification studied) with its outcome."""

    aim_reference = models.CharField("learning aim reference", max_length=8, blank=True)
    title = models.CharField("qualification", max_length=150)
    level = models.CharField("level", max_length=10, blank=True)
    start_date = models.DateField("start date")
    planned_end_date = models.DateField("planned end date", null=True, blank=True)
    actual_end_date = models.DateField("actual end date", null=True, blank=True)
    outcome = models.CharField("outcome", max_length=40, blank=True)

    class PersonalData:
        fields = {
            "aim_reference": "pupil.post16",
            "title": "pupil.post16",
            "level": "pupil.post16",
            "start_date": "pupil.post16",
            "planned_end_date": "pupil.post16",
            "actual_end_date": "pupil.post16",
            "outcome": "pupil.post16",
        }

    class Meta:
        verbose_name = "post-16 learning aim"
        ordering = ["pupil", "-start_date"]

    def __str__(self) -> str:
        return self.title


DESTINATIONS = [
    ("SIXTH", "School sixth form"),
    ("FE", "Further education college"),
    ("HE", "Higher education"),
    ("APPR", "Apprenticeship"),
    ("EMP", "Employment with training"),
    ("EMPN", "Employment without training"),
    ("NEET", "Not in education, employment or training"),
    ("UNK", "Not known"),
]


class Post16Destination(PupilRecord):
    """Where a young person went after leaving (for LA tracking of participation to 18)."""

    destination = models.CharField("destination", max_length=5, choices=DESTINATIONS)
    provider = models.CharField("provider or employer", max_length=150, blank=True)
    start_date = models.DateField("from", null=True, blank=True)
    confirmed_on = models.DateField("confirmed on", null=True, blank=True)

    class PersonalData:
        fields = {
            "destination": "pupil.post16",
            "provider": "pupil.post16",
            "start_date": "pupil.post16",
            "confirmed_on": "pupil.post16",
        }

    class Meta:
        verbose_name = "post-16 destination"
        ordering = ["pupil", "-start_date"]

    def __str__(self) -> str:
        return self.get_destination_display()
