from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Privacy notices: text extraction and the notice checker (the register and compiler come later)."""

    name = "steward.notices"
    label = "notices"
    verbose_name = "Privacy notices"
