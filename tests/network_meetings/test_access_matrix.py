"""Who gets what from every network-meeting, network-map and slot page, reading (GET) and writing
(POST), for every persona (docs/access.md §2; the world is ``tests.matrix``).

The meeting is on the shared case, planned by Alice. Its readers are the case's readers and the
staff who take part: the health visitor is invited as staff, so reads the meeting, and nothing
more of the child (the network map stays 404 to them). Changes are for whoever planned the
meeting and those who may write the case; the other readers get 403. A POST whose form is empty
is refused by the form (200 with the errors) or, for the small actions, answered by a redirect
with a message (302): the matrix tests the access, and the savepoint undoes anything written.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.access import AccessMatrix, outcome_for_all
from tests.matrix import OnTheCase, reads, writes

MEETING_ROLES = (
    "advisor",
    "colleague",
    "outsider",
    "duty_advisor",
    "team_leader",
    "other_team_leader",
    "psychologist",
    "health_visitor",
)
TEAM_A = ("advisor", "colleague", "duty_advisor", "team_leader", "psychologist", "health_visitor")
NO_MEETING_ROLE = {"case_admin": 403, "management": 403, "sysadmin": 403, "data_protection": 403}


def meeting_reads() -> dict[str, int]:
    return reads(health_visitor=200)


def meeting_writes(ok: int = 200) -> dict[str, int]:
    return writes(ok, health_visitor=403)


def role_page(*allowed: str) -> dict[str, int]:
    return outcome_for_all(403, **dict.fromkeys(allowed, 200))


class OnTheMeeting(OnTheCase):
    needs = ("meeting",)


class OnTheMap(OnTheCase):
    needs = ("network_map",)


# --- Meetings ---------------------------------------------------------------------------------


class TestMeetingList(AccessMatrix):
    url = "/netvaerksmoeder/"
    expected = role_page(*MEETING_ROLES)


class TestMeetingCreatePage(AccessMatrix):
    url = "/netvaerksmoeder/nyt/"
    expected = role_page(*MEETING_ROLES)


class TestMeetingCreate(TestMeetingCreatePage):
    method = "post"


class TestMeetingCreateForAChild(OnTheCase):
    """Planning a meeting for a named child needs the right to read the child (404 by id)."""

    url = lambda objects: f"/netvaerksmoeder/nyt/?barn={objects.child.pk}"  # noqa: E731
    expected = reads(**NO_MEETING_ROLE)


class TestMeetingPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/"  # noqa: E731
    expected = meeting_reads()


class TestMeetingEditPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/ret/"  # noqa: E731
    expected = meeting_writes()


class TestMeetingEdit(TestMeetingEditPage):
    method = "post"


class TestMeetingCancelPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/aflys/"  # noqa: E731
    expected = meeting_writes()


class TestMeetingCancel(TestMeetingCancelPage):
    method = "post"


class TestFollowUpMeetingPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/opfoelgning/"  # noqa: E731
    expected = meeting_writes()


class TestFollowUpMeeting(TestFollowUpMeetingPage):
    method = "post"


# --- Participants -----------------------------------------------------------------------------


class TestParticipantsPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/"  # noqa: E731
    expected = meeting_reads()


class TestParticipantAdd(TestParticipantsPage):
    method = "post"
    expected = meeting_writes()


class TestMeetingRoles(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/roller/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


class TestParticipantsFromMap(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/fra-netvaerkskort/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


class TestParticipantEditPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/{objects.teacher.pk}/"  # noqa: E731
    expected = meeting_writes()


class TestParticipantEdit(TestParticipantEditPage):
    method = "post"


class TestParticipantStatus(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/{objects.teacher.pk}/status/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


class TestParticipantRemove(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/deltagere/{objects.teacher.pk}/fjern/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


# --- Consent, invitation, minutes and agreements ----------------------------------------------


class TestConsentPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/samtykke/"  # noqa: E731
    expected = meeting_reads()


class TestConsent(TestConsentPage):
    method = "post"
    expected = meeting_writes()


class TestInvitationPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/invitation/"  # noqa: E731
    expected = meeting_reads()


class TestInvitationPdf(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/invitation.pdf"  # noqa: E731
    expected = meeting_reads()


class TestInvitationSend(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/invitation/send/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


class TestMinutesPage(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/referat/"  # noqa: E731
    expected = meeting_reads()


class TestMinutes(TestMinutesPage):
    """Every field of the minutes may be empty (they are written over several sittings): an empty
    form is saved and the writer sent back to the page."""

    method = "post"
    expected = meeting_writes(302)


class TestMinutesPrint(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/referat/udskrift/"  # noqa: E731
    expected = meeting_reads()


class TestMinutesPdf(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/referat.pdf"  # noqa: E731
    expected = meeting_reads()


class TestMinutesSend(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/referat/send/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


class TestAgreementAdd(OnTheMeeting):
    """An empty agreement comes back with its errors at the fields (400)."""

    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/aftaler/"  # noqa: E731
    method = "post"
    expected = meeting_writes(400)


class TestAgreementDone(OnTheMeeting):
    """The health visitor owns the agreement: they mark it done, though they may change nothing
    else of the meeting."""

    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/aftaler/{objects.agreement.pk}/udfoert/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302) | {"health_visitor": 302}


class TestAgreementRemove(OnTheMeeting):
    url = lambda objects: f"/netvaerksmoeder/{objects.meeting.pk}/aftaler/{objects.agreement.pk}/fjern/"  # noqa: E731
    method = "post"
    expected = meeting_writes(302)


# --- The network map --------------------------------------------------------------------------


class TestNetworkMap(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/barn/{objects.child.pk}/"  # noqa: E731
    expected = reads()


class TestNetworkMapEarlierVersion(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/{objects.old_map.pk}/"  # noqa: E731
    expected = reads()


class TestNetworkMapNewVersion(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/barn/{objects.child.pk}/ny-version/"  # noqa: E731
    method = "post"
    expected = writes(400)  # an empty form comes back with its errors


class TestNetworkMapEdit(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/{objects.network_map.pk}/ret/"  # noqa: E731
    method = "post"
    expected = writes(400)  # an empty form comes back with its errors


class TestNetworkMapPersonAdd(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/{objects.network_map.pk}/personer/"  # noqa: E731
    method = "post"
    expected = writes()


class TestNetworkMapPersonEditPage(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/personer/{objects.map_person.pk}/"  # noqa: E731
    expected = writes()


class TestNetworkMapPersonEdit(TestNetworkMapPersonEditPage):
    method = "post"


class TestNetworkMapPersonRemove(OnTheMap):
    url = lambda objects: f"/netvaerksmoeder/netvaerkskort/personer/{objects.map_person.pk}/fjern/"  # noqa: E731
    method = "post"
    expected = writes(302)


# --- Slots and figures ------------------------------------------------------------------------


class TestSlotCalendar(AccessMatrix):
    url = "/netvaerksmoeder/faste-tider/"
    expected = role_page(*MEETING_ROLES)


class TestSlotOfferPage(AccessMatrix):
    url = "/netvaerksmoeder/faste-tider/udbyd/"
    expected = role_page(*MEETING_ROLES)


class TestSlotOffer(TestSlotOfferPage):
    method = "post"


class TestSlotRelease(AccessMatrix):
    """Team A's slot is released by team A's own staff; team B's people get 403 (the slots of
    the municipality are no secret: the calendar shows every team's)."""

    url = lambda objects: f"/netvaerksmoeder/faste-tider/{objects.slot.pk}/frigiv/"  # noqa: E731
    method = "post"
    expected = outcome_for_all(403, **dict.fromkeys(TEAM_A, 302))

    @pytest.fixture
    def objects(self, org):
        from network_meetings import services

        [slot] = services.slots_offer(
            team=org.team_a,
            by=org.advisor,
            first_start=timezone.now() + datetime.timedelta(days=2),
            duration=datetime.timedelta(hours=1),
        )
        return SimpleNamespace(slot=slot)


class TestMeetingFigures(AccessMatrix):
    url = "/netvaerksmoeder/noegletal/"
    expected = role_page("management")
