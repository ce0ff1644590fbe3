"""The follow-up report of a cycle as an archival PDF: programme, support area or department.

Building the data (`build_report`) is separate from rendering it (`render_pdf`),
which follows the renderers' contract: it returns ``(filename, content_type,
bytes)``. Rendering uses WeasyPrint with a URL fetcher that serves only the
app's own static files, fonts shipped with the app, and PDF/A output; the same
input gives the same bytes. In the background worker WeasyPrint runs in a child
process that is stopped after settings.VSPLAN_PDF_MAX_SECONDS.
"""

import gc
import hashlib
import multiprocessing
import threading
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)

from . import charts
from .cycle_selectors import indicator_rows, slipping_dependencies
from .models import FollowUpCycle, FollowUpReport, ReportState, Status, StatusUpdate, TrafficLight

PDF_CONTENT_TYPE = "application/pdf"
# An upper bound on what one render may take on: beyond it the user is asked to narrow.
MAX_AREAS = 10_000
MAX_TEXT = 5_000_000  # characters of report text


class ReportTooLarge(Exception):
    pass


@dataclass
class ReportScope:
    kind: str  # "programme", "support_area" or "department"
    support_area: SupportArea | None = None
    department: Department | None = None

    @property
    def label(self) -> str:
        if self.kind == "support_area":
            return f"{self.support_area.number} {self.support_area.name}"
        if self.kind == "department":
            return str(self.department)
        return _("The whole programme")

    @property
    def slug(self) -> str:
        if self.kind == "support_area":
            return self.support_area.code.lower()
        if self.kind == "department":
            return slugify(self.department.code)
        return "programme"


@dataclass
class AreaBlock:
    area: DevelopmentArea
    report: FollowUpReport | None
    latest: StatusUpdate | None
    held_by: list = field(default_factory=list)


@dataclass
class SectionData:
    support_area: SupportArea
    blocks: list[AreaBlock]


@dataclass
class ReportData:
    plan: ActionPlan
    cycle: FollowUpCycle
    scope: ReportScope
    produced_by: str
    report_date: date
    language: str
    sections: list[SectionData]
    late: list[AreaBlock]
    goals: list[tuple[ProgrammeGoal, str]]
    indicators: list
    summary_charts: list[charts.Chart]


def build_report(
    *, cycle: FollowUpCycle, scope: ReportScope, produced_by: str, language: str, today: date
) -> ReportData:
    """Everything the PDF shows, in a fixed number of queries (built in the report's language)."""
    plan = cycle.plan
    areas = DevelopmentArea.objects.filter(plan=plan, upcoming=False)
    if scope.kind == "support_area":
        areas = areas.filter(support_area=scope.support_area)
    elif scope.kind == "department":
        areas = areas.filter(responsible_department=scope.department) | areas.filter(
            participating_departments=scope.department
        )
        areas = areas.distinct()
    areas = list(
        areas.select_related("support_area", "group", "responsible_department")
        .prefetch_related("external_dependencies")
        .order_by("support_area__order", "order")
    )
    if len(areas) > MAX_AREAS:
        raise ReportTooLarge(_("The report would cover too many areas; choose a narrower report."))
    ids = [a.pk for a in areas]
    reports = {
        r.area_id: r
        for r in cycle.reports.filter(area_id__in=ids)
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related("risks__aspect", "benefits")
    }
    latest = {
        u.area_id: u
        for u in StatusUpdate.objects.filter(area_id__in=ids, sequence=F("area__status_version"))
    }
    slipping = slipping_dependencies(plan)
    text = sum(len(r.progress) + len(r.next_steps) for r in reports.values())
    if text > MAX_TEXT:
        raise ReportTooLarge(_("The report would be too long; choose a narrower report."))

    with translation.override(language):
        sections: dict[int, SectionData] = {}
        late = []
        for area in areas:
            block = AreaBlock(
                area, reports.get(area.pk), latest.get(area.pk), slipping.get(area.pk, [])
            )
            sections.setdefault(
                area.support_area_id, SectionData(area.support_area, [])
            ).blocks.append(block)
            status = (
                block.report.status
                if block.report and block.report.status
                else (block.latest.status if block.latest else "")
            )
            if (
                area.planned_end
                and area.planned_end < today
                and status not in (Status.FINISHED, Status.CANCELLED)
            ):
                late.append(block)
        summary = _summary_charts(
            list(sections.values()), cycle, late, list(RiskAspect.objects.order_by("order"))
        )
        assessments = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
        goals = [(g, assessments.get(g.pk, "")) for g in ProgrammeGoal.objects.all()]
        return ReportData(
            plan=plan,
            cycle=cycle,
            scope=scope,
            produced_by=produced_by,
            report_date=today,
            language=language,
            sections=list(sections.values()),
            late=late,
            goals=goals,
            indicators=indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS),
            summary_charts=summary,
        )


