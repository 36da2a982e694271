from django.apps import AppConfig


class WebConfig(AppConfig):
    """The staff web UI (GOV.UK Frontend, server-rendered)."""

    name = "steward.web"
    label = "web"
