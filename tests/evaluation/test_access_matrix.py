"""Who gets what from the evaluation pages (docs/access.md §2; the world is ``tests.matrix``):
the figures are for management (the whole municipality) and team leaders (their teams), the
comparison of districts for management only; a case's complaints and SDQ scores are read with
the case. Complaints are written by the case's writers; SDQ scores also by the professionals
added to the case (``cases.permissions.Action.RECORD_SCORES``), never on a closed case.

An empty form is refused by the form (400) for those who may write.
"""

from __future__ import annotations

from tests.access import AccessMatrix, outcome_for_all
from tests.matrix import OnTheCase, reads, writes

FIGURES = {"management": 200, "team_leader": 200, "other_team_leader": 200}


class TestOverview(AccessMatrix):
    url = "/evaluering/"
    expected = outcome_for_all(403, **FIGURES)


class TestSection(AccessMatrix):
    url = "/evaluering/trappe/"
    expected = outcome_for_all(403, **FIGURES)


class TestComparisonIsForManagementOnly(AccessMatrix):
    url = "/evaluering/sammenligning/"
    expected = outcome_for_all(403, management=200)


class TestExport(AccessMatrix):
    """Without any snapshot yet, those who may export are told there is nothing to fetch (400);
    the others are refused before that (403)."""

    url = "/evaluering/eksport/trappe-nu.csv"
    expected = outcome_for_all(403, **dict.fromkeys(FIGURES, 400))


class TestCaseComplaints(OnTheCase):
    url = lambda objects: f"/evaluering/sager/{objects.case.pk}/klager/"  # noqa: E731
    expected = reads()


class TestCaseComplaintRegistered(TestCaseComplaints):
    method = "post"
    expected = writes(400)


class TestCaseSdq(OnTheCase):
    url = lambda objects: f"/evaluering/sager/{objects.case.pk}/sdq/"  # noqa: E731
    expected = reads()


class TestCaseSdqRecorded(TestCaseSdq):
    """The psychologist added to the case enters scores; the sharing colleagues read them."""

    method = "post"
    expected = writes(400, psychologist=400)


class TestCaseSdqOnAClosedCase(TestCaseSdqRecorded):
    needs = ("closed",)
    expected = writes(403, psychologist=403)
