"""The API's one error format: problem details (RFC 9457), ``application/problem+json``.

Every error of ``/api/`` answers with the same object, whether DRF, a service, a precondition, the
idempotency machinery or a middleware in front of the views refused the request::

    {"type": "about:blank", "title": "Ugyldig anmodning", "status": 400,
     "detail": "Dette felt er påkrævet.", "code": "invalid",
     "errors": [{"field": "last_name", "pointer": "#/last_name", "in": "body",
                 "code": "required", "message": "Dette felt er påkrævet."}]}

* ``code`` is stable (an integration branches on it, never on the words); ``title`` and ``detail``
  are in the request's language (``Accept-Language``, ``DanishFirstLocaleMiddleware``).
* ``errors`` names each field that was refused: ``field`` (dotted for nested fields, null for the
  request as a whole), ``in`` (``body``, ``query`` or ``header``), ``pointer`` (RFC 6901, into the
  JSON body; body errors only), the field error's own ``code`` and its ``message``.
* ``type`` is ``about:blank``: the status and ``code`` say what kind of problem it is (RFC 9457,
  section 4.2.1).

``problem_body`` builds the object; ``problem_response`` answers it from outside DRF (middleware,
Django's 404/500 handlers); ``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) answers
every exception of a DRF view with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

MEDIA_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"
# Validation errors of these names concern a header, not the body (``herning.api.idempotency``).
HEADER_FIELDS = frozenset({"Idempotency-Key", "If-Match", "If-None-Match"})

# The status's title in the request's language (RFC 9457, 3.1.4: the same for every problem of a
# status; what happened is in ``detail`` and ``code``).
TITLES = {
    400: gettext_lazy("Ugyldig anmodning"),
    401: gettext_lazy("Ikke logget ind"),
    403: gettext_lazy("Ingen adgang"),
    404: gettext_lazy("Findes ikke"),
    405: gettext_lazy("Metoden er ikke tilladt"),
    406: gettext_lazy("Formatet kan ikke leveres"),
    409: gettext_lazy("Konflikt"),
    412: gettext_lazy("Forudsætningen holder ikke"),
    413: gettext_lazy("Anmodningen er for stor"),
    415: gettext_lazy("Indholdstypen understøttes ikke"),
    422: gettext_lazy("Anmodningen kan ikke behandles"),
    428: gettext_lazy("Forudsætning påkrævet"),
    429: gettext_lazy("For mange anmodninger"),
    500: gettext_lazy("Serverfejl"),
}


class ProblemJSONRenderer(JSONRenderer):
    """JSON, sent as ``application/problem+json``."""

    media_type = MEDIA_TYPE


def title_for(status_code: int) -> str:
    title = TITLES.get(status_code)
    if title is not None:
        return str(title)
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return str(status_code)


def problem_body(
    status_code: int,
    code: str,
    detail: str,
    *,
    errors: list[dict] | None = None,
) -> dict:
    """The problem object (one builder for every error the API answers)."""
    body = {
        "type": "about:blank",
        "title": title_for(status_code),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    body["errors"] = errors or []
    return body


def answer_as_problem(request) -> None:
    """The answer to ``request`` is a problem object: sent as ``application/problem+json``,
    whatever the client asked for (``Accept: application/json``, the browsable API's HTML, or a
    type the view cannot give at all, 406)."""
    request.accepted_renderer = ProblemJSONRenderer()
    request.accepted_media_type = MEDIA_TYPE


def problem_response(status_code: int, code: str, detail: str, *, errors=None, headers=None) -> JsonResponse:
    """A problem answered from outside a DRF view (middleware, Django's error handlers)."""
    response = JsonResponse(
        problem_body(status_code, code, detail, errors=errors),
        status=status_code,
        content_type=MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_error(field: str | None, code: str, message: str, *, location: str = "body") -> dict:
    """One entry of ``errors``."""
    entry = {"field": field, "in": location}
    if location == "body":
        entry["pointer"] = (
            "#"
            if field is None
            else "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in field.split("."))
        )
    entry["code"] = code
    entry["message"] = str(message)
    return entry


def _walk(detail, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str, str]]:
    """(path, code, message) for each message of a DRF ValidationError's detail."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            yield from _walk(value, path if key == NON_FIELD else (*path, str(key)))
    elif isinstance(detail, list | tuple):
        # A list of messages belongs to ``path``; a list of objects (a nested ``many``) gives each
        # its index, skipping the ones without errors (DRF writes ``{}`` for those).
        for index, value in enumerate(detail):
            if isinstance(value, Mapping | list | tuple):
                yield from _walk(value, (*path, str(index)))
            else:
                yield from _walk(value, path)
    else:
        yield path, getattr(detail, "code", None) or "invalid", str(detail)


def validation_errors(detail, *, location: str = "body") -> list[dict]:
    errors = []
    for path, code, message in _walk(detail, ()):
        field = ".".join(path) if path else None
        where = "header" if field in HEADER_FIELDS else location
        errors.append(field_error(field, code, message, location=where))
    return errors


def _validation_detail(errors: list[dict]) -> str:
    if len(errors) == 1:
        return errors[0]["message"]
    return ngettext(
        "Anmodningen har %(count)d fejl; se errors.",
        "Anmodningen har %(count)d fejl; se errors.",
        len(errors),
    ) % {"count": len(errors)}


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError becomes a 400 with the same per-field messages and codes."""

    def details(error_list):
        return [
            exceptions.ErrorDetail(str(message), code=error.code or "invalid")
            for error in error_list
            for message in error.messages
        ]

    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD if field == "__all__" else field): details(errors)
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = {NON_FIELD: details(exc.error_list)}
    return exceptions.ValidationError(detail)


def _as_api_exception(exc):
    if isinstance(exc, DjangoValidationError):
        return _django_validation_to_drf(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        # The refusal's reason (a write rule's sentence, ``cases.permissions.Refused``) is the
        # 403's detail; a bare PermissionDenied keeps DRF's generic sentence.
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def exception_body(exc: exceptions.APIException, status_code: int, request=None) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        location = "query" if request is not None and request.method in ("GET", "HEAD") else "body"
        errors = validation_errors(exc.detail, location=location)
        return problem_body(status_code, "invalid", _validation_detail(errors), errors=errors)
    detail = exc.detail
    if isinstance(detail, list | Mapping):  # an APIException raised with a structure: its messages
        messages = [message for _path, _code, message in _walk(detail, ())]
        return problem_body(status_code, exc.default_code, " ".join(messages))
    return problem_body(status_code, getattr(detail, "code", None) or exc.default_code, str(detail))


def exception_handler(exc, context):
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: every exception DRF knows as a problem; anything
    else is left to Django (a 500, answered as a problem by ``server_error`` under ``/api/``)."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    response.data = exception_body(exc, response.status_code, request)
    if request is not None:
        answer_as_problem(request)
    return response


def page_not_found(request, exception):
    """``handler404``: an address under ``/api/`` that names no resource is a problem too."""
    if request.path.startswith("/api/"):
        return problem_response(404, "not_found", str(exceptions.NotFound.default_detail))
    from django.views import defaults

    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: under ``/api/`` a problem object, elsewhere the page."""
    if request.path.startswith("/api/"):
        return problem_response(
            500, "server_error", _("Der skete en fejl på serveren. Fejlen er logget; prøv igen senere.")
        )
    from django.views import defaults

    return defaults.server_error(request)
