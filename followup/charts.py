"""Server-drawn SVG charts, each with a title, a description and its data as a table.

A chart is plain data (`Chart`): geometry worked out here, markup written by a
template in `templates/charts/`, so every label is escaped. The same charts go
into pages and PDFs. Colour never carries meaning alone: bars carry
their numbers, traffic lights their shape, and every chart has its table.
"""

import itertools
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from areas.models import ExternalDependency
from areas.templatetags.plan_dates import plan_date

from .models import ReportState, Status, TrafficLight

# -- the palette: one colour per meaning, in every page and document ----------------
#
# Each colour below means one thing wherever it appears (tests/followup/test_palette.py
# holds every pair of meanings apart: a visible difference, CIE76 distance 15 or more) and
# carries white text (contrast 4.5:1 or more against white, WCAG 1.4.3 and 1.4.11). Colour
# never carries meaning alone: bars carry their numbers, traffic lights their shape, and
# every chart has its table. Two scales share colours on purpose, as they mean the same:
# an external dependency's state is read like a traffic light (on track, delayed, blocked),
# and a report not started is an area with nothing reported.

# The traffic lights, each with its own shape (web and PDF draw the same files,
# static/img/light-*.svg), so that print in grey still tells them apart.
LIGHT_COLOURS = {
    TrafficLight.GREEN: "#1e7b34",
    TrafficLight.AMBER: "#b35c00",
    TrafficLight.RED: "#b00020",
}
LIGHT_SHAPES = {
    TrafficLight.GREEN: "circle",
    TrafficLight.AMBER: "triangle",
    TrafficLight.RED: "square",
}
DEPENDENCY_STATE_COLOURS = {
    ExternalDependency.State.ON_TRACK: LIGHT_COLOURS[TrafficLight.GREEN],
    ExternalDependency.State.DELAYED: LIGHT_COLOURS[TrafficLight.AMBER],
    ExternalDependency.State.BLOCKED: LIGHT_COLOURS[TrafficLight.RED],
}
STATUS_COLOURS = {
    "none": "#767676",  # nothing reported (followup.summary.NOT_REPORTED)
    Status.NOT_STARTED: "#6b5a48",
    Status.ONGOING: "#0b4f9c",
    Status.FINISHED: "#00726b",
    Status.PAUSED: "#7e3064",
    Status.CANCELLED: "#222222",
}
REPORT_STATE_COLOURS = {
    ReportState.NOT_STARTED: STATUS_COLOURS["none"],
    ReportState.DRAFT: "#c72365",
    ReportState.SUBMITTED: "#581fad",
    ReportState.RETURNED: "#5f5011",
    ReportState.APPROVED: "#1f7ead",
}
# A risk's band by its score (likelihood × consequence): one purple, darker as it grows;
# the heat map's cells are tints of the same.
RISK_BAND_COLOURS = {"low": "#7a68ad", "medium": "#5a2d91", "high": "#2e0f52"}
RISK_BAND_TINTS = {"low": "#f1eef8", "medium": "#ddd3ee", "high": "#c4b3e2"}
# Late (planned end passed, work not over) and not late.
LATE_COLOURS = {"late": "#8f3b1b", "on_time": "#40663f"}

# Every scale, for the palette's test.
PALETTE = {
    "traffic light": LIGHT_COLOURS,
    "status": STATUS_COLOURS,
    "report state": REPORT_STATE_COLOURS,
    "risk band": RISK_BAND_COLOURS,
    "late": LATE_COLOURS,
}


def risk_band(score: int) -> str:
    return "high" if score >= 15 else "medium" if score >= 8 else "low"


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    template: str
    context: dict
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)

    @property
    def svg(self) -> SafeString:
        return SafeString(render_to_string(self.template, {"chart": self, **self.context}))


