from __future__ import annotations

import hmac
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from herning.api.models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token
from herning.api.throttling import count_refused_credentials
from herning.core.statements import kept
from herning.organisation.models import role_rows


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``) for integrations."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode().lower() not in self.keywords:
            return None
        if len(header) != 2:
            count_refused_credentials(request)
            raise exceptions.AuthenticationFailed(
                _("Ugyldig Authorization-header: forventer 'Bearer <token>'.")
            )
        key = header[1].decode(errors="replace")
        digest = hash_token(key)
        now = timezone.now()
        for token in _usable_tokens(prefix=key[:TOKEN_PREFIX_LENGTH], now=now):
            if hmac.compare_digest(token.key_hash, digest):
                if hasattr(token, "role_rows"):
                    token.user.role_rows = token.role_rows
                # Write the last use at most once a minute: a busy integration must not turn
                # every read into a write.
                if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
                    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
                return token.user, token
        # Guessing tokens is limited like any anonymous request (herning.api.throttling).
        count_refused_credentials(request)
        raise exceptions.AuthenticationFailed(_("Ukendt, udløbet eller spærret token."))

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


@kept(bound=("prefix", "now"))
def _usable_tokens(*, prefix: str, now):
    # Compiled once per process (herning.core.statements): every API request reads its token.
    tokens = ApiToken.objects.usable(now=now).filter(prefix=prefix).select_related("user")
    if connection.vendor == "postgresql":
        # The service user's roles in the same query, as a signed-in person's are: every
        # request asks for them (who may read what), and they were a query of their own.
        tokens = tokens.annotate(role_rows=role_rows())
    return tokens
