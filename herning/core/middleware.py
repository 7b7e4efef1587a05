import re
import time
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, ValidationError
from django.db import connections
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

# Ten digits, DDMMYY and SSSS, split by nothing, a dash or spaces; not part of a longer number.
CPR_IN_VALUE = re.compile(r"(?<!\d)(\d{6})\s*-?\s*(\d{4})(?!\d)")


class DanishFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Danish unless the person chose English with the language switcher (a cookie).

    A browser's Accept-Language is not enough to switch: many Danish offices run English browsers.
    The API follows Accept-Language, as integrators expect (docs/api.md).
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoCprInQueryStringMiddleware:
    """Refuses a request whose address carries a CPR number in a parameter, alone or inside other
    text (``?q=Anna+0102031234``).

    A CPR number in an address ends up in browser history, proxy logs and the web server's access
    log, none of which the CPR-safe log formatter reaches. Search forms that take a CPR number post
    it (``method="post"``); a form that sends it by GET is a defect, and this makes it visible at once
    instead of leaking quietly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(holds_cpr(text) for key, values in request.GET.lists() for text in (key, *values)):
            if request.path.startswith("/api/"):
                # An integration reads the API's one error format; the number is not echoed.
                from herning.api.problems import problem_response

                return problem_response(
                    400,
                    "cpr_in_query_string",
                    _(
                        "Et CPR-nummer må ikke stå i adressen. Send det i forespørgslens indhold, "
                        "fx POST /api/v1/children/lookup/."
                    ),
                )
            return HttpResponseBadRequest(
                render_to_string("core/cpr_in_address.html", request=request),
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)


def holds_cpr(text: str) -> bool:
    """Whether ``text`` (a decoded query value) holds a CPR number anywhere, alone or inside other
    text ("Anna 010203-1234"): ten digits that begin with a real date. Other numbers pass: a phone
    number, an id, ten digits that are no date. A birth date in the future counts too, since
    such a number is still someone's mistyped CPR number."""
    from herning.core import cpr

    for match in CPR_IN_VALUE.finditer(text):
        try:
            cpr.parse(match.group(1) + match.group(2), allow_future=True)
        except ValidationError:
            continue
        return True
    return False


class _QueryTimer:
    """Counts the queries of one request and the time spent in them (a database execute wrapper)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    """A ``Server-Timing`` header on every response: the time the application spent on the request
    (every middleware, the view and the template) and the time and number of its database queries.

    For the benchmark (``benchmarks/run_national.py``) and for profiling in a browser's developer
    tools. Off unless ``HERNING_SERVER_TIMING`` is set: exact timings let an outsider tell cheap
    answers from expensive ones, and the header costs nothing when the middleware is not loaded.
    """

    def __init__(self, get_response):
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        timer = _QueryTimer()
        started = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timer))
            response = self.get_response(request)
        total = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'app;dur={total:.1f};desc="application", db;dur={timer.seconds * 1000:.1f};desc="{timer.count} queries"'
        )
        return response
