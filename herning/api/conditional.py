"""Conditional requests: ``ETag`` on reads, ``If-Match`` required on updates, ``If-None-Match``.

Two people editing the same record from an old copy must not overwrite each other silently: an
update whose ``If-Match`` no longer matches answers 412 and changes nothing. The preconditions are
read as RFC 9110, section 13 says: a header holds ``*`` or a comma-separated list of entity tags;
``If-Match`` compares strongly (a weak ``W/`` tag never matches), ``If-None-Match`` weakly, and a
read whose ``If-None-Match`` matches answers 304 with the ETag and no body.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

READS = frozenset({"GET", "HEAD"})


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _(
        "Send headeren If-Match med den ETag, du læste, for at undgå at overskrive andres ændringer."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Posten er ændret, siden du læste den. Hent den igen, og prøv igen.")
    default_code = "precondition_failed"


def etag_for(data) -> str:
    """A strong ETag of a representation: the same data gives the same tag."""
    payload = json.dumps(data, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def _opaque(etag: str) -> str:
    return etag.removeprefix("W/")


def if_match_passes(header: str, current: str) -> bool:
    """RFC 9110, 13.1.1: ``*`` matches an existing record, otherwise one of the listed tags must
    equal the current one by strong comparison. A header holding no valid tag matches nothing."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return any(not tag.startswith("W/") and tag == current for tag in tags)


def if_none_match_matches(header: str, current: str) -> bool:
    """RFC 9110, 13.1.2: ``*`` matches an existing record, otherwise one of the listed tags must
    equal the current one by weak comparison (``W/`` ignored)."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return any(_opaque(tag) == _opaque(current) for tag in tags)


def check_preconditions(request, current: str) -> bool:
    """Evaluates ``If-Match`` and ``If-None-Match`` against the current ETag of an existing record
    in RFC 9110's order (13.2.2). Raises 412 when the method must not be performed; returns True
    when a read should answer 304 Not Modified."""
    if_match = request.headers.get("If-Match")
    if if_match is not None and not if_match_passes(if_match, current):
        raise PreconditionFailed()
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and if_none_match_matches(if_none_match, current):
        if request.method in READS:
            return True
        raise PreconditionFailed()
    return False


def conditional_read(request, data) -> Response:
    """The answer to a read of one record: the data with its ETag, 304 when the client's copy
    (``If-None-Match``) is current, 412 when ``If-Match`` names another version."""
    etag = etag_for(data)
    if check_preconditions(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag})


def with_etags(items):
    """Each item of a list with its ``etag``: the ETag a read of that item answers with, computed
    from the item's own representation (no query per item)."""
    for item in items:
        item["etag"] = etag_for(item)
    return items


class ConditionalUpdateMixin:
    """For ModelViewSets: adds ETag to retrieve and checks If-Match on update.

    The ETag is computed from what a read returns (``get_read_serializer``, by default the
    viewset's serializer), so an update whose input differs from its output still compares the
    representation the client read.
    """

    def get_read_serializer(self, *args, **kwargs):
        return self.get_serializer(*args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        # The read itself (and its access log entry) stays the base class's.
        response = super().retrieve(request, *args, **kwargs)
        return conditional_read(request, response.data) if response.status_code == 200 else response

    def get_locked_object(self):
        """The record as a read shows it, read again after its row is locked for this transaction.

        A copy read before the lock may already be stale when the lock is granted: a second writer
        waits here until the first has committed, and must compare its ``If-Match`` with what the
        first one wrote, not with what both read before. ``get_object`` finds the record (404
        outside ``visible_to``); the lock is taken on the row alone, because a read's queryset may
        hold outer joins and annotations that ``FOR UPDATE`` refuses; the second ``get_object``
        then reads the committed record with everything the read serializer shows."""
        found = self.get_object()
        rows = type(found)._base_manager.select_for_update().filter(pk=found.pk)
        list(rows.values_list("pk"))  # evaluated: the lock is taken here
        return self.get_object()

    def update(self, request, *args, **kwargs):
        if not request.headers.get("If-Match"):
            raise PreconditionRequired()
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_locked_object()
            check_preconditions(request, etag_for(self.get_read_serializer(instance).data))
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        data = self.get_read_serializer(serializer.instance).data
        return Response(data, headers={"ETag": etag_for(data)})
