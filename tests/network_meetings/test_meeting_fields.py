"""One list of what a planner writes about a meeting, shared by the form, the API and the service."""

from network_meetings import services
from network_meetings.api import MeetingFields, NetworkMeetingSerializer
from network_meetings.forms import MeetingForm


def test_the_form_the_api_and_the_update_service_take_the_same_meeting_fields():
    written = {*services.MEETING_FIELDS, *services.MEETING_TIME_FIELDS}
    assert set(MeetingFields().fields) == written
    assert written < set(NetworkMeetingSerializer.Meta.fields)
    assert set(services.MEETING_FIELDS) <= set(MeetingForm.base_fields)
