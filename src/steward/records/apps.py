from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Category records about pupils: attendance, assessment, medical, SEN, behaviour, safeguarding..."""

    name = "steward.records"
    label = "records"
    verbose_name = "Pupil records"
