"""Markup drawn in Python (the long tables of the overviews, the charts): ``format_html``'s result
at a fraction of its cost.

Django's ``format_html`` escapes each value through ``conditional_escape``, whose wrapper for lazy
strings inspects every argument of every call. The team overview draws some 300 rows of five
values and its three charts this way, and the wrapper and the escaping took 7 of the page's 50 ms
of CPU at national scale (benchmarks/RESULTS.md, findings of 5 December 2026). ``format_markup``
gives the same string: a value that is already markup (has ``__html__``, like a ``SafeString``)
goes in as it is; anything else, a lazy translation included, becomes its ``str`` escaped by the
standard library's ``html.escape``, which is what Django's ``escape`` calls.
``tests/herning/test_markup.py`` holds the two to the same output.

Foundation code: this module imports no domain app.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe


def escaped(value) -> str:
    """``value`` as markup: as it is when it is markup already, else its text escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_markup(pattern: str, *values) -> SafeString:
    """``pattern`` (markup with ``{}`` fields) filled with ``values`` escaped, as ``format_html``."""
    return mark_safe(pattern.format(*map(escaped, values)))  # noqa: S308 - every value is escaped


def join_markup(separator: str, pattern: str, rows: Iterable[tuple]) -> SafeString:
    """``pattern`` filled with each row of ``rows``, joined by ``separator``, as
    ``format_html_join``."""
    return mark_safe(  # noqa: S308 - every value is escaped
        escaped(separator).join(pattern.format(*map(escaped, row)) for row in rows)
    )
