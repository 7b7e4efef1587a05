"""A chart (``evaluation.charts``) written out as inline SVG markup.

``evaluation.charts`` computes the geometry; this module writes it. It was a template with an
``{% include %}`` per piece of text, and a chart has 20 to 60 of them: the team overview's three
charts took 5 of the page's 57 ms of CPU (``benchmarks/RESULTS.md``). Here each element is one
``format_markup`` call (``herning.core.markup``, ``format_html``'s output at a fraction of its cost), which escapes every value as the template language did, and the markup is the
template's, character for character (compared on every chart the tests draw, in both languages):
``templates/evaluation/charts/chart.html`` calls ``svg_chart``, and every page includes that file
as before.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from evaluation.charts import Bar, Chart, Line, Target, Text, Tick
from herning.core.markup import format_markup, join_markup

# One pattern per hatching (evaluation.palette names them); any other is dotted.
_HATCH_PATHS = {
    "diagonal": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2"/>',
    "back": '<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2"/>',
    "lattice": '<path d="M0,6 l6,-6 M0,0 l6,6"/>',
    "cross": '<path d="M0,3 h6 M3,0 v6"/>',
    "horizontal": '<path d="M0,3 h6"/>',
    "vertical": '<path d="M3,0 v6"/>',
}
_DOTS = '<circle cx="3" cy="3" r="1.2"/>'


def _n(value) -> str:
    """A coordinate as Python writes it (``72.0``): SVG wants a decimal point, never a comma."""
    return str(value)


def text(item: Text) -> SafeString:
    """A ``<text>``, a ``<tspan>`` per line; an abbreviated text keeps the whole in its ``<title>``."""
    x = _n(item.x)
    lines = join_markup(
        "",
        '<tspan x="{}"{}>{}</tspan>',
        (
            (x, format_markup(' dy="{}"', item.line_height) if i else "", line)
            for i, line in enumerate(item.lines)
        ),
    )
    return format_markup(
        '<text{} x="{}" y="{}" text-anchor="{}"{}>{}{}</text>\n',
        format_markup(' class="{}"', item.css) if item.css else "",
        x,
        _n(item.y),
        item.anchor,
        format_markup(' transform="{}"', item.transform) if item.rotate else "",
        format_markup("<title>{}</title>", item.label) if item.abbreviated else "",
        lines,
    )


def _hatch(chart_id: str, hatch: str) -> SafeString:
    return format_markup(
        '<pattern id="{}-hatch-{}" class="chart-hatch-pattern" patternUnits="userSpaceOnUse" '
        'width="6" height="6">{}</pattern>\n',
        chart_id,
        hatch,
        mark_safe(_HATCH_PATHS.get(hatch, _DOTS)),  # noqa: S308 - constant markup above
    )


def _across(chart: Chart, y: float, label: Text) -> SafeString:
    """A line across the plot at ``y`` and its label: a tick of the axis or a target."""
    return format_markup(
        '<line x1="{}" x2="{}" y1="{}" y2="{}"/>\n      {}',
        _n(chart.left),
        _n(chart.right_edge),
        _n(y),
        _n(y),
        text(label),
    )


def _tick(chart: Chart, tick: Tick) -> SafeString:
    return format_markup("\n      {}\n      ", _across(chart, tick.y, tick.text))


def _bar(chart_id: str, bar: Bar) -> SafeString:
    x, y, width, height = _n(bar.x), _n(bar.y), _n(bar.width), _n(bar.height)
    hatch = ""
    if bar.hatch:
        hatch = format_markup(
            '<rect class="chart-hatch" x="{}" y="{}" width="{}" height="{}" fill="url(#{}-hatch-{})"/>',
            x,
            y,
            width,
            height,
            chart_id,
            bar.hatch,
        )
    return format_markup(
        '<g class="chart-bar-group"><title>{}</title><rect class="chart-bar {}" x="{}" y="{}" '
        'width="{}" height="{}"/>{}</g>',
        bar.title,
        bar.css,
        x,
        y,
        width,
        height,
        hatch,
    )


def _line(line: Line) -> SafeString:
    return format_markup(
        '<g class="chart-line {}">\n      {}\n      {}\n    </g>',
        line.css,
        join_markup("", '<polyline points="{}"/>', ((s,) for s in line.segments)),
        join_markup(
            "",
            '<circle cx="{}" cy="{}" r="3"><title>{}</title></circle>',
            ((_n(x), _n(y), title) for x, y, title in line.points),
        ),
    )


def _target(chart: Chart, target: Target) -> SafeString:
    return format_markup(
        '<g class="chart-target">\n      {}\n    </g>', _across(chart, target.y, target.text)
    )


def _swatch(chart: Chart, chart_id: str, css: str, label: str, hatch: str) -> SafeString:
    if chart.kind == "line":
        mark = format_markup(
            '<g class="chart-line {}"><line x1="1" x2="27" y1="7" y2="7"/><circle cx="14" cy="7" r="3"/></g>',
            css,
        )
    else:
        mark = format_markup('<rect class="chart-bar {}" x="6" y="0" width="16" height="14"/>', css)
        if hatch:
            mark += format_markup(
                '<rect class="chart-hatch" x="6" y="0" width="16" height="14" fill="url(#{}-hatch-{})"/>',
                chart_id,
                hatch,
            )
    return format_markup(
        '<li><svg class="chart-swatch" viewBox="0 0 28 14" width="28" height="14">{}</svg>{}</li>',
        mark,
        label,
    )


def _join(parts) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - each part is a SafeString built by format_markup


def chart_svg(chart: Chart, chart_id: str) -> SafeString:
    """The chart as a ``<figure>`` with its ``<svg>`` (an image with a title and a description that
    points to the table) and, for more than one series, a legend the screen reader skips."""
    defs = ""
    if chart.hatches:
        defs = format_markup("<defs>{}</defs>", _join(_hatch(chart_id, h) for h in chart.hatches))
    legend = ""
    if len(chart.legend) > 1:
        legend = format_markup(
            '<ul class="chart-legend" aria-hidden="true">\n    {}\n  </ul>',
            _join(_swatch(chart, chart_id, css, label, hatch) for css, label, hatch in chart.legend),
        )
    left, right = _n(chart.left), _n(chart.right_edge)
    baseline = _n(chart.baseline)
    return format_markup(
        '<figure class="evaluation-chart">\n'
        '  <svg viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" class="evaluation-svg" '
        'xmlns="http://www.w3.org/2000/svg">\n'
        '    <title id="{}-title">{}</title>\n'
        '    <desc id="{}-desc">{}</desc>\n'
        "    {}\n"
        "    {}\n"
        '    <g class="chart-grid">\n      {}\n    </g>\n'
        '    <g class="chart-x">\n      {}\n    </g>\n'
        "    {}\n"
        "    {}\n"
        "    {}\n"
        "    {}\n"
        '    <line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>\n'
        "    {}\n"
        "  </svg>\n"
        "  {}\n"
        "</figure>",
        chart.width,
        chart.height,
        chart_id,
        chart_id,
        chart_id,
        chart.title,
        chart_id,
        gettext("Diagram. Tallene står i tabellen under diagrammet."),
        defs,
        text(chart.y_title) if chart.y_title else "",
        _join(_tick(chart, t) for t in chart.ticks),
        _join(text(t) for t in chart.x_labels),
        _join(_bar(chart_id, b) for b in chart.bars),
        _join(text(t) for t in chart.alerts),
        _join(_line(line) for line in chart.lines),
        _join(_target(chart, t) for t in chart.targets),
        left,
        right,
        baseline,
        baseline,
        text(chart.x_title) if chart.x_title else "",
        legend,
    )
