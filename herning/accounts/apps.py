from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Login, logout, password reset and each role's start page."""

    name = "herning.accounts"
    label = "accounts"
    verbose_name = "Log ind"
