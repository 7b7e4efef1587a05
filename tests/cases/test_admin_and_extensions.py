"""The admin holds configuration (ladder, catalog with unit costs, legal bases) and no case
contents; other apps add sections and timeline events to the child page through the registry."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from cases import extensions
from cases.models import (
    Case,
    CaseParticipant,
    Child,
    Goal,
    Investigation,
    JournalNote,
    LegalBasis,
    Notification,
    Plan,
    Relation,
)
from measures.models import LadderMovement, LadderStep, Measure, MeasureType, UnitCost
from tests.pages import with_folds


def test_the_catalog_the_ladder_and_the_legal_bases_are_configured_in_the_admin():
    for model in (LadderStep, MeasureType, LegalBasis):
        assert model in admin.site._registry
    inlines = [i.model for i in admin.site._registry[MeasureType].inlines]
    assert inlines == [UnitCost]


def test_no_case_content_is_readable_through_the_admin():
    contents = (
        Child,
        Relation,
        Case,
        CaseParticipant,
        Notification,
        Investigation,
        Plan,
        Goal,
        JournalNote,
        Measure,
        LadderMovement,
    )
    assert not [m.__name__ for m in contents if m in admin.site._registry]


def test_the_system_administrator_reads_a_measure_type_with_its_unit_costs(org, login):
    # Read-only: the catalog is every municipality's; the national operator changes it
    # (tests/herning/test_national_operator.py).
    client = login(org.sysadmin)
    foster = MeasureType.objects.get(code="foster_family")
    page = client.get(reverse("admin:measures_measuretype_change", args=[foster.pk])).content.decode()
    assert "400000" in page.replace(".", "").replace(",00", "")
    assert client.get(reverse("admin:measures_measuretype_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_legalbasis_changelist")).status_code == 200
    assert client.get(reverse("admin:measures_ladderstep_changelist")).status_code == 200


@pytest.fixture
def registry():
    saved = (dict(extensions._timeline_providers), dict(extensions._panels), dict(extensions._summary_parts))
    yield
    extensions._timeline_providers.clear()
    extensions._timeline_providers.update(saved[0])
    extensions._panels.clear()
    extensions._panels.update(saved[1])
    extensions._summary_parts.clear()
    extensions._summary_parts.update(saved[2])


def test_another_app_adds_a_section_and_timeline_events_to_the_child_page(
    org, case, login, registry, tmp_path, settings
):
    template = tmp_path / "meetings_panel.html"
    template.write_text("<p>Møder for {{ data.name }}: {{ data.count }}</p>")
    (tmp_path / "meetings_summary.html").write_text("<p>Næste møde om {{ data.days }} dage</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    seen = []

    def context(child, case_, user):
        seen.append((child, case_, user))
        return {"name": child.first_name, "count": 2}

    extensions.register_panel(
        extensions.Panel("meetings", "Netværksmøder", "meetings_panel.html", context, order=55)
    )
    extensions.register_timeline_provider(
        "meetings",
        lambda child, user: [
            extensions.TimelineEvent(datetime.date(2026, 1, 5), "meeting", "Netværksmøde holdt")
        ],
    )
    extensions.register_summary_part(
        extensions.SummaryPart(
            "meetings", "meetings_summary.html", lambda child, case_, user: {"days": 4}, side=True
        )
    )
    client = login(org.advisor)
    page = with_folds(client, reverse("cases:child_detail", args=[case.child_id]))
    assert f"Møder for {case.child.first_name}: 2" in page
    assert "Næste møde om 4 dage" in page
    assert seen == [(case.child, case, org.advisor)]
    # The timeline is read when its fold is opened, from its own view.
    assert "Netværksmøde holdt" not in page
    timeline = client.get(
        reverse("cases:timeline_section", args=[case.child_id]), headers={"HX-Request": "true"}
    )
    assert "Netværksmøde holdt" in timeline.content.decode() and "05.01.2026" in timeline.content.decode()
    keys = [p.key for p in extensions.panels()]
    assert keys.index("plan") < keys.index("meetings") < keys.index("journal")
