"""The one palette of every chart: which colour, line pattern and bar hatching each category gets.

A category keeps its look on every chart that shows it (issue 21, point 7): ladder step 3 is the
same blue on the ladder over time, the ladder today and the team overview; family care the same on
child-years, spend, the 75/25 targets and the follow-ups (whose "plejefamilie" case type is family
care). A chart asks for a category's key (``step(3)``, ``placement("family_care")``, …) and the
stylesheet draws it: ``css()`` writes the block between the palette markers of
``evaluation/static/evaluation/evaluation.css``, and a test keeps the file equal to it.

Colour is never the only key: within a kind every entry also has its own line pattern (dashes) and
bar hatching, and the legend draws both. Every colour has at least 3:1 contrast against the white
background (WCAG 2.1, 1.4.11, non-text contrast); the entries of a kind are also far apart in
colour (CIELAB ΔE), tested in ``tests/evaluation/test_palette.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKGROUND = "#ffffff"


@dataclass(frozen=True)
class Swatch:
    colour: str
    dash: str = ""  # stroke-dasharray of a line; "" is solid
    hatch: str = ""  # the hatching laid over a bar (HATCHES); "" is plain


# The hatchings a bar may carry, drawn as SVG patterns in the chart (evaluation.svg).
HATCHES = ("diagonal", "dots", "cross", "horizontal", "vertical", "back", "lattice")
DASHES = ("", "8 3", "2 3", "10 3 2 3", "4 4", "12 6", "1 2", "6 2 2 2")

# Hues that each reach 3:1 against white and stay apart from each other.
GREY = "#6b6b6b"
GREEN = "#2e7d32"
TEAL = "#00796b"
BLUE = "#0059b3"
PURPLE = "#6a1b9a"
MAGENTA = "#ad1457"
ORANGE = "#b35900"
BROWN = "#4e342e"
NAVY = "#1a237e"


def _kind(colours: dict[str, str]) -> dict[str, Swatch]:
    """A kind's swatches: its colours in order, each with the next pattern and hatching."""
    return {
        key: Swatch(colour, DASHES[i % len(DASHES)], ("", *HATCHES)[i % (len(HATCHES) + 1)])
        for i, (key, colour) in enumerate(colours.items())
    }


# Ladder steps (docs/domain.md §2): "none" is a case under clarification, without an active measure.
# The placement steps share their colour with the placement groups below.
STEPS = _kind(
    {
        "none": GREY,
        "1": GREEN,
        "2": TEAL,
        "3": BLUE,
        "4": PURPLE,
        "5": MAGENTA,
        "6": ORANGE,
    }
)
# KORA's placement groups (evaluation.selectors.GROUPS) and the spend groups: home-based
# placements are ladder step 3, family care steps 4-5, institution step 6, preventive steps 1-2.
PLACEMENTS = _kind(
    {
        "home_based": BLUE,
        "family_care": MAGENTA,
        "institution": ORANGE,
        "preventive": TEAL,
        "all": BROWN,
        "other": GREY,
    }
)
# Movements on the ladder (evaluation.figures.MOVEMENT_KINDS); a first measure is an entry.
MOVEMENTS = _kind({"entry": GREEN, "up": ORANGE, "down": BLUE, "exit": GREY})
# Periods in their order: the first (before) and the second (after) of a comparison, and so on.
ORDINAL = _kind({str(i): c for i, c in enumerate((BLUE, ORANGE, GREEN, MAGENTA, PURPLE, TEAL, BROWN, GREY))})
# Who answered an SDQ questionnaire (evaluation.models.SdqScore.Informant).
INFORMANTS = _kind({"teacher": BLUE, "parent": ORANGE, "child": GREEN})
# Deadlines on the management overview: those the law sets and those the municipality adds.
DEADLINES = _kind({"statutory": MAGENTA, "municipal": BLUE})

KINDS: dict[str, dict[str, Swatch]] = {
    "step": STEPS,
    "placement": PLACEMENTS,
    "movement": MOVEMENTS,
    "ordinal": ORDINAL,
    "informant": INFORMANTS,
    "deadline": DEADLINES,
}
# Lines drawn across a chart (a target, the caseload cap) and a bar over a limit.
TARGET = Swatch("#1a1a1a", "8 4")
ALERT = Swatch("#c62828")
COUNT = "ordinal-0"  # a chart with one series of counts


def step(number: int | None) -> str:
    """The key of a ladder step; ``None`` is a case under clarification."""
    if number is None:
        return "step-none"
    if str(number) in STEPS:
        return f"step-{number}"
    return ordinal(number)  # a step added in the admin beyond the shipped six


def placement(group: str) -> str:
    """The key of a placement group, a case type of the follow-up figures or a spend group."""
    group = {"foster_family": "family_care", "placement": "all"}.get(group, group)
    return f"placement-{group}" if group in PLACEMENTS else "placement-other"


def movement(kind: str) -> str:
    return f"movement-{'entry' if kind == 'first' else kind}"


def ordinal(index: int) -> str:
    """The key of the ``index``-th period (or of a series with no category of its own)."""
    return f"ordinal-{index % len(ORDINAL)}"


def periods(starts: list) -> list[str]:
    """The keys of periods shown side by side, by the days they start on (``starts``): a year or
    half-year keeps its colour on every chart (2025 the same on the complaints and on the
    comparison); periods that would share a colour take their positions' instead."""
    found = [ordinal(day.year * 2 + (day.month > 6)) for day in starts]
    if len(set(found)) < len(found):
        return [ordinal(i) for i in range(len(starts))]
    return found


def informant(value: str) -> str:
    return f"informant-{value}" if value in INFORMANTS else "ordinal-0"


def deadline(kind: str) -> str:
    return f"deadline-{kind}"


def team(pk: int) -> str:
    """A team or district by its id: the same everywhere, whatever the order it is listed in."""
    return ordinal(pk)


def swatch(key: str) -> Swatch:
    kind, _sep, name = key.partition("-")
    return KINDS[kind][name]


def css_class(key: str) -> str:
    return f"pal-{key}"


def all_keys() -> list[str]:
    return [f"{kind}-{name}" for kind, swatches in KINDS.items() for name in swatches]


def css() -> str:
    """The palette's rules for the stylesheet: a colour and a dash per key (hatching is drawn by the
    chart template from ``Chart.hatches``)."""
    lines = []
    for key in all_keys():
        s = swatch(key)
        dash = f" --dash: {s.dash};" if s.dash else ""
        lines.append(f".{css_class(key)} {{ --series: {s.colour};{dash} }}")
    lines.append(f".chart-target {{ --series: {TARGET.colour}; --dash: {TARGET.dash}; }}")
    lines.append(f".chart-bar.chart-alert {{ --series: {ALERT.colour}; }}")
    return "\n".join(lines) + "\n"
