from django.apps import AppConfig


class CasesConfig(AppConfig):
    """The child and the case: the child and their relations (custody holders, network), the case
    lifecycle, notifications (underretninger) and their assessment, investigations, the child's plan
    (handleplan / barnets plan) with its goals, and the journal."""

    name = "cases"
    verbose_name = "Børn og sager"

    def ready(self):
        from cases import feed, obligation_sources, panels

        feed.register()
        panels.register()
        obligation_sources.register()
