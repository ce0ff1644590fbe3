"""The plan's workbook with each area's status: the export people read and edit.

The workbook's format (its plan columns, reading and writing it) is the plan's
(``areas.excel``); this adds what the follow-up knows: each area's latest
status, traffic light, whether it is late, and who last updated it, as
read-only columns, and the summary sheet's counts, which are ``summarise``'s,
the same as on the dashboard.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from areas.excel import (
    COLUMNS,
    Column,
    Message,
    ReadResult,
    SummaryTable,
    edited_read_only,
    plan_meta,
    plan_rows,
    write_workbook,
)
from areas.models import ActionPlan, DevelopmentArea, SupportArea

from .models import Status, StatusUpdate, TrafficLight
from .standings import Standing, latest_status_by_area, live_standings
from .summary import PlanSummary, summarise

STATUS_COLUMNS = [
    Column(
        "status",
        gettext_lazy("Current status"),
        14,
        imported=False,
        kind="choice",
        choices=tuple(Status.choices),
    ),
    Column(
        "traffic_light",
        gettext_lazy("Traffic light"),
        20,
        imported=False,
        kind="choice",
        choices=tuple(TrafficLight.choices),
        # Fill and text as Excel's Good, Neutral and Bad styles: text 5.6-6.9:1 on its fill.
        colours=(
            (TrafficLight.GREEN, "C6EFCE", "006100"),
            (TrafficLight.AMBER, "FFEB9C", "9C5700"),
            (TrafficLight.RED, "FFC7CE", "9C0006"),
        ),
    ),
    Column("late", gettext_lazy("Late"), 10, imported=False, kind="yes_no"),
    Column("last_update", gettext_lazy("Last update"), 13, imported=False, kind="date"),
    Column("signed_by", gettext_lazy("Signed by"), 18, imported=False),
]
WORKBOOK_COLUMNS = [*COLUMNS, *STATUS_COLUMNS]


def rows_with_status(areas: QuerySet[DevelopmentArea], as_of: datetime.date) -> list[dict]:
    """The plan's rows with each area's latest status: five queries."""
    return _rows_and_summary(areas, as_of)[0]


def _rows_and_summary(
    areas: QuerySet[DevelopmentArea], as_of: datetime.date
) -> tuple[list[dict], SummaryTable]:
    rows = plan_rows(areas)
    area_list = list(areas.select_related("support_area").order_by("support_area__order", "order"))
    latest = latest_status_by_area([a.pk for a in area_list])
    by_id = {s.area.pk: s for s in live_standings(area_list, as_of=as_of, latest=latest)}
    for row in rows:
        standing = by_id[row["pk"]]
        update = latest.get(row["pk"])
        row.update(
            status=standing.status,
            traffic_light=standing.traffic_light,
            late=standing.late,
            last_update=timezone.localdate(update.created_at).isoformat() if update else "",
            signed_by=(update.author.get_full_name() or update.author.get_username())
            if update
            else "",
        )
    support_areas = {a.support_area.code: a.support_area for a in area_list}
    return rows, summary_table(summarise(by_id.values(), as_of=as_of), support_areas)


def summary_table(summary: PlanSummary, support_areas: dict) -> SummaryTable:
    """The summary sheet's table: per support area and in total, as on the dashboard."""
    headers = [
        _("Section"),
        _("Support area"),
        _("Sheet"),
        _("Development areas"),
        *[s.label for s in Status],
        _("Not yet reported"),
        *[t.label for t in TrafficLight],
        _("Late"),
    ]

    def cells(row, section: str, name: str, sheet: str) -> list:
        return [
            section,
            name,
            sheet,
            row.areas,
            *[row.by_status[s.value] for s in Status],
            row.not_reported,
            *[row.by_light[t.value] for t in TrafficLight],
            row.late,
        ]

    rows = []
    for row in summary.rows:
        support_area = support_areas[row.key]
        rows.append(cells(row, support_area.number, support_area.name, row.key))
    total = cells(summary.total, pgettext("workbook", "Total"), str(summary.total.label), "")
    return SummaryTable(headers=[str(h) for h in headers], rows=rows, total=total)


def export_workbook(
    out,
    plan: ActionPlan,
    areas: QuerySet[DevelopmentArea],
    *,
    as_of: datetime.date,
    filters: str = "",
    language: str | None = None,
) -> int:
    """Write the areas as the plan's workbook with their status; returns the number of rows."""
    with translation.override(language or translation.get_language()):
        rows, summary = _rows_and_summary(areas, as_of)  # the summary's labels in ``language``
    write_workbook(
        out,
        plan_meta=plan_meta(plan),
        rows=rows,
        columns=WORKBOOK_COLUMNS,
        summary=summary,
        filters=filters,
        language=language,
    )
    return len(rows)


def read_only_edits(result: ReadResult, plan: ActionPlan, *, as_of: datetime.date) -> list[Message]:
    """A warning for each read-only cell of an uploaded workbook (a status, a traffic
    light, a date vsplan read) that differs from what the export would show today."""
    if not result.read_only:
        return []
    return edited_read_only(result, rows_with_status(plan.areas.all(), as_of), WORKBOOK_COLUMNS)


def write_snapshot_workbook(out, plan: ActionPlan, rows: list[dict]) -> None:
    """An earlier revision as it was kept when it was superseded (its snapshot's rows,
    with each area's status as it then stood, counted on the summary sheet)."""
    support_areas = {sa.code: sa for sa in SupportArea.objects.all()}
    recorded = [
        Standing(
            area=DevelopmentArea(upcoming=row["upcoming"], support_area=support_areas[code]),
            statement=StatusUpdate(status=row["status"], traffic_light=row["traffic_light"])
            if row.get("status")
            else None,
            stated_at=None,
            report=None,
            late=bool(row.get("late")),
            stale=False,  # not recorded
        )
        for row in rows
        if (code := row["support_area"]) in support_areas
    ]
    summary = summarise(recorded, as_of=timezone.localdate())
    write_workbook(
        out,
        plan_meta=plan_meta(plan),
        rows=rows,
        columns=WORKBOOK_COLUMNS,
        summary=summary_table(summary, support_areas),
    )
