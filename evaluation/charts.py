"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, no outside service.

This module only computes the geometry; ``evaluation.svg`` writes it out. Every chart
is an image with a title (``role="img"``) and stands beside the table that holds its numbers. It
has a y-axis title with its unit (and an x-axis title where the axis is not self-evident). Series
take their colour, line pattern and bar hatching from ``evaluation.palette``, so a category looks
the same on every chart and colour is never the only key. Hidden cells (disclosure control) are not
drawn.

Labels never overlap and never leave the image (issue 21, point 7). A label's width is estimated
from its characters (``text_width``), and the x-axis labels take the first layout that fits:
one line; wrapped at spaces onto two to four lines; on an ordered axis (months, periods) every
n-th label; slanted 45°; wrapped and abbreviated with "…"; slanted and abbreviated; and last every
n-th label abbreviated. An abbreviated label keeps the whole in the text's ``<title>``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from evaluation import disclosure, palette
from evaluation.tables import number

WIDTH = 720
PLOT_HEIGHT = 240
RIGHT = 24
FONT = 12  # px, as .evaluation-svg sets it
LINE = 15  # px between the lines of a wrapped label
ASCENT, DESCENT = 0.8, 0.25  # of the font size, above and below the baseline
GAP = 6  # px kept free between two labels and at the image's edges
TICK_GAP = 6
ROTATED_MAX = 150  # px: a slanted label longer than this is abbreviated
SLANT = 45
MIN_WRAPPED = 60  # px: narrower than this, wrapped and cut labels say too little; they are slanted

# Character widths in em (of the font size), set so that the estimate errs wide both for IBM Plex
# Sans (the design system's font) and for the wider DejaVu Sans a browser may fall back on: a label
# drawn is not wider than its estimate.
_NARROW = set("iljI.,:;'!|")
_SEMI = set("ftr()[]{} -/1")
_WIDE = set("mwMWÆæŒœ%@")


def _char_width(char: str) -> float:
    if char in _NARROW:
        return 0.32
    if char in _SEMI:
        return 0.42
    if char in _WIDE:
        return 0.95
    if char.isdigit():
        return 0.64
    if char.isupper():
        return 0.76
    return 0.62


def text_width(value: str, size: float = FONT) -> float:
    """The estimated width in px of ``value`` written at ``size`` px."""
    return sum(_char_width(c) for c in value) * size


@dataclass
class Text:
    """A piece of text laid out: the baseline of its first line at (x, y), its lines, how it is
    anchored and turned; ``full`` is the whole text when the lines abbreviate it."""

    x: float
    y: float
    lines: list[str]
    anchor: str = "middle"
    rotate: int = 0
    full: str = ""
    css: str = ""
    line_height: int = LINE

    @property
    def abbreviated(self) -> bool:
        return bool(self.full) and " ".join(self.lines) != " ".join(self.full.split())

    @property
    def label(self) -> str:
        return " ".join((self.full or " ".join(self.lines)).split())

    @property
    def transform(self) -> str:
        return f"rotate({self.rotate} {self.x} {self.y})" if self.rotate else ""

    def corners(self) -> list[tuple[float, float]]:
        """The box the text takes, in the image's coordinates (turned with the text)."""
        width = max((text_width(line) for line in self.lines), default=0)
        height = (ASCENT + DESCENT) * FONT + (len(self.lines) - 1) * self.line_height
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]
        top = self.y - ASCENT * FONT
        box = [(left, top), (left + width, top), (left + width, top + height), (left, top + height)]
        if not self.rotate:
            return box
        angle = math.radians(self.rotate)
        cos, sin = math.cos(angle), math.sin(angle)
        return [
            (
                self.x + (px - self.x) * cos - (py - self.y) * sin,
                self.y + (px - self.x) * sin + (py - self.y) * cos,
            )
            for px, py in box
        ]


@dataclass
class Series:
    label: str
    values: list[float | None]
    # A bar chart's bars may each carry a warning ("Over loftet"): such a bar is drawn red and the
    # word is written above it and in its title, so the colour is never the only sign.
    alerts: list[str] | None = None
    # The palette key (evaluation.palette) of the series' category; "" takes the series' position.
    key: str = ""
    # A key per bar, when the bars of one series are categories of their own (the ladder's steps).
    keys: list[str] | None = None


