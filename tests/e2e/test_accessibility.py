"""Issue 11 point 2: the main pages pass an automated WCAG 2.1 AA check (axe-core in Chromium)
with no serious or critical violation.

The story (``test_story.py``) checks every page it passes through. This test adds every page of
every role's navigation, the child's page and its history, and the login pages, with a case that
has a measure, follow-ups, a plan, a notification and a network meeting, so that the pages show
their tables and forms rather than their empty states.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Notification
from network_meetings import services as meeting_services
from tests.e2e.conftest import axe_violations, format_violations, screenshot
from tests.factories import CaseFactory
from tests.followups.factories import hold, plan_with_goals, start_measure

pytestmark = pytest.mark.slow

PERSONAS = (
    "advisor",
    "team_leader",
    "duty_advisor",
    "case_admin",
    "psychologist",
    "management",
    "data_protection",
)


@pytest.fixture
def lived_in(shipped_data, org):
    """A case with some history, so that the pages have content."""
    today = timezone.localdate()
    measure = start_measure(org, "foster_family", today - datetime.timedelta(days=200))
    case = measure.case
    case_services.case_participant_add(case=case, user=org.psychologist, added_by=org.team_leader)
    plan_with_goals(case, by=org.advisor)
    hold(measure, today - datetime.timedelta(days=150), by=org.advisor, today=today)
    case_services.notification_register(
        child=case.child,
        received_at=timezone.now() - datetime.timedelta(hours=3),
        notifier_kind=Notification.NotifierKind.PROFESSIONAL,
        notifier_name="Per Olsen",
        notifier_organisation="Sunds Skole",
        concern="Bekymring for fremmødet.",
        registered_by=org.case_admin,
    )
    CaseFactory(team=org.team_a)  # a new case waiting for an advisor
    starts = timezone.localtime() + datetime.timedelta(days=7)
    meeting_services.meeting_plan(
        child=case.child,
        planned_by=org.advisor,
        kind="network",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Sunds Skole",
        purpose="Samle de voksne.",
        reason="Fravær.",
        initiator_name="Per Olsen",
        initiator_function="Skoleleder",
        contact_name="Per Olsen",
        contact_phone="12345678",
    )
    return case


# Pages the story (test_story.py) photographs under the same name, with the story's own data: this
# test checks them with axe-core and leaves their pictures to the story (one test per picture).
PHOTOGRAPHED_BY_THE_STORY = {"fordeling", "vagt"}


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "start"


def test_every_main_page_has_no_serious_or_critical_accessibility_violation(browsing, org, lived_in):
    failures, checked = [], set()

    def check(page, name):
        if page.url in checked:
            return
        checked.add(page.url)
        if name not in PHOTOGRAPHED_BY_THE_STORY:
            screenshot(page, name)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{name} ({page.url}):\n{format_violations(violations)}")

    # Before login: the login page and, with the password given, the second factor.
    from tests.e2e.conftest import PASSWORD
    from tests.herning.otp import app_device

    colleague = org.colleague
    colleague.set_password(PASSWORD)
    colleague.save(update_fields=["password"])
    app_device(colleague)
    anonymous = browsing.new_page()
    anonymous.goto("/log-ind/")
    check(anonymous, "log-ind")
    anonymous.locator("main").get_by_label("Brugernavn").fill(colleague.username)
    anonymous.locator("main").get_by_label("Adgangskode").fill(PASSWORD)
    anonymous.locator("main button[type=submit]").first.click()
    anonymous.wait_for_url("**/to-faktor/**")
    check(anonymous, "to-faktor")

    for persona in PERSONAS:
        user = getattr(org, persona)
        page = browsing.as_user(user)
        check(page, f"start-{persona}")
        links = page.locator("nav.nav a").evaluate_all("links => links.map(a => a.pathname)")
        for path in dict.fromkeys(links):
            if path.startswith("/admin/"):
                continue  # Django's own admin, not our pages
            page.goto(path)
            assert page.locator("main").count() == 1, path
            check(page, slug(path))

    advisor = browsing.as_user(org.advisor)
    for path, name in (
        (f"/sager/{lived_in.pk}/", "sag-med-historik"),
        (f"/boern/{lived_in.child_id}/", "barn"),
        (f"/sager/{lived_in.pk}/historik/", "sagens-historik"),
        ("/opfoelgning/paamindelser/", "paamindelser"),
        ("/opfoelgning/kalender/", "kalender"),
        ("/opfoelgning/paamindelser/indstillinger/", "paamindelser-indstillinger"),
    ):
        advisor.goto(path)
        check(advisor, name)

    assert len(checked) >= 20, sorted(checked)
    assert not failures, "\n\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_check_finds_a_violation_where_there_is_one(browsing, org, shipped_data):
    """The check is not blind: an unlabelled field and grey-on-grey text are reported."""
    page = browsing.as_user(org.advisor)
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const input = document.createElement('input');
            main.appendChild(input);
            const text = document.createElement('p');
            text.textContent = 'Næsten usynlig tekst';
            text.style.color = '#bbbbbb';
            text.style.background = '#ffffff';
            main.appendChild(text);
        }"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= found, found
