"""A closed cycle is the record: the plan as it read when the cycle closed.

Closing a cycle freezes, for each of its reports, the area as it then read
(``freeze_area``: every plan field, the planned dates as read, the support
area, group and departments with their names, what it depends on and the
external dependencies' states, what held it up) and, for the cycle, the plan
itself (``freeze_plan``: title, registration number, revision, the goals with
their assessments, the indicator values). A frozen cycle's pages, PDFs, open
data and dashboard read only this, through ``AreaRecord`` objects that answer
like a development area, so they are the same next year as on the day it
closed, whatever the plan has become.

The same records are made from the live plan (``record_of``) for an open
cycle's documents, so every document reads one kind of object.
"""

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.translation import get_language, pgettext

from areas.models import READING_NOTE_CHOICES, ActionPlan, DevelopmentArea, ExternalDependency
from areas.templatetags.plan_dates import plan_date


def _department(department) -> dict | None:
    if department is None:
        return None
    return {"code": department.code, "name_sv": department.name_sv, "name_en": department.name_en}


def _external(dependency: ExternalDependency) -> dict:
    return {"code": dependency.code, "name": dependency.name, "state": dependency.state}


@dataclass(frozen=True)
class HoldUp:
    """Something an area waits on that has slipped: an external dependency that is delayed or
    blocked, or a development area that is late, red, or now expected to end after the
    waiting area was to start. Reads like an external dependency in the templates.

    Its causes are kept as codes and worded when read, in the reader's language (a closed
    cycle's record is read in Swedish and in English alike): ``("state", "delayed")``,
    ``("late",)``, ``("red",)``, ``("ends", "2025-06-30", "month")``; records frozen before
    causes were codes hold ``("text", "...")``."""

    code: str  # the external dependency's code, or the area's key
    name: str
    causes: tuple[tuple[str, ...], ...]

    @property
    def holds_up(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return ", ".join(_cause_text(cause) for cause in self.causes)

    def get_state_display(self) -> str:
        return self.reason


def _cause_text(cause: tuple[str, ...]) -> str:
    kind, *args = cause
    if kind == "state":
        return str(ExternalDependency.State(args[0]).label)
    if kind == "late":
        return pgettext("holds up", "late")
    if kind == "red":
        return pgettext("holds up", "red light")
    if kind == "ends":
        when = date.fromisoformat(args[0])
        return pgettext("holds up", "expected to end %(date)s") % {"date": plan_date(when, args[1])}
    return args[0] if args else kind  # "text": worded when it was frozen


def _hold_up(data: dict) -> HoldUp:
    """A frozen hold-up: its causes as codes; older records name a reason worded at freezing,
    or (before areas could hold each other up) an external dependency's state."""
    if "causes" in data:
        return HoldUp(data["code"], data["name"], tuple(tuple(c) for c in data["causes"]))
    if "reason" in data:
        return HoldUp(data["code"], data["name"], (("text", data["reason"]),))
    return HoldUp(data["code"], data["name"], (("state", data["state"]),))


def freeze_area(area: DevelopmentArea, held_up_by: list[HoldUp]) -> dict:
    """The area as it reads now, as plain values (with its links prefetched: participating
    departments, dependencies on areas, external dependencies)."""
    support_area = area.support_area
    return {
        "id": area.pk,
        "key": area.key,
        "title": area.title,
        "why": area.why,
        "desired_effect": area.desired_effect,
        "participating_text": area.participating_text,
        "dependencies_text": area.dependencies_text,
        "planned_text": area.planned_text,
        "planned_start": area.planned_start.isoformat() if area.planned_start else "",
        "planned_start_precision": area.planned_start_precision,
        "planned_end": area.planned_end.isoformat() if area.planned_end else "",
        "planned_end_precision": area.planned_end_precision,
        "planned_note": area.planned_note,
        "footnote": area.footnote,
        "form_of_work": area.form_of_work,
        "upcoming": area.upcoming,
        "order": area.order,
        "support_area": {
            "code": support_area.code,
            "number": support_area.number,
            "order": support_area.order,
            "name_sv": support_area.name_sv,
            "name_en": support_area.name_en,
        },
        "group": area.group.name if area.group else "",
        "responsible_department": _department(area.responsible_department),
        "participating": [_department(d) for d in area.participating_departments.all()],
        "depends_on": [{"key": a.key, "title": a.title} for a in area.depends_on.all()],
        "external": [_external(d) for d in area.external_dependencies.all()],
        "held_up_by": [
            {"code": h.code, "name": h.name, "causes": [list(c) for c in h.causes]}
            for h in held_up_by
        ],
    }


def freeze_plan(plan: ActionPlan, goals: list[dict], indicators: list[dict]) -> dict:
    return {
        "organisation": plan.organisation,
        "title": plan.title,
        "registration_number": plan.registration_number,
        "revision": plan.revision,
        "goals": goals,
        "indicators": indicators,
    }


class _Named:
    """A name in the reader's language, falling back to the other one."""

    name_sv: str
    name_en: str

    @property
    def name(self) -> str:
        if get_language() == "en":
            return self.name_en or self.name_sv
        return self.name_sv or self.name_en


@dataclass(frozen=True)
class SupportAreaRecord(_Named):
    code: str
    number: str
    order: int
    name_sv: str
    name_en: str

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


@dataclass(frozen=True)
class DepartmentRecord(_Named):
    code: str
    name_sv: str
    name_en: str

    def __str__(self) -> str:
        return f"{self.code} – {self.name}" if self.name else self.code


@dataclass(frozen=True)
class ExternalRecord:
    code: str
    name: str
    state: str

    @property
    def holds_up(self) -> bool:
        return self.state != ExternalDependency.State.ON_TRACK

    def get_state_display(self) -> str:
        return str(ExternalDependency.State(self.state).label)


@dataclass(frozen=True)
class DependsOnRecord:
    key: str
    title: str


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass
class AreaRecord:
    """A development area as a record holds it: answers like ``DevelopmentArea`` where the
    documents and the dashboard read one."""

    pk: int
    key: str
    title: str
    why: str
    desired_effect: str
    participating_text: str
    dependencies_text: str
    planned_text: str
    planned_start: date | None
    planned_start_precision: str
    planned_end: date | None
    planned_end_precision: str
    planned_note: str
    footnote: str
    form_of_work: str
    upcoming: bool
    order: int
    support_area: SupportAreaRecord
    group_name: str
    responsible_department: DepartmentRecord | None
    participating: list[DepartmentRecord] = field(default_factory=list)
    depends_on: list[DependsOnRecord] = field(default_factory=list)
    external: list[ExternalRecord] = field(default_factory=list)
    held_up_by: list[HoldUp] = field(default_factory=list)

    @classmethod
    def from_frozen(cls, data: dict) -> "AreaRecord":
        department = data.get("responsible_department")
        return cls(
            pk=data["id"],
            key=data["key"],
            title=data["title"],
            why=data["why"],
            desired_effect=data["desired_effect"],
            participating_text=data["participating_text"],
            dependencies_text=data["dependencies_text"],
            planned_text=data["planned_text"],
            planned_start=_date(data["planned_start"]),
            planned_start_precision=data["planned_start_precision"],
            planned_end=_date(data["planned_end"]),
            planned_end_precision=data["planned_end_precision"],
            planned_note=data["planned_note"],
            footnote=data["footnote"],
            form_of_work=data["form_of_work"],
            upcoming=data["upcoming"],
            order=data["order"],
            support_area=SupportAreaRecord(**data["support_area"]),
            group_name=data["group"],
            responsible_department=DepartmentRecord(**department) if department else None,
            participating=[DepartmentRecord(**d) for d in data["participating"]],
            depends_on=[DependsOnRecord(**d) for d in data["depends_on"]],
            external=[ExternalRecord(**d) for d in data["external"]],
            held_up_by=[_hold_up(d) for d in data["held_up_by"]],
        )

    @property
    def support_area_id(self) -> str:
        return self.support_area.code

    @property
    def responsible_department_id(self) -> str | None:
        department = self.responsible_department
        return department.code if department else None

    @property
    def is_undated(self) -> bool:
        return self.planned_start is None and self.planned_end is None

    def get_planned_note_display(self) -> str:
        return str(dict(READING_NOTE_CHOICES).get(self.planned_note, ""))

    def get_absolute_url(self) -> str:
        return reverse("followup:area_detail", args=[self.key])

    def involves_codes(self, codes: set[str]) -> bool:
        """Whether a department of these codes is responsible or takes part (as frozen)."""
        if self.responsible_department_id in codes:
            return True
        return any(d.code in codes for d in self.participating)


def record_of(area: DevelopmentArea, held_up_by: list[HoldUp]) -> AreaRecord:
    """The live area as a record (for an open cycle's documents)."""
    return AreaRecord.from_frozen(freeze_area(area, held_up_by))
