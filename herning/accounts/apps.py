from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Login, logout, password reset and each role's start page."""

    name = "herning.accounts"
    label = "accounts"
    verbose_name = "Log ind"

    def ready(self) -> None:
        from herning.accounts import (
            checks,  # noqa: F401 - registers the deploy check on demo logins
            session_lifetime,  # noqa: F401 - stamps each login with its time
        )
