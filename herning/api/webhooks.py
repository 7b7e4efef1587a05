"""Webhooks: the change feed pushed to an integration's address (docs/api.md, "Webhooks").

A subscription belongs to a token and reads the feed as that token would (``herning.api.feed``,
same visibility, same order, its own cursor): ``dispatch`` (every few seconds, Celery beat) turns
the new changes into deliveries, and ``deliver`` (a Celery task per delivery) POSTs each with its
signature, retried with a growing pause; after ``WEBHOOK_MAX_ATTEMPTS`` failures a delivery is
``dead`` (the dead-letter list on the token page and in the admin) and can be sent again by hand.

The body holds what the feed holds (resource, id, kind, time), never a child's data: the receiver
reads the record through the API, where the read is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from herning.api import feed
from herning.api.models import ApiToken, ChangeEvent, WebhookDelivery, WebhookSubscription

SIGNATURE_HEADER = "Herning-Signature"
TIMEOUT_SECONDS = 10
# A ping is answered to the integration while it waits: a shorter wait than a delivery's.
PING_TIMEOUT_SECONDS = 5


def max_attempts() -> int:
    return getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8)


def backoff_seconds(attempts: int) -> int:
    """The pause after the ``attempts``-th failure: 30 s, 1 min, 2 min, … at most 6 hours."""
    return min(30 * 2 ** (attempts - 1), 6 * 3600)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def subscribe(
    *, token: ApiToken, url: str, kinds=(), resources=(), active: bool = True
) -> WebhookSubscription:
    """A new subscription starts at the feed's end: it gets the changes from now on."""
    return WebhookSubscription.objects.create(
        token=token,
        url=url,
        secret=new_secret(),
        kinds=list(kinds),
        resources=list(resources),
        active=active,
        cursor=feed.head(),
    )


def allows_local() -> bool:
    return getattr(settings, "WEBHOOK_ALLOW_LOCAL", False)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_refusal(url: str) -> str | None:
    """Why the server must not send to ``url``, or None. Unless ``WEBHOOK_ALLOW_LOCAL``: https
    only, and every address the host name resolves to is public, so a webhook cannot make the
    server call this machine, its private network or a cloud's metadata address (SSRF). Asked when
    a webhook is saved and again before each send, since a name may resolve elsewhere later."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Adressen skal være en fuld https-adresse.")
    if allows_local():
        return None
    if parts.scheme != "https":
        return _("Adressen skal bruge https.")
    try:
        port = parts.port or 443
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return _("Værtsnavnet i adressen kan ikke slås op.")
    if not found or not all(_public(info[4][0]) for info in found):
        return _("Adressen peger på en lokal eller privat netværksadresse; brug en offentlig adresse.")
    return None


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, as the receiver checks it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (docs/api.md shows it standalone): the signature matches and is recent."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), f"t={timestamp},v1={parts.get('v1', '')}")


def payload(event: ChangeEvent) -> dict:
    return {
        "cursor": feed.encode_cursor(event.txid, event.id),
        "resource": event.resource,
        "id": event.object_id,
        "kind": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
    }


def dispatch(*, batch: int = 200) -> int:
    """Turn the feed's new changes into deliveries, per active subscription whose token still
    works; queue each. Returns the number of deliveries made."""
    made = 0
    for pk in WebhookSubscription.objects.filter(active=True).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked: two dispatchers at once never pass the same change on twice.
            sub = (
                WebhookSubscription.objects.select_for_update(skip_locked=True)
                .select_related("token__user")
                .filter(pk=pk, token__in=ApiToken.objects.usable())
                .first()
            )
            if sub is None:
                continue
            page = feed.read(sub.token.user, sub.cursor, limit=batch, resources=set(sub.resources) or None)
            deliveries = WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(subscription=sub, event=event) for event in page.events if sub.wants(event)]
            )
            sub.cursor = page.cursor
            sub.save(update_fields=["cursor"])
            ids = [delivery.pk for delivery in deliveries]
            transaction.on_commit(lambda ids=ids: [deliver_task().delay(pk) for pk in ids])
            made += len(ids)
    return made


def deliver_task():
    from herning.api.tasks import deliver_webhook

    return deliver_webhook


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead to an address ``address_refusal`` refuses): the
    3xx is the receiver's answer, and not a 2xx."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def send(url: str, secret: str, body: dict, *, timeout: int = TIMEOUT_SECONDS) -> tuple[int | None, str]:
    """POST ``body`` signed with ``secret``: the receiver's status (None without an answer) and
    the error, empty when it answered."""
    refusal = address_refusal(url)
    if refusal is not None:
        return None, refusal
    data = json.dumps(body, separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 - address_refusal allowed the scheme and host
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Herning-Webhooks/1",
            SIGNATURE_HEADER: sign(secret, data, int(time.time())),
        },
    )
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, str(error.reason)[:300]
    except (OSError, ValueError) as error:
        return None, str(error)[:300]


def answered(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def ping_payload(subscription: WebhookSubscription) -> dict:
    """A test event in the shape of a feed entry: ``kind`` ``ping``, the webhook's own id, and no
    cursor (it is not in the feed)."""
    return {
        "cursor": None,
        "resource": "webhook",
        "id": str(subscription.pk),
        "kind": "ping",
        "occurred_at": timezone.now().isoformat(),
    }


def ping(subscription: WebhookSubscription) -> tuple[int | None, str]:
    """Send the test event now, once, and say how the receiver answered; nothing is recorded."""
    return send(
        subscription.url, subscription.secret, ping_payload(subscription), timeout=PING_TIMEOUT_SECONDS
    )


def attempt(delivery: WebhookDelivery) -> bool:
    """Send one delivery once; records the outcome. True when the receiver answered 2xx."""
    sub = delivery.subscription
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = send(sub.url, sub.secret, payload(delivery.event))
    ok = answered(delivery.last_status)
    if ok:
        delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, timezone.now()
    elif delivery.attempts >= max_attempts():
        delivery.state = WebhookDelivery.State.DEAD
    delivery.save(update_fields=["attempts", "last_status", "last_error", "state", "delivered_at"])
    return ok


def redeliver(delivery: WebhookDelivery) -> None:
    """A dead delivery sent again from the start (by hand, once the receiver is fixed)."""
    delivery.state, delivery.attempts = WebhookDelivery.State.PENDING, 0
    delivery.save(update_fields=["state", "attempts"])
    transaction.on_commit(lambda: deliver_task().delay(delivery.pk))
