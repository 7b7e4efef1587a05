"""A measure type added in the admin behaves like a shipped one of its kind: what a type does is
read from its fields (``is_short_term``, ``is_home_treatment``, ``is_boarding_school``, its
placement category), never from a list of codes."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from followups import services as followup_services
from followups.presets import EXCEPTIONS
from measures.catalog import TYPE_BEHAVIOUR
from measures.models import LadderMovement, Measure, MeasureType
from measures.services import measure_end, measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date


def copy_of(code: str, new_code: str, **fields) -> MeasureType:
    """A new type made in the admin: the shipped type's step, basis and category, a new code."""
    shipped = measure_type(code)
    return MeasureType.objects.create(
        code=new_code,
        name=f"Ny: {shipped.name}",
        ladder_step=shipped.ladder_step,
        legal_basis=shipped.legal_basis,
        placement_category=shipped.placement_category,
        **fields,
    )


def test_the_shipped_types_carry_the_behaviour_they_had_as_code(db):
    for code, flags in TYPE_BEHAVIOUR.items():
        shipped = measure_type(code)
        assert {name: getattr(shipped, name) for name in flags} == flags
    assert not measure_type("institution").is_short_term
    assert not measure_type("contact_person").is_home_treatment


def _ending_reason(org, mtype: MeasureType) -> str:
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 6, 1))
    measure = measure_start(
        hearing=HEARD, case=case, measure_type=mtype, start_date=D(2026, 1, 1), decided_by=org.advisor
    )
    measure_end(
        measure=measure,
        end_date=D(2026, 2, 1),
        ending_reason=Measure.EndingReason.PLANNED,
        ended_by=org.advisor,
    )
    return case.movements.last().reason


@pytest.mark.parametrize(
    ("shipped", "flag", "reason"),
    [
        ("short_term_placement", "is_short_term", LadderMovement.Reason.SHORT_TERM_ENDED),
        ("mst", "is_home_treatment", LadderMovement.Reason.HOME_AFTER_TREATMENT),
    ],
)
@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_new_type_with_the_flag_ends_like_the_shipped_one(org, shipped, flag, reason):
    new = copy_of(shipped, f"new_{shipped}", **{flag: True})
    without = copy_of(shipped, f"plain_{shipped}")
    assert _ending_reason(org, measure_type(shipped)) == reason
    assert _ending_reason(org, new) == reason
    assert _ending_reason(org, without) != reason


@time_machine.travel("2026-03-01 10:00 +01:00", tick=False)
def test_a_new_boarding_school_or_foster_type_is_offered_the_exceptions_of_its_kind(org):
    def kinds(mtype):
        case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 6, 1))
        measure = measure_start(
            hearing=HEARD, case=case, measure_type=mtype, start_date=D(2026, 1, 1), decided_by=org.advisor
        )
        return {k for k in EXCEPTIONS if followup_services.exception_applies(k, measure)}

    assert kinds(copy_of("boarding_school", "efterskole_2", is_boarding_school=True)) == kinds(
        measure_type("boarding_school")
    )
    assert "boarding_school" in kinds(measure_type("boarding_school"))
    assert kinds(copy_of("foster_family", "plejefamilie_2")) == kinds(measure_type("foster_family"))
    assert "childhood_foster" in kinds(measure_type("foster_family"))
