"""The overview pages' charts, drawn with the evaluation app's inline SVG charts
(``evaluation.charts``). Each stands beside a table with the same numbers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.caseload import ABOVE
from dashboards.selectors import AdvisorRow, TeamFigures, TeamOverview
from evaluation import palette
from evaluation.charts import Chart, Series, bar_chart


def short_name(user) -> str:
    """A name short enough for an axis: first name and the last name's initial."""
    if user.first_name and user.last_name:
        return f"{user.first_name} {user.last_name[0]}."
    return user.first_name or user.username


def _cap_lines(teams) -> list[tuple[float, str]]:
    """The cap and warning level as lines, when every team shown has the same."""
    caps = {(t.caseload_cap, t.caseload_warning) for t in teams}
    if len(caps) != 1:
        return []
    cap, warning = caps.pop()
    return [(cap, _("Loft %(n)s") % {"n": cap}), (warning, _("Advarsel %(n)s") % {"n": warning})]


def loads_chart(rows: list[AdvisorRow], teams) -> Chart:
    return bar_chart(
        title=_("Åbne sager pr. rådgiver mod loftet"),
        x_labels=[short_name(r.advisor) for r in rows],
        series=[
            Series(
                _("Åbne sager"),
                [r.load.open_cases for r in rows],
                # Over the cap: red, with the band's own words (cases.caseload), never colour alone.
                alerts=[r.load.level_label if r.load.level == ABOVE else "" for r in rows],
                key=palette.COUNT,
            )
        ],
        targets=_cap_lines(teams),
        y_title=_("Åbne sager"),
        x_title=_("Rådgiver"),
    )


def steps_chart(overview: TeamOverview) -> Chart:
    return bar_chart(
        title=_("Teamets sager på indsatstrappen"),
        x_labels=[_("Under afklaring")] + [str(s.number) for s in overview.steps],
        series=[
            Series(
                _("Sager"),
                [overview.step_total(k) for k in overview.step_keys],
                keys=[palette.step(k) for k in overview.step_keys],
            )
        ],
        y_title=_("Antal sager"),
        x_title=_("Trin på indsatstrappen"),
    )


def movements_chart(rows: list[AdvisorRow]) -> Chart:
    return bar_chart(
        title=_("Bevægelser på indsatstrappen pr. rådgiver"),
        x_labels=[short_name(r.advisor) for r in rows],
        series=[
            Series(_("Ned ad trappen"), [r.down for r in rows], key=palette.movement("down")),
            Series(_("Op ad trappen"), [r.up for r in rows], key=palette.movement("up")),
            Series(_("Første indsats"), [r.first for r in rows], key=palette.movement("first")),
        ],
        y_title=_("Antal bevægelser"),
        x_title=_("Rådgiver"),
    )


def average_load_chart(figures: list[TeamFigures]) -> Chart:
    return bar_chart(
        title=_("Gennemsnitligt antal åbne sager pr. rådgiver"),
        x_labels=[f.team.name for f in figures],
        series=[
            Series(
                _("Sager pr. rådgiver"),
                [f.average_load for f in figures],
                keys=[palette.team(f.team.pk) for f in figures],
            )
        ],
        targets=_cap_lines([f.team for f in figures]),
        decimals=1,
        y_title=_("Åbne sager pr. rådgiver"),
        x_title=_("Team"),
    )


def overdue_chart(figures: list[TeamFigures]) -> Chart:
    return bar_chart(
        title=_("Overskredne frister pr. team"),
        x_labels=[f.team.name for f in figures],
        series=[
            Series(
                _("Lovpligtige"), [f.overdue_statutory for f in figures], key=palette.deadline("statutory")
            ),
            Series(
                _("Kommunens egne"),
                [f.overdue - f.overdue_statutory for f in figures],
                key=palette.deadline("municipal"),
            ),
        ],
        y_title=_("Overskredne frister"),
        x_title=_("Team"),
    )
