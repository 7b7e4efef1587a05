"""The figures read the snapshots run-length encoded (``SnapshotRun``, issue 21 point 8): every
figure must be the one the daily snapshots give (``snapshot_oracle``: the reads as they were), for
whole and partial periods, both scopes, after a back-dated correction, the nightly run and a
back-fill of a gap."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from evaluation import selectors
from evaluation.figures import FIGURES, FigureContext
from evaluation.models import CaseSnapshot, FollowUpDue, FollowUpDueDay, SnapshotDay, SnapshotRun
from evaluation.periods import Period, half_year, rolling_years, year
from evaluation.scope import Scope
from evaluation.services import snapshot_backfill, snapshot_catch_up, snapshot_runs_rebuild
from herning.core.privacy import deletion_permitted
from measures.models import Measure, PriceIndex
from measures.services import measure_end
from tests.evaluation import snapshot_oracle
from tests.followups.factories import hold

D = datetime.date
# The figures with the period form (the SDQ and the comparison have forms of their own).
YEAR_FIGURES = [k for k in FIGURES if k not in ("sdq", "sammenligning")]
PARTIAL = Period(D(2025, 3, 15), D(2025, 9, 10), "15.03-10.09", partial=True)
PERIOD_SETS = {
    "year": [year(2025)],
    "halves": [half_year(2025, 1), half_year(2025, 2)],
    "rolling": rolling_years(D(2025, 12, 31), D(2025, 1, 1)),
    "partial": [PARTIAL],
    "short": [Period(D(2025, 6, 30), D(2025, 7, 1), "30.06-01.07", partial=True)],
}


def _from_snapshots(monkeypatch):
    """The selectors as they read the daily snapshots before the runs."""
    for name in ("spend", "placements", "cases_per_step", "cases_per_team", "_count_case_days_and_held"):
        monkeypatch.setattr(selectors, name, getattr(snapshot_oracle, name))


def _shown(figure) -> tuple:
    """What the page and the exports show of a figure: its table's cells as displayed (after
    disclosure control) and their values to a millionth, and its chart's series."""
    table = figure.table
    rows = [
        (row.label, [(cell.display(), _rounded(cell.value), cell.hidden) for cell in row.cells])
        for row in table.rows
    ]
    chart = figure.chart
    return table.title, table.columns, rows, table.notes, chart, figure.warnings


def _rounded(value):
    return round(value, 6) if isinstance(value, int | float) or hasattr(value, "quantize") else value


def _figures(scope, periods, *, prices=None) -> dict:
    ctx = FigureContext(
        scope,
        D(2025, 1, 1),
        D(2025, 12, 31),
        periods[0].start,
        periods[-1].end,
        periods,
        prices=prices or selectors.PriceLevel(),
    )
    comparison = FigureContext(
        scope,
        D(2025, 1, 1),
        D(2025, 12, 31),
        D(2025, 1, 1),
        D(2025, 12, 31),
        [],
        {
            "groups": [("A", scope), ("B", Scope(municipality_id=scope.municipality_id))],
            "periods": [half_year(2025, 1), half_year(2025, 2)],
            "informant": "teacher",
        },
    )
    shown = {key: _shown(FIGURES[key](ctx)) for key in YEAR_FIGURES}
    shown["sammenligning"] = _shown(FIGURES["sammenligning"](comparison))
    return shown


def _assert_same_as_snapshots(monkeypatch, scope, periods, **kwargs):
    from_runs = _figures(scope, periods, **kwargs)
    with monkeypatch.context() as patched:
        _from_snapshots(patched)
        from_snapshots = _figures(scope, periods, **kwargs)
    for key in from_snapshots:
        assert from_runs[key] == from_snapshots[key], key


def _runs(municipality_id):
    return sorted(
        SnapshotRun.objects.for_system()
        .filter(municipality_id=municipality_id)
        .values_list(
            "case_id", "first_date", "last_date", "team_id", "state", "ladder_step_id", "measure_type_id"
        )
    )


