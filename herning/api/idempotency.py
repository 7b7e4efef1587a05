"""Retries do not duplicate: the ``Idempotency-Key`` header on every POST of ``/api/v1/``.

A client that sends a write and hears nothing back (a timeout, a dropped connection) cannot know
whether it was done. Sent with a key of its choosing (IETF draft "The Idempotency-Key HTTP Header
Field"), the write may be sent again: the first answer is kept for a day (``IdempotencyKey``) and
a repeat with the same key and the same request gets that answer, without writing again.

* The key belongs to the caller (the person behind the token or the session): another person's
  same key is another key.
* The request and its answer are kept in the transaction of the write: a write that rolls back
  leaves no answer behind, and a kept answer always belongs to a write that committed.
* Only a 2xx answer is kept. A refusal (400, 403, 404, 409, ...) wrote nothing, so sending it again
  is harmless, and it may be answered differently once the cause is put right (the client may
  also correct its body under the same key).
* While the first request with a key runs, another with the same key answers 409 at once (a
  transaction-scoped advisory lock in PostgreSQL, held until the first commits or rolls back).
* The same key with another request (method, path or body) answers 422: the key was used for
  something else, and repeating that answer would be wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from herning.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = datetime.timedelta(hours=24)
# Visible ASCII without the quote and the backslash, as the draft's Structured Field string holds
# them; a UUID is the usual key.
KEY_PATTERN = re.compile(r"[!#-\[\]-~]{1,255}")
# The headers of the first answer a repeat gets back with it.
KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag", "Location")


class KeyInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "En anmodning med samme Idempotency-Key er i gang. Vent på svaret på den, og prøv så igen."
    )
    default_code = "idempotency_key_in_use"


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "Denne Idempotency-Key er brugt til en anden anmodning inden for det sidste døgn. "
        "Brug en ny nøgle til en ny anmodning."
    )
    default_code = "idempotency_key_reused"


class _Replay(Exception):
    """Raised once the request is known to repeat a kept one: its answer is sent instead."""

    def __init__(self, kept: IdempotencyKey):
        self.kept = kept


def parse_key(value: str) -> str:
    """The key of the header, in or without the draft's quotes; 400 at the header otherwise."""
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            {HEADER: [_('Idempotency-Key skal være 1-255 synlige ASCII-tegn (fx et UUID), uden " og \\.')]},
            code="idempotency_key_invalid",
        )
    return key


def _canonical(value):
    """The request's data in a form that is the same for the same request: a multipart body is
    sent with a new boundary each time, and a JSON body may order its keys differently."""
    if hasattr(value, "lists"):  # a QueryDict (form or multipart data, files included)
        return {k: [_canonical(v) for v in vs] for k, vs in value.lists()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return value


def fingerprint(request) -> str:
    payload = json.dumps(
        [request.method, request.get_full_path(), _canonical(request.data)], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def lock_id(user_id: int, key: str) -> int:
    """The advisory lock of a caller's key (a signed 64-bit number, as PostgreSQL takes it)."""
    digest = hashlib.sha256(f"idempotency:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(user_id: int, key: str) -> bool:
    """Take the key for this transaction; False when another transaction has it."""
    if connection.vendor != "postgresql":
        # The embedded development database (SQLite, `make run`) lets one transaction write at a
        # time; the unique (user, key) row is what keeps a second answer out there.
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(user_id, key)])
        return cursor.fetchone()[0]


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Deletes the answers older than a day (never read again); returns how many."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotentMixin:
    """For every view of ``/api/v1/`` that takes a POST (``tests/api/test_idempotency.py`` checks
    each): a POST with ``Idempotency-Key`` runs in one transaction with its kept answer."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST" or HEADER not in request.headers:
            return super().dispatch(request, *args, **kwargs)
        self._idempotency = None
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            pending = self._idempotency
            if pending is not None and status.is_success(response.status_code):
                self._keep(pending, response)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST" or HEADER not in request.headers:
            return
        user = request.user
        if not user.is_authenticated:  # the view lets anyone in: there is no caller to key by
            return
        key = parse_key(request.headers[HEADER])
        if not _lock(user.pk, key):
            raise KeyInUse()
        request_print = fingerprint(request)
        kept = IdempotencyKey.objects.filter(user=user, key=key).first()
        if kept is not None:
            if kept.created_at >= timezone.now() - KEPT_FOR:
                if kept.fingerprint != request_print:
                    raise KeyReused()
                raise _Replay(kept)
            kept.delete()  # expired, and not yet purged: the key is free again
        self._idempotency = (user, key, request_print)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            kept = exc.kept
            response = HttpResponse(bytes(kept.content), status=kept.status)
            for name, value in kept.headers.items():
                response[name] = value
            response[REPLAYED_HEADER] = "true"
            return response
        return super().handle_exception(exc)

    def _keep(self, pending, response) -> None:
        user, key, request_print = pending
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        IdempotencyKey.objects.create(
            user=user,
            key=key,
            method=self.request.method,
            path=self.request.get_full_path()[:2000],
            fingerprint=request_print,
            status=response.status_code,
            content=response.content,
            headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            created_at=timezone.now(),
        )
