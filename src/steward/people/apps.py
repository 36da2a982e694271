from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Pupils, their enrolments, addresses and free school meal history, and their contacts."""

    name = "steward.people"
    label = "people"
    verbose_name = "People"
