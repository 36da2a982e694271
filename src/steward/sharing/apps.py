from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Disclosures of pupil data: agreements, the gate every share passes, and the disclosure log."""

    name = "steward.sharing"
    label = "sharing"
    verbose_name = "Data sharing"