def stacked_bars(
    slug: str,
    title: str,
    description: str,
    categories: list[tuple[str, str]],
    series: list[tuple[str, str, str]],
    values: dict[tuple[str, str], int],
    links: dict[tuple[str, str], str] | None = None,
    shapes: dict[str, str] | None = None,
) -> Chart:
    """Horizontal stacked bars: one bar per category, one segment per series.

    ``categories`` are (key, label); ``series`` (key, label, colour); ``values``
    maps (category, series) to a count; ``shapes`` a series' own legend mark
    (``LIGHT_SHAPES``; a square otherwise).
    """
    label_width, bar_width, row_height = 230, 440, 30
    totals = {c: sum(values.get((c, s), 0) for s, _l, _c in series) for c, _ in categories}
    most = max(totals.values(), default=0) or 1
    bars = []
    for index, (ckey, clabel) in enumerate(categories):
        x, segments = label_width, []
        for skey, slabel, colour in series:
            count = values.get((ckey, skey), 0)
            if not count:
                continue
            width = bar_width * count / most
            segments.append(
                {
                    "x": round(x),
                    "width": max(round(width), 1),
                    "colour": colour,
                    "count": count,
                    "label": slabel,
                    "link": (links or {}).get((ckey, skey), ""),
                    "show_count": width >= 18,
                }
            )
            x += width
        bars.append(
            {
                "y": 36 + index * row_height,
                "label": clabel,
                "segments": segments,
                "total": totals[ckey],
                "end": round(x),
            }
        )
    height = 36 + len(categories) * row_height + 40
    legend = []
    for i, (skey, slabel, colour) in enumerate(series):
        legend.append(
            {
                "x": 10 + (i % 3) * 240,
                "y": height - 28 + (i // 3) * 18,
                "label": slabel,
                "colour": colour,
                "shape": (shapes or {}).get(skey, "square"),
            }
        )
    height += 18 * ((len(series) - 1) // 3)
    headers = ["", *[label for _k, label, _c in series], _("Total")]
    rows = [
        [clabel, *[values.get((ckey, s), 0) for s, _l, _c in series], totals[ckey]]
        for ckey, clabel in categories
    ]
    return Chart(
        slug,
        title,
        description,
        "charts/stacked_bars.svg",
        {
            "bars": bars,
            "legend": legend,
            "width": label_width + bar_width + 60,
            "height": height,
            "bar_height": row_height - 8,
        },
        headers,
        rows,
    )


def heatmap(
    slug: str, title: str, description: str, cells: dict[tuple[int, int], int], link
) -> Chart:
    """Likelihood (rows, 5 at the top) × consequence (columns): a count in every cell."""
    size, left, top = 64, 110, 40
    squares = []
    for likelihood in range(5, 0, -1):
        for consequence in range(1, 6):
            count = cells.get((likelihood, consequence), 0)
            score = likelihood * consequence
            band = risk_band(score)
            fill = RISK_BAND_TINTS[band]
            squares.append(
                {
                    "x": left + (consequence - 1) * size,
                    "y": top + (5 - likelihood) * size,
                    "count": count,
                    "band": band,
                    "fill": fill,
                    "likelihood": likelihood,
                    "consequence": consequence,
                    "link": link(likelihood, consequence) if count else "",
                }
            )
    headers = [_("Likelihood"), *[str(c) for c in range(1, 6)]]
    rows = [[str(lk), *[cells.get((lk, c), 0) for c in range(1, 6)]] for lk in range(5, 0, -1)]
    return Chart(
        slug,
        title,
        description,
        "charts/heatmap.svg",
        {
            "squares": squares,
            "size": size,
            "left": left,
            "top": top,
            "width": left + 5 * size + 20,
            "height": top + 5 * size + 60,
        },
        headers,
        rows,
    )


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, at most ``lines`` of them (the
    last ends in an ellipsis if the text is longer; the full text is in the element's
    accessible name and tooltip)."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def timeline_span(entries, today: date) -> tuple[date, date]:
    """The years a timeline of ``entries`` covers (from 1 January to 1 January), today
    included: several timelines drawn with one span share their axis."""
    starts = [e.area.planned_start for e in entries if e.area.planned_start]
    ends = [e.area.planned_end for e in entries if e.area.planned_end] + [today]
    ends += [e.statement.revised_end for e in entries if e.statement and e.statement.revised_end]
    return date(min(starts + ends).year, 1, 1), date(max(ends).year + 1, 1, 1)


def timeline(
    slug: str,
    title: str,
    description: str,
    entries,
    today: date,
    span: tuple[date, date] | None = None,
) -> Chart:
    """One bar per area from planned start to planned end, each labelled with the area's
    whole key and title (wrapped), and bar and label one link to the area.

    ``entries`` are standings (``followup.standings.Standing``): area, statement, late.
    ``span``: the axis (``timeline_span``), by default the entries' own.

    The bar's outline tells the precision: solid for a day or month, dashed for a
    term or quarter, dotted for a year; an open end fades out at today. A diamond
    marks a revised expected end.
    """
    if not entries:
        return Chart(slug, title, description, "charts/timeline.svg", {"rows": [], "years": []})
    first, last = span or timeline_span(entries, today)
    label_width, plot_width, line_height, top = 330, 520, 14, 30
    span_days = (last - first).days or 1

    def x(day: date) -> int:
        return round(label_width + plot_width * (day - first).days / span_days)

    rows, headings, y = [], [], top
    grouped = len({e.area.support_area.code for e in entries}) > 1
    current = None
    for entry in entries:
        area = entry.area
        if grouped and area.support_area.code != current:
            current = area.support_area.code
            headings.append(
                {"y": y + 12, "label": f"{area.support_area.number} {area.support_area.name}"}
            )
            y += 20
        start = area.planned_start or first
        end = area.planned_end or today
        precision = area.planned_end_precision or area.planned_start_precision
        style = {
            "day": "solid",
            "month": "solid",
            "term": "dashed",
            "quarter": "dashed",
            "year": "dotted",
        }.get(precision, "solid")
        statement = entry.statement
        lines = wrap(f"{area.key} {area.title}", 50, 3)
        height = line_height * len(lines) + 6
        period = " – ".join(
            [
                plan_date(area.planned_start, area.planned_start_precision) or "…",
                plan_date(area.planned_end, area.planned_end_precision) or "…",
            ]
        )
        name = f"{area.key} {area.title}: {period}"
        if statement and statement.revised_end:
            name += ", " + _("revised expected end %(date)s") % {
                "date": plan_date(statement.revised_end, statement.revised_end_precision)
            }
        if entry.late:
            name += ", " + pgettext("one area in the timeline", "late")
        rows.append(
            {
                "y": y,
                "lines": [
                    {"text": text, "y": y + 11 + i * line_height} for i, text in enumerate(lines)
                ],
                "name": name,
                "key": area.key,
                "x1": x(start),
                "x2": max(x(end), x(start) + 3),
                "bar_y": y + 2,
                "style": style,
                "w": max(x(end), x(start) + 3) - x(start),
                "dash": {"solid": "", "dashed": "5 3", "dotted": "1.5 2.5"}[style],
                "open_end": area.planned_end is None,
                "open_start": area.planned_start is None,
                "colour": STATUS_COLOURS[entry.status or "none"],
                "late": entry.late,
                "revised": x(statement.revised_end)
                if statement and statement.revised_end
                else None,
                "url": area.get_absolute_url(),
            }
        )
        y += height
    years = [{"x": x(date(year, 1, 1)), "label": year} for year in range(first.year, last.year)]
    headers = [
        _("Development area"),
        _("Planned start"),
        _("Planned end"),
        _("Revised end"),
        _("Late"),
    ]
    table = [
        [
            f"{e.area.key} {e.area.title}",
            plan_date(e.area.planned_start, e.area.planned_start_precision) or "–",
            plan_date(e.area.planned_end, e.area.planned_end_precision) or "–",
            plan_date(e.statement.revised_end, e.statement.revised_end_precision)
            if e.statement and e.statement.revised_end
            else "–",
            _("yes") if e.late else _("no"),
        ]
        for e in entries
    ]
    return Chart(
        slug,
        title,
        description,
        "charts/timeline.svg",
        {
            "rows": rows,
            "headings": headings,
            "years": years,
            "today": x(today),
            "late_colour": LATE_COLOURS["late"],
            "width": label_width + plot_width + 70,
            "height": y + 30,
            "top": top,
        },
        headers,
        table,
    )


def count_crossings(layers: list[list[str]], edges: list[tuple[str, str]]) -> int:
    """How many pairs of edges between the same two layers cross, the layers in the given
    order (edges between other pairs of layers are not counted)."""
    where = {node: (i, j) for i, layer in enumerate(layers) for j, node in enumerate(layer)}
    by_pair: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for source, target in edges:
        if source in where and target in where:
            (ls, ps), (lt, pt) = where[source], where[target]
            by_pair[(ls, lt)].append((ps, pt))
    crossings = 0
    for links in by_pair.values():
        for (a1, b1), (a2, b2) in itertools.combinations(links, 2):
            crossings += (a1 - a2) * (b1 - b2) < 0
    return crossings


def order_layers(
    layers: list[list[str]], edges: list[tuple[str, str]], sweeps: int = 12
) -> list[list[str]]:
    """The layers with each one's nodes reordered to cut crossings: the barycentre
    heuristic, sweeping right then left, each node placed at the mean position of its
    neighbours in the layers already swept; the ordering with the fewest crossings wins."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        neighbours[source].append(target)
        neighbours[target].append(source)
    layer_of = {node: i for i, layer in enumerate(layers) for node in layer}
    current = [list(layer) for layer in layers]
    best, fewest = [list(layer) for layer in current], count_crossings(current, edges)
    # Each node's place in its layer, from 0 to 1 (updated as a layer is reordered).
    position = {node: (j + 0.5) / len(layer) for layer in current for j, node in enumerate(layer)}
    for sweep in range(sweeps):
        if fewest == 0:
            break  # nothing left to untangle
        forward = sweep % 2 == 0
        indices = range(1, len(current)) if forward else range(len(current) - 2, -1, -1)
        for index in indices:
            size = len(current[index])

            def barycentre(node: str, j: int, index=index, forward=forward, size=size) -> tuple:
                placed = [
                    position[n]
                    for n in neighbours[node]
                    if (layer_of[n] < index if forward else layer_of[n] > index)
                ]
                own = (j + 0.5) / size
                return (sum(placed) / len(placed) if placed else own, own)

            current[index] = [
                node
                for _key, node in sorted(
                    (barycentre(node, j), node) for j, node in enumerate(current[index])
                )
            ]
            position.update({node: (j + 0.5) / size for j, node in enumerate(current[index])})
        crossings = count_crossings(current, edges)
        if crossings < fewest:
            best, fewest = [list(layer) for layer in current], crossings
    return best


def graph(
    slug: str, title: str, description: str, layers: list[list[dict]], edges: list[tuple[str, str]]
) -> Chart:
    """A layered graph, left to right (external dependencies first): each layer ordered to
    cut crossings (``order_layers``), each node with its whole label (wrapped) and placed
    level with its neighbours where there is room, the edges drawn as curves."""
    node_width, gutter, line_height, pad, gap, top = 270, 90, 14, 8, 10, 10
    by_id = {node["id"]: node for layer in layers for node in layer}
    order = order_layers([[n["id"] for n in layer] for layer in layers], edges)
    placed: dict[str, dict] = {}
    for node_id, node in by_id.items():
        lines = wrap(node["label"], 38, 5)
        placed[node_id] = node | {
            "lines": lines,
            "height": line_height * len(lines) + 2 * pad,
        }
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        if source in placed and target in placed:
            neighbours[source].append(target)
            neighbours[target].append(source)
    # The tallest layer stacked first; the others level with the neighbours already
    # placed (to its right, then to its left), pushed down where they would overlap.
    heights = [sum(placed[n]["height"] + gap for n in layer) for layer in order]
    tallest = max(range(len(order)), key=lambda i: heights[i]) if order else 0
    done: set[str] = set()

    def stack(index: int) -> None:
        bottom = top
        for node_id in order[index]:
            node = placed[node_id]
            level = [
                placed[n]["y"] + placed[n]["height"] / 2 for n in neighbours[node_id] if n in done
            ]
            wanted = round(sum(level) / len(level) - node["height"] / 2) if level else bottom
            node["y"] = max(wanted, bottom)
            node["x"] = 10 + index * (node_width + gutter)
            bottom = node["y"] + node["height"] + gap
        done.update(order[index])

    for index in [tallest, *range(tallest + 1, len(order)), *range(tallest - 1, -1, -1)]:
        stack(index)
    nodes = []
    for node in placed.values():
        node["text"] = [
            {"text": text, "y": node["y"] + pad + 11 + i * line_height}
            for i, text in enumerate(node["lines"])
        ]
        nodes.append(node)
    lines = []
    for source, target in edges:
        if source in placed and target in placed:
            s, t = placed[source], placed[target]
            x1, y1 = s["x"] + node_width, s["y"] + s["height"] / 2
            x2, y2 = t["x"], t["y"] + t["height"] / 2
            bend = (x2 - x1) / 2
            lines.append(
                {
                    "d": f"M {x1} {y1:.0f} C {x1 + bend:.0f} {y1:.0f}, {x2 - bend:.0f} {y2:.0f}, "
                    f"{x2} {y2:.0f}",
                    "held_up": t["held_up"],
                }
            )
    height = max((n["y"] + n["height"] for n in nodes), default=0) + 20
    return Chart(
        slug,
        title,
        description,
        "charts/graph.svg",
        {
            "nodes": nodes,
            "lines": lines,
            "width": 10 + len(order) * (node_width + gutter) - gutter + 10,
            "height": height,
            "node_width": node_width,
            "crossings": count_crossings(order, edges),
        },
    )
