"""Server-drawn SVG charts, each with a title, a description and its data as a table.

A chart is plain data (`Chart`): geometry worked out here, markup written by a
template in `templates/charts/`, so every label is escaped. The same charts go
into pages and PDFs. Colour never carries meaning alone: bars carry
their numbers, traffic lights their shape, and every chart has its table.
"""

from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from areas.models import ExternalDependency

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


def timeline(slug: str, title: str, description: str, entries, today: date) -> Chart:
    """One bar per area from planned start to planned end, grouped by support area.

    ``entries`` are standings (``followup.standings.Standing``): area, statement, late.

    The bar's outline tells the precision: solid for a day or month, dashed for a
    term or quarter, dotted for a year; an open end fades out at today. A diamond
    marks a revised expected end.
    """
    starts = [e.area.planned_start for e in entries if e.area.planned_start]
    ends = [e.area.planned_end for e in entries if e.area.planned_end] + [today]
    if not starts and not ends:
        return Chart(slug, title, description, "charts/timeline.svg", {"rows": [], "years": []})
    first = date(min(starts + ends).year, 1, 1)
    last = date(
        max(
            ends
            + [e.statement.revised_end for e in entries if e.statement and e.statement.revised_end]
        ).year
        + 1,
        1,
        1,
    )
    label_width, plot_width, row_height, top = 300, 560, 16, 34
    span = (last - first).days or 1

    def x(day: date) -> int:
        return round(label_width + plot_width * (day - first).days / span)

    rows, headings, y = [], [], top
    current = None
    for entry in entries:
        area = entry.area
        if area.support_area_id != current:
            current = area.support_area_id
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
        rows.append(
            {
                "y": y,
                "label": f"{area.key} {area.title}"[:48],
                "key": area.key,
                "x1": x(start),
                "x2": max(x(end), x(start) + 3),
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
        y += row_height
    years = [{"x": x(date(year, 1, 1)), "label": year} for year in range(first.year, last.year + 1)]
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
            e.area.planned_start or "–",
            e.area.planned_end or "–",
            (e.statement.revised_end if e.statement and e.statement.revised_end else "–"),
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
            "row_height": row_height,
        },
        headers,
        table,
    )


def graph(
    slug: str, title: str, description: str, layers: list[list[dict]], edges: list[tuple[str, str]]
) -> Chart:
    """A layered graph: columns left to right (external dependencies first), edges between nodes."""
    column_width, node_width, node_height, gap, top = 250, 210, 30, 12, 30
    positions, nodes = {}, []
    for column, layer in enumerate(layers):
        for row, node in enumerate(layer):
            nx, ny = 10 + column * column_width, top + row * (node_height + gap)
            positions[node["id"]] = (nx, ny)
            nodes.append(node | {"x": nx, "y": ny})
    lines = []
    for source, target in edges:
        if source in positions and target in positions:
            (sx, sy), (tx, ty) = positions[source], positions[target]
            lines.append(
                {
                    "x1": sx + node_width,
                    "y1": sy + node_height / 2,
                    "x2": tx,
                    "y2": ty + node_height / 2,
                    "held_up": any(n["id"] == target and n["held_up"] for n in nodes),
                }
            )
    height = top + max((len(layer) for layer in layers), default=0) * (node_height + gap) + 20
    return Chart(
        slug,
        title,
        description,
        "charts/graph.svg",
        {
            "nodes": nodes,
            "lines": lines,
            "width": 10 + len(layers) * column_width,
            "height": height,
            "node_width": node_width,
            "node_height": node_height,
        },
    )
