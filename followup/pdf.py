"""The follow-up report of a cycle as an archival PDF: programme, support area, department or
one development area (a short report: its block and its history in the cycle).

A report shows what its reader may read and no more (``readable``, ``cycle_text``): the
text of the other reports is withheld, each shown as not handed in, as the report pages
show it (``followup.permissions.reports_readable_by``).

Building the data (`build_pdf_data`) is separate from rendering it (`render_pdf`),
which follows the renderers' contract: it returns ``(filename, content_type,
bytes)``. Rendering (``followup.pdf_render``) uses WeasyPrint with a URL fetcher
that serves only the report's own static files, fonts shipped with the app, and
PDF/A output; the same input gives the same bytes. WeasyPrint runs in a child
process that is stopped after settings.VSPLAN_PDF_MAX_SECONDS.
"""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from areas.models import (
    Department,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)

from . import charts
from .cycle_selectors import cycle_reports, frozen_indicator_rows, indicator_rows
from .cycles import REPORT_TEXT_FIELDS, department_heads
from .models import FollowUpCycle, FollowUpReport, StatusFields, StatusUpdate
from .pdf_render import RenderTimeout, write_pdf, write_pdf_bounded
from .records import AreaRecord, record_of
from .selectors import held_up_by
from .standings import Standing, cycle_standings, reference_date
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
REPORT_STATIC_FOLDERS = ("css/", "fonts/", "img/")


class PdfTooLarge(Exception):
    """The report asked for is beyond what one render may take on; the message says so."""


@dataclass
class PdfScope:
    """What a PDF covers: the whole programme, one support area, one department or one
    development area (by its key; its title is the cycle's, set when the data is built)."""

    kind: str  # "programme", "support_area", "department" or "area"
    support_area: SupportArea | None = None
    department: Department | None = None
    area_key: str = ""
    area_title: str = ""

    @property
    def label(self) -> str:
        if self.kind == "support_area":
            return f"{self.support_area.number} {self.support_area.name}"
        if self.kind == "department":
            return str(self.department)
        if self.kind == "area":
            return f"{self.area_key} {self.area_title}".strip()
        return _("The whole programme")

    @property
    def slug(self) -> str:
        if self.kind == "support_area":
            return self.support_area.code.lower()
        if self.kind == "department":
            return slugify(self.department.code)
        if self.kind == "area":
            return slugify(self.area_key)
        return "programme"

    @property
    def is_short(self) -> bool:
        """One area: its block and history, without the programme's sections (contents,
        summary, overview, figures, highest risks, goals)."""
        return self.kind == "area"


@dataclass
class RiskLine:
    aspect: str
    description: str
    likelihood: int
    consequence: int
    mitigation: str
    owner: str
    area_key: str = ""
    area_title: str = ""

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


# The highest risks the report lists on their own page.
TOP_RISKS = 10
# A block that would take up to about a third of a page is kept on one page (moving it
# whole leaves at most that much blank); a longer one may break between its fields.
KEEP_TOGETHER_LINES = 18
LINE_CHARACTERS = 95  # about one line of a block's text on A4 at its size


def short_light(light: str) -> str:
    """A traffic light in one word ("Grönt"), for tables too narrow for its full label."""
    return {
        "green": pgettext("traffic light, short", "Green"),
        "amber": pgettext("traffic light, short", "Amber"),
        "red": pgettext("traffic light, short", "Red"),
    }.get(light, "")


