"""The details of language an advisor notices (issue 20, point 10), each held by a test:
"dit tofaktor-login", the en dash in "Partshøring – af barnet", the law in force quoted alone for
a day after 2024, and dates in English order in the English interface. (No "---------" in a
select: tests/herning/test_no_dash_placeholders.py.)"""

from __future__ import annotations

import datetime

import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cases.models import JournalNote
from tests.followups.factories import start_measure
from tests.pages import with_folds


def test_the_second_factor_page_says_dit_tofaktor_login():
    request = RequestFactory().get("/")
    with translation.override("da"):
        html = render_to_string("accounts/otp_verify.html", {"form": None}, request=request)
    assert "dit tofaktor-login" in html and "din tofaktor" not in html


def test_the_hearing_headings_have_an_en_dash():
    with translation.override("da"):
        assert str(JournalNote.Heading.HEARING_CHILD.label) == "Partshøring – af barnet"
        assert str(JournalNote.Heading.HEARING_PARENTS.label) == "Partshøring – af forældre"


def test_english_dates_are_written_day_before_month():
    day = datetime.date(2026, 12, 3)
    with translation.override("en"):
        assert date_format(day, "l j F") == "Thursday 3 December"
        assert date_format(day, "DATE_FORMAT") == "3 December 2026"
    with translation.override("da"):
        assert date_format(day, "DATE_FORMAT") == "3. december 2026"


@time_machine.travel("2026-03-10 10:00 +01:00", tick=False)
def test_a_measure_after_2024_cites_barnets_lov_alone(org, login):
    new = start_measure(org, "preventive", datetime.date(2025, 6, 1))
    basis = new.legal_basis
    assert basis.sel_section and basis.bl_section, "the test needs a basis known under both laws"
    assert new.legal_basis_citation == f"BL {basis.bl_section}"
    old = start_measure(org, "preventive", datetime.date(2023, 6, 1))
    assert old.legal_basis_citation == f"SEL {basis.sel_section}"

    client = login(org.advisor)
    page = with_folds(client, reverse("cases:case_detail", args=[new.case_id]))
    assert f"BL {basis.bl_section}" in page and f"SEL {basis.sel_section} / " not in page
    # The form for a new measure offers each basis under the law of today.
    form = client.get(reverse("measures:measure_start", args=[new.case_id])).content.decode()
    assert f"{basis.title} (BL {basis.bl_section})" in form and " / BL " not in form
