from django.apps import AppConfig


class RightsConfig(AppConfig):
    """Rights requests (access, educational record, rectification, erasure, ...): deadlines, workflow, redaction."""

    name = "steward.rights"
    label = "rights"
    verbose_name = "Rights requests"
