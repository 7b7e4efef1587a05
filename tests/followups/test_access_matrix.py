"""Who gets what from the follow-up pages (docs/access.md §2; the world is ``tests.matrix``):
a measure's schedule is read with its case and recorded by the case's writers; exceptions are
decided by the team leader of the case's team; the deadline lists, the reminders, the reminder
settings and the calendar link are each person's own; the calendar feed opens with its secret token alone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from followups import services
from tests.access import ANONYMOUS, AccessMatrix, outcome_for_all
from tests.matrix import OnTheCase, reads, writes


class TestMeasureSchedule(OnTheCase):
    needs = ("measure",)
    url = lambda objects: f"/opfoelgning/indsats/{objects.measure.pk}/"  # noqa: E731
    expected = reads()


class TestFollowUpRecordPage(OnTheCase):
    needs = ("measure",)
    url = lambda objects: f"/opfoelgning/indsats/{objects.measure.pk}/registrer/"  # noqa: E731
    expected = writes()


class TestFollowUpRecord(TestFollowUpRecordPage):
    method = "post"


class TestExceptionRequestPage(OnTheCase):
    needs = ("boarding_school",)
    url = lambda objects: f"/opfoelgning/indsats/{objects.measure.pk}/undtagelse/"  # noqa: E731
    expected = writes()


class TestExceptionRequest(TestExceptionRequestPage):
    method = "post"


class TestExceptionsToDecide(AccessMatrix):
    url = "/opfoelgning/undtagelser/"
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200)


class TestExceptionDecide(OnTheCase):
    """The team leader of the case's team decides (an empty decision is refused: 400); the other
    team's leader does not see the exception (404); other roles may not open the page (403)."""

    needs = ("boarding_school",)
    url = lambda objects: f"/opfoelgning/undtagelser/{objects.exception.pk}/beslutning/"  # noqa: E731
    method = "post"
    expected = outcome_for_all(403, team_leader=400, other_team_leader=404)


class TestExceptionRevoke(TestExceptionDecide):
    url = lambda objects: f"/opfoelgning/undtagelser/{objects.exception.pk}/tilbagekald/"  # noqa: E731
    expected = outcome_for_all(403, team_leader=302, other_team_leader=404)


class TestLaterDateDecide(OnTheCase):
    """A later date than the rule allows: the team leader of the case's team decides (an empty
    decision is refused: 400); the other team's leader does not see it (404); others 403."""

    needs = ("later_date",)
    url = lambda objects: f"/opfoelgning/senere-dato/{objects.later.pk}/beslutning/"  # noqa: E731
    method = "post"
    expected = outcome_for_all(403, team_leader=400, other_team_leader=404)


class TestDeadlines(AccessMatrix):
    url = "/opfoelgning/frister/"
    expected = outcome_for_all(200)


class TestReminders(AccessMatrix):
    url = "/opfoelgning/paamindelser/"
    expected = outcome_for_all(200)


class TestRemindersMarkedRead(TestReminders):
    method = "post"
    expected = outcome_for_all(302)


class TestReminderSettings(AccessMatrix):
    """Each person's own choice of how escalations reach them: everyone may open and save it (it
    matters once they lead a team)."""

    url = "/opfoelgning/paamindelser/indstillinger/"
    expected = outcome_for_all(200)


class TestReminderSettingsSaved(TestReminderSettings):
    method = "post"
    data = {"escalations": "immediate"}
    expected = outcome_for_all(302)


class TestReminderSettingsRefused(TestReminderSettings):
    """A choice that is not one is answered at the field, and nothing is saved."""

    method = "post"
    data = {"escalations": "hourly"}
    expected = outcome_for_all(400)


class TestCalendarSettings(AccessMatrix):
    url = "/opfoelgning/kalender/"
    expected = outcome_for_all(200)


class TestCalendarLinkMade(TestCalendarSettings):
    method = "post"


class TestCalendarFeed(AccessMatrix):
    """The feed is opened by a calendar program with the secret in its address, logged in or not;
    it shows the token owner's deadlines to whoever holds the link."""

    url = lambda objects: f"/opfoelgning/kalender/{objects.token}/frister.ics"  # noqa: E731
    expected = outcome_for_all(200, **{ANONYMOUS: 200})

    @pytest.fixture
    def objects(self, org):
        return SimpleNamespace(token=services.calendar_token_create(user=org.advisor))


class TestCalendarFeedWithAnUnknownToken(TestCalendarFeed):
    expected = outcome_for_all(404, **{ANONYMOUS: 404})

    @pytest.fixture
    def objects(self, org):
        services.calendar_token_create(user=org.advisor)
        return SimpleNamespace(token="not-the-token")
