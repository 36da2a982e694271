from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Importing pupils and contacts from a school MIS export."""

    name = "steward.imports"
    label = "imports"
