"""Reads that the plan's pages share, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from .models import ActionPlan, Department, DevelopmentArea, Group, SupportArea
from .search import plan_text_matches, search_words


def current_plan() -> ActionPlan | None:
    return ActionPlan.objects.filter(is_current=True).first()


@dataclass
class GroupBlock:
    group: Group | None
    areas: list[DevelopmentArea]


@dataclass
class SupportAreaBlock:
    support_area: SupportArea
    blocks: list[GroupBlock] = field(default_factory=list)
    upcoming: list[DevelopmentArea] = field(default_factory=list)

    @property
    def all_areas(self) -> list[DevelopmentArea]:
        return [a for b in self.blocks for a in b.areas] + self.upcoming

    @property
    def area_count(self) -> int:
        return sum(len(b.areas) for b in self.blocks) + len(self.upcoming)


def filter_plan_areas(
    areas: QuerySet[DevelopmentArea],
    *,
    support_area: SupportArea | None = None,
    group: Group | None = None,
    department: Department | None = None,
    upcoming: str = "",
    q: str = "",
) -> QuerySet[DevelopmentArea]:
    """Narrow the plan's areas by the plan's own fields (the filters of ``PlanFilterForm``);
    ``q``'s words each in some plan text, case aside (``areas.search``)."""
    if support_area is not None:
        areas = areas.filter(support_area=support_area)
    if group is not None:
        areas = areas.filter(group=group)
    if department is not None:
        areas = areas.involving([department])
    if upcoming:
        areas = areas.filter(upcoming=upcoming == "yes")
    for word in search_words(q):
        areas = areas.filter(plan_text_matches(word))
    return areas


def plan_tree(
    areas: QuerySet[DevelopmentArea], *, plan: ActionPlan | None = None
) -> list[SupportAreaBlock]:
    """The given areas arranged as the plan is: support area, then group, then area.

    Three queries: the support areas, their responsible departments, and the
    areas with their groups (and their plan, unless ``plan`` says which it is: at
    thousands of areas joining it costs more than reading them).
    """
    if plan is None:
        return arrange(list(areas.select_related("group", "plan")))
    area_list = list(areas.select_related("group"))
    for area in area_list:
        area.plan = plan
    return arrange(area_list)


def arrange(area_list: list[DevelopmentArea]) -> list[SupportAreaBlock]:
    """Areas already read (in plan order, with their groups) arranged as ``plan_tree``
    does: two queries, the support areas and their responsible departments."""
    support_areas = SupportArea.objects.prefetch_related("responsible_departments")
    blocks = {sa.pk: SupportAreaBlock(sa) for sa in support_areas}
    for area in area_list:
        place(blocks[area.support_area_id], area)
    return [b for b in blocks.values() if b.area_count]


def place(block: SupportAreaBlock, area: DevelopmentArea) -> None:
    """Add an area (the next in plan order) to its support area's block."""
    if area.upcoming:
        block.upcoming.append(area)
    elif block.blocks and block.blocks[-1].group == area.group:
        block.blocks[-1].areas.append(area)
    else:
        block.blocks.append(GroupBlock(area.group, [area]))


def area_for_plan(plan: ActionPlan, key: str, *, page: bool = True) -> DevelopmentArea | None:
    """One area, or None; with ``page``, everything its page shows (five more queries)."""
    areas = DevelopmentArea.objects.filter(plan=plan, key=key).select_related(
        "support_area", "group", "plan", "responsible_department"
    )
    if not page:
        return areas.first()
    return areas.prefetch_related(
        "participating_departments",
        "external_dependencies",
        "support_area__responsible_departments",
        Prefetch("depends_on", queryset=DevelopmentArea.objects.select_related("support_area")),
        Prefetch("dependents", queryset=DevelopmentArea.objects.select_related("support_area")),
    ).first()
