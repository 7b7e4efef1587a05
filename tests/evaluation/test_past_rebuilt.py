"""Issue 21 point 2: the past is rebuilt as it was. A back-filled day shows the team, district,
ladder step and placement category the records had at the end of that day, not today's."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from cases.models import Case
from cases.services import case_transfer
from evaluation.models import CaseSnapshot, SnapshotDay
from evaluation.services import snapshot_backfill, snapshot_catch_up, snapshot_runs_rebuild
from herning.core.privacy import deletion_permitted
from measures.models import Measure
from measures.services import measure_end, measure_start
from tests.factories import HEARD, CaseFactory, ladder_step, measure_type

D = datetime.date
FIELDS = (
    "date",
    "case_id",
    "child_id",
    "municipality_id",
    "district_id",
    "team_id",
    "state",
    "ladder_step_id",
    "measure_type_id",
    "placement_category",
)


def _stored():
    return list(CaseSnapshot.objects.order_by("case_id", "date").values_list(*FIELDS))


def _start(case, code, day, user):
    return measure_start(
        hearing=HEARD, case=case, measure_type=measure_type(code), start_date=day, decided_by=user
    )


def _recatalogue(code, *, step=None, category=None):
    """A change in the catalog, saved as the admin saves it (with a history row)."""
    mt = measure_type(code)
    if step is not None:
        mt.ladder_step = ladder_step(step)
    if category is not None:
        mt.placement_category = category
    mt.save()


def test_the_backfill_reproduces_the_nightly_snapshots_after_they_are_deleted(org):
    """Fifteen nights taken one by one while teams, steps and the catalog change during the days
    between; deleted and back-filled, every row comes back as it was taken.

    c1 (team A): family treatment from 10.02 (step 2); foster family from 04.03 (step 5, foster
        family); the catalog moves family treatment to step 3 and makes foster family a special
        foster family on 07.03; family treatment ends 09.03.
    c2 (team A): moved to team B on 05.03; institution from 13.03.
    c3 (team B): own room from 11.03 (step 3); the catalog moves own room to step 4 on 12.03.
    """
    with time_machine.travel("2025-02-28 10:00 +01:00", tick=False):
        c1 = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 2, 1))
        c2 = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 2, 1))
        c3 = CaseFactory(team=org.team_b, advisor=org.outsider, opened_on=D(2025, 2, 1))
        treatment = _start(c1, "family_treatment", D(2025, 2, 10), org.advisor)

    def during(day):
        if day == D(2025, 3, 4):
            _start(c1, "foster_family", day, org.advisor)
        elif day == D(2025, 3, 5):
            case_transfer(case=c2, to_team=org.team_b, transferred_by=org.team_leader)
        elif day == D(2025, 3, 7):
            _recatalogue("family_treatment", step=3)
            _recatalogue("foster_family", category="special_foster")
        elif day == D(2025, 3, 9):
            measure_end(
                measure=treatment,
                end_date=day,
                ending_reason=Measure.EndingReason.PLANNED,
                ended_by=org.advisor,
            )
        elif day == D(2025, 3, 11):
            _start(c3, "own_room", day, org.outsider)
        elif day == D(2025, 3, 12):
            _recatalogue("own_room", step=4)
        elif day == D(2025, 3, 13):
            _start(Case.objects.get(pk=c2.pk), "institution", day, org.outsider)

    day = D(2025, 3, 1)
    while day <= D(2025, 3, 15):
        with time_machine.travel(
            datetime.datetime(day.year, day.month, day.day, 10, tzinfo=_CET), tick=False
        ):
            during(day)
        night = day + datetime.timedelta(days=1)
        with time_machine.travel(datetime.datetime(night.year, night.month, night.day, 0, 30, tzinfo=_CET)):
            assert snapshot_catch_up() == 3
        day = night
    taken = _stored()
    assert len(taken) == 3 * 15

    with time_machine.travel("2025-04-01 10:00 +02:00", tick=False):
        with deletion_permitted():
            CaseSnapshot.objects.for_system().delete()
        SnapshotDay.objects.all().delete()
        assert snapshot_backfill(municipality=org.municipality, start=D(2025, 3, 1), end=D(2025, 3, 15)) == 45

    assert _stored() == taken
    # And what was taken is what happened, not today's catalog or teams.
    row = {(r[1], r[0]): r for r in taken}
    assert (row[c2.pk, D(2025, 3, 4)][5], row[c2.pk, D(2025, 3, 5)][5]) == (org.team_a.pk, org.team_b.pk)
    assert (row[c2.pk, D(2025, 3, 4)][4], row[c2.pk, D(2025, 3, 5)][4]) == (
        org.district_a.pk,
        org.district_b.pk,
    )
    assert row[c1.pk, D(2025, 3, 6)][9] == "foster_family"
    assert row[c1.pk, D(2025, 3, 7)][9] == "special_foster"
    assert row[c3.pk, D(2025, 3, 11)][7] == ladder_step(3).pk
    assert row[c3.pk, D(2025, 3, 12)][7] == ladder_step(4).pk


_CET = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def moved_today(org):
    """A case in team A (district A) since January 2025, moved to team B (district B) today."""
    with time_machine.travel("2025-01-02 10:00 +01:00", tick=False):
        case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 1, 2))
    with time_machine.travel("2026-12-04 10:00 +01:00", tick=False):
        case_transfer(case=case, to_team=org.team_b, transferred_by=org.team_leader)
    return case


def _teams_in_june(org, case):
    with time_machine.travel("2026-12-04 12:00 +01:00", tick=False):
        snapshot_backfill(municipality=org.municipality, start=D(2025, 6, 1), end=D(2025, 6, 30))
    return set(CaseSnapshot.objects.filter(case=case).values_list("team_id", "district_id"))


def test_a_case_moved_today_stays_in_its_old_team_for_june_2025(org, moved_today):
    assert _teams_in_june(org, moved_today) == {(org.team_a.pk, org.district_a.pk)}


def test_without_the_cases_history_its_transfers_tell_the_old_team(org, moved_today):
    """A case written in bulk (an import) has no history of its own: the transfer still says where
    it was."""
    with deletion_permitted():
        Case.history.filter(id=moved_today.pk).delete()
    assert _teams_in_june(org, moved_today) == {(org.team_a.pk, org.district_a.pk)}


@pytest.fixture
def ten_nights_missing(kora):
    """The hand-verified year 2025, with the snapshots of 1-10 March lost."""
    gap = (D(2025, 3, 1), D(2025, 3, 10))
    with deletion_permitted():
        CaseSnapshot.objects.for_system().filter(date__range=gap).delete()
    SnapshotDay.objects.filter(date__range=gap).delete()
    # Nights never taken are in no run either.
    snapshot_runs_rebuild(municipality_id=kora.org.municipality.pk)
    return kora


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_the_page_says_how_many_days_of_the_period_it_counts(kora, login):
    page = login(kora.org.management).get("/evaluering/anbringelser/").content.decode()
    assert "Dækning: 365 af 365 dage" in page
    assert "Der mangler øjebliksbilleder" not in page


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_missing_nights_are_reported_on_the_page_and_in_the_exports(ten_nights_missing, login):
    client = login(ten_nights_missing.org.management)
    page = client.get("/evaluering/anbringelser/").content.decode()
    assert "Dækning: 355 af 365 dage" in page
    assert "Der mangler øjebliksbilleder for 10 dage i perioden" in page

    content = client.get("/evaluering/eksport/aarsboern.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert ["Dækning", "Dækning: 355 af 365 dage"] in rows  # in what the file says about itself
    book = load_workbook(io.BytesIO(client.get("/evaluering/eksport/aarsboern.xlsx").content))
    assert next(book["Noter"].iter_rows(values_only=True))[0] == "Dækning: 355 af 365 dage"