@dataclass
class Tick:
    y: float
    text: Text

    @property
    def label(self) -> str:
        return self.text.label


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
    hatch: str = ""


@dataclass
class Target:
    y: float
    text: Text

    @property
    def label(self) -> str:
        return self.text.label


@dataclass
class Chart:
    kind: str
    title: str
    legend: list[tuple[str, str, str]]  # (css, label, hatch)
    ticks: list[Tick]
    x_labels: list[Text]
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    alerts: list[Text] = field(default_factory=list)
    y_title: Text | None = None
    x_title: Text | None = None
    width: int = WIDTH
    height: int = 0
    left: float = 0
    right_edge: float = WIDTH - RIGHT
    top: float = 0
    baseline: float = 0

    @property
    def empty(self) -> bool:
        """Nothing to draw (e.g. every value hidden): the page shows the table alone."""
        return not self.bars and not any(line.points for line in self.lines)

    @property
    def hatches(self) -> list[str]:
        """The hatchings the bars and the legend use: the template defines one pattern for each."""
        return sorted({b.hatch for b in self.bars if b.hatch} | {h for _c, _l, h in self.legend if h})

    def texts(self) -> list[Text]:
        """Every piece of text written in the image."""
        found = [t.text for t in self.ticks] + self.x_labels + [t.text for t in self.targets] + self.alerts
        return found + [t for t in (self.y_title, self.x_title) if t is not None]


# --- Laying out text ----------------------------------------------------------------------------------


