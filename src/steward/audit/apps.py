from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The tamper-evident log of access and changes."""

    name = "steward.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from steward.audit import signals

        signals.connect()
