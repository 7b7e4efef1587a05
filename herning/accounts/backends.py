"""Logging in with a password, and the person each request reads."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice


def signed_in_person(user_id):
    """The signed-in person of a request, in one query: with the municipality every page shows in
    its header, their roles (``StaffManager.signed_in``) and the keys of their confirmed
    authenticator apps, which the second factor's check compares with the device the session was
    verified with (``herning.accounts.middleware.OTPMiddleware``). None if there is nobody."""
    people = get_user_model()._default_manager.signed_in()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk").values("pk")
        people = people.annotate(confirmed_totp_ids=ArraySubquery(apps))
    try:
        # By key alone: ``first()`` would sort the one row by the model's ordering on every request.
        return people.get(pk=user_id)
    except people.model.DoesNotExist:
        return None


class StaffModelBackend(ModelBackend):
    """Django's password login, refused to a service user: an integration's identity reaches the
    API with its tokens only, never through a login page or a session (docs/access.md, "API
    tokens"), so a password somebody set on it opens nothing."""

    def get_user(self, user_id):
        """The signed-in person of each request (``signed_in_person``), nobody once inactive."""
        user = signed_in_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_service_user", False)
