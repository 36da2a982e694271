from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The family portal: parents and carers with parental responsibility, and pupils of 13 and over,
    read notices, decide consents and youth-support sharing, make rights requests and check their data."""

    name = "steward.portal"
    label = "portal"
    verbose_name = "Family portal"
