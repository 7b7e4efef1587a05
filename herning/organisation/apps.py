from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    """The municipality and its staff: districts built on school districts, the cross-disciplinary
    teams with their caseload cap, staff users and the roles they hold, and the duty roster."""

    name = "herning.organisation"
    label = "organisation"
    verbose_name = "Organisation"
