"""The demo step (two years of snapshots, complaints, SDQ) and the placement targets as data."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import pytest
import time_machine

from evaluation import demo, selectors
from evaluation.models import CaseSnapshot, Complaint, PlacementTarget, SdqScore, SnapshotDay
from evaluation.scope import Scope
from herning.organisation.demo import DemoOrganisation
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_demo_step_backfills_two_years_and_changes_nothing_the_second_time(org):
    for i in range(40):
        case = CaseFactory(
            team=org.team_a if i % 2 else org.team_b, advisor=org.advisor, opened_on=D(2023, 6, 1)
        )
        code = ("foster_family", "institution", "preventive", "own_room")[i % 4]
        measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type(code),
            start_date=D(2023, 9, 1),
            decided_by=org.advisor,
        )
    demo_org = DemoOrganisation(
        municipality=org.municipality,
        districts={"A": org.district_a, "B": org.district_b},
        teams={"A": org.team_a, "B": org.team_b},
        users={"alice": org.advisor},
    )

    def run():
        out = io.StringIO()
        demo.seed(
            org=demo_org, today=D(2026, 1, 15), rng=random.Random("herning-demo:evaluation"), stdout=out
        )
        return (
            CaseSnapshot.objects.count(),
            SnapshotDay.objects.count(),
            Complaint.objects.count(),
            SdqScore.objects.count(),
        ), out.getvalue()

    first, message = run()
    # 15 January 2024 to 14 January 2026: 731 days (2024 is a leap year), 40 open cases every day
    assert first[:2] == (40 * 731, 731)
    assert first[3] > 0 and first[3] % 2 == 0  # before and after for each child measured
    assert "øjebliksbilleder" in message
    again, _message = run()
    assert again == first


def test_shared_default_targets_are_75_25_from_the_committee_decision(org):
    family, institution = selectors.targets(Scope(municipality_id=org.municipality.pk), D(2025, 1, 1))
    assert (family.comparison, family.share, family.categories) == (
        "at_least",
        Decimal(75),
        ["network_foster", "foster_family", "special_foster"],
    )
    assert (institution.comparison, institution.share) == ("at_most", Decimal(25))
    assert "75/25" in family.source


def test_a_municipality_with_its_own_targets_uses_them_instead(org):
    PlacementTarget.objects.create(
        municipality=org.municipality,
        name="Institution",
        categories=["institution"],
        comparison="at_most",
        share=Decimal(20),
        valid_from=D(2024, 1, 1),
    )
    (own,) = selectors.targets(Scope(municipality_id=org.municipality.pk), D(2025, 1, 1))
    assert own.share == Decimal(20)


@pytest.mark.parametrize(
    ("categories", "base", "error"),
    [
        ([], [], "Vælg mindst én anbringelsestype."),
        (["boarding"], [], "Vælg blandt anbringelsestyperne."),
        (["institution"], ["foster_family"], "Målets anbringelsestyper skal være en del af det"),
    ],
)
def test_a_target_must_name_placement_categories(org, categories, base, error):
    target = PlacementTarget(
        municipality=org.municipality,
        name="Mål",
        categories=categories,
        base_categories=base,
        comparison="at_least",
        share=Decimal(50),
        valid_from=D(2025, 1, 1),
    )
    with pytest.raises(Exception, match=error):
        target.full_clean()


def test_targets_are_edited_in_the_admin_with_checkboxes(org, login):
    client = login(org.sysadmin)
    page = client.get("/admin/evaluation/placementtarget/add/").content.decode()
    assert 'type="checkbox" name="categories" value="institution"' in page
    response = client.post(
        "/admin/evaluation/placementtarget/add/",
        {
            "municipality": org.municipality.pk,
            "name": "Familiepleje",
            "categories": ["foster_family", "network_foster"],
            "comparison": "at_least",
            "share": "80",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    saved = PlacementTarget.objects.get(municipality=org.municipality)
    assert sorted(saved.categories) == ["foster_family", "network_foster"]


def test_case_content_is_not_in_the_admin(org, login):
    client = login(org.sysadmin)
    for model in ("casesnapshot", "complaint", "sdqscore", "snapshotday"):
        assert client.get(f"/admin/evaluation/{model}/").status_code == 404
