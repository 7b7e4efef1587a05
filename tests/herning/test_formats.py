"""Dates are written the way each language writes them: the templates use named formats."""

import datetime

from django.template import Context, Template
from django.utils import translation

DAY = datetime.date(2026, 1, 5)


def render(language: str) -> str:
    with translation.override(language):
        return Template('{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"d": DAY})
        )


def test_danish_dates():
    assert render("da") == "5. januar 2026|05.01.2026"


def test_english_dates_put_the_day_first():
    assert render("en") == "5 January 2026|05/01/2026"
