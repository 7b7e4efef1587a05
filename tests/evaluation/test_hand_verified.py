"""Issue 8 point 11: the figures of the dozen cases in ``conftest.kora``, worked out by hand.

Every expected number below is arithmetic on the case stories written in the fixture's docstring;
the product's numbers must match it to the cent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from evaluation import selectors
from evaluation.figures import (
    FIGURES,
    FigureContext,
    child_years,
    complaint_rates,
    placement_costs,
    sdq_cohort,
)
from evaluation.periods import Period, year
from evaluation.scope import Scope
from evaluation.stats import paired

D = datetime.date
YEAR = year(2025)


@pytest.fixture
def whole(kora):
    return Scope(municipality_id=kora.org.municipality.pk)


@pytest.fixture
def team_a(kora):
    return Scope(municipality_id=kora.org.municipality.pk, team_ids=(kora.org.team_a.pk,))


def _ctx(scope, **extra):
    return FigureContext(scope, D(2025, 1, 1), D(2025, 12, 31), D(2025, 1, 1), D(2025, 12, 31), [YEAR], extra)


def test_child_years_per_placement_type(whole):
    placed = selectors.placements(whole, [YEAR])[0]
    # foster family: A1 365 + A2 184 + B1 365 + B3 181 = 1095 days
    # network: A4 184; institution: A3 90 + A7 365 + B2 184 = 639; home-based: A3 275 + B5 245 = 520
    assert placed.days == {
        "home_based": 520,
        "network_foster": 184,
        "foster_family": 1095,
        "special_foster": 0,
        "institution": 639,
    }
    # child-years = days / 365: 1095 / 365 = 3 exactly; all placed 2438 / 365
    assert placed.child_years("foster_family") == Decimal(3)
    assert placed.child_years("all") == Decimal(2438) / 365
    assert round(placed.child_years("all"), 4) == Decimal("6.6795")
    # family care = network + foster + special = 184 + 1095 + 0 = 1279 days = 3.5041 child-years
    assert round(placed.child_years("family_care"), 4) == Decimal("3.5041")
    # children: foster A1 A2 B1 B3; network A4; institution A3 A7 B2; home A3 B5;
    # family care A1 A2 A4 B1 B3; all placed A1 A2 A3 A4 A7 B1 B2 B3 B5 (A3 counts once)
    assert placed.children == {
        "home_based": 2,
        "network_foster": 1,
        "foster_family": 4,
        "special_foster": 0,
        "institution": 3,
        "family_care": 5,
        "all": 9,
    }


def test_shares_against_the_75_25_target(whole):
    placed = selectors.placements(whole, [YEAR])[0]
    family, institution = selectors.targets(whole, D(2025, 12, 31))
    assert (family.name, institution.name) == ("Familiepleje", "Institution")
    # family care 1279 / 2438 = 52.46 % (target: at least 75 %, not met)
    assert round(selectors.target_share(placed, family), 2) == Decimal("52.46")
    assert not family.is_met(selectors.target_share(placed, family))
    # institution 639 / 2438 = 26.21 % (target: at most 25 %, not met)
    assert round(selectors.target_share(placed, institution), 2) == Decimal("26.21")
    assert not institution.is_met(selectors.target_share(placed, institution))


def test_child_years_of_a_half_year_are_its_child_days_over_365(whole):
    first_half = Period(D(2025, 1, 1), D(2025, 6, 30), "H1")
    placed = selectors.placements(whole, [first_half])[0]
    # institution in H1 (181 days): A3 Jan-Mar 90 + A7 181 = 271 days -> 271 / 365 = 0.7425
    # child-years (not 271 / 181 = 1.4972, which is the average number placed on a day of H1)
    assert placed.days["institution"] == 271
    assert round(placed.child_years("institution"), 4) == Decimal("0.7425")
    assert round(placed.average_placed("institution"), 4) == Decimal("1.4972")


def test_spend_per_placement_type_and_per_child_year(whole):
    placed = selectors.placements(whole, [YEAR])[0]
    # foster: A1 181 x 1,000 + 184 x 1,200 = 401,800; A2 184 x 1,200 = 220,800; B1 401,800;
    #         B3 181 x 1,000 = 181,000 -> 1,205,400
    assert placed.spend["foster_family"] == Decimal("1205400")
    # network 184 x 500 = 92,000; institution 639 x 2,000 = 1,278,000; home-based 520 x 800 = 416,000
    assert placed.spend["network_foster"] == Decimal("92000")
    assert placed.spend["institution"] == Decimal("1278000")
    assert placed.spend["home_based"] == Decimal("416000")
    # all placements: 1,205,400 + 92,000 + 1,278,000 + 416,000 = 2,991,400
    assert placed.group_spend("all") == Decimal("2991400")
    # per child-year: foster 1,205,400 x 365 / 1095 = 401,800 (the year's average daily price x 365)
    assert placed.spend_per_child_year("foster_family") == Decimal("401800")
    # all: 2,991,400 x 365 / 2438 = 447,851.11
    assert round(placed.spend_per_child_year("all"), 2) == Decimal("447851.11")
    assert placed.unpriced_days == 0


def test_spend_figure_hides_what_could_single_out_a_child(whole):
    with translation.override("da"):
        figure = placement_costs(_ctx(whole))
    rows = {r.label: r.cells for r in figure.table.rows}
    assert rows["Anbragte i alt"][0].display() == "2.991.400"
    assert rows["Anbragte i alt"][1].display() == "447.851"
    assert rows["Familiepleje i alt"][0].display() == "1.297.400"  # 1,205,400 + 92,000
    # Network care is one child (A4): "<3"; so that it cannot be worked out from the family total,
    # the foster family row is hidden too.
    assert rows["Netværkspleje"][0].display() == "<3"
    assert rows["Almindelig plejefamilie"][0].display() == ".."


def test_child_years_table_in_danish_with_disclosure_control(whole):
    with translation.override("da"):
        figure = child_years(_ctx(whole))
    rows = {r.label: r.cells for r in figure.table.rows}
    assert [c.display() for c in rows["Anbragte i alt"]] == ["6,68", "100,0 %", "6,68"]
    assert [c.display() for c in rows["Familiepleje i alt"]] == ["3,50", "52,5 %", "3,50"]
    # home-based is two children (A3, B5): hidden; institution is then hidden so that
    # all - family care - institution does not give it away.
    assert rows["Hjemmebaserede anbringelser"][0].display() == "<3"
    assert rows["Institution (døgninstitution, opholdssted, sikret)"][0].display() == ".."
    assert rows["Særlig plejefamilie"][0].display() == "0,00"


def test_ladder_on_month_ends(whole):
    counted = selectors.cases_per_step(whole, [D(2025, 6, 30), D(2025, 12, 31)])
    # 30 June: step 1 A5; 2 A2 B2 B4; 3 A3 B5; 4 A4; 5 A1 B1 B3 (B3 ends that day); 6 A7;
    # A6 is not opened yet
    assert dict(counted[D(2025, 6, 30)]) == {1: 1, 2: 3, 3: 2, 4: 1, 5: 3, 6: 1}
    # 31 December: under clarification A6 B3; 1 A5; 2 B4; 3 A3 B5; 5 A1 A2 B1; 6 A7 B2; A4 closed
    assert dict(counted[D(2025, 12, 31)]) == {None: 2, 1: 1, 2: 1, 3: 2, 5: 3, 6: 2}


def test_movements_between_steps(whole):
    moved = selectors.movements(whole, D(2025, 1, 1), D(2025, 12, 31))
    assert moved == {
        (None, 1): 1,  # A5
        (None, 2): 3,  # A2 B2 B4
        (None, 3): 1,  # B5
        (None, 4): 1,  # A4
        (None, 5): 2,  # B1 B3
        (None, 6): 1,  # A7
        (2, 5): 1,  # A2: foster family while family treatment still ran
        (2, 6): 1,  # B2
        (6, 3): 1,  # A3: the institution broke down, own room already started
        (4, None): 1,  # A4: network care ended as planned
        (5, None): 1,  # B3: the foster family broke down
    }
    reasons = selectors.movement_reasons(whole, D(2025, 1, 1), D(2025, 12, 31))
    # Entries and exits apart from the moves between steps (issue 21 point 3): the nine first
    # measures are entries; A3's breakdown (6 -> 3) is a move down, B3's (5 -> none) an exit, and
    # A4's network care ending (4 -> none) an exit.
    assert reasons == {
        ("first_measure", "entry"): (9, 9),
        ("greater_need", "up"): (2, 2),
        ("placement_failed", "down"): (1, 1),
        ("placement_failed", "exit"): (1, 1),
        ("measure_ended", "exit"): (1, 1),
    }


def test_entries_and_exits_are_shown_apart_from_moves_between_steps(whole):
    """Fig. 4.1 as KORA draws it (issue 21 point 3): the rows and columns are the steps, the
    entries onto the ladder a last row and the exits from it a last column. Entries (from the test
    above): steps 1-6 get 1, 3, 1, 1, 2, 1; exits: one from step 4 (A4), one from step 5 (B3).
    Counts below 3 are hidden ("<3"); the reasons table puts the same movements in the columns
    entry / up / down / exit."""
    matrix = FIGURES["bevaegelser"](_ctx(whole)).table
    assert [r.label for r in matrix.rows][-1] == "Ind på trappen (fra ingen indsats)"
    assert matrix.columns[-1] == "Ud af trappen (ingen indsats)"
    entries = [c.export() for c in matrix.rows[-1].cells]
    assert entries == ["<3", 3, "<3", "<3", "<3", "<3", ""]
    exits = {r.label[:1]: r.cells[-1].export() for r in matrix.rows[:-1]}
    assert exits == {"1": 0, "2": 0, "3": 0, "4": "<3", "5": "<3", "6": 0}
    assert "Ind på trappen (fra ingen indsats)" not in [r.label for r in matrix.rows[:-1]]

    reasons = FIGURES["bevaegelser-aarsager"](_ctx(whole)).table
    assert reasons.columns == ["Ind på trappen", "Op ad trappen", "Ned ad trappen", "Ud af trappen", "I alt"]
    first = next(r for r in reasons.rows if r.label == "Første indsats")
    assert [c.export() for c in first.cells] == [9, 0, 0, 0, 9]


def test_team_leader_scope_counts_only_the_team(team_a):
    placed = selectors.placements(team_a, [YEAR])[0]
    # team A: foster A1 365 + A2 184 = 549; institution A3 90 + A7 365 = 455
    assert placed.days["foster_family"] == 549
    assert placed.days["institution"] == 455
    moved = selectors.movements(team_a, D(2025, 1, 1), D(2025, 12, 31))
    assert sum(moved.values()) == 7  # A2 twice, A3, A4 twice, A5, A7
    # breakdowns: A3 only (B3 is team B)
    assert selectors.breakdowns(team_a, [YEAR]) == [(1, 1)]


def test_breakdowns_in_percent_of_placed_child_years(whole):
    ((count, children),) = selectors.breakdowns(whole, [YEAR])
    assert (count, children) == (2, 2)  # A3 institution 03-31, B3 foster family 06-30
    placed = selectors.placements(whole, [YEAR])[0]
    # 2 / (2438 / 365) x 100 = 29.94 %
    assert round(Decimal(count) * 100 / placed.child_years("all"), 2) == Decimal("29.94")


def test_complaints_in_percent_of_cases_per_team(kora, whole):
    received = selectors.complaints(whole, [YEAR])
    # A1 (March) and A2 (May) for team A, B1 (November) for team B; A7's from December 2024 is outside
    assert received == {(0, kora.org.team_a.pk): 2, (0, kora.org.team_b.pk): 1}
    cases = selectors.cases_per_team(whole, [YEAR])
    # every case was open some time in 2025: team A A1-A7 = 7, team B B1-B5 = 5, all 12
    assert cases == {(0, kora.org.team_a.pk): 7, (0, kora.org.team_b.pk): 5, (0, None): 12}
    with translation.override("da"):
        table = complaint_rates(_ctx(whole)).table
    rows = {r.label.split(" (")[0]: [c.display() for c in r.cells] for r in table.rows}
    # team A: 2 / 7 = 28.6 %, but 2 complaints is "<3"; team B 1 / 5; all 3 / 12 = 25.0 %
    assert rows["I alt"] == ["3", "12", "25,0 %"]
    assert rows["Team A"][0] == "<3" and rows["Team B"][0] == "<3"


def test_sdq_change_and_paired_t_test(whole):
    pairs = selectors.sdq_pairs(
        whole,
        informant="teacher",
        before=Period(D(2025, 1, 1), D(2025, 3, 31), "før"),
        after=Period(D(2025, 10, 1), D(2025, 12, 31), "efter"),
    )
    before = [p.before["total"] for p in pairs]
    after = [p.after["total"] for p in pairs]
    # A1 14->11, A2 10->9, A5 12->13 (first before, last after), B1 20->16, B2 8->10; A3 has no after
    assert sorted(zip(before, after, strict=True)) == [(8, 10), (10, 9), (12, 13), (14, 11), (20, 16)]
    result = paired(before, after)
    # means: before 64 / 5 = 12.8, after 59 / 5 = 11.8, change -5 / 5 = -1.0
    assert (result.mean_before, result.mean_after, result.mean_change) == (12.8, 11.8, -1.0)
    # changes -3 -1 -4 +2 +1; deviations from -1: -2 0 -3 3 2; sum of squares 26; variance 26 / 4
    # = 6.5; sd 2.5495; t = -1 / (2.5495 / sqrt 5) = -0.8771 with 4 degrees of freedom, whose
    # two-sided p (t-table) is 0.430: not significant
    assert round(result.sd_change, 4) == 2.5495
    assert round(result.t, 4) == -0.8771
    assert round(result.p, 3) == 0.430
    assert not result.significant and result.small


def test_sdq_figure_warns_about_the_small_group(whole):
    ctx = _ctx(
        whole,
        informant="teacher",
        before=Period(D(2025, 1, 1), D(2025, 3, 31), "før"),
        after=Period(D(2025, 10, 1), D(2025, 12, 31), "efter"),
    )
    with translation.override("da"):
        figure = sdq_cohort(ctx)
    total = figure.table.rows[0]
    assert [c.display() for c in total.cells[:4]] == ["5", "12,8", "11,8", "-1,0"]
    assert any("Gruppen er lille (5 børn)" in w for w in figure.warnings)
    assert any("ikke statistisk signifikant" in w for w in figure.warnings)
    # the subscales were not entered: no children, nothing computed
    assert figure.table.rows[1].cells[0].display() == "0"
