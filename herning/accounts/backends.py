"""Logging in with a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    """Django's password login, refused to a service user: an integration's identity reaches the
    API with its tokens only, never through a login page or a session (docs/access.md, "API
    tokens"), so a password somebody set on it opens nothing."""

    def get_user(self, user_id):
        """The signed-in person of each request, with their municipality, which every page shows in
        its header: one query, not two."""
        try:
            user = get_user_model()._default_manager.select_related("municipality").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_service_user", False)
