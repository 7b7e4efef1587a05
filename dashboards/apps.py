from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The pages people steer their day by: the advisor's day ("Min dag"), the team leader's
    overview of caseloads, deadlines and the ladder, and management's caseload view across teams;
    with the target they are read against (``StepDownTarget``)."""

    name = "dashboards"
    verbose_name = "Overblik"