@pytest.fixture
def scopes(kora):
    municipality = kora.org.municipality.pk
    return [
        Scope(municipality_id=municipality),
        Scope(municipality_id=municipality, team_ids=(kora.org.team_a.pk,)),
    ]


@pytest.mark.parametrize("periods", PERIOD_SETS.values(), ids=PERIOD_SETS.keys())
def test_every_figure_from_the_runs_is_the_one_the_snapshots_give(monkeypatch, kora, scopes, periods):
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        for scope in scopes:
            _assert_same_as_snapshots(monkeypatch, scope, periods)


def test_spend_in_a_base_years_prices_is_the_same(monkeypatch, kora, scopes):
    PriceIndex.objects.update_or_create(year=2024, defaults={"value": 100})
    PriceIndex.objects.update_or_create(year=2025, defaults={"value": 103})
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        for periods in (PERIOD_SETS["halves"], PERIOD_SETS["rolling"]):
            _assert_same_as_snapshots(monkeypatch, scopes[0], periods, prices=selectors.price_level(2024))


def test_runs_stand_for_every_snapshot_and_no_more(kora):
    municipality = kora.org.municipality.pk
    days = sum((last - first).days + 1 for _c, first, last, *_rest in _runs(municipality))
    assert days == CaseSnapshot.objects.for_system().filter(municipality_id=municipality).count()
    # Far fewer rows: a case's snapshots change a few times a year.
    assert SnapshotRun.objects.for_system().count() * 20 < days


def test_after_a_back_dated_correction_and_the_nightly_run(monkeypatch, kora, scopes):
    """A correction back in time changes no snapshot (nor run), but the spend read from the
    measures follows it, from the runs as from the snapshots; the nightly run extends the runs."""
    municipality = kora.org.municipality
    with time_machine.travel("2026-01-02 10:00 +01:00", tick=False):
        foster = Measure.objects.for_system().get(case=kora.B1, measure_type__code="foster_family")
        measure_end(
            measure=foster, end_date=D(2025, 10, 31), ending_reason="planned", ended_by=kora.org.outsider
        )
        snapshot_catch_up()  # takes 2026-01-01: runs that went on to 31.12 grow by a day
    grown = _runs(municipality.pk)
    snapshot_runs_rebuild(municipality_id=municipality.pk)
    assert _runs(municipality.pk) == grown  # growing them is the same as encoding them anew
    assert SnapshotDay.objects.filter(municipality=municipality, date=D(2026, 1, 1)).exists()
    whole_2026 = [Period(D(2025, 7, 1), D(2026, 1, 1), "2. halvår+", partial=True)]
    with time_machine.travel("2026-01-02 10:00 +01:00", tick=False):
        for scope in scopes:
            for periods in (PERIOD_SETS["halves"], whole_2026):
                _assert_same_as_snapshots(monkeypatch, scope, periods)


def test_a_back_fill_of_a_gap_encodes_the_runs_anew(monkeypatch, kora, scopes):
    municipality = kora.org.municipality
    gap = (D(2025, 5, 10), D(2025, 5, 20))
    with deletion_permitted():  # a gap as a failed night leaves it
        CaseSnapshot.objects.for_system().filter(municipality=municipality, date__range=gap).delete()
    SnapshotDay.objects.filter(municipality=municipality, date__range=gap).delete()
    snapshot_runs_rebuild(municipality_id=municipality.pk)
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        # A gap splits runs: the figures of the days around it still agree.
        _assert_same_as_snapshots(monkeypatch, scopes[0], PERIOD_SETS["halves"])
        before = _runs(municipality.pk)
        snapshot_backfill(municipality=municipality, start=gap[0], end=gap[1])
    after = _runs(municipality.pk)
    assert len(after) < len(before)  # the runs the gap split are one again
    snapshot_runs_rebuild(municipality_id=municipality.pk)
    assert _runs(municipality.pk) == after
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        for scope in scopes:
            _assert_same_as_snapshots(monkeypatch, scope, PERIOD_SETS["halves"])


FOLLOWUP_FIGURES = ("opfoelgning", "opfoelgning-kora", "rettidighed")