def _wrap(label: str, width: float, max_lines: int) -> list[str] | None:
    """``label`` broken at spaces into at most ``max_lines`` lines of at most ``width`` px; None
    when it does not go."""
    lines: list[str] = []
    for paragraph in label.split("\n"):  # a line break in a label is kept
        start = len(lines)
        for word in paragraph.split():
            if len(lines) > start and text_width(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
    if len(lines) > max_lines or any(text_width(line) > width for line in lines):
        return None
    return lines or [""]


def _abbreviate(label: str, width: float) -> str:
    """``label`` cut and ended with "…" so that it is at most ``width`` px wide."""
    if text_width(label) <= width:
        return label
    cut = label
    while cut and text_width(cut.rstrip() + "…") > width:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _abbreviate_lines(label: str, width: float, max_lines: int) -> list[str]:
    """``label`` wrapped onto ``max_lines`` lines of ``width`` px, the rest abbreviated."""
    words, lines = label.split(), []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [_abbreviate(line, width) for line in lines] or [""]


def _clamped(x: float, lines: list[str]) -> float:
    """A centred label's x, moved in so that it stays inside the image."""
    half = max(text_width(line) for line in lines) / 2
    return min(max(x, half + GAP / 2), WIDTH - half - GAP / 2)


def _horizontal(xs, labels, lines_of, y) -> list[Text] | None:
    """Centred labels under their points, or None when two of them would touch."""
    texts = []
    for x, label in zip(xs, labels, strict=True):
        lines = lines_of(label)
        if lines is None:
            return None
        texts.append(Text(x=round(_clamped(x, lines), 1), y=y, lines=lines, full=label))
    for a, b in itertools.pairwise(texts):
        if a.corners()[1][0] + GAP > b.corners()[0][0]:
            return None
    return texts


def _slanted(xs, labels, y, *, abbreviate: bool) -> list[Text] | None:
    """Labels turned 45° and hanging down to the left of their points, or None when the points are
    too close for the turned lines to clear each other, or (``abbreviate`` false) when a label
    would have to be cut."""
    box = (ASCENT + DESCENT) * FONT
    if (
        len(xs) > 1
        and min(b - a for a, b in itertools.pairwise(xs)) * math.sin(math.radians(SLANT)) < box + 1
    ):
        return None
    texts = []
    for x, label in zip(xs, labels, strict=True):
        # A slanted label reaches left by its width and its height above the baseline, times
        # cos 45°: never past the image's edge.
        room = min(ROTATED_MAX, (x - GAP) / math.cos(math.radians(SLANT)) - ASCENT * FONT)
        line = " ".join(label.split())
        if text_width(line) > room and not abbreviate:
            return None
        texts.append(
            Text(x=round(x, 1), y=y, lines=[_abbreviate(line, room)], anchor="end", rotate=-SLANT, full=label)
        )
    return texts


def _thinned(xs, labels, every):
    return [x for i, x in enumerate(xs) if i % every == 0], [
        lb for i, lb in enumerate(labels) if i % every == 0
    ]


def layout_x_labels(xs: list[float], labels: list[str], *, y: float, ordered: bool) -> list[Text]:
    """The x-axis labels at ``xs`` in the first layout that fits (see the module's docstring).
    ``ordered``: the axis is a sequence (months, periods), so every n-th label may stand for the
    rest; a category axis (teams, steps) names every bar."""
    if not labels:
        return []
    slot = min((b - a for a, b in itertools.pairwise(xs)), default=WIDTH - 2 * GAP) - GAP
    for max_lines in (1, 2, 3, 4):
        found = _horizontal(xs, labels, lambda label, m=max_lines: _wrap(label, slot, m), y)
        if found:
            return found
    if ordered:
        for every in range(2, len(labels) + 1):
            few_xs, few = _thinned(xs, labels, every)
            for max_lines in (1, 2):
                width = (slot + GAP) * every - GAP
                found = _horizontal(few_xs, few, lambda label, m=max_lines, w=width: _wrap(label, w, m), y)
                if found:
                    return found
    found = _slanted(xs, labels, y + 4, abbreviate=False)
    if found:
        return found
    if slot >= MIN_WRAPPED:
        found = _horizontal(xs, labels, lambda label: _abbreviate_lines(label, slot, 4), y)
        if found:
            return found
    found = _slanted(xs, labels, y + 4, abbreviate=True)
    if found:
        return found
    for every in range(1, len(labels) + 1):
        few_xs, few = _thinned(xs, labels, every)
        width = (slot + GAP) * every - GAP
        found = _horizontal(few_xs, few, lambda label, w=width: _abbreviate_lines(label, w, 2), y)
        if found:
            return found
    return []


def _bottom(texts: list[Text]) -> float:
    return max((y for t in texts for _x, y in t.corners()), default=0)


# --- Axes -------------------------------------------------------------------------------------------


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


def _axis(top_value: float, *, suffix: str) -> tuple[float, list[tuple[float, str]]]:
    top, step = _nice_max(top_value)
    decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2
    ticks = []
    value = 0.0
    while value <= top + step / 2:
        ticks.append((value, f"{_fmt(value, decimals)}{suffix}"))
        value += step
    return top, ticks


@dataclass
class _Frame:
    """Where the plot sits in the image: worked out from the tick labels and the axis titles."""

    top_value: float
    ticks: list[tuple[float, str]]
    y_title: str
    left: float = 0
    top: float = 0

    def __post_init__(self):
        widest = max((text_width(label) for _v, label in self.ticks), default=0)
        self.left = round(max(48.0, GAP + widest + TICK_GAP + 2), 1)
        self.top = 16 + (LINE + 8 if self.y_title else 0)

    @property
    def baseline(self) -> float:
        return self.top + PLOT_HEIGHT

    def y(self, value: float) -> float:
        return self.baseline - (value / self.top_value) * PLOT_HEIGHT

    def tick_texts(self) -> list[Tick]:
        return [
            Tick(
                y=round(self.y(v), 1),
                text=Text(
                    x=self.left - TICK_GAP,
                    y=round(self.y(v) + 0.35 * FONT, 1),
                    lines=[label],
                    anchor="end",
                    css="chart-tick",
                ),
            )
            for v, label in self.ticks
        ]

    def y_title_text(self) -> Text | None:
        if not self.y_title:
            return None
        lines = [_abbreviate(self.y_title, WIDTH - 2 * GAP)]
        return Text(x=GAP, y=16, lines=lines, anchor="start", full=self.y_title, css="chart-axis-title")


def _finish(chart: Chart, frame: _Frame, x_title: str) -> Chart:
    """The frame, the tick labels, the axis titles and the image's height."""
    chart.left, chart.top, chart.baseline = frame.left, frame.top, frame.baseline
    chart.ticks = frame.tick_texts()
    chart.y_title = frame.y_title_text()
    below = max(_bottom(chart.x_labels), frame.baseline)
    if x_title:
        chart.x_title = Text(
            x=round((frame.left + chart.right_edge) / 2, 1),
            y=round(below + GAP + ASCENT * FONT + 2, 1),
            lines=[_abbreviate(x_title, WIDTH - 2 * GAP)],
            full=x_title,
            css="chart-axis-title",
        )
        below = _bottom([chart.x_title])
    chart.height = math.ceil(below + GAP)
    return chart


def _key(series: Series, index: int) -> str:
    return series.key or palette.ordinal(index)


def _legend(series: list[Series]) -> list[tuple[str, str, str]]:
    return [
        (palette.css_class(_key(s, i)), s.label, palette.swatch(_key(s, i)).hatch)
        for i, s in enumerate(series)
    ]


# --- The charts ---------------------------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    x_labels: list[str],
    series: list[Series],
    suffix: str = "",
    decimals: int = 0,
    y_title: str = "",
    x_title: str = "",
) -> Chart | None:
    """Lines over ``x_labels`` (an ordered axis: months, periods, dates); ``decimals`` for the
    values in the points' titles; ``y_title`` names the values and their unit."""
    if disclosure.collecting():
        return None  # the disclosure control only collects the table's cells: nothing is shown
    values = [v for s in series for v in s.values if v is not None]
    top_value, ticks = _axis(max(values, default=0), suffix=suffix)
    frame = _Frame(top_value, ticks, y_title)
    right_edge = WIDTH - RIGHT
    count = len(x_labels)
    span = right_edge - frame.left
    xs = [frame.left + (span * i / (count - 1) if count > 1 else span / 2) for i in range(count)]
    lines = []
    for index, s in enumerate(series):
        segments, current, points = [], [], []
        for x, value, name in zip(xs, s.values, x_labels, strict=True):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            y = frame.y(value)
            current.append(f"{x:.1f},{y:.1f}")
            title_text = f"{s.label}, {' '.join(name.split())}: {_fmt(value, decimals)}{suffix}"
            points.append((round(x, 1), round(y, 1), title_text))
        if current:
            segments.append(" ".join(current))
        css = palette.css_class(_key(s, index))
        lines.append(Line(css=css, label=s.label, segments=segments, points=points))
    chart = Chart(
        kind="line",
        title=title,
        legend=[(css, label, "") for css, label, _h in _legend(series)],
        ticks=[],
        x_labels=layout_x_labels(xs, x_labels, y=_label_y(frame), ordered=True),
        lines=lines,
        right_edge=right_edge,
    )
    return _finish(chart, frame, x_title)


