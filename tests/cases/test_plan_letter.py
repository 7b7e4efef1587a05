"""Printing looks like a letter (issue 20, point 8), for the child's plan: a print page without the
application around it, and a PDF on the municipality's letterhead (name, address, logo), dated with
the plan's own date (this version's), with its goals and the page numbers ("Side 1 af 2").

Like the plan's section on the child's page, the printed plan names the child and carries no CPR
number."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from cases import documents, services
from cases.models import Goal, Plan
from herning.audit.models import AccessLog
from tests.letters import page_texts, set_letterhead
from tests.network_meetings.factories import case_for
from tests.pages import with_folds

pytestmark = pytest.mark.django_db

MADE_ON = datetime.date(2026, 3, 2)
REVISED_ON = datetime.date(2026, 9, 14)


def _goal(what: str, **fields) -> services.GoalData:
    return services.GoalData(
        what=what,
        who=fields.get("who", "Forældrene og skolen"),
        how_measured=fields.get("how_measured", "Fraværet i skolens system"),
        by_when=fields.get("by_when", datetime.date(2026, 12, 1)),
        status=fields.get("status", Goal.Status.IN_PROGRESS),
    )


@pytest.fixture
def letterhead(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return set_letterhead(org.municipality)


@pytest.fixture
def case(org):
    return case_for(org, first_name="Lukas", last_name="Quistorff")


@pytest.fixture
def plan(org, case):
    """Version 2 of the plan: the letter is the current version, dated with its own date."""
    first = services.plan_create(
        case=case,
        kind="barnets_plan",
        made_on=MADE_ON,
        purpose="Lukas skal trives i skolen.",
        goals=[_goal("Et mål fra første version")],
        created_by=org.advisor,
    )
    # Long goals, so the letter runs to a second page.
    goals = [
        _goal(f"Lukas kommer i skole hver dag, mål {n}. " + "Han møder til tiden. " * 20) for n in range(8)
    ]
    return services.plan_revise(plan=first, made_on=REVISED_ON, goals=goals, revised_by=org.advisor)


def test_the_plan_pdf_carries_the_letterhead_the_plan_date_its_goals_and_page_numbers(letterhead, plan, case):
    pages = page_texts(documents.render_document(plan))
    assert len(pages) >= 2
    first, text = pages[0], " ".join(pages)
    assert letterhead.name in first and "Torvet 5" in first and "7400 Herning" in first
    # The version's own date, not the first version's nor the day it was printed.
    assert f"Planens dato: {date_format(REVISED_ON, 'DATE_FORMAT')}" in first
    assert "version 2" in first and "Lukas Quistorff" in first
    assert "Lukas kommer i skole hver dag, mål 0." in first and "mål 7." in text
    assert "Forældrene og skolen" in text and "I gang" in text
    assert "Et mål fra første version" not in text
    assert f"Side 1 af {len(pages)}" in first and f"Side 2 af {len(pages)}" in pages[1]
    # As on the plan's section of the child's page: no CPR number.
    child = case.child
    assert child.cpr not in text.replace("-", "") and child.formatted_cpr not in text


def test_the_plan_pdf_from_the_page_is_logged_and_never_stored(letterhead, plan, case, login, org):
    client = login(org.advisor)
    page = with_folds(client, reverse("cases:case_detail", args=[case.pk]))
    assert reverse("cases:plan_pdf", args=[plan.pk]) in page
    assert reverse("cases:plan_print", args=[plan.pk]) in page
    response = client.get(reverse("cases:plan_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'inline; filename="plan-2026-09-14-v2-{plan.pk}.pdf"'
    looked = AccessLog.objects.filter(user=org.advisor, child=case.child, channel=AccessLog.Channel.PRINT)
    assert looked.count() == 1


def test_the_print_page_shows_the_plan_and_marks_the_application_not_to_print(plan, case, login, org):
    response = login(org.advisor).get(reverse("cases:plan_print", args=[plan.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="letter-document plan-document"' in html and "Lukas kommer i skole hver dag" in html
    assert "data-print-page" in html and "js/print" in html
    assert case.child.formatted_cpr not in html


def test_a_plan_not_yet_made_has_nothing_to_print(org, login):
    case = case_for(org)
    # As the decision on a placement leaves it (BL § 91): due, not yet written.
    pending = Plan.objects.create(
        case=case, kind="barnets_plan", version=1, due_on=datetime.date(2026, 12, 1), created_by=org.advisor
    )
    client = login(org.advisor)
    assert client.get(reverse("cases:plan_pdf", args=[pending.pk])).status_code == 404
    assert client.get(reverse("cases:plan_print", args=[pending.pk])).status_code == 404


def test_without_address_or_logo_the_plan_still_prints(org, plan):
    assert org.municipality.name in page_texts(documents.render_document(plan))[0]
