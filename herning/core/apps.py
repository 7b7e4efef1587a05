from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared base pieces: the design-system form renderer, navigation, CPR-safe logging,
    the scheduler heartbeat and the health page."""

    name = "herning.core"
    label = "core"
    verbose_name = "Fælles"
