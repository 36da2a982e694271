from django.apps import AppConfig


class RegisterConfig(AppConfig):
    """The register of processing (record of processing activities) each trust keeps."""

    name = "steward.register"
    label = "register"
    verbose_name = "Register of processing"
