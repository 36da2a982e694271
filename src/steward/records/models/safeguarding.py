from __future__ import annotations

from django.db import models

from steward.records.models.base import PupilRecord

CONCERN_CATEGORIES = [
    ("physical", "Physical abuse"),
    ("emotional", "Emotional abuse"),
    ("sexual", "Sexual abuse"),
    ("neglect", "Neglect"),
    ("online", "Online safety"),
    ("cse", "Child sexual exploitation"),
    ("cce", "Child criminal exploitation"),
    ("radicalisation", "Radicalisation"),
    ("fgm", "Female genital mutilation"),
    ("domestic", "Domestic abuse"),
    ("peer", "Child-on-child abuse"),
    ("mental_health", "Mental health"),
    ("other", "Other"),
]
REFERRALS = [
    ("", "No referral"),
    ("csc", "Children's social care"),
    ("early_help", "Early help"),
    ("police", "Police"),
    ("lado", "Local authority designated officer"),
    ("prevent", "Prevent / Channel"),
    ("camhs", "CAMHS"),
    ("other", "Other agency"),
]


class SafeguardingConcern(PupilRecord):
    """A child-protection or safeguarding concern: what was seen, what was done, who it was referred to.

    Kept separately from the main pupil file (KCSIE); visible only to the DSL and the DPO; never
    put in a common transfer file.
    """

    raised_at = models.DateTimeField("raised at")
    raised_by_name = models.CharField("raised by", max_length=120)
    category = models.CharField("category", max_length=20, choices=CONCERN_CATEGORIES)
    narrative = models.TextField("what was seen or said")
    actions = models.TextField("actions taken", blank=True)
    referral = models.CharField("referred to", max_length=12, choices=REFERRALS, blank=True)
    referral_date = models.DateField("referral date", null=True, blank=True)
    outcome = models.TextField("outcome", blank=True)
    status = models.CharField(
        "status", max_length=8, choices=[("open", "Open"), ("closed", "Closed")], default="open"
    )

    class PersonalData:
        fields = {
            "raised_at": "pupil.safeguarding",
            "raised_by_name": "pupil.safeguarding",
            "category": "pupil.safeguarding",
            "narrative": "pupil.safeguarding",
            "actions": "pupil.safeguarding",
            "referral": "pupil.safeguarding",
            "referral_date": "pupil.safeguarding",
            "outcome": "pupil.safeguarding",
            "status": "pupil.safeguarding",
        }

    class Meta:
        verbose_name = "safeguarding concern"
        ordering = ["pupil", "-raised_at"]

    def __str__(self) -> str:
        return f"{self.raised_at:%Y-%m-%d} {self.get_category_display()}"
