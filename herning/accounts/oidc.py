"""Single sign-on through the municipality's identity provider (OpenID Connect, off by default).

The provider says who the person is; Herning decides what they may do. Nobody is created on first
sign-on: the person must already exist in Herning, active, with the same e-mail address, and
their roles are given here. Settings and variables: ``.env.example`` and docs/access.md.
"""

from __future__ import annotations

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from herning.accounts.backends import signed_in_person
from herning.accounts.services import IDP_MFA_SESSION_KEY


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        # A service user is an integration, not a person: it never signs on.
        return super().filter_users_by_claims(claims).filter(is_active=True, is_service_user=False)

    def get_user(self, user_id):
        """The signed-in person of each request, as the password login's backend gives them
        (``signed_in_person``: one query), and nobody once deactivated or a service user. The
        library's own reads the person whatever their state, so a person deactivated after signing
        on kept their session until it timed out."""
        user = signed_in_person(user_id)
        return user if user is not None and user.is_active and not user.is_service_user else None

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and settings.OIDC_PROVIDES_MFA:
            # The provider enforces its own multi-factor login; Herning's TOTP step is not asked again.
            self.request.session[IDP_MFA_SESSION_KEY] = True
        return user
