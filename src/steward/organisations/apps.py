from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """Trusts, schools and their term dates."""

    name = "steward.organisations"
    label = "organisations"
    verbose_name = "Organisations"
