"""Issue 11 point 1: the Herning story walked through the pages in a real browser.

A case administrator registers a notification; the duty advisor makes the 24-hour assessment; the
team leader assigns the new case; the advisor (logged in with the second factor) opens an
investigation and draws the child's network map, starts a measure, reads its follow-up schedule
with the explanations, records a follow-up with a child conversation and a goal review, and finds
the next deadline on "Min dag". The team leader tries to give the advisor a 26th case, is refused,
overrides with a reason and sees the override on the team overview. A network meeting is planned,
its invitation printed as PDF and its minutes with agreements recorded.

Only the starting point is made directly: the municipality and its people, and the 24 cases the
advisor already holds. Every step of the story is a person using the pages. Each main page is
photographed into ``docs/screenshots/`` and checked with axe-core on the way (point 2).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.dashboards.factories import give_cases
from tests.e2e.conftest import SCREENSHOTS, check_page
from tests.factories import cpr_for, measure_type

pytestmark = pytest.mark.slow

CHILD_CPR = cpr_for(datetime.date(2015, 3, 14), 7)


def main(page):
    return page.locator("main")


def submit(page, name: str):
    """Press the button called ``name`` in the page's main content (the header's language and
    logout forms have buttons too) and wait for the answer."""
    main(page).get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def expect_text(page, text: str):
    from playwright.sync_api import expect

    expect(main(page)).to_contain_text(text)


def test_the_herning_story_in_the_browser(browsing, org, shipped_data):
    today = timezone.localdate()
    give_cases(org.advisor, org.team_a, 23)

    # --- The case administrator registers a notification of a child the municipality does not know.
    sec = browsing.as_user(org.case_admin)
    sec.goto("/underretninger/")
    form = main(sec)
    form.get_by_label("CPR-nummer").fill(f"{CHILD_CPR[:6]}-{CHILD_CPR[6:]}")
    form.get_by_label("Barnets fornavn").fill("Maja")
    form.get_by_label("Barnets efternavn").fill("Lund")
    form.locator("#id_district").select_option(label="Distrikt A")
    received = timezone.localtime() - datetime.timedelta(hours=1)
    form.get_by_label("Modtaget dato").fill(received.date().isoformat())
    form.get_by_label("Modtaget klokken").fill(f"{received:%H:%M}")
    form.get_by_label("Fagperson").check()
    form.get_by_label("Underretters navn").fill("Per Olsen")
    form.get_by_label("Underretters arbejdssted").fill("Sunds Skole")
    form.get_by_label("Bekymring").fill("Maja har ikke været i skole i tre uger og virker trist.")
    check_page(sec, "underretning", browsing=browsing)
    submit(sec, "Registrér og send til vagten")
    expect_text(sec, "Underretningen er registreret")

    # --- The duty advisor of the district makes the 24-hour assessment.
    duty = browsing.as_user(org.duty_advisor)
    duty.goto("/vagt/")
    check_page(duty, "vagt", browsing=browsing)
    main(duty).get_by_role("link", name=re.compile("Vurdér.*Maja")).click()
    check_page(duty, "24-timers-vurdering", browsing=browsing)
    main(duty).get_by_label("Nej").check()
    main(duty).get_by_label("Hvad blev gjort").fill("Talt med skolen og mor; sagen går videre til fordeling.")
    submit(duty, "Gem vurderingen")
    expect_text(duty, "24-timers vurderingen er gemt")

    # --- The team leader gives the new case to the advisor (her 24th).
    leader = browsing.as_user(org.team_leader)
    leader.goto("/fordeling/")
    check_page(leader, "fordeling", browsing=browsing)
    case_link = main(leader).get_by_role("link", name="Maja Lund")
    case_url = case_link.get_attribute("href")
    case_id = int(re.search(r"/sager/(\d+)/", case_url).group(1))
    main(leader).locator(f"#advisor-{case_id}").select_option(value=str(org.advisor.pk))
    submit(leader, "Fordel Maja Lund")
    from cases.models import Case

    assert Case.objects.get(pk=case_id).advisor == org.advisor

    # --- The advisor opens an investigation and draws the child's network map.
    advisor = browsing.as_user(org.advisor)
    check_page(advisor, "min-dag-foer", browsing=browsing)
    advisor.goto(f"/sager/{case_id}/")
    check_page(advisor, "sag", browsing=browsing)
    main(advisor).get_by_role("link", name="Ny børnefaglig undersøgelse").click()
    submit(advisor, "Opret undersøgelse")
    expect_text(advisor, "Børnefaglig undersøgelse")
    main(advisor).get_by_role("link", name="Netværkskort").first.click()
    check_page(advisor, "netvaerkskort-nyt", browsing=browsing)
    main(advisor).get_by_label("Udarbejdet med barnet/den unge").check()
    main(advisor).locator("#id_investigation").select_option(index=1)
    submit(advisor, "Opret netværkskort")
    for name, kind_index, significance, relation in (
        ("Mormor Inge", 1, "Ressource", "Mormor"),
        ("Per Olsen", 2, "Bekymring", "Klasselærer"),
    ):
        form = main(advisor).locator("form", has=advisor.get_by_role("button", name="Tilføj person"))
        form.get_by_label("Navn", exact=True).fill(name)
        form.locator("select[name=kind]").select_option(index=kind_index)
        form.get_by_label("Relation til barnet").fill(relation)
        form.get_by_label(significance, exact=True).check()
        submit(advisor, "Tilføj person")
        expect_text(advisor, name)
    check_page(advisor, "netvaerkskort", browsing=browsing)

    # --- ... writes the child's plan with a goal, and starts a measure.
    advisor.goto(f"/sager/{case_id}/plan/")
    main(advisor).get_by_label("Formål").fill("Maja kommer i skole og trives.")
    main(advisor).locator("#id_goals-0-what").fill("Maja går i skole hver dag")
    main(advisor).locator("#id_goals-0-who").fill("Maja, mor og skolen")
    main(advisor).locator("#id_goals-0-how_measured").fill("Fravær under 5 %")
    main(advisor).locator("#id_goals-0-by_when").fill((today + datetime.timedelta(days=180)).isoformat())
    check_page(advisor, "plan", browsing=browsing)
    submit(advisor, "Gem planen")
    advisor.goto(f"/sager/{case_id}/indsatser/ny/")
    main(advisor).locator("#id_measure_type").select_option(value=str(measure_type("family_treatment").pk))
    main(advisor).get_by_label("Leverandør / anbringelsessted").fill("Familiehuset Herning")
    check_page(advisor, "indsats-start", browsing=browsing)
    submit(advisor, "Start indsatsen")
    from measures.models import Measure

    measure = Measure.objects.get(case_id=case_id)

    # --- ... sees its follow-up schedule with the explanations.
    advisor.goto(f"/opfoelgning/indsats/{measure.pk}/")
    check_page(advisor, "opfoelgningsplan", browsing=browsing)
    schedule_text = main(advisor).inner_text()
    print(schedule_text)