def _followup_figures(scope, last):
    periods = [
        half_year(2025, 1),
        half_year(2025, 2),
        Period(D(2026, 1, 1), last, "1. halvår 2026", partial=True),
    ]
    ctx = FigureContext(scope, D(2025, 1, 1), last, D(2025, 1, 1), last, periods)
    return {key: _shown(FIGURES[key](ctx)) for key in FOLLOWUP_FIGURES}


def test_follow_ups_due_computed_at_night_are_those_the_engine_gives(kora, scopes):
    """The nightly run computes the follow-ups due (``FollowUpDue``); the figures read them, say
    when they were computed, and show what the engine computes on the page, also after a
    follow-up recorded back in time and the next night's run."""
    municipality = kora.org.municipality
    a1 = Measure.objects.for_system().get(case=kora.A1)
    with time_machine.travel("2026-01-02 03:00 +01:00", tick=False):
        hold(a1, D(2025, 8, 1), by=kora.org.advisor)
        snapshot_catch_up()  # takes 2026-01-01 and computes the follow-ups due up to it
    assert FollowUpDueDay.objects.get(municipality=municipality).as_of == D(2026, 1, 1)
    assert FollowUpDue.objects.for_system().filter(municipality=municipality).exists()

    def both(day):
        computed = {scope: _followup_figures(scope, day) for scope in scopes}
        FollowUpDueDay.objects.filter(municipality=municipality).delete()  # the engine on the page
        live = {scope: _followup_figures(scope, day) for scope in scopes}
        return computed, live

    with time_machine.travel("2026-01-02 10:00 +01:00", tick=False):
        computed, live = both(D(2026, 1, 1))
    for scope in scopes:
        for key in FOLLOWUP_FIGURES:
            # Everything but the notes, which say when the computed ones were computed.
            assert (
                computed[scope][key][:3] + computed[scope][key][4:]
                == live[scope][key][:3] + live[scope][key][4:]
            )
        assert any("beregnet" in note for note in computed[scope]["rettidighed"][3])
        assert not any("beregnet" in note for note in live[scope]["rettidighed"][3])

    # A follow-up recorded back in time counts from the next night.
    with time_machine.travel("2026-01-03 03:00 +01:00", tick=False):
        hold(a1, D(2025, 12, 1), by=kora.org.advisor)
        snapshot_catch_up()
    with time_machine.travel("2026-01-03 10:00 +01:00", tick=False):
        computed, live = both(D(2026, 1, 2))
    for scope in scopes:
        for key in FOLLOWUP_FIGURES:
            assert computed[scope][key][2] == live[scope][key][2], key


def test_follow_ups_due_for_an_earlier_range_are_read_from_the_night_as_the_engine_gives_them(kora, scopes):
    """A range that ends before the last night (the year before) reads the nightly rows too: what
    fell due in it, and whether it was held by then, are what the engine gives with the follow-ups
    held up to the range's end, also with one held late after the range ended."""
    municipality = kora.org.municipality
    a1 = Measure.objects.for_system().get(case=kora.A1)
    with time_machine.travel("2026-01-02 03:00 +01:00", tick=False):
        hold(a1, D(2025, 8, 1), by=kora.org.advisor)
        hold(a1, D(2026, 1, 1), by=kora.org.advisor)  # after the range: late for what fell due in it
        snapshot_catch_up()
    assert FollowUpDueDay.objects.get(municipality=municipality).as_of == D(2026, 1, 1)

    def figures(scope):
        periods = [half_year(2025, 1), half_year(2025, 2)]
        ctx = FigureContext(scope, D(2025, 1, 1), D(2026, 1, 1), D(2025, 1, 1), D(2025, 12, 31), periods)
        return {key: _shown(FIGURES[key](ctx)) for key in FOLLOWUP_FIGURES}

    with time_machine.travel("2026-01-02 10:00 +01:00", tick=False):
        computed = {scope: figures(scope) for scope in scopes}
        FollowUpDueDay.objects.filter(municipality=municipality).delete()  # the engine on the page
        live = {scope: figures(scope) for scope in scopes}
    due_somewhere = False
    for scope in scopes:
        for key in FOLLOWUP_FIGURES:
            assert (
                computed[scope][key][:3] + computed[scope][key][4:]
                == live[scope][key][:3] + live[scope][key][4:]
            ), key
        assert any("beregnet" in note for note in computed[scope]["rettidighed"][3])
        due_somewhere |= any(
            cell[0] not in ("0", "–", "") for _label, cells in live[scope]["rettidighed"][2] for cell in cells
        )
    assert due_somewhere  # the range has follow-ups due: the comparison compared something


