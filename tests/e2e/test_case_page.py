"""The child page in a browser at 1366×768 (issue 20, point 1), for the demo's busiest child: the
summary is entirely on the first screen with room to spare, the page is at most three screens
tall, the history and the timeline arrive when opened, the journal turns its pages in place, and
axe-core finds nothing serious in any of these states. (No screenshots: docs/screenshots are
refreshed elsewhere.)"""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from cases.models import Case
from tests.e2e.conftest import FIXED_NOW, axe_violations, format_violations

pytestmark = pytest.mark.slow

SCREEN = {"width": 1366, "height": 768}
# The summary ends this far down at most: on the first screen with room to spare (it ends about
# 610 px down for the busiest demo child), so that a line more does not push it off unnoticed.
SUMMARY_BOTTOM = 700


def busiest_demo_case() -> Case:
    """The demo's case with the most journal notes and measures: the longest child page."""
    return (
        Case.objects.for_system()
        .annotate(
            notes=Count("journal_notes", distinct=True),
            measure_count=Count("measures", distinct=True),
        )
        .select_related("child", "advisor")
        .order_by("-notes", "-measure_count", "pk")
        .first()
    )


@pytest.fixture
def demo(shipped_data):
    # A fixed day (the clock runs on from it), so the demo is the same on every run.
    with time_machine.travel(FIXED_NOW, tick=True):
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
        yield busiest_demo_case()


def assert_clean(page, state: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core, {state}:\n{format_violations(violations)}"


def test_the_busiest_demo_child_fits_the_first_screen_and_three_screens(browsing, demo):
    case = demo
    assert Case.objects.for_system().filter(pk=case.pk).annotate(n=Count("journal_notes")).get().n > 10
    page = browsing.as_user(case.advisor)
    page.set_viewport_size(SCREEN)
    page.goto(f"/boern/{case.child_id}/")

    summary = page.locator("#overblik")
    box = summary.bounding_box()
    assert page.evaluate("() => window.scrollY") == 0
    bottom = box["y"] + box["height"]
    assert box["y"] >= 0 and bottom <= SUMMARY_BOTTOM, f"the summary ends {bottom:.0f} px down: {box}"
    for text in (
        "Trin",
        "Aktiv indsats",
        "Næste kommunale frist",
        "Næste lovpligtige frist",
        "Afventer godkendelse",
    ):
        assert text in summary.inner_text()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 3 * SCREEN["height"], f"the page is {height}px tall"
    assert_clean(page, "the page as it opens")

    # The history and the timeline are read when opened (HTMX), not before.
    header_menus = page.locator("header").get_by_text("Mere", exact=True).count()
    for key in ("history", "timeline"):
        fold = page.locator(f"#{key} details")
        assert fold.locator("table, ol").count() == 0
        with page.expect_response(lambda r, key=key: r.request.headers.get("hx-request") == "true"):
            fold.locator("summary").click()
        fold.locator("table, ol.timeline").first.wait_for()

    # The journal: ten notes, folded, newest first; the next page in place.
    journal = page.locator("#journal-panel")
    notes = journal.locator("details.journal-note")
    assert notes.count() == 10
    first_page = notes.first.locator("summary").inner_text()
    notes.first.locator("summary").click()
    notes.nth(1).locator("summary").click()
    assert journal.locator("details.journal-note[open]").count() == 1  # one note open at a time
    journal.get_by_role("link", name="Ældre notater").click()
    page.locator("#journal-panel", has_text="Side 2 af").wait_for()
    assert (
        page.locator("#journal-panel details.journal-note").first.locator("summary").inner_text()
        != first_page
    )
    assert page.url.endswith(f"/boern/{case.child_id}/")
    # A part loaded by HTMX does not set the header's navigation up again (one "Mere" menu).
    assert page.locator("header").get_by_text("Mere", exact=True).count() == header_menus

    # The ladder's move says what it will record; the fold is read when opened, like every fold.
    moves = page.locator("#ladder").get_by_role("link", name="Registrér flytning fra trin")
    assert moves.count() == 0
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.locator("#ladder summary").click()
    moves.first.wait_for()
    assert moves.count() >= 1
    assert_clean(page, "with the history, the timeline, the ladder and a journal note open")
    assert not browsing.problems, browsing.problems