def _label_y(frame: _Frame) -> float:
    return round(frame.baseline + TICK_GAP + ASCENT * FONT + 2, 1)


def _bars(series: list[Series], x_labels: list[str], frame: _Frame, *, suffix: str, decimals: int):
    groups = max(len(x_labels), 1)
    group_width = (WIDTH - RIGHT - frame.left) / groups
    bar_width = group_width * 0.8 / max(len(series), 1)
    bars = []
    for g, name in enumerate(x_labels):
        for index, s in enumerate(series):
            value = s.values[g]
            if value is None:
                continue
            y = frame.y(value)
            alert = s.alerts[g] if s.alerts else ""
            key = s.keys[g] if s.keys else _key(s, index)
            css = palette.css_class(key)
            title_text = f"{s.label}, {' '.join(name.split())}: {_fmt(value, decimals)}{suffix}"
            bars.append(
                Bar(
                    css=f"{css} chart-alert" if alert else css,
                    x=round(frame.left + g * group_width + group_width * 0.1 + index * bar_width, 1),
                    y=round(y, 1),
                    width=round(bar_width, 1),
                    height=round(frame.baseline - y, 1),
                    title=f"{title_text} ({alert})" if alert else title_text,
                    alert=alert,
                    hatch=palette.swatch(key).hatch,
                )
            )
    return bars, group_width


