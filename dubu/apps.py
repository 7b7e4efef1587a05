from django.apps import AppConfig


class DubuConfig(AppConfig):
    """The file exchange with DUBU, the national case system, which has no public write API
    (law_dubu.md §4): a documented, configurable column mapping, imports and exports."""

    name = "dubu"
    verbose_name = "DUBU-udveksling"