def _summary_charts(
    sections: list[SectionData],
    cycle: FollowUpCycle,
    late: list[AreaBlock],
    aspects: list[RiskAspect],
) -> list[charts.Chart]:
    """The executive summary's charts: the same implementation as the dashboard's."""
    categories = [
        (s.support_area.code, f"{s.support_area.number} {s.support_area.name}") for s in sections
    ]

    def status_of(block):
        if block.report and block.report.status:
            return block.report.status
        return block.latest.status if block.latest else "none"

    status_series = [("none", _("not yet reported"), charts.STATUS_COLOURS["none"])] + [
        (s.value, s.label, charts.STATUS_COLOURS[s.value]) for s in Status
    ]
    status_values: dict = {}
    light_values: dict = {}
    state_values: dict = {}
    heat: dict = {}
    by_aspect: dict = {}
    for section in sections:
        code = section.support_area.code
        for block in section.blocks:
            key = (code, status_of(block))
            status_values[key] = status_values.get(key, 0) + 1
            report = block.report
            if report is None:
                continue
            state_values[(code, report.state)] = state_values.get((code, report.state), 0) + 1
            for who, light in (
                ("owner", report.traffic_light),
                ("reviewer", report.reviewer_light),
            ):
                if light:
                    light_values[(who, light)] = light_values.get((who, light), 0) + 1
            for risk in report.risks.all():
                cell = (risk.likelihood, risk.consequence)
                heat[cell] = heat.get(cell, 0) + 1
                key = (risk.aspect_id, charts.risk_band(risk.likelihood * risk.consequence))
                by_aspect[key] = by_aspect.get(key, 0) + 1
    late_ids = {block.area.pk for block in late}
    late_values: dict = {}
    for section in sections:
        for block in section.blocks:
            key = (section.support_area.code, "late" if block.area.pk in late_ids else "on_time")
            late_values[key] = late_values.get(key, 0) + 1
    light_series = [(t.value, t.label, charts.LIGHT_COLOURS[t.value]) for t in TrafficLight]
    state_colours = {
        "not_started": "#767676",
        "draft": "#8a4b00",
        "submitted": "#004791",
        "returned": "#b00020",
        "approved": "#1e6b2f",
    }
    return [
        charts.stacked_bars(
            "pdf-status",
            _("Status per support area"),
            _("Development areas by status in this report."),
            categories,
            status_series,
            status_values,
        ),
        charts.stacked_bars(
            "pdf-lights",
            _("Traffic lights: owners and reviewers"),
            _("The owners' ratings next to the secretariat's."),
            [("owner", _("Owners")), ("reviewer", _("Reviewers"))],
            light_series,
            light_values,
        ),
        charts.stacked_bars(
            "pdf-late",
            _("Late development areas"),
            _(
                "Areas per support area whose planned end has passed while they are neither "
                "finished nor cancelled; the areas are listed below."
            ),
            categories,
            [("late", _("late"), "#b00020"), ("on_time", _("not late"), "#5b6770")],
            late_values,
        ),
        charts.stacked_bars(
            "pdf-completion",
            _("Cycle completion"),
            _("Reports per support area by their state in the cycle."),
            categories,
            [(s.value, s.label, state_colours[s.value]) for s in ReportState],
            state_values,
        ),
        charts.heatmap(
            "pdf-risks",
            _("Risks: likelihood × consequence"),
            _("The number of risks in each cell of likelihood and consequence."),
            heat,
            lambda lk, c: "",
        ),
        charts.stacked_bars(
            "pdf-risk-aspects",
            _("Risks per aspect"),
            _(
                "The risks of each of the plan's four aspects by their score (likelihood × "
                "consequence): low below 8, medium from 8, high from 15, as in the heat map."
            ),
            [(aspect.pk, str(aspect)) for aspect in aspects],
            [
                (band, label, charts.RISK_BAND_COLOURS[band])
                for band, label in (
                    ("low", _("low")),
                    ("medium", _("medium")),
                    ("high", _("high")),
                )
            ],
            by_aspect,
        ),
    ]


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and refuses everything else.

    No network, no ``file://`` outside the static directories: a user's text can
    never make the renderer read something it should not.
    """

    # The document's base URL: an address that can never be on the network (RFC 2606),
    # which this fetcher maps to the static files instead of opening.
    base_url = "https://vsplan.invalid/static/"

    def fetch(self, url, headers=None):
        if not url.startswith(self.base_url):
            raise ValueError(f"Refused to fetch {url}: only the app's static files are served.")
        name = unquote(urlparse(url).path).removeprefix("/static/")
        if ".." in Path(name).parts:
            raise ValueError(f"Refused to fetch {url}.")
        found = finders.find(name)
        if not found:
            raise ValueError(f"No static file {name}.")
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": _mime(name)})


def _mime(name: str) -> str:
    return {"css": "text/css", "ttf": "font/ttf", "svg": "image/svg+xml", "png": "image/png"}.get(
        name.rsplit(".", 1)[-1], "application/octet-stream"
    )


def report_html(data: ReportData) -> str:
    """The report as the HTML document that WeasyPrint lays out."""
    with translation.override(data.language):
        return render_to_string("followup/report_pdf.html", {"data": data})


def render_pdf(data: ReportData) -> tuple[str, str, bytes]:
    """Render the report; returns (filename, content type, PDF bytes).

    Raises ReportTooLarge if it takes longer than settings.VSPLAN_PDF_MAX_SECONDS.
    """
    html = report_html(data)
    seconds = settings.VSPLAN_PDF_MAX_SECONDS
    pdf = _write_pdf_bounded(html, seconds) if seconds and _can_fork() else _write_pdf(html)
    filename = f"{slugify(data.cycle.name)}-{data.scope.slug}-{data.language}.pdf"
    return filename, PDF_CONTENT_TYPE, pdf


def _write_pdf(html: str) -> bytes:
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    document = HTML(
        string=html, base_url=StaticOnlyFetcher.base_url, url_fetcher=StaticOnlyFetcher()
    )
    return document.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=identifier,
        pdf_tags=True,
        custom_metadata=True,
    )


def _can_fork() -> bool:
    """Forking is safe only in a single-threaded process, as the background worker and
    render_report are; in a threaded process (development's reloading worker, a test's
    live server) the render runs in the process, unbounded in time."""
    return threading.active_count() == 1


def _write_pdf_bounded(html: str, seconds: float) -> bytes:
    """WeasyPrint in a forked child that is killed after `seconds`.

    Nothing is interrupted inside this process, so no lock or connection of it can be
    left half-used; the child touches no database (the HTML is already built) and a
    crash in it (Pango, fonts) fails the report, not the worker.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_write_pdf_child, args=(html, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise ReportTooLarge(
                _("The report took longer than %(seconds)s seconds; choose a narrower report.")
                % {"seconds": seconds}
            )
        try:
            failure, pdf = receiver.recv()
        except EOFError:
            child.join(5)  # it has closed its end: collect its exit code
            raise RuntimeError(
                f"The PDF renderer stopped without a result (exit code {child.exitcode})."
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if failure:
        raise RuntimeError(f"The PDF renderer failed:\n{failure}")
    return pdf


def _write_pdf_child(html: str, sender) -> None:
    # Everything the child inherited from the worker outlives its one render: keep the
    # garbage collector off it, so collections scan only the render's own objects and do
    # not copy the worker's pages (0.2 s a render in a worker that has served a while).
    gc.freeze()
    try:
        sender.send(("", _write_pdf(html)))
    except Exception:
        sender.send((traceback.format_exc(), b""))
