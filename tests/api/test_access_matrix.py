"""Who gets what from the API's endpoints beyond the resources' list and detail
(``test_resources.py``): the actions on an object, the DUBU exchange, the schedule preview and the
root (docs/access.md §2; the world is ``tests.matrix``). The anonymous caller gets 401.

An action posted with an empty body is refused by its input (400) for those who may do it, so
the matrix tests the access without changing anything; who may read the object but not change it
gets 403, and everyone else 404.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.access import AccessMatrix
from tests.api.base import outcome_for_all
from tests.matrix import OnTheCase, api, reads, writes

pytestmark = pytest.mark.django_db


class TestApiRoot(AccessMatrix):
    url = "/api/v1/"
    expected = outcome_for_all(200)


class TestSchedulePreview(AccessMatrix):
    """The rules' due dates for a new measure: no person's data, for everyone logged in."""

    url = "/api/v1/schedule-preview/?measure_type=institution&start=2026-01-05&until=2026-12-31"
    expected = outcome_for_all(200)


class TestChanges(AccessMatrix):
    """The change feed: everyone logged in reads it, each sees only changes to what they may read
    (``test_changes.py``)."""

    url = "/api/v1/changes/"
    expected = outcome_for_all(200)


class TestChildLookup(AccessMatrix):
    """Finding a child by CPR in the body: everyone logged in may ask (an empty body is refused by
    its input, 400); what they find is what they may read (``test_child_lookup.py``)."""

    url = "/api/v1/children/lookup/"
    method = "post"
    expected = outcome_for_all(400)


class TestCaseAssign(OnTheCase):
    """Only the team leader of the case's team assigns; the case's advisor reads it (403)."""

    url = lambda objects: f"/api/v1/cases/{objects.case.pk}/assign/"  # noqa: E731
    method = "post"
    expected = api(writes(400, advisor=403))


class TestInvestigationDetail(OnTheCase):
    """The investigation reads as its case does (``tests/herning/test_other_municipality.py`` asks
    it again in another municipality: 404 there)."""

    needs = ("investigation",)
    url = lambda objects: f"/api/v1/investigations/{objects.investigation.pk}/"  # noqa: E731
    expected = api(reads())


class TestInvestigationAwareOn(OnTheCase):
    """Correcting aware_on is a change of the case's contents."""

    needs = ("investigation",)
    url = lambda objects: f"/api/v1/investigations/{objects.investigation.pk}/aware-on/"  # noqa: E731
    method = "post"
    expected = api(writes(400))


class TestInvestigationInterimAssessment(TestInvestigationAwareOn):
    url = lambda objects: f"/api/v1/investigations/{objects.investigation.pk}/interim-assessment/"  # noqa: E731


class TestMeasureChange(OnTheCase):
    needs = ("measure",)
    url = lambda objects: f"/api/v1/measures/{objects.measure.pk}/change/"  # noqa: E731
    method = "post"
    expected = api(writes(400))


class TestPlanRevise(OnTheCase):
    needs = ("plan",)
    url = lambda objects: f"/api/v1/plans/{objects.plan.pk}/revise/"  # noqa: E731
    method = "post"
    expected = api(writes(400))


class TestFollowUpComplete(OnTheCase):
    needs = ("measure",)
    url_name = "followup-complete"  # the id is "<measure>.followup.<due date>"
    url = lambda objects: f"/api/v1/followups/{objects.followup_id}/complete/"  # noqa: E731
    method = "post"
    expected = api(writes(400))


class TestFollowUpLaterDate(OnTheCase):
    """Only the team leader of the case's team decides a later date; the case's advisor and who
    may read the case get 403 (an empty decision from the team leader: 400)."""

    needs = ("later_date",)
    url_name = "followup-later-date"
    url = lambda objects: f"/api/v1/followups/{objects.later_followup_id}/later-date/"  # noqa: E731
    method = "post"
    expected = api(writes(400, advisor=403))


class TestNetworkMeetingCancel(OnTheCase):
    """The health visitor takes part in the meeting as staff: reads it, may not cancel it. The
    writers' empty body is a valid cancellation (the note is optional); it is rolled back."""

    needs = ("meeting",)
    url = lambda objects: f"/api/v1/network-meetings/{objects.meeting.pk}/cancel/"  # noqa: E731
    method = "post"
    expected = api(writes(200, health_visitor=403))


class TestAccessRequests(AccessMatrix):
    """The pending requests for access of the teams a person leads: team leaders only."""

    url = "/api/v1/access-requests/"
    expected = api(outcome_for_all(403, team_leader=200, other_team_leader=200))


class TestAccessRequestDetail(OnTheCase):
    """One request, read by the team leaders who read its child."""

    needs = ("access_request",)
    url = lambda objects: f"/api/v1/access-requests/{objects.access_request.pk}/"  # noqa: E731
    expected = api(outcome_for_all(403, team_leader=200, other_team_leader=404))


class TestAccessRequestGrant(OnTheCase):
    """As the page: decided by the leader of the child's team (team B's advisor asked and is added
    to the case); other team leaders do not read the child (404); the other roles are refused."""

    needs = ("access_request",)
    url = lambda objects: f"/api/v1/access-requests/{objects.access_request.pk}/grant/"  # noqa: E731
    method = "post"
    expected = api(outcome_for_all(403, team_leader=200, other_team_leader=404))


class TestAccessRequestRefuse(TestAccessRequestGrant):
    url = lambda objects: f"/api/v1/access-requests/{objects.access_request.pk}/refuse/"  # noqa: E731


class TestDubuImports(AccessMatrix):
    """The DUBU exchange is for team leaders (any team's: the file holds the municipality)."""

    url = "/api/v1/dubu/imports/"
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200)


class TestDubuImportWithoutAFile(TestDubuImports):
    method = "post"
    expected = outcome_for_all(403, team_leader=400, other_team_leader=400)


class TestDubuImportRun(AccessMatrix):
    """A run is read by the leaders of the teams its importer led (issue 18, point 7)."""

    url = lambda objects: f"/api/v1/dubu/imports/{objects.run.pk}/"  # noqa: E731
    expected = outcome_for_all(403, team_leader=200, other_team_leader=404)

    @pytest.fixture
    def objects(self, org):
        from dubu.importer import import_file
        from dubu.models import ImportRun
        from tests.dubu.conftest import csv_bytes, row

        import_file(content=csv_bytes([row()]), file_name="dubu.csv", user=org.team_leader, dry_run=True)
        return SimpleNamespace(run=ImportRun.objects.get())


class TestDubuExport(AccessMatrix):
    url = "/api/v1/dubu/export/"
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200)
