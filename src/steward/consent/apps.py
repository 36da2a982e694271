from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """The consent ledger: every grant, refusal, withdrawal, objection and biometric notification, and the
    enforcement that asks it (photo exports, the sharing gate, biometric deletion tasks)."""

    name = "steward.consent"
    label = "consent"
    verbose_name = "Consent"
