"""The hand-verified fixture (issue 8 point 11): a dozen cases in two teams through 2025.

Each case's story, with the child-days it adds in 2025 (a year of 365 days; H1 = 181 days, H2 = 184):

team A (district A)
  A1  foster family since 2024-06-01, all 2025 ............................. foster 365
  A2  family treatment 2025-01-01..07-31; foster family from 07-01 ......... foster 184
  A3  institution since 2024-09-01, broke down 03-31; own room from 04-01 .. institution 90, home-based 275
  A4  opened 02-01; network foster care 03-01..08-31; closed 09-15 ........ network 184
  A5  early support (step 1) all 2025 ...................................... -
  A6  opened 10-01, under clarification .................................... -
  A7  opened 2024-12-01; institution from 2025-01-01 ....................... institution 365
team B (district B)
  B1  foster family from 2025-01-01 ........................................ foster 365
  B2  preventive 01-01..07-15; institution from 07-01 ...................... institution 184
  B3  foster family 01-01..06-30, broke down; then nothing ................. foster 181
  B4  respite care from 02-01 (step 2) ...................................... -
  B5  own room from 05-01 (31+30+31+31+30+31+30+31) ......................... home-based 245

Unit costs (per year, so that a day costs a round sum): foster family 365,000 (1,000 a day) until
2025-06-30 and 438,000 (1,200 a day) from 07-01; network foster care 182,500 (500 a day);
institution 730,000 (2,000 a day); own room 292,000 (800 a day).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from cases.models import CaseState
from evaluation.services import complaint_register, sdq_record, snapshot_backfill
from measures.models import Measure, UnitCost
from measures.services import measure_end, measure_start
from tests.factories import HEARD, CaseFactory, measure_type

D = datetime.date


def _start(case, code, day, user):
    return measure_start(
        hearing=HEARD, case=case, measure_type=measure_type(code), start_date=day, decided_by=user
    )


def _end(measure, day, reason, user):
    return measure_end(measure=measure, end_date=day, ending_reason=reason, ended_by=user)


def _prices():
    for code, periods in {
        "foster_family": [(D(2013, 1, 1), D(2025, 6, 30), 365_000), (D(2025, 7, 1), None, 438_000)],
        "network_foster_family": [(D(2013, 1, 1), None, 182_500)],
        "institution": [(D(2013, 1, 1), None, 730_000)],
        "own_room": [(D(2013, 1, 1), None, 292_000)],
    }.items():
        mt = measure_type(code)
        UnitCost.objects.filter(measure_type=mt).delete()
        for start, end, amount in periods:
            UnitCost.objects.create(
                measure_type=mt, valid_from=start, valid_to=end, amount_per_year=Decimal(amount)
            )


@pytest.fixture
def kora(org):
    """The twelve cases, their measures, complaints and SDQ scores, and snapshots of 2025."""
    user = org.advisor
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        _prices()
        a = {
            f"A{i}": CaseFactory(team=org.team_a, advisor=user, opened_on=D(2024, 6, 1)) for i in range(1, 8)
        }
        b = {
            f"B{i}": CaseFactory(team=org.team_b, advisor=org.outsider, opened_on=D(2024, 12, 1))
            for i in range(1, 6)
        }
        a["A4"].opened_on, a["A6"].opened_on, a["A7"].opened_on = (
            D(2025, 2, 1),
            D(2025, 10, 1),
            D(2024, 12, 1),
        )
        for case in (a["A4"], a["A6"], a["A7"]):
            case.save()
        c = {**a, **b}
        reason = Measure.EndingReason

        _start(c["A1"], "foster_family", D(2024, 6, 1), user)

        treatment = _start(c["A2"], "family_treatment", D(2025, 1, 1), user)
        _start(c["A2"], "foster_family", D(2025, 7, 1), user)
        _end(treatment, D(2025, 7, 31), reason.CHANGED_MEASURE, user)

        institution = _start(c["A3"], "institution", D(2024, 9, 1), user)
        _start(c["A3"], "own_room", D(2025, 4, 1), user)
        _end(institution, D(2025, 3, 31), reason.BREAKDOWN, user)

        network = _start(c["A4"], "network_foster_family", D(2025, 3, 1), user)
        _end(network, D(2025, 8, 31), reason.PLANNED, user)
        c["A4"].refresh_from_db()
        c["A4"].state, c["A4"].closed_on = CaseState.CLOSED, D(2025, 9, 15)
        c["A4"].save()

        _start(c["A5"], "early_support", D(2025, 1, 1), user)
        _start(c["A7"], "institution", D(2025, 1, 1), user)

        _start(c["B1"], "foster_family", D(2025, 1, 1), user)
        preventive = _start(c["B2"], "preventive", D(2025, 1, 1), user)
        _start(c["B2"], "institution", D(2025, 7, 1), user)
        _end(preventive, D(2025, 7, 15), reason.PLANNED, user)
        foster = _start(c["B3"], "foster_family", D(2025, 1, 1), user)
        _end(foster, D(2025, 6, 30), reason.BREAKDOWN, user)
        _start(c["B4"], "respite_care", D(2025, 2, 1), user)
        _start(c["B5"], "own_room", D(2025, 5, 1), user)

        for case, received in (
            (c["A1"], D(2025, 3, 10)),
            (c["A2"], D(2025, 5, 5)),
            (c["B1"], D(2025, 11, 20)),
            (c["A7"], D(2024, 12, 20)),
        ):
            complaint_register(case=case, received_on=received, subject="decision", recorded_by=case.advisor)

        # Teachers' SDQ totals: (case, day, total). A3 has no after score; A5 has two before and
        # two after, of which the first before and the last after count.
        for case, day, total in [
            ("A1", D(2025, 2, 1), 14), ("A1", D(2025, 11, 1), 11),
            ("A2", D(2025, 2, 1), 10), ("A2", D(2025, 11, 1), 9),
            ("B1", D(2025, 2, 1), 20), ("B1", D(2025, 11, 1), 16),
            ("B2", D(2025, 2, 1), 8), ("B2", D(2025, 11, 1), 10),
            ("A3", D(2025, 2, 1), 25),
            ("A5", D(2025, 1, 10), 12), ("A5", D(2025, 3, 1), 15), ("A5", D(2025, 10, 5), 18), ("A5", D(2025, 11, 1), 13),
        ]:  # fmt: skip
            sdq_record(
                case=c[case], informant="teacher", assessed_on=day, total=total, recorded_by=c[case].advisor
            )

        snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 12, 31))
    return SimpleNamespace(org=org, **c)
