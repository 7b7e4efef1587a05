"""The network meetings app's records in the API's change feed (herning.api.feed)."""

from herning.api import feed


def register() -> None:
    from network_meetings.models import NetworkMeeting

    feed.register("network-meeting", NetworkMeeting)
