"""The charts' one palette (issue 21, point 7): every colour reaches 3:1 against the background,
the entries of a kind are told apart by more than colour, and the stylesheet says what the palette
says."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.conf import settings

from evaluation import palette

CSS = Path(settings.BASE_DIR) / "evaluation" / "static" / "evaluation" / "evaluation.css"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1)."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


ALL = [(key, palette.swatch(key)) for key in palette.all_keys()] + [
    ("target", palette.TARGET),
    ("alert", palette.ALERT),
]


@pytest.mark.parametrize(("key", "swatch"), ALL, ids=[k for k, _s in ALL])
def test_every_colour_has_3_to_1_contrast_against_the_background(key, swatch):
    assert contrast(swatch.colour, palette.BACKGROUND) >= 3.0, key


@pytest.mark.parametrize("kind", list(palette.KINDS))
def test_the_entries_of_a_kind_differ_in_colour_pattern_and_hatching(kind):
    swatches = list(palette.KINDS[kind].values())
    for a, b in itertools.combinations(swatches, 2):
        # ΔE 20 is well apart for most viewers; the pattern is there for those it is not.
        assert delta_e(a.colour, b.colour) > 20, (kind, a, b)
        assert a.dash != b.dash and a.hatch != b.hatch, (kind, a, b)


def test_the_stylesheet_holds_the_palette_as_the_module_writes_it():
    text = CSS.read_text()
    begin = text.index("\n", text.index("/* palette: begin")) + 1
    assert text[begin : text.index("/* palette: end")] == palette.css()


def test_the_same_category_has_one_key_whatever_asks_for_it():
    # The follow-up figures' case types are the placement groups of child-years and spend.
    assert palette.placement("foster_family") == palette.placement("family_care")
    assert palette.placement("institution") == "placement-institution"
    assert palette.step(None) == "step-none" and palette.step(3) == "step-3"
    assert palette.step(9) == palette.ordinal(9)  # a step added in the admin still gets a colour
    assert palette.movement("first") == palette.movement("entry")
    assert palette.team(12) == palette.team(12) != palette.team(13)
