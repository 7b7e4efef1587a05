from django.apps import AppConfig


class NetworkMeetingsConfig(AppConfig):
    """Network meetings (netværksmøder) and involving network meetings: participants, consent,
    invitations, minutes and agreements, fixed meeting slots, and the child's network map."""

    name = "network_meetings"
    verbose_name = "Netværksmøder"

    def ready(self) -> None:
        from network_meetings import child_page, feed, obligation_sources, permissions

        feed.register()
        child_page.register()
        obligation_sources.register()
        permissions.register_rules()
