"""The table of legal regimes: which law applies on a day, and what each provision cites."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from herning.core import law

LAST_SEL_DAY = datetime.date(2023, 12, 31)
FIRST_BL_DAY = datetime.date(2024, 1, 1)


def test_serviceloven_applies_to_the_last_day_of_2023():
    assert law.regime_on(LAST_SEL_DAY) is law.SERVICELOVEN


def test_barnets_lov_applies_from_the_first_day_of_2024():
    assert law.regime_on(FIRST_BL_DAY) is law.BARNETS_LOV


def test_a_day_long_before_any_known_regime_is_judged_by_the_oldest():
    assert law.regime_on(datetime.date(1990, 1, 1)) is law.SERVICELOVEN


def test_a_day_far_ahead_is_judged_by_the_regime_still_in_force():
    assert law.regime_on(datetime.date(2099, 6, 30)) is law.BARNETS_LOV


def test_regime_on_refuses_a_datetime():
    # A datetime is a date subclass: compared by its date part it would hide a time-zone error.
    with pytest.raises(TypeError):
        law.regime_on(datetime.datetime(2024, 1, 1, 0, 30, tzinfo=datetime.UTC))


def test_the_regimes_follow_each_other_without_a_gap_or_an_overlap():
    for earlier, later in zip(law.REGIMES, law.REGIMES[1:], strict=False):
        assert earlier.end is not None
        assert later.start == earlier.end + datetime.timedelta(days=1)
    assert law.REGIMES[-1].end is None


def test_each_regime_is_in_force_exactly_on_its_own_days():
    assert law.SERVICELOVEN.in_force_on(LAST_SEL_DAY)
    assert not law.SERVICELOVEN.in_force_on(FIRST_BL_DAY)
    assert law.BARNETS_LOV.in_force_on(FIRST_BL_DAY)
    assert not law.BARNETS_LOV.in_force_on(LAST_SEL_DAY)


@pytest.mark.parametrize(
    ("field", "serviceloven", "barnets_lov"),
    [
        ("assessment", "Serviceloven § 155", "Barnets Lov § 136"),
        ("receipt", "Serviceloven § 155 b", "Barnets Lov § 136"),
        ("investigation", "Serviceloven § 50, stk. 7", "Barnets Lov § 20, stk. 3"),
        ("plan", "Serviceloven § 140", "Barnets Lov § 91"),
        ("followup", "Serviceloven § 70", "Barnets Lov § 95"),
        ("first_followup", "Serviceloven § 70", "Barnets Lov § 95, stk. 2"),
        ("followup_cadence", "Serviceloven § 70", "Barnets Lov § 95, stk. 3"),
        ("supervision", "Serviceloven § 148, stk. 3", "Barnets Lov § 156, stk. 5"),
    ],
)
def test_each_provision_is_cited_by_the_regime_of_the_day(field, serviceloven, barnets_lov):
    assert getattr(law.regime_on(LAST_SEL_DAY), field).citation == serviceloven
    assert getattr(law.regime_on(FIRST_BL_DAY), field).citation == barnets_lov
    assert str(getattr(law.BARNETS_LOV, field)) == barnets_lov


def test_english_citations_use_the_parenthesised_subsection():
    assert law.BARNETS_LOV.first_followup.citation_en == "Barnets Lov § 95(2)"
    assert law.BARNETS_LOV.followup_cadence.citation_en == "Barnets Lov § 95(3)"
    assert law.BARNETS_LOV.supervision.citation_en == "Barnets Lov § 156(5)"
    assert law.SERVICELOVEN.supervision.citation_en == "Serviceloven § 148(3)"


def test_only_barnets_lov_has_a_youth_plan_from_15():
    assert law.SERVICELOVEN.youth_plan is None
    assert law.BARNETS_LOV.youth_plan.citation == "Barnets Lov § 108"
    assert law.BARNETS_LOV.youth_plan_from_age == 15


def test_only_barnets_lov_decides_the_cadence_at_the_first_follow_up():
    assert not law.regime_on(LAST_SEL_DAY).cadence_decided_at_first_followup
    assert law.regime_on(FIRST_BL_DAY).cadence_decided_at_first_followup


def test_only_barnets_lov_brings_the_first_follow_up_forward_to_an_investigation_end():
    assert not law.regime_on(LAST_SEL_DAY).first_followup_at_investigation_end
    assert law.regime_on(FIRST_BL_DAY).first_followup_at_investigation_end


@pytest.mark.parametrize("regime", law.REGIMES, ids=lambda r: r.name)
def test_the_legal_months_are_the_same_in_both_regimes(regime):
    # First follow-up within 3 months, 6 months between follow-ups (or the default until the
    # cadence is decided), two supervisory visits a year.
    assert (
        regime.first_followup_months,
        regime.followup_cadence_months,
        regime.supervision_interval_months,
    ) == (
        3,
        6,
        6,
    )


@pytest.mark.parametrize(
    ("kind", "citation"),
    [
        ("handleplan", "Serviceloven § 140"),
        ("barnets_plan", "Barnets Lov § 91"),
        ("ungeplan", "Barnets Lov § 108"),
        ("something_else", "Barnets Lov § 91"),
    ],
)
def test_a_plan_is_cited_by_its_kind(kind, citation):
    assert law.plan_provision(kind).citation == citation


def test_the_plan_kinds_are_the_models_own():
    from cases.models import Plan

    assert set(law.PLAN_PROVISIONS) == set(Plan.Kind.values)


# Which law applies on a day is asked of this table only: no other module compares a date with the
# first day of Barnets Lov (or its year) by hand.
_BY_HAND = re.compile(
    r"date\(\s*2024\s*,\s*0?1\s*,\s*0?1\s*\)"
    r"|[\"']2024-01-01[\"']"
    r"|\.year\s*(?:<|<=|>|>=|==|!=)\s*202[34]\b"
    r"|\b202[34]\s*(?:<|<=|>|>=|==|!=)\s*[\w.]*\.year\b"
)
_PRODUCT = (
    "herning",
    "cases",
    "measures",
    "followups",
    "network_meetings",
    "evaluation",
    "dashboards",
    "dubu",
)


def _product_files():
    root = Path(__file__).resolve().parents[2]
    for package in (*_PRODUCT, "templates", "benchmarks", "scripts"):
        for path in (root / package).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                yield root, path


def test_no_module_outside_the_law_table_compares_with_the_first_day_of_barnets_lov():
    offenders = []
    for root, path in _product_files():
        if path == root / "herning" / "core" / "law.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _BY_HAND.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "ask herning.core.law.regime_on(day) instead:\n" + "\n".join(offenders)


def test_the_scan_finds_a_comparison_by_hand():
    assert _BY_HAND.search("if measure.start_date < datetime.date(2024, 1, 1):")
    assert _BY_HAND.search("{% if data.measure.start_date.year < 2024 %}")
    assert not _BY_HAND.search("law.regime_on(day).cadence_decided_at_first_followup")
