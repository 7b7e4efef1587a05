import re

from django.conf import settings
from django.core.exceptions import ValidationError
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
    from cases import cpr

    if not CPR_VALUE.match(value):
        return False
    try:
        cpr.parse(value)
    except ValidationError:
        return False
    return True
