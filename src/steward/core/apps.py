from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared validators, code sets and helpers used by every app."""

    name = "steward.core"
    label = "core"
