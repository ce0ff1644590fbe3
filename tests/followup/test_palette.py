"""One colour per meaning: no colour stands for two things in one page or document, each is
visibly different from every other, and the traffic lights have their own shapes."""

import itertools
import math
import re
from pathlib import Path

import pytest

from followup import charts
from followup.models import ReportState, TrafficLight

STATIC = Path(__file__).resolve().parents[2] / "static"

# Colours shared on purpose, as they mean the same (see followup/charts.py).
SAME_MEANING = {
    frozenset({("status", "none"), ("report state", ReportState.NOT_STARTED)}),
}


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> list[float]:
    return [_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]


def _contrast_with_white(colour: str) -> float:
    r, g, b = _rgb(colour)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = _rgb(colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _meanings() -> list[tuple[tuple[str, str], str]]:
    return [
        ((scale, str(key)), colour)
        for scale, colours in charts.PALETTE.items()
        for key, colour in colours.items()
    ]


def test_every_two_meanings_have_visibly_different_colours():
    for (a, colour_a), (b, colour_b) in itertools.combinations(_meanings(), 2):
        if frozenset({a, b}) in SAME_MEANING:
            assert colour_a == colour_b
            continue
        distance = math.dist(_lab(colour_a), _lab(colour_b))
        assert distance >= 15, f"{a} {colour_a} and {b} {colour_b} look alike ({distance:.1f})"


@pytest.mark.parametrize(("meaning", "colour"), _meanings(), ids=lambda v: str(v))
def test_every_colour_carries_white_text(meaning, colour):
    assert _contrast_with_white(colour) >= 4.5, meaning


def test_a_dependencys_state_reads_like_a_traffic_light():
    assert list(charts.DEPENDENCY_STATE_COLOURS.values()) == list(charts.LIGHT_COLOURS.values())


@pytest.mark.parametrize("light", list(TrafficLight))
def test_each_light_is_drawn_in_its_colour_and_its_own_shape(light):
    svg = (STATIC / "img" / f"light-{light.value}.svg").read_text()
    shape = {"circle": "<circle", "triangle": "<polygon", "square": "<rect"}[
        charts.LIGHT_SHAPES[light]
    ]
    assert shape in svg and f'fill="{charts.LIGHT_COLOURS[light]}"' in svg
    for sheet in ("app.css", "report.css"):
        css = (STATIC / "css" / sheet).read_text()
        assert re.search(
            rf'\.light-{light.value}::before {{ background-image: url\("\.\./img/light-{light.value}\.svg"\); }}',
            css,
        ), sheet
    assert len(set(charts.LIGHT_SHAPES.values())) == len(TrafficLight)


def test_style_sheets_and_chart_templates_use_a_palette_colour_only_for_its_meaning():
    """A palette colour in a style sheet only in the rule of its meaning (``.status-ongoing``
    in the ongoing blue, ``.late`` in the late colour); the chart templates take every
    colour from followup/charts.py; the lights come from their files."""
    allowed = {c.lower(): [f".status-{key}"] for key, c in charts.STATUS_COLOURS.items()}
    allowed |= {c.lower(): [f".tile-{key}"] for key, c in charts.LIGHT_COLOURS.items()}
    allowed[charts.LATE_COLOURS["late"].lower()] = [".late", ".tile-late"]
    palette = {colour.lower() for _meaning, colour in _meanings()}
    for sheet in (STATIC / "css").glob("*.css"):
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet.read_text()):
            for colour in re.findall(r"#[0-9a-fA-F]{6}\b", body):
                colour = colour.lower()
                if colour in palette:
                    fragments = allowed.get(colour, [])
                    assert any(f in selector for f in fragments), f"{sheet.name}: {selector}"
    for template in (STATIC.parent / "templates" / "charts").glob("*"):
        used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", template.read_text())}
        assert not used & palette, f"{template.name}: {sorted(used & palette)}"
