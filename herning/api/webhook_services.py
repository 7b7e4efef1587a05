"""An integration's own webhooks: made, changed, deleted, given a new secret, tried with a test
event, and a given-up delivery sent again (docs/api.md, "Webhooks"). The API
(``herning.api.webhook_api``) calls these; the mechanism that sends is ``herning.api.webhooks``.

A webhook belongs to a token and carries what that token may read. So it is managed by whoever
holds the token (a read-write one: a read-only token reads its webhooks but changes nothing), or
by a system administrator of the token's municipality, who manages the token itself
(``herning.api.services``). Each change of what a webhook is (made, changed, new secret, deleted)
is an audit event, as a token's issue and revocation are: the webhook decides where the names of
changed records are sent. The secret is never in the event.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from herning.api import feed, webhooks
from herning.api.models import ApiToken, ChangeEvent, WebhookDelivery, WebhookSubscription
from herning.api.services import may_manage_tokens_of
from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event

UNSET = object()


def max_per_token() -> int:
    return getattr(settings, "WEBHOOK_MAX_PER_TOKEN", 10)


def _require(by, token: ApiToken) -> None:
    """The token's own user with a read-write token that still works, or a system administrator
    of the token's municipality."""
    if may_manage_tokens_of(by, token.user):
        return
    if by.pk != token.user_id:
        raise PermissionDenied(_("Kun tokenets egen integration kan ændre dets webhooks."))
    if token.read_only or not token.is_usable:
        raise PermissionDenied(_("Tokenet må kun læse."))


def _names(values, known, field: str, message: str) -> list[str]:
    """The distinct known names of ``values``, in their order; empty means all of them."""
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: ValidationError(_("Angiv en liste af navne."), code="invalid")})
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValidationError(
            {
                field: ValidationError(
                    message % {"names": ", ".join(unknown), "known": ", ".join(sorted(known))},
                    code="unknown",
                )
            }
        )
    return list(dict.fromkeys(values))


def clean_resources(values) -> list[str]:
    return _names(
        values, set(feed.resource_names()), "resources", _("Ukendt ressource: %(names)s. Kendte: %(known)s.")
    )


def clean_kinds(values) -> list[str]:
    return _names(
        values, set(ChangeEvent.Kind.values), "kinds", _("Ukendt hændelse: %(names)s. Kendte: %(known)s.")
    )


def clean_url(url: str) -> str:
    refusal = webhooks.address_refusal(url)
    if refusal is not None:
        raise ValidationError({"url": ValidationError(refusal, code="address_refused")})
    return url


def check_room(token: ApiToken) -> None:
    """The cap on one token's webhooks (``WEBHOOK_MAX_PER_TOKEN``)."""
    if WebhookSubscription.objects.filter(token=token).count() >= max_per_token():
        raise ValidationError(
            _("Tokenet har allerede %(count)d webhooks, det højeste antal. Slet en, før du opretter en ny.")
            % {"count": max_per_token()},
            code="too_many_webhooks",
        )


def clean_fields(data: dict) -> dict:
    """``url``, ``kinds`` and ``resources`` of ``data`` as the services take them, every field's
    refusal at once (the admin's form)."""
    errors, cleaned = {}, dict(data)
    for field, clean in (("url", clean_url), ("kinds", clean_kinds), ("resources", clean_resources)):
        if field in data:
            try:
                cleaned[field] = clean(data[field])
            except ValidationError as error:
                errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _record(*, by, subscription: WebhookSubscription, action: str, **extra) -> None:
    token = subscription.token
    record_access_event(
        kind=AuditEvent.Kind.WEBHOOK_CHANGE,
        actor=by,
        subject=token.user,
        reason=f"Webhook {action}: {subscription.url}",
        details={
            "action": action,
            "webhook_id": subscription.pk,
            "token_id": token.pk,
            "token_prefix": token.prefix,
            "url": subscription.url,
            "kinds": subscription.kinds,
            "resources": subscription.resources,
            "active": subscription.active,
            **extra,
        },
    )


def webhook_create(
    *, by, token: ApiToken, url: str, kinds=(), resources=(), active: bool = True
) -> tuple[WebhookSubscription, str]:
    """A new webhook of ``token``, from the feed's end on; returns it and its secret, which is
    shown to the integration this once (and again only when it is replaced)."""
    _require(by, token)
    clean_url(url)
    kinds, resources = clean_kinds(kinds), clean_resources(resources)
    with transaction.atomic():
        # The token's row locked: two creations at once cannot both pass the cap.
        ApiToken.objects.select_for_update().filter(pk=token.pk).first()
        check_room(token)
        subscription = webhooks.subscribe(
            token=token, url=url, kinds=kinds, resources=resources, active=active
        )
        subscription.full_clean(exclude=["secret", "cursor"])
        _record(by=by, subscription=subscription, action="created")
    return subscription, subscription.secret


def webhook_update(
    *, by, subscription: WebhookSubscription, url=UNSET, kinds=UNSET, resources=UNSET, active=UNSET
) -> WebhookSubscription:
    """Change what the webhook sends where; only the fields given. Its place in the feed stays."""
    _require(by, subscription.token)
    changed = {}
    if url is not UNSET and url != subscription.url:
        changed["url"] = clean_url(url)
    if kinds is not UNSET:
        changed["kinds"] = clean_kinds(kinds)
    if resources is not UNSET:
        changed["resources"] = clean_resources(resources)
    if active is not UNSET:
        changed["active"] = bool(active)
    changed = {name: value for name, value in changed.items() if getattr(subscription, name) != value}
    if not changed:
        return subscription
    before = {name: getattr(subscription, name) for name in changed}
    with transaction.atomic():
        for name, value in changed.items():
            setattr(subscription, name, value)
        subscription.full_clean(exclude=["secret", "cursor"])
        subscription.save(update_fields=[*changed, "updated_at"])
        _record(by=by, subscription=subscription, action="changed", before=before)
    return subscription


def webhook_delete(*, by, subscription: WebhookSubscription) -> None:
    """The webhook and its deliveries go; the audit event keeps that it was there, and where."""
    _require(by, subscription.token)
    with transaction.atomic():
        _record(by=by, subscription=subscription, action="deleted")
        subscription.delete()


def webhook_rotate_secret(*, by, subscription: WebhookSubscription) -> str:
    """A new secret; the old one signs nothing from now on (a delivery waiting for its next try is
    signed with the new one). Returns the secret, shown this once."""
    _require(by, subscription.token)
    with transaction.atomic():
        subscription.secret = webhooks.new_secret()
        subscription.save(update_fields=["secret", "updated_at"])
        _record(by=by, subscription=subscription, action="secret_rotated")
    return subscription.secret


def webhook_ping(*, by, subscription: WebhookSubscription) -> tuple[int | None, str]:
    """Send a signed test event now: the receiver's status (None without an answer) and error."""
    _require(by, subscription.token)
    return webhooks.ping(subscription)


def webhook_redeliver(*, by, delivery: WebhookDelivery) -> WebhookDelivery:
    """A given-up delivery sent again from the start (``herning.api.webhooks.redeliver``, as the
    admin's action does); only a dead one: a pending one is still being tried."""
    _require(by, delivery.subscription.token)
    if delivery.state != WebhookDelivery.State.DEAD:
        raise ValidationError(_("Kun en opgivet levering kan sendes igen."), code="not_dead")
    webhooks.redeliver(delivery)
    return delivery
