from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """Follow-up: rule sets, the pure schedule engine, follow-up records, deadlines, reminders and
    the periodic sweep that sends them."""

    name = "followups"
    verbose_name = "Opfølgning"

    def ready(self):
        from cases import obligations
        from followups import child_page, deadlines, feed, obligation_sources

        feed.register()
        child_page.register()
        obligation_sources.register()
        # The follow-ups app keeps the deadline table: it writes what the sources compute.
        obligations.register_writer(deadlines.recompute)
