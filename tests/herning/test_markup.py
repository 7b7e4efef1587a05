"""``herning.core.markup`` gives what ``format_html`` and ``format_html_join`` give, for every kind
of value the tables and charts pass (``herning/core/markup.py`` says why it exists)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from herning.core.markup import escaped, format_markup, join_markup


class Named:
    """A record whose text is hostile, as a model's ``__str__`` can be."""

    def __str__(self) -> str:
        return "<b>Ærø</b> & 'Søn' \"A/S\""


VALUES = [
    "plain",
    "<script>alert('x')</script> & \"quotes\"",
    "Æbleø å",
    "",
    mark_safe('<span class="badge">ok</span>'),
    SafeString("<em>safe</em>"),
    gettext_lazy("Overskredet"),
    mark_safe(gettext_lazy("Overskredet")),  # noqa: S308 - a constant, to compare the escaping
    None,
    0,
    42,
    -3.25,
    Decimal("1234.50"),
    datetime.date(2026, 12, 5),
    Named(),
]


def test_each_value_is_escaped_as_format_html_escapes_it():
    for lang in ("da", "en"):
        with override(lang):
            for value in VALUES:
                expected = format_html("<td>{}</td>", value)
                got = format_markup("<td>{}</td>", value)
                assert got == expected and isinstance(got, SafeString), repr(value)
                assert escaped(value) == format_html("{}", value)


def test_a_row_of_many_values_and_a_joined_list_read_as_djangos():
    pattern = '<tr><th><a href="{}">{}</a></th><td class="{}">{}</td><td>{}</td></tr>'
    row = ("/sager/1/?a=1&b=2", Named(), "nowrap", VALUES[1], VALUES[4])
    assert format_markup(pattern, *row) == format_html(pattern, *row)
    rows = [(v, v) for v in VALUES]
    assert join_markup("\n", "<li>{} {}</li>", rows) == format_html_join("\n", "<li>{} {}</li>", rows)
    assert join_markup(" & ", "{}", [("a",), ("b",)]) == format_html_join(" & ", "{}", [("a",), ("b",)])
    assert "<b>" not in format_markup("{}", Named()) and "&lt;b&gt;" in format_markup("{}", Named())
