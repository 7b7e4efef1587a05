"""Issuing, rotating and revoking API tokens: the one rule, for the token page, the admin and the
command (docs/access.md, "API tokens").

A token is issued only for a **service user** (an integration's identity, which never logs in) of
the issuer's own municipality, by an active system administrator of that municipality. A person's
token cannot exist, so nobody can be given one that reads as someone else. Each issue, rotation
and revocation is an audit event with who, for whom and when; the key is returned once and only
its hash is kept.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from herning.api.models import ApiToken
from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event
from herning.organisation.admin_scope import is_system_administrator


def may_manage_tokens_of(by, user) -> bool:
    """Whether ``by`` may issue, rotate and revoke the tokens of ``user``."""
    return is_system_administrator(by) and by.municipality_id == user.municipality_id


def _require(by, user) -> None:
    if not may_manage_tokens_of(by, user):
        raise PermissionDenied(
            _("Kun en systemadministrator i servicebrugerens egen kommune kan håndtere dens tokens.")
        )


def _details(token: ApiToken) -> dict:
    return {
        "token_id": token.pk,
        "prefix": token.prefix,
        "name": token.name,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def issue_token(
    *, by, user, name: str, read_only: bool, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the service user ``user``; returns it and its key, shown once."""
    _require(by, user)
    if not user.is_service_user:
        raise ValidationError(
            {"user": _("API-tokens kan kun udstedes til servicebrugere, aldrig til en person.")}
        )
    if not user.is_active:
        raise ValidationError({"user": _("Servicebrugeren er deaktiveret.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Udløbet skal ligge i fremtiden.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv, hvad tokenet bruges til.")})
    with transaction.atomic():
        token, key = ApiToken.issue(
            user=user, name=name, read_only=read_only, expires_at=expires_at, issued_by=by
        )
        record_access_event(
            kind=AuditEvent.Kind.TOKEN_ISSUE,
            actor=by,
            subject=user,
            reason=f"API-token udstedt: {name}",
            details=_details(token),
        )
    return token, key


def rotate_token(*, by, token: ApiToken) -> tuple[ApiToken, str]:
    """Replace ``token`` by a new key with the same name, right and expiry; the old key stops at
    once. A revoked or expired token is not brought back: issue a new one, with its own decision."""
    _require(by, token.user)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not locked.is_usable:
            raise ValidationError(_("Tokenet er spærret eller udløbet og kan ikke fornyes; udsted et nyt."))
        locked.revoke()
        new, key = ApiToken.issue(
            user=token.user,
            name=token.name,
            read_only=token.read_only,
            expires_at=token.expires_at,
            issued_by=by,
        )
        record_access_event(
            kind=AuditEvent.Kind.TOKEN_ROTATE,
            actor=by,
            subject=token.user,
            reason=f"API-token fornyet: {token.name}",
            details={**_details(new), "replaces_token_id": token.pk, "replaces_prefix": token.prefix},
        )
    token.refresh_from_db()
    return new, key


def revoke_token(*, by, token: ApiToken) -> None:
    """Stop ``token`` at once; it is kept, revoked, so its use stays answerable."""
    _require(by, token.user)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoke()
        record_access_event(
            kind=AuditEvent.Kind.TOKEN_REVOKE,
            actor=by,
            subject=token.user,
            reason=f"API-token spærret: {token.name}",
            details=_details(locked),
        )
    token.refresh_from_db()
