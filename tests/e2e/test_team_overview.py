"""The team overview in a browser (issue 20, point 4): a request is refused in place (HTMX posts
the form, the item turns into the decision, the page stays), and the page, with a bar over the cap
and children with several measures, passes axe-core's WCAG 2.1 AA check."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from followups.models import FollowUp, LaterDate
from tests.dashboards.factories import give_cases
from tests.e2e.conftest import axe_violations, format_violations, load_team_sections
from tests.factories import CaseFactory
from tests.followups.factories import hold, start_measure

pytestmark = pytest.mark.slow


def test_a_request_is_refused_in_place_and_the_page_passes_axe(browsing, org, shipped_data):
    today = timezone.localdate()
    give_cases(org.colleague, org.team_a, 26)  # above the cap: a red bar, with its words
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=today - relativedelta(months=15))
    placement = start_measure(org, "foster_family", today - relativedelta(months=14), case=case)
    hold(placement, today - relativedelta(months=13), by=org.advisor)
    contact = start_measure(org, "contact_person", today - relativedelta(months=3), case=case)
    hold(contact, today - datetime.timedelta(days=5), by=org.advisor)
    measure = start_measure(org, "preventive", today - datetime.timedelta(days=80))
    later = hold(
        measure,
        today - datetime.timedelta(days=1),
        by=org.advisor,
        next_agreed_on=today + relativedelta(months=11),
        later_than_rule_reason="Familien er bortrejst.",
    )

    page = browsing.as_user(org.team_leader)
    page.goto("/team/")
    load_team_sections(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert page.locator(".chart-alert-text").first.text_content() == "Over loftet"

    item = page.locator(f"#request-l{later.pk}")
    item.get_by_label("Begrundelse").fill("Reglens dato står.")
    item.get_by_role("button", name="Afvis").click()
    decided = page.locator(f"#request-l{later.pk} [role=status]")
    decided.wait_for()
    assert "Afvist" in decided.inner_text() and "Reglens dato står." in decided.inner_text()
    assert page.url.endswith("/team/")
    assert FollowUp.objects.get(pk=later.pk).later_state == LaterDate.REFUSED
