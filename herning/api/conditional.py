"""Optimistic locking for PATCH and PUT: ``ETag`` on reads, ``If-Match`` required on updates.

Two people editing the same record from an old copy must not overwrite each other silently: an
update whose ``If-Match`` no longer matches answers 412 and changes nothing.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response


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
    payload = json.dumps(data, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


class ConditionalUpdateMixin:
    """For ModelViewSets: adds ETag to retrieve and checks If-Match on update.

    The ETag is computed from what a read returns (``get_read_serializer``, by default the
    viewset's serializer), so an update whose input differs from its output still compares the
    representation the client read.
    """

    def get_read_serializer(self, *args, **kwargs):
        return self.get_serializer(*args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data)
        return response

    def update(self, request, *args, **kwargs):
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        with transaction.atomic():
            instance = self.get_object()
            type(instance).objects.select_for_update().filter(pk=instance.pk).exists()
            current = etag_for(self.get_read_serializer(instance).data)
            if if_match.strip() not in {current, "*"}:
                raise PreconditionFailed()
            serializer = self.get_serializer(
                instance, data=request.data, partial=kwargs.pop("partial", False)
            )
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        data = self.get_read_serializer(serializer.instance).data
        return Response(data, headers={"ETag": etag_for(data)})
