from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX_LENGTH = 8


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A scoped token for an integration, tied to a service user whose access it carries.

    Only a hash is stored; the key is shown once when the token is made. The first characters are
    kept in clear so a token can be found and named without revealing it.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Kun læse")
        READ_WRITE = "read_write", _("Læse og skrive")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("servicebruger"),
    )
    name = models.CharField(
        _("navn"), max_length=100, help_text=_("Hvad tokenet bruges til, fx 'DUBU-udtræk'.")
    )
    prefix = models.CharField(_("begyndelse"), max_length=TOKEN_PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("rettighed"), max_length=10, choices=Scope.choices, default=Scope.READ)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("udstedt af"),
        help_text=_(
            "Den systemadministrator, der udstedte tokenet (tom for tokens fra før dette blev gemt)."
        ),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("sidst brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("spærret"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def read_only(self) -> bool:
        return self.scope == self.Scope.READ

    @classmethod
    def issue(
        cls, *, user, name: str, read_only: bool, expires_at=None, issued_by=None
    ) -> tuple[ApiToken, str]:
        """Make a token; returns it and the key, which is never stored and cannot be shown again.

        The bare mechanism: who may be given a token, by whom, is ``herning.api.services``' rule."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:TOKEN_PREFIX_LENGTH],
            key_hash=hash_token(key),
            scope=cls.Scope.READ if read_only else cls.Scope.READ_WRITE,
            expires_at=expires_at,
            issued_by=issued_by,
        )
        return token, key

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class IdempotencyKey(models.Model):
    """The answer to a write sent with an ``Idempotency-Key`` header, kept for a day so a client
    that retries (a timeout, a lost connection) gets the same answer instead of a second write.

    One row per caller and key (the person, whether by token or session). Written in the same
    transaction as the write it answers, so a write that did not commit leaves no answer behind.
    The request is kept only as a hash (``fingerprint``): the body may hold a CPR number. The
    answer may show a child's data to the person who wrote it; rows older than a day are
    deleted each hour (``herning.api.tasks.purge_idempotency_keys``) and never read.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("bruger")
    )
    key = models.CharField(_("nøgle"), max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content = models.BinaryField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("oprettet"), db_index=True)

    class Meta:
        verbose_name = _("idempotensnøgle")
        verbose_name_plural = _("idempotensnøgler")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class CurrentTransactionId(models.Func):
    """The id of the writing transaction (PostgreSQL's ``txid_current()``, 64 bits, never wraps),
    the column default of ``ChangeEvent.txid``. SQLite has none: NULL there."""

    function = "txid_current"
    template = "%(function)s()"
    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class ChangeEvent(models.Model):
    """The outbox of the change feed (``/api/v1/changes/``) and the webhooks: one row per change
    to a resource of the API, written in the same transaction as the change (``herning.api.feed``),
    so a change that did not commit leaves no row and one that did always has its row.

    Holds only what changed (resource, id, kind, when), never the record's contents: no child's
    data, no CPR number. ``txid`` is the writing transaction's id (a column default on
    PostgreSQL): the feed serves a row only once every transaction that could still write a row
    before it has ended, and orders by (``txid``, ``id``); see ``herning.api.feed``.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("oprettet")
        UPDATED = "updated", _("ændret")
        DELETED = "deleted", _("slettet")

    id = models.BigAutoField(primary_key=True)
    resource = models.CharField(_("ressource"), max_length=40)
    object_id = models.CharField(_("id"), max_length=64)
    kind = models.CharField(_("art"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    txid = models.BigIntegerField(null=True, editable=False, db_default=CurrentTransactionId())
    # For a deletion, what the feed decides its visibility by, since the record is gone: the case
    # it belonged to (a plain id: the case may go too), and the users who could read it when it
    # went, where its case went with it (an erasure, ``herning.api.feed.deletions_readable_by``).
    case_id = models.BigIntegerField(null=True, blank=True, editable=False)
    readers = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("ændring")
        verbose_name_plural = _("ændringer")
        indexes = [
            models.Index(fields=["txid", "id"], name="changeevent_position"),
            models.Index(fields=["resource", "object_id", "-occurred_at"], name="changeevent_record"),
            models.Index(fields=["occurred_at"], name="changeevent_time"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.object_id} {self.kind}"


class WebhookSubscription(models.Model):
    """An integration's address for the change feed's events: each change the token's user may
    read is sent there as a POST, signed with ``secret`` (``herning.api.webhooks``)."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("API-token")
    )
    url = models.URLField(_("adresse"), max_length=500)
    secret = models.CharField(_("hemmelighed"), max_length=100, editable=False)
    # Empty: every kind.
    kinds = models.JSONField(_("hændelser"), default=list, blank=True)
    resources = models.JSONField(_("ressourcer"), default=list, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    # The feed's cursor of the last change passed on (``herning.api.webhooks.dispatch``): the
    # webhook reads the same feed as a client would, so it gets the same events in the same order.
    cursor = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    # Moves with what the integration set (address, filters, active, secret), not with the cursor:
    # ``dispatch`` saves the cursor alone (``update_fields``).
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: ChangeEvent) -> bool:
        return (not self.kinds or event.kind in self.kinds) and (
            not self.resources or event.resource in self.resources
        )


class WebhookDelivery(models.Model):
    """One event to one subscription: sent by a Celery task with retries; after
    ``WEBHOOK_MAX_ATTEMPTS`` failures it is ``dead`` (the dead-letter list, in the admin and on the
    token page) and can be sent again by hand."""

    class State(models.TextChoices):
        PENDING = "pending", _("venter")
        DELIVERED = "delivered", _("leveret")
        DEAD = "dead", _("opgivet")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.ForeignKey(
        ChangeEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("ændring")
    )
    state = models.CharField(_("tilstand"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_status = models.PositiveSmallIntegerField(_("sidste svar"), null=True, blank=True)
    last_error = models.CharField(_("sidste fejl"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("leveret"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook-levering")
        verbose_name_plural = _("webhook-leveringer")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} ← {self.event}"
