"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, no outside service.

This module only computes the geometry; ``templates/evaluation/charts/*.html`` draw it. Every chart
is an image with a title (``role="img"``) and stands beside the table that holds its numbers.
Series differ by colour *and* by line pattern or position, so colour is never the only key.
Hidden cells (disclosure control) are not drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from evaluation.tables import number

WIDTH = 720
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 64, 36, 16, 44
MAX_X_LABELS = 12


@dataclass
class Series:
    label: str
    values: list[float | None]
    # A bar chart's bars may each carry a warning ("Over loftet"): such a bar is drawn red and the
    # word is written above it and in its title, so the colour is never the only sign.
    alerts: list[str] | None = None


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class XLabel:
    x: float
    label: str


@dataclass
class Line:
    css: str
    label: str
    segments: list[str]
    points: list[tuple[float, float, str]]


@dataclass
class Bar:
    css: str
    x: float
    y: float
    width: float
    height: float
    title: str
    alert: str = ""

    @property
    def alert_x(self) -> float:
        """Where the warning is written: above the bar's middle."""
        return round(self.x + self.width / 2, 1)


@dataclass
class Target:
    y: float
    label: str


@dataclass
class Chart:
    kind: str
    title: str
    legend: list[tuple[str, str]]
    ticks: list[Tick]
    x_labels: list[XLabel]
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        """Nothing to draw (e.g. every value hidden): the page shows the table alone."""
        return not self.bars and not any(line.points for line in self.lines)


def _nice_max(value: float) -> tuple[float, float]:
    """A round upper bound for the y axis and its tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def _fmt(value: float, decimals: int) -> str:
    return number(value, decimals)


def _axis(top_value: float, *, suffix: str) -> tuple[float, list[Tick]]:
    top, step = _nice_max(top_value)
    decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2
    ticks = []
    value = 0.0
    while value <= top + step / 2:
        ticks.append(Tick(y=value, label=f"{_fmt(value, decimals)}{suffix}"))
        value += step
    return top, ticks


def _scale_y(value: float, top: float) -> float:
    return (HEIGHT - BOTTOM) - (value / top) * (HEIGHT - BOTTOM - TOP)


def line_chart(
    *, title: str, x_labels: list[str], series: list[Series], suffix: str = "", decimals: int = 0
) -> Chart:
    """Lines over ``x_labels``; ``decimals`` for the values in the points' titles."""
    values = [v for s in series for v in s.values if v is not None]
    top, ticks = _axis(max(values, default=0), suffix=suffix)
    count = len(x_labels)
    span = WIDTH - RIGHT - LEFT
    xs = [LEFT + (span * i / (count - 1) if count > 1 else span / 2) for i in range(count)]
    every = max(1, math.ceil(count / MAX_X_LABELS))
    lines = []
    for index, s in enumerate(series):
        segments, current, points = [], [], []
        for x, value, name in zip(xs, s.values, x_labels, strict=True):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            y = _scale_y(value, top)
            current.append(f"{x:.1f},{y:.1f}")
            points.append((round(x, 1), round(y, 1), f"{s.label}, {name}: {_fmt(value, decimals)}{suffix}"))
        if current:
            segments.append(" ".join(current))
        lines.append(Line(css=f"series-{index}", label=s.label, segments=segments, points=points))
    return Chart(
        kind="line",
        title=title,
        legend=[(f"series-{i}", s.label) for i, s in enumerate(series)],
        ticks=[Tick(y=round(_scale_y(t.y, top), 1), label=t.label) for t in ticks],
        x_labels=[
            XLabel(x=round(x, 1), label=label)
            for i, (x, label) in enumerate(zip(xs, x_labels, strict=True))
            if i % every == 0
        ],
        lines=lines,
    )


def bar_chart(
    *,
    title: str,
    x_labels: list[str],
    series: list[Series],
    suffix: str = "",
    targets: list[tuple[float, str]] = (),
    top_value: float | None = None,
    decimals: int = 0,
) -> Chart:
    """Grouped bars: one group per x label, one bar per series; ``targets`` are horizontal lines;
    ``decimals`` for the values in the bars' titles."""
    values = [v for s in series for v in s.values if v is not None] + [t for t, _ in targets]
    top, ticks = _axis(top_value if top_value is not None else max(values, default=0), suffix=suffix)
    groups = max(len(x_labels), 1)
    group_width = (WIDTH - RIGHT - LEFT) / groups
    bar_width = group_width * 0.8 / max(len(series), 1)
    bars = []
    for g, name in enumerate(x_labels):
        for index, s in enumerate(series):
            value = s.values[g]
            if value is None:
                continue
            y = _scale_y(value, top)
            alert = s.alerts[g] if s.alerts else ""
            title_text = f"{s.label}, {name}: {_fmt(value, decimals)}{suffix}"
            bars.append(
                Bar(
                    css=f"series-{index} chart-alert" if alert else f"series-{index}",
                    x=round(LEFT + g * group_width + group_width * 0.1 + index * bar_width, 1),
                    y=round(y, 1),
                    width=round(bar_width, 1),
                    height=round((HEIGHT - BOTTOM) - y, 1),
                    title=f"{title_text} ({alert})" if alert else title_text,
                    alert=alert,
                )
            )
    alerts = dict.fromkeys(a for s in series for a in s.alerts or () if a)
    return Chart(
        kind="bar",
        title=title,
        legend=[(f"series-{i}", s.label) for i, s in enumerate(series)]
        + [("chart-alert", a) for a in alerts],
        ticks=[Tick(y=round(_scale_y(t.y, top), 1), label=t.label) for t in ticks],
        x_labels=[
            XLabel(x=round(LEFT + (g + 0.5) * group_width, 1), label=n) for g, n in enumerate(x_labels)
        ],
        bars=bars,
        targets=[Target(y=round(_scale_y(v, top), 1), label=label) for v, label in targets],
    )