@dataclass
class AreaBlock:
    """One area's section of the report: the area as the cycle saw it (a record), and how it
    stands in the cycle."""

    standing: Standing
    risks: list[RiskLine] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)  # the responsible department's
    withheld: bool = False  # its text is not the reader's to read: shown as not handed in

    @property
    def benefits(self) -> list:
        if self.withheld or self.report is None:
            return []
        return list(self.report.benefits.all())

    @property
    def owner_light(self) -> str:
        """The owner's traffic light in a word (the overview's)."""
        return short_light(self.report.traffic_light if self.report else "")

    @property
    def reviewer_light(self) -> str:
        return short_light(self.report.reviewer_light if self.report else "")

    @property
    def keep_together(self) -> bool:
        """Whether the block is short enough to keep on one page (about its lines)."""
        report = self.report
        texts = [self.area.title, self.area.planned_text, self.area.dependencies_text]
        if report is not None:
            texts += [report.progress, report.next_steps, report.traffic_light_reason,
                      report.reviewer_reason, report.revised_end_text]  # fmt: skip
        lines = 8 + sum(
            text.count("\n") + len(text) // LINE_CHARACTERS + 1 for text in texts if text
        )
        lines += sum(2 + len(r.description + r.mitigation) // LINE_CHARACTERS for r in self.risks)
        lines += 2 * len(self.benefits)
        return lines <= KEEP_TOGETHER_LINES

    @property
    def area(self) -> AreaRecord:
        return self.standing.area

    @property
    def report(self) -> FollowUpReport | None:
        return self.standing.report

    @property
    def statement(self):
        return self.standing.statement


@dataclass
class SectionData:
    support_area: object  # a SupportAreaRecord
    blocks: list[AreaBlock]


@dataclass
class HistoryLine:
    """One dated step of an area in the cycle (the short report's history)."""

    at: datetime
    who: str
    what: str


@dataclass
class PdfData:
    plan: dict  # organisation, title, registration_number, revision
    title: str  # "Uppföljningsrapport 2025"
    text: list[tuple[str, str]]  # the report's text: (heading, text) (FollowUpCycle)
    preliminary: bool  # an open cycle's: marked on every page
    preliminary_mark: str
    logo: str  # the cover's logo, a name the renderer serves (VSPLAN_REPORT_LOGO), or ""
    top_risks: list[RiskLine]
    cycle: FollowUpCycle
    scope: PdfScope
    produced_by: str
    report_date: date
    language: str
    sections: list[SectionData]
    late: list[AreaBlock]
    summary: PlanSummary
    goals: list[dict]  # title, definition, follow_up, assessment
    indicators: list
    summary_charts: list[charts.Chart]
    history: list[HistoryLine] = field(default_factory=list)  # one area's, in the cycle


def _live_record(
    cycle: FollowUpCycle, reports: list[FollowUpReport], as_of: date
) -> dict[int, AreaRecord]:
    """An open cycle's areas as records, as they read now, with what holds them up at
    ``as_of`` (as the dashboard judges it): six queries."""
    areas = [r.area for r in reports]
    prefetch_related_objects(
        areas, "participating_departments", "depends_on", "external_dependencies"
    )
    held = held_up_by(cycle.plan, as_of=as_of)
    return {area.pk: record_of(area, held.get(area.pk, [])) for area in areas}


def logo_file() -> tuple[str, str] | None:
    """The organisation's logo as (name the renderer serves, path), if one is set."""
    path = settings.VSPLAN_REPORT_LOGO
    if not path:
        return None
    suffix = path.rsplit(".", 1)[-1].lower()
    if suffix not in ("png", "jpg", "jpeg", "svg"):
        return None
    return f"logo/logo.{suffix}", path


def report_filename(cycle: FollowUpCycle, scope: "PdfScope", language: str) -> str:
    """The PDF's file name, all in the report's language: ``uppfoljning-2025-programmet.pdf``,
    ``follow-up-2025-programme.pdf``."""
    with translation.override(language):
        name = pgettext("file name", "follow-up")
        what = pgettext("file name", "programme") if scope.kind == "programme" else scope.slug
        return f"{slugify(name)}-{cycle.year}-{slugify(what)}.pdf"


def _withhold(report: FollowUpReport) -> None:
    """Blank what the report says, in memory only (the report is never saved from here): it
    then reads as a report not handed in, in the blocks and in every figure."""
    for name in StatusFields.ALL:
        setattr(report, name, None if name == "revised_end" else "")
    report.reviewer_light = report.reviewer_reason = ""


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "–"


def area_history(cycle: FollowUpCycle, block: "AreaBlock") -> list[HistoryLine]:
    """One area's steps in the cycle, oldest first: the cycle's own steps, the area's status
    updates while it was open, the report handed in and its reviews (these only when the
    reader may read the report's text): three queries."""
    report = block.report
    lines = [
        HistoryLine(at, "", what)
        for at, what in [
            (cycle.opened_at, _("The follow-up opened")),
            (cycle.closed_at, _("The follow-up closed; the report is frozen")),
            (cycle.published_at, _("The follow-up published")),
        ]
        if at is not None
    ]
    if report is None or block.withheld:
        return sorted(lines, key=lambda line: line.at)
    updates = StatusUpdate.objects.filter(area_id=report.area_id).select_related("author")
    if cycle.opened_at is not None:
        updates = updates.filter(created_at__gte=cycle.opened_at)
    if cycle.closed_at is not None:
        updates = updates.filter(created_at__lte=cycle.closed_at)
    for update in updates:
        what = _("Status saved: %(status)s, %(light)s") % {
            "status": update.get_status_display(),
            "light": update.get_traffic_light_display(),
        }
        lines.append(HistoryLine(update.created_at, _name(update.author), what))
    if report.submitted_at is not None:
        lines.append(
            HistoryLine(
                report.submitted_at,
                _name(report.submitted_by),
                pgettext("a step of a report", "Handed in"),
            )
        )
    for review in report.reviews.select_related("reviewer"):
        what = _("Reviewed: %(decision)s; the reviewer's traffic light %(light)s") % {
            "decision": review.get_decision_display(),
            "light": review.get_reviewer_light_display(),
        }
        lines.append(HistoryLine(review.reviewed_at, _name(review.reviewer), what))
    return sorted(lines, key=lambda line: line.at)


def build_pdf_data(
    *,
    cycle: FollowUpCycle,
    scope: PdfScope,
    produced_by: str,
    language: str,
    today: date,
    readable: frozenset[int] | None = None,
    cycle_text: bool = True,
) -> PdfData:
    """Everything the PDF shows, in a fixed number of queries (built in the report's language).

    ``readable``: the reports whose text the reader may read (None: all of them); the
    others show as not handed in, and count so. ``cycle_text``: whether the reader may read
    the cycle's own text (the secretariat's summary, assessment and decisions).

    A frozen cycle's report reads only its record (``followup.records``): the plan, the
    areas, the goals and indicators as they were when it closed, and carries the date it
    closed (or was published); so it is the same whenever it is made. Its figures are
    the dashboard's for the same cycle and areas: the same standings, counted by the
    same ``summarise``.
    """
    reports = cycle_reports(
        cycle,
        support_area=scope.support_area.code if scope.support_area else "",
        department=scope.department.code if scope.department else "",
        area=scope.area_key,
    )
    withheld = set() if readable is None else {r.pk for r in reports if r.pk not in readable}
    for report in reports:
        if report.pk in withheld:
            _withhold(report)
    if scope.is_short and reports:
        scope.area_title = reports[0].area_title
    if len(reports) > MAX_AREAS:
        raise PdfTooLarge(_("The report would cover too many areas; choose a narrower report."))
    text = sum(len(r.progress) + len(r.next_steps) for r in reports)
    if text > MAX_TEXT:
        raise PdfTooLarge(_("The report would be too long; choose a narrower report."))
    prefetch_related_objects([r for r in reports if r.pk not in withheld], "risks", "benefits")
    as_of = reference_date(cycle, today)
    if cycle.is_frozen:
        record = cycle.frozen_plan
        plan = {k: record[k] for k in ("organisation", "title", "registration_number", "revision")}
        goals = record["goals"]
        indicators = frozen_indicator_rows(record, settings.VSPLAN_MIN_RESPONDENTS)
        aspect_names = {
            int(pk): (a["name_en"] if language == "en" else a["name_sv"])
            for pk, a in record["risk_aspects"].items()
        }
        aspect_order = {int(pk): a["order"] for pk, a in record["risk_aspects"].items()}
        report_date = cycle.record_date
        records = None
        heads = record.get("department_heads", {})  # (none kept by cycles closed before)
    else:
        records = _live_record(cycle, reports, as_of)  # the documents read records only
        heads = department_heads()
        plan = {
            "organisation": cycle.plan.organisation,
            "title": cycle.plan.title,
            "registration_number": cycle.plan.registration_number,
            "revision": cycle.plan.revision,
        }
        assessments = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
        goals = [
            {
                "title": g.title,
                "definition": g.definition,
                "follow_up": g.follow_up,
                "assessment": assessments.get(g.pk, ""),
            }
            for g in ProgrammeGoal.objects.all()
        ]
        indicators = indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS)
        with translation.override(language):
            aspects = list(RiskAspect.objects.order_by("order"))
            aspect_names = {a.pk: a.name for a in aspects}
            aspect_order = {a.pk: a.order for a in aspects}
        report_date = today
    area_standings = cycle_standings(cycle, reports, as_of=as_of, records=records)
    for standing in area_standings:  # held up as the records say, as on the dashboard
        standing.held_up = bool(standing.area.held_up_by)

    with translation.override(language):
        sections: dict[str, SectionData] = {}
        blocks: list[AreaBlock] = []
        all_risks: list[tuple[RiskLine, int]] = []  # in the report's order
        for standing in area_standings:
            area = standing.area
            risks = [
                RiskLine(
                    aspect_names.get(risk.aspect_id, ""),
                    risk.description,
                    risk.likelihood,
                    risk.consequence,
                    risk.mitigation,
                    risk.owner,
                    area.key,
                    area.title,
                )
                for risk in (
                    standing.report.risks.all() if standing.report.pk not in withheld else []
                )
            ]
            responsible = area.responsible_department
            named = heads.get(responsible.code, []) if responsible else []
            block = AreaBlock(standing, risks, named, withheld=standing.report.pk in withheld)
            sections.setdefault(area.support_area.code, SectionData(area.support_area, []))
            sections[area.support_area.code].blocks.append(block)
            blocks.append(block)
            all_risks.extend((risk, len(all_risks)) for risk in risks)
        summary = summarise(area_standings, as_of=as_of)
        risk_tally = tally_risks(
            risk for r in reports if r.pk not in withheld for risk in r.risks.all()
        )
        aspects = sorted(aspect_names.items(), key=lambda item: aspect_order[item[0]])
        # The highest by score; of equal scores, the graver consequence, then plan order.
        ranked = sorted(all_risks, key=lambda item: (-item[0].score, -item[0].consequence, item[1]))
        logo = logo_file()
        return PdfData(
            plan=plan,
            title=_("Follow-up report %(year)s") % {"year": cycle.year},
            text=[
                (str(FollowUpCycle._meta.get_field(name).verbose_name), getattr(cycle, name))
                for name in REPORT_TEXT_FIELDS
            ]
            if cycle_text
            else [],
            preliminary=not cycle.is_frozen,
            preliminary_mark=_("Preliminary"),
            logo=logo[0] if logo else "",
            top_risks=[risk for risk, _order in ranked[:TOP_RISKS]],
            cycle=cycle,
            scope=scope,
            produced_by=produced_by,
            report_date=report_date,
            language=language,
            sections=list(sections.values()),
            late=[AreaBlock(s) for s in area_standings if s.late],
            summary=summary,
            goals=goals,
            indicators=indicators,
            summary_charts=[
                status_chart(summary, "pdf-status"),
                lights_chart(summary, "pdf-lights"),
                late_chart(summary, "pdf-late"),
                completion_chart(summary, "pdf-completion"),
                heatmap_chart(risk_tally, "pdf-risks"),
                risk_aspect_chart(risk_tally, aspects, "pdf-risk-aspects"),
            ],
            history=area_history(cycle, blocks[0]) if scope.is_short and blocks else [],
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


def report_files() -> dict[str, str]:
    """The files a report may use: its static files, and the logo if one is set."""
    logo = logo_file()
    return report_static_files() | (dict([logo]) if logo else {})


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
            pdf = write_pdf_bounded(html, report_files(), seconds)
        except RenderTimeout:
            raise PdfTooLarge(
                _("The report took longer than %(seconds)s seconds; choose a narrower report.")
                % {"seconds": seconds}
            ) from None
    else:
        pdf = write_pdf(html, report_files())
    filename = report_filename(data.cycle, data.scope, data.language)
    return filename, PDF_CONTENT_TYPE, pdf
