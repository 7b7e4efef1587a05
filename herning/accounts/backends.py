"""Logging in with a password."""

from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    """Django's password login, refused to a service user: an integration's identity reaches the
    API with its tokens only, never through a login page or a session (docs/access.md, "API
    tokens"), so a password somebody set on it opens nothing."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_service_user", False)
