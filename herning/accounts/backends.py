"""Logging in with a password, and the person each request reads."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.core.statements import kept


def signed_in_person(user_id):
    """The signed-in person of a request, in one query: with the municipality every page shows in
    its header, their roles (``StaffManager.signed_in``) and the keys of their confirmed
    authenticator apps, which the second factor's check compares with the device the session was
    verified with (``herning.accounts.middleware.OTPMiddleware``). None if there is nobody."""
    if not isinstance(user_id, int):
        try:
            user_id = int(user_id)  # as the session keeps it; a key that is no number is nobody
        except (TypeError, ValueError):
            return None
    return next(iter(_signed_in(user_id=user_id)), None)


@kept(bound=("user_id",))
def _signed_in(*, user_id: int):
    # Compiled once per process (herning.core.statements): every request reads its person.
    people = get_user_model()._default_manager.signed_in()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField

        # Written out, as the roles are (``organisation.models._role_rows_sql``): built and compiled
        # by the ORM on every request, this subquery cost more than reading it.
        apps = RawSQL(_confirmed_apps_sql(), (), output_field=ArrayField(BigIntegerField()))  # noqa: S611 - names from the models, no value
        people = people.annotate(confirmed_totp_ids=apps)
    # By key alone: ``first()`` would sort the one row by the model's ordering on every request.
    return people.filter(pk=user_id)


@functools.cache
def _confirmed_apps_sql() -> str:
    quote = connection.ops.quote_name
    device = TOTPDevice._meta
    user = get_user_model()._meta.db_table
    return (
        f"ARRAY(SELECT app.{quote(device.pk.column)} FROM {quote(device.db_table)} app "  # noqa: S608 - names from the models, no value
        f"WHERE app.{quote(device.get_field('user').column)} = {quote(user)}.{quote('id')} "
        f"AND app.{quote(device.get_field('confirmed').column)} ORDER BY app.{quote(device.pk.column)})"
    )


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