def _alert_texts(bars: list[Bar], room: float) -> list[Text]:
    """The warnings over their bars: wrapped (upwards) or abbreviated to the width of a group."""
    texts = []
    for bar in bars:
        if not bar.alert:
            continue
        lines = _wrap(bar.alert, room, 2) or [_abbreviate(bar.alert, room)]
        x = _clamped(bar.x + bar.width / 2, lines)
        texts.append(
            Text(
                x=round(x, 1),
                y=round(bar.y - 4 - DESCENT * FONT - (len(lines) - 1) * LINE, 1),
                lines=lines,
                full=bar.alert,
                css="chart-alert-text",
            )
        )
    return texts


def _target_texts(targets: list[tuple[float, str]], frame: _Frame, right_edge: float) -> list[Target]:
    """The target lines, each labelled over its line at the right; a label that would touch the
    one before it goes under its line instead."""
    found: list[Target] = []
    for value, label in sorted(targets, key=lambda t: -t[0]):
        y = round(frame.y(value), 1)
        text = Text(
            x=right_edge,
            y=round(y - 4 - DESCENT * FONT, 1),
            lines=[_abbreviate(label, right_edge - frame.left - GAP)],
            anchor="end",
            full=label,
        )
        if found and found[-1].text.corners()[2][1] + 1 > text.corners()[0][1]:
            text.y = round(y + 4 + ASCENT * FONT, 1)
        found.append(Target(y=y, text=text))
    return found


def _boxes_touch(a: Text, b: Text) -> bool:
    """Two level texts' boxes overlap (or come closer than a pixel)."""
    (ax0, ay0), (ax1, _y), (_x, ay1), _rest = a.corners()
    (bx0, by0), (bx1, _y), (_x, by1), _rest = b.corners()
    return ax0 < bx1 + 1 and bx0 < ax1 + 1 and ay0 < by1 + 1 and by0 < ay1 + 1


def _clear_of(targets: list[Target], alerts: list[Text], left: float) -> None:
    """A target's label that a bar's warning would cover moves to the left end of its line, and
    else under it; a warning stays where its bar is."""
    others = list(alerts)
    for target in targets:
        text = target.text
        for x, anchor, y in (
            (text.x, text.anchor, text.y),
            (left + GAP, "start", text.y),
            (left + GAP, "start", round(target.y + 4 + ASCENT * FONT, 1)),
        ):
            text.x, text.anchor, text.y = x, anchor, y
            if not any(_boxes_touch(text, other) for other in others):
                break
        others.append(text)


def bar_chart(
    *,
    title: str,
    x_labels: list[str],
    series: list[Series],
    suffix: str = "",
    targets: list[tuple[float, str]] = (),
    top_value: float | None = None,
    decimals: int = 0,
    y_title: str = "",
    x_title: str = "",
    ordered: bool = False,
) -> Chart | None:
    """Grouped bars: one group per x label, one bar per series; ``targets`` are horizontal lines;
    ``decimals`` for the values in the bars' titles; ``y_title`` names the values and their unit."""
    if disclosure.collecting():
        return None  # the disclosure control only collects the table's cells: nothing is shown
    values = [v for s in series for v in s.values if v is not None] + [t for t, _ in targets]
    top, ticks = _axis(top_value if top_value is not None else max(values, default=0), suffix=suffix)
    frame = _Frame(top, ticks, y_title)
    bars, group_width = _bars(series, x_labels, frame, suffix=suffix, decimals=decimals)
    alerts = dict.fromkeys(a for s in series for a in s.alerts or () if a)
    right_edge = WIDTH - RIGHT
    xs = [frame.left + (g + 0.5) * group_width for g in range(len(x_labels))]
    chart = Chart(
        kind="bar",
        title=title,
        legend=_legend(series) + [("chart-alert", a, "") for a in alerts],
        ticks=[],
        x_labels=layout_x_labels(xs, x_labels, y=_label_y(frame), ordered=ordered),
        bars=bars,
        targets=_target_texts(list(targets), frame, right_edge),
        alerts=_alert_texts(bars, group_width - GAP),
        right_edge=right_edge,
    )
    _clear_of(chart.targets, chart.alerts, frame.left)
    return _finish(chart, frame, x_title)
