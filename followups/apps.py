from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """Follow-up: rule sets, the pure schedule engine, follow-up records, deadlines, reminders and
    the periodic sweep that sends them."""

    name = "followups"
    verbose_name = "Opfølgning"

    def ready(self):
        from followups import child_page, signals  # noqa: F401 - signals connects the receivers

        child_page.register()
