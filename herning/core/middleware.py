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

CPR_VALUE = re.compile(r"^\s*\d{6}\s*-?\s*\d{4}\s*$")


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
    """Refuses a request whose address carries a CPR number as a parameter value.

    A CPR number in an address ends up in browser history, proxy logs and the web server's access
    log, none of which the CPR-safe log formatter reaches. Search forms that take a CPR number post
    it (``method="post"``); a form that sends it by GET is a defect, and this makes it visible at once
    instead of leaking quietly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(_is_cpr(value) for values in request.GET.lists() for value in values[1]):
            return HttpResponseBadRequest(
                render_to_string("core/cpr_in_address.html", request=request),
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)


def _is_cpr(value: str) -> bool:
    from herning.core import cpr

    if not CPR_VALUE.match(value):
        return False
    try:
        cpr.parse(value)
    except ValidationError:
        return False
    return True


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
