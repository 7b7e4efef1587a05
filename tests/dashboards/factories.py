"""Helpers for the caseload and dashboard tests."""

from __future__ import annotations

from cases.models import Case
from tests.factories import CaseFactory


def give_cases(advisor, team, n: int) -> list[Case]:
    """``n`` open cases of ``team`` with ``advisor`` responsible, made directly (a load to start
    from; assignments under test go through the service)."""
    return [CaseFactory(team=team, advisor=advisor) for _ in range(n)]
