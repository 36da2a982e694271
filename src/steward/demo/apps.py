from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo trust generator."""

    name = "steward.demo"
    label = "demo"
