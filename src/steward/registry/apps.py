from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The data-category taxonomy and the personal-data registry."""

    name = "steward.registry"
    label = "registry"
    verbose_name = "Personal-data registry"

    def ready(self) -> None:
        from steward.registry import checks  # noqa: F401  (registers the system check)