def test_counted_together_from_the_reachs_runs_is_counted_as_each_part_alone(kora):
    """The related tables of the disclosure control count their child-days and cases per team from
    the reach's runs read once (``placed_days_many``, ``cases_per_team_of``): the same numbers as a
    statement per part and period, for every part of the organisation, overlapping periods (a
    year with its half-years, rolling years) and a part outside the reach (counted alone); and so
    are breakdowns, complaints and the cases on each ladder step."""
    org = kora.org
    municipality = org.municipality.pk
    whole = Scope(municipality_id=municipality)
    parts = [
        whole,
        Scope(municipality_id=municipality, team_ids=(org.team_a.pk,)),
        Scope(municipality_id=municipality, team_ids=(org.team_b.pk,)),
        Scope(municipality_id=municipality, team_ids=(org.team_a.pk, org.team_b.pk)),
        Scope(municipality_id=municipality, district_ids=(org.district_a.pk,)),
        Scope(municipality_id=municipality, district_ids=(org.district_b.pk,)),
        Scope(municipality_id=municipality, team_ids=(org.team_a.pk,), district_ids=(org.district_a.pk,)),
    ]
    periods = sorted(
        {(p.start, p.end) for ps in PERIOD_SETS.values() for p in ps} | {(D(2024, 1, 1), D(2026, 12, 31))}
    )
    as_periods = [Period(start, end, "") for start, end in periods]
    days = [D(2024, 12, 31), D(2025, 1, 1), D(2025, 6, 30), D(2025, 7, 1), D(2025, 12, 31), D(2026, 1, 14)]
    placed_somewhere = broke_somewhere = complained_somewhere = False
    for reach in (whole, parts[1]):
        together = selectors.placed_days_many(reach, dict.fromkeys(parts, periods))
        rows = selectors.reach_runs(reach, periods[0][0], periods[-1][1])
        broken = selectors.breakdown_events(reach, periods[0][0], periods[-1][1])
        complained = selectors.complaint_events(reach, periods[0][0], periods[-1][1])
        on_steps = selectors.steps_by_unit(reach, days)
        for scope in parts:
            alone = selectors.placed_days(scope, as_periods)
            for (span, counted), single in zip(sorted(together[scope].items()), alone, strict=True):
                assert span == (single.period.start, single.period.end)
                assert (counted.days, counted.children) == (single.days, single.children), (
                    reach,
                    scope,
                    span,
                )
                placed_somewhere |= bool(single.days)
            if not scope.within(reach):
                continue
            assert selectors.cases_per_team_of(scope, as_periods, rows) == selectors.cases_per_team(
                scope, as_periods
            ), (reach, scope)
            # Events are counted in the first period holding them, as one statement assigns them.
            for chosen in PERIOD_SETS.values():
                assert selectors.breakdowns_of(scope, chosen, broken) == selectors.breakdowns(scope, chosen)
                assert selectors.complaints_of(scope, chosen, complained) == selectors.complaints(
                    scope, chosen
                )
            assert selectors.cases_per_step_of(scope, days, on_steps) == selectors.cases_per_step(scope, days)
            broke_somewhere |= any(n for n, _c in selectors.breakdowns(scope, as_periods))
            complained_somewhere |= bool(selectors.complaints(scope, as_periods))
    # The fixture has placements, breakdowns and complaints: the comparisons compared something.
    assert placed_somewhere and broke_somewhere and complained_somewhere
