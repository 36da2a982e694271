from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff users, their roles, and the scoping rules derived from them."""

    name = "steward.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
