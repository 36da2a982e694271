from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    """Alternative provision: providers, their sign-ins, and placements that open a window of access."""

    name = "steward.placements"
    label = "placements"
    verbose_name = "Alternative provision placements"
