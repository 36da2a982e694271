from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (django-ninja) and its OpenAPI document."""

    name = "steward.api"
    label = "api"
