"""The follow-up report of a cycle as an archival PDF: programme, support area or department.

Building the data (`build_pdf_data`) is separate from rendering it (`render_pdf`),
which follows the renderers' contract: it returns ``(filename, content_type,
bytes)``. Rendering (``followup.pdf_render``) uses WeasyPrint with a URL fetcher
that serves only the report's own static files, fonts shipped with the app, and
PDF/A output; the same input gives the same bytes. WeasyPrint runs in a child
process that is stopped after settings.VSPLAN_PDF_MAX_SECONDS.
"""

import functools
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)
from areas.selectors import filter_plan_areas

from . import charts
from .cycle_selectors import indicator_rows
from .models import FollowUpCycle, FollowUpReport
from .pdf_render import RenderTimeout, write_pdf, write_pdf_bounded
from .selectors import held_up_by
from .standings import Standing, reference_date, standings
from .summary import (
    PlanSummary,
    completion_chart,
    heatmap_chart,
    late_chart,
    lights_chart,
    risk_aspect_chart,
    status_chart,
    summarise,
    tally_risks,
)

PDF_CONTENT_TYPE = "application/pdf"
# An upper bound on what one render may take on: beyond it the user is asked to narrow.
MAX_AREAS = 10_000
MAX_TEXT = 5_000_000  # characters of report text
# The static folders whose files a report may use.
REPORT_STATIC_FOLDERS = ("css/", "fonts/")


class PdfTooLarge(Exception):
    """The report asked for is beyond what one render may take on; the message says so."""


@dataclass
class PdfScope:
    """What a PDF covers: the whole programme, one support area or one department."""

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

    def areas(self, plan: ActionPlan) -> QuerySet[DevelopmentArea]:
        return filter_plan_areas(
            DevelopmentArea.objects.filter(plan=plan),
            support_area=self.support_area,
            department=self.department,
        )


@dataclass
class AreaBlock:
    standing: Standing
    held_up_by: list = field(default_factory=list)

    @property
    def area(self) -> DevelopmentArea:
        return self.standing.area

    @property
    def report(self) -> FollowUpReport | None:
        return self.standing.report

    @property
    def statement(self):
        return self.standing.statement


@dataclass
class SectionData:
    support_area: SupportArea
    blocks: list[AreaBlock]


@dataclass
class PdfData:
    plan: ActionPlan
    cycle: FollowUpCycle
    scope: PdfScope
    produced_by: str
    report_date: date
    language: str
    sections: list[SectionData]
    late: list[AreaBlock]
    summary: PlanSummary
    goals: list[tuple[ProgrammeGoal, str]]
    indicators: list
    summary_charts: list[charts.Chart]


def build_pdf_data(
    *, cycle: FollowUpCycle, scope: PdfScope, produced_by: str, language: str, today: date
) -> PdfData:
    """Everything the PDF shows, in a fixed number of queries (built in the report's language).

    Its figures are the dashboard's for the same cycle and areas: the same standings
    (``followup.standings``), counted by the same ``summarise``.
    """
    plan = cycle.plan
    areas = list(
        scope.areas(plan)
        .select_related("support_area", "group", "responsible_department")
        .prefetch_related("external_dependencies")
        .order_by("support_area__order", "order")
    )
    if len(areas) > MAX_AREAS:
        raise PdfTooLarge(_("The report would cover too many areas; choose a narrower report."))
    reports = {
        r.area_id: r
        for r in cycle.reports.filter(area_id__in=[a.pk for a in areas])
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related("risks__aspect", "benefits")
    }
    text = sum(len(r.progress) + len(r.next_steps) for r in reports.values())
    if text > MAX_TEXT:
        raise PdfTooLarge(_("The report would be too long; choose a narrower report."))
    as_of = reference_date(cycle, today)
    area_standings = standings(areas, as_of=as_of, cycle=cycle, reports=reports)
    held = held_up_by(plan)

    with translation.override(language):
        sections: dict[int, SectionData] = {}
        for standing in area_standings:
            if standing.area.upcoming:
                continue  # not decided: counted in the summary, not followed up in a block
            block = AreaBlock(standing, held.get(standing.area.pk, []))
            support_area = standing.area.support_area
            sections.setdefault(support_area.pk, SectionData(support_area, [])).blocks.append(block)
        summary = summarise(area_standings, as_of=as_of)
        risks = tally_risks(risk for r in reports.values() for risk in r.risks.all())
        aspects = list(RiskAspect.objects.order_by("order"))
        assessments = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
        goals = [(g, assessments.get(g.pk, "")) for g in ProgrammeGoal.objects.all()]
        return PdfData(
            plan=plan,
            cycle=cycle,
            scope=scope,
            produced_by=produced_by,
            report_date=as_of,
            language=language,
            sections=list(sections.values()),
            late=[AreaBlock(s) for s in area_standings if s.late],
            summary=summary,
            goals=goals,
            indicators=indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS),
            summary_charts=[
                status_chart(summary, "pdf-status"),
                lights_chart(summary, "pdf-lights"),
                late_chart(summary, "pdf-late"),
                completion_chart(summary, "pdf-completion"),
                heatmap_chart(risks, "pdf-risks"),
                risk_aspect_chart(risks, aspects, "pdf-risk-aspects"),
            ],
        )


@functools.cache
def report_static_files() -> dict[str, str]:
    """The static files a report may use (its style sheet and fonts), by name: the only
    files the renderer may read."""
    files = {}
    for finder in finders.get_finders():
        for name, storage in finder.list([]):
            name = name.replace("\\", "/")
            if name.startswith(REPORT_STATIC_FOLDERS) and name not in files:
                files[name] = storage.path(name)
    return files


def pdf_html(data: PdfData) -> str:
    """The report as the HTML document that WeasyPrint lays out."""
    with translation.override(data.language):
        return render_to_string("followup/report_pdf.html", {"data": data})


def render_pdf(data: PdfData) -> tuple[str, str, bytes]:
    """Render the report; returns (filename, content type, PDF bytes).

    Raises PdfTooLarge if it takes longer than settings.VSPLAN_PDF_MAX_SECONDS
    (0: no bound, the render runs in this process).
    """
    html = pdf_html(data)
    seconds = settings.VSPLAN_PDF_MAX_SECONDS
    if seconds:
        try:
            pdf = write_pdf_bounded(html, report_static_files(), seconds)
        except RenderTimeout:
            raise PdfTooLarge(
                _("The report took longer than %(seconds)s seconds; choose a narrower report.")
                % {"seconds": seconds}
            ) from None
    else:
        pdf = write_pdf(html, report_static_files())
    filename = f"{slugify(data.cycle.name)}-{data.scope.slug}-{data.language}.pdf"
    return filename, PDF_CONTENT_TYPE, pdf
