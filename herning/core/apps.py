from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared base pieces: the design-system form renderer, navigation, CPR-safe logging and error
    reports, the privacy guards (herning.core.privacy), the scheduler heartbeat and the health page."""

    name = "herning.core"
    label = "core"
    verbose_name = "Fælles"

    def ready(self) -> None:
        from herning.core import choices, lookups, privacy, timestamps  # noqa: F401 - privacy registers the system check

        lookups.register()
        timestamps.install()
        # Every app's models are loaded by now (ready() runs after all models are imported).
        choices.install()
