from django.apps import AppConfig


class WebConfig(AppConfig):
    """The staff web UI (GOV.UK Frontend, server-rendered)."""

    name = "steward.web"
    label = "web"
    verbose_name = "Staff web UI"

    def ready(self) -> None:
        from steward.web import admin_site, signals

        signals.connect()
        admin_site.restrict_to_superusers()
