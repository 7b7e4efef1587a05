from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    """The measure ladder (indsatstrappe) and its steps, the measure catalog (tilbudsvifte) with unit
    costs, the measures on a case, and the ladder movements between steps."""

    name = "measures"
    verbose_name = "Indsatser"

    def ready(self):
        from measures import case_measures, feed, obligation_sources, panels

        feed.register()
        panels.register()
        case_measures.register()
        obligation_sources.register()
