"""One error format for the whole API: 4xx with a message per field, in the request's language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError becomes a 400 with the same per-field messages."""
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [
                str(m) for e in errors for m in e.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = {"non_field_errors": [str(m) for m in exc.messages]}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # The refusal's reason (a write rule's sentence, ``cases.permissions.Refused``) is the
        # 403's detail; a bare PermissionDenied keeps DRF's generic sentence.
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
