"""Revising the plan from a workbook: the change set, and applying it as a new revision.

A development area is one row in the database for its whole life, identified by
its key; the ``plan`` it points to is the newest revision that contains it. A
revision is applied in one transaction:

* the current revision keeps a snapshot of every area as it stood (all plan
  fields, status at the time), so it stays readable, and stops being current;
* a new revision is created and becomes current;
* areas kept are updated in place and move to it, so their status updates,
  comments, reports and history carry over untouched; every changed field is
  recorded as a PlanChange (who, when, old → new);
* areas removed stay with the earlier revision, read-only.

What the follow-up asks of a revision (no cycle open while the plan changes; the
cycles follow the plan to its new revision) is ``followup.services.plan_revise``,
which wraps ``revision_apply``.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .excel import COLUMN_BY_NAME, IMPORTED, LIST_FIELDS, YES, Message, plan_rows
from .models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    Group,
    PlanChange,
    PlanImport,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
    support_area_code_validator,
)
from .plandates import Note, read_planned_period
from .starter import StartData

COMPARED = ["support_area"] + [c.name for c in IMPORTED if c.name != "key"]
KEY_RE = re.compile(r"^[\w.-]{1,20}$")
_SPLIT_RE = re.compile(r"[,;\s]+")
_UNREADABLE = {Note.NO_DATE.value, Note.END_BEFORE_START.value}


class RevisionError(Exception):
    """The revision cannot be applied; the message says why."""


class ChangeSetChanged(RevisionError):
    """The plan changed after the change set was shown; it must be reviewed again."""


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class ChangedArea:
    key: str
    title: str
    sheet: str
    row: int
    fields: list[FieldChange]


@dataclass
class ChangeSet:
    added: list[dict] = field(default_factory=list)
    changed: list[ChangedArea] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    new_groups: list[dict] = field(default_factory=list)
    unknown_departments: list[dict] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    reordered: int = 0
    unchanged: int = 0
    # What applying needs, beyond what is shown: one cleaned record per row.
    records: list[dict] = field(default_factory=list, repr=False)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.reordered)

    @property
    def problem_count(self) -> int:
        return len(self.errors) + len(self.unknown_departments)

    @property
    def can_apply(self) -> bool:
        return not self.errors and not self.unknown_departments and self.has_changes

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("records")
        data["errors"] = [str(m) for m in self.errors]
        data["warnings"] = [str(m) for m in self.warnings]
        return data

    @property
    def digest(self) -> str:
        """A fingerprint of what applying would do (changes shown and records written)."""
        payload = json.dumps([self.as_dict(), self.records], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _display(name: str, value) -> str:
    if name in LIST_FIELDS:
        return ", ".join(value)
    if name == "upcoming":
        return str(YES) if value else str(_("no"))
    if name == "form_of_work" and value:
        return str(DevelopmentArea.FormOfWork(value).label)
    return value


def _label(name: str) -> str:
    if name == "support_area":
        return _("Support area")
    return str(COLUMN_BY_NAME[name].label)


def _yes_no(text: str) -> bool | None:
    folded = text.casefold()
    yes, no = {"yes", "ja", "true", "sant", "1", "x"}, {"no", "nej", "false", "falskt", "0", ""}
    return True if folded in yes else False if folded in no else None


def _form_of_work(text: str) -> str | None:
    if not text:
        return ""
    folded = text.casefold()
    for choice in DevelopmentArea.FormOfWork:
        labels = {choice.value}
        for language in ("sv", "en"):
            with translation.override(language):
                labels.add(str(choice.label).casefold())
        if folded in labels:
            return choice.value
    return None


class _Lookups:
    """Departments (with their other spellings) and external dependencies, each read once."""

    def __init__(self):
        self.departments: dict[str, str] = {}
        for code, aliases in Department.objects.values_list("code", "aliases"):
            self.departments[code.casefold()] = code
            for alias in aliases.split(","):
                if alias.strip():
                    self.departments.setdefault(alias.strip().casefold(), code)
        self.externals = {
            c.casefold(): c for c in ExternalDependency.objects.values_list("code", flat=True)
        }


def _clean(record: dict, lookups: _Lookups, change_set: ChangeSet, unknown: dict) -> dict:
    """Typed values of one workbook row; problems go to the change set."""
    sheet, row = record["sheet"], record["row"]

    def error(name: str, text: str) -> None:
        change_set.errors.append(Message(sheet, row, _label(name), text))

    clean = {name: _norm(record.get(name, "")) for name in COMPARED if name not in LIST_FIELDS}
    clean["key"] = record.get("key", "").strip()
    if clean["key"] and not KEY_RE.match(clean["key"]):
        error("key", _("a key is letters, digits, “-”, “_” or “.”, at most 20 characters."))
    if not clean["title"]:
        error("title", _("every development area needs its title."))
    upcoming = _yes_no(clean["upcoming"])
    if upcoming is None:
        error("upcoming", _("write “yes” or “no”."))
    clean["upcoming"] = bool(upcoming)
    form = _form_of_work(clean["form_of_work"])
    if form is None:
        choices = ", ".join(str(c.label) for c in DevelopmentArea.FormOfWork)
        error(
            "form_of_work",
            _("unknown form of work; use one of: %(choices)s.") % {"choices": choices},
        )
    clean["form_of_work"] = form or ""

    def departments(codes: list[str]) -> list[str]:
        """Known codes as vsplan spells them; unknown ones as typed (listed, and they stop
        the revision, so the change set shows what the workbook says)."""
        found = []
        for code in codes:
            known = lookups.departments.get(code.casefold())
            if known is None:
                unknown[code.upper()].append(f"{sheet}:{row}")
            found.append(known or code.upper())
        return sorted(set(found))

    clean["participating"] = departments(
        [c for c in _SPLIT_RE.split(record.get("participating", "")) if c]
    )
    responsible = departments([clean["responsible"]] if clean["responsible"] else [])
    clean["responsible"] = responsible[0] if responsible else ""
    externals = []
    for code in [c for c in _SPLIT_RE.split(record.get("external", "")) if c]:
        found = lookups.externals.get(code.casefold())
        if found is None:
            error("external", _("no external dependency has the code %(code)s.") % {"code": code})
        else:
            externals.append(found)
    clean["external"] = sorted(set(externals))
    clean["depends_on"] = sorted({k for k in _SPLIT_RE.split(record.get("depends_on", "")) if k})
    clean["sheet"], clean["row"] = sheet, row
    return clean


def _warn_if_undated(clean: dict, change_set: ChangeSet) -> None:
    """A new planned text that gives no date is allowed, and said out loud."""
    if read_planned_period(clean["planned_text"]).note.value in _UNREADABLE:
        change_set.warnings.append(
            Message(
                clean["sheet"],
                clean["row"],
                _label("planned_text"),
                _("“%(text)s” gives no date vsplan can read; the area will show as undated.")
                % {"text": clean["planned_text"]},
            )
        )


def _next_keys(codes: set[str], workbook_keys: set[str]) -> dict[str, int]:
    """For each support area, the highest number used in a key ``CODE-NN`` so far: by any
    area of any revision (wherever it has moved since) or by a row of the workbook."""
    highest = dict.fromkeys(codes, 0)
    stored = DevelopmentArea.objects.values_list("key", flat=True)
    for key in [*stored, *workbook_keys]:
        code, _sep, number = key.rpartition("-")
        if code in highest and number.isdigit():
            highest[code] = max(highest[code], int(number))
    return highest


def build_change_set(records: list[dict], plan: ActionPlan, read_messages=None) -> ChangeSet:
    """What importing these workbook rows into ``plan`` would change, and what stops it."""
    change_set = ChangeSet()
    if read_messages:
        change_set.errors.extend(read_messages[0])
        change_set.warnings.extend(read_messages[1])
    lookups = _Lookups()
    unknown: dict[str, list[str]] = defaultdict(list)
    cleaned = [_clean(r, lookups, change_set, unknown) for r in records]
    change_set.unknown_departments = [
        {"code": code, "places": places} for code, places in sorted(unknown.items())
    ]

    current = {row["key"]: row for row in plan_rows(plan.areas.all())}
    other_revisions = set(DevelopmentArea.objects.exclude(plan=plan).values_list("key", flat=True))
    # Keys: unique in the workbook, new ones not taken by an area of an earlier revision.
    first_seen: dict[str, dict] = {}
    for clean in cleaned:
        key = clean["key"]
        if not key:
            continue
        if key in first_seen:
            other = first_seen[key]
            change_set.errors.append(
                Message(
                    clean["sheet"],
                    clean["row"],
                    _label("key"),
                    _("the key %(key)s is also on sheet %(sheet)s, row %(row)d; keys are unique.")
                    % {"key": key, "sheet": other["sheet"], "row": other["row"]},
                )
            )
        else:
            first_seen[key] = clean
        if key not in current and key in other_revisions:
            change_set.errors.append(
                Message(
                    clean["sheet"],
                    clean["row"],
                    _label("key"),
                    _(
                        "%(key)s belonged to an area removed in an earlier revision; "
                        "leave the key empty to add a new area."
                    )
                    % {"key": key},
                )
            )
    # New rows without a key get the support area's next number.
    highest = _next_keys({c["support_area"] for c in cleaned}, {c["key"] for c in cleaned})
    for clean in cleaned:
        if not clean["key"]:
            code = clean["support_area"]
            highest[code] += 1
            clean["key"] = f"{code}-{highest[code]:02d}"
            clean["key_assigned"] = True
    keys_in_workbook = {c["key"] for c in cleaned}
    for clean in cleaned:
        for key in clean["depends_on"]:
            if key not in keys_in_workbook:
                change_set.errors.append(
                    Message(
                        clean["sheet"],
                        clean["row"],
                        _label("depends_on"),
                        _("no area in the workbook has the key %(key)s.") % {"key": key},
                    )
                )
            elif key == clean["key"]:
                change_set.errors.append(
                    Message(
                        clean["sheet"],
                        clean["row"],
                        _label("depends_on"),
                        _("an area cannot depend on itself."),
                    )  # fmt: skip
                )

    existing_groups = set(Group.objects.values_list("support_area__code", "name"))
    for pair in sorted({(c["support_area"], c["group"]) for c in cleaned if c["group"]}):
        if pair not in existing_groups:
            change_set.new_groups.append({"support_area": pair[0], "name": pair[1]})

    position: dict[str, int] = defaultdict(int)
    old_position = {}
    for code_rows in _by_support_area(current.values()).values():
        for index, row in enumerate(code_rows, start=1):
            old_position[row["key"]] = index
    for clean in cleaned:
        position[clean["support_area"]] += 1
        clean["order"] = position[clean["support_area"]]
        old = current.get(clean["key"])
        if clean["planned_text"] and (
            old is None or _norm(old["planned_text"]) != clean["planned_text"]
        ):
            _warn_if_undated(clean, change_set)
        if old is None:
            change_set.added.append(
                {
                    "key": clean["key"],
                    "key_assigned": clean.get("key_assigned", False),
                    "title": clean["title"],
                    "sheet": clean["sheet"],
                    "row": clean["row"],
                    "group": clean["group"],
                }
            )
            continue
        fields = []
        for name in COMPARED:
            before = old[name] if name in LIST_FIELDS or name == "upcoming" else _norm(old[name])
            if before != clean[name]:
                fields.append(
                    FieldChange(
                        name, _label(name), _display(name, before), _display(name, clean[name])
                    )
                )
        if fields:
            change_set.changed.append(
                ChangedArea(clean["key"], clean["title"], clean["sheet"], clean["row"], fields)
            )
            moved = [f for f in fields if f.field in ("support_area", "group")]
            if moved:
                change_set.moved.append(
                    {
                        "key": clean["key"],
                        "title": clean["title"],
                        "moves": [f"{f.label}: {f.old or '–'} → {f.new or '–'}" for f in moved],
                    }  # fmt: skip
                )
        else:
            change_set.unchanged += 1
        if clean["order"] != old_position.get(clean["key"]) and not any(
            f.field == "support_area" for f in fields
        ):
            change_set.reordered += 1
    for key, row in current.items():
        if key not in keys_in_workbook:
            change_set.removed.append(
                {"key": key, "title": row["title"], "support_area": row["support_area"]}
            )
    _warn_of_renamed_keys(cleaned, current, old_position, change_set)
    change_set.records = cleaned
    return change_set


def _warn_of_renamed_keys(
    cleaned: list[dict], current: dict[str, dict], old_position: dict[str, int], change_set
) -> None:
    """A removed area and an added row that looks like it (the same title, or the same
    place in the same sheet) are most likely one area whose key was typed over. A key
    cannot be changed: applying would remove the area, with its history, and add a new
    one. Say so, for each such pair, before anyone applies it."""
    removed = [current[item["key"]] for item in change_set.removed]
    if not removed or not change_set.added:
        return
    added = {item["key"] for item in change_set.added}
    taken = set()
    for clean in cleaned:
        if clean["key"] not in added:
            continue
        title = clean["title"].casefold()
        same_title = [r for r in removed if _norm(r["title"]).casefold() == title and title]
        same_place = [
            r
            for r in removed
            if r["support_area"] == clean["support_area"]
            and old_position.get(r["key"]) == clean["order"]
        ]
        old = next((r for r in same_title + same_place if r["key"] not in taken), None)
        if old is None:
            continue
        taken.add(old["key"])
        change_set.warnings.append(
            Message(
                clean["sheet"],
                clean["row"],
                _label("key"),
                _(
                    "%(new)s looks like %(old)s with a new key (%(why)s). A key cannot be "
                    "changed: applying this removes %(old)s, whose status updates, reports, "
                    "comments and history stay with it in the earlier revision, and adds "
                    "%(new)s as a new area with none of them. To keep the area, put its key "
                    "%(old)s back in the workbook and upload it again."
                )
                % {
                    "new": clean["key"],
                    "old": old["key"],
                    "why": _("the same title")
                    if old in same_title
                    else _("the same place on sheet %(sheet)s") % {"sheet": clean["sheet"]},
                },
            )
        )


def _by_support_area(rows) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["support_area"]].append(row)
    return grouped


@transaction.atomic
def revision_apply(
    *,
    records: list[dict],
    read_errors: list[Message],
    user: AbstractBaseUser | None,
    revision: str,
    registration_number: str,
    document_date=None,
    decision_date=None,
    decided_by: str = "",
    expected_digest: str | None = None,
    describe_rows: Callable[[QuerySet[DevelopmentArea]], list[dict]] = plan_rows,
) -> tuple[ActionPlan, ChangeSet]:
    """Apply the workbook rows as a new revision of the current plan, all or nothing.

    ``read_errors`` are the problems found while reading the workbook; any of
    them stops the revision, as do the change set's own errors.

    With ``expected_digest`` (the change set the user reviewed), a plan that
    changed in the meantime raises ChangeSetChanged instead of applying
    something nobody saw. ``describe_rows`` writes the rows the superseded
    revision keeps as its snapshot (by default the plan's fields).
    """
    old = ActionPlan.objects.select_for_update().filter(is_current=True).first()
    if old is None:
        raise RevisionError(_("There is no current plan to revise."))
    if ActionPlan.objects.filter(
        registration_number=registration_number, revision=revision
    ).exists():
        raise RevisionError(
            _(
                "Revision “%(revision)s” of %(number)s already exists; "
                "give the new one its own label."
            )
            % {"revision": revision, "number": registration_number}
        )
    change_set = build_change_set(records, old, (read_errors, []))
    if expected_digest is not None and change_set.digest != expected_digest:
        raise ChangeSetChanged(
            _("The plan changed after the change set was made. Review the changes again.")
        )
    if not change_set.can_apply:
        raise RevisionError(
            _("The workbook has errors or no changes; nothing was written.")
            if change_set.has_changes
            else _("The workbook holds no changes; there is nothing to apply.")
        )

    now = timezone.now()
    old.snapshot = {"superseded_at": now.isoformat(), "rows": describe_rows(old.areas.all())}
    old.is_current = False
    old.save(update_fields=["snapshot", "is_current"])
    new = ActionPlan.objects.create(
        organisation=old.organisation,
        title=old.title,
        registration_number=registration_number,
        revision=revision,
        document_date=document_date,
        decision_date=decision_date,
        decided_by=decided_by,
        valid_until=old.valid_until,
        valid_until_text=old.valid_until_text,
        previous=old,
        is_current=True,
        created_by=user,
        created_at=now,
    )
    _write_areas(change_set, old, new, user)
    return new, change_set


def _write_areas(change_set: ChangeSet, old: ActionPlan, new: ActionPlan, user) -> None:
    records = change_set.records
    support_areas = {sa.code: sa for sa in SupportArea.objects.all()}
    for item in change_set.new_groups:
        support_area = support_areas[item["support_area"]]
        top = Group.objects.filter(support_area=support_area).aggregate(m=Max("order"))["m"] or 0
        Group.objects.create(support_area=support_area, name=item["name"], order=top + 1)
    groups = {
        (g.support_area.code, g.name): g for g in Group.objects.select_related("support_area")
    }
    departments = dict(Department.objects.values_list("code", "pk"))
    externals = dict(ExternalDependency.objects.values_list("code", "pk"))
    areas = {a.key: a for a in old.areas.all()}
    changed = {c.key: c for c in change_set.changed}
    plan_changes = []

    def change(area, label, before, after):
        plan_changes.append(
            PlanChange(
                changed_by=user,
                model="developmentarea",
                object_id=str(area.pk),
                object_repr=str(area)[:300],
                area=area,
                field=label,
                old_value=before,
                new_value=after,
            )  # fmt: skip
        )

    kept, added, dirty, reordered = [], [], [], []
    removed_keys = [item["key"] for item in change_set.removed]
    for record in records:
        area = areas.get(record["key"]) or DevelopmentArea(key=record["key"])
        area.plan = new
        if area.pk is not None and area.key not in changed:
            kept.append(area)
            if area.order != record["order"]:
                area.order = record["order"]
                reordered.append(area)
            continue  # otherwise it moves to the new revision with the one UPDATE below
        area.support_area = support_areas[record["support_area"]]
        area.group = (
            groups.get((record["support_area"], record["group"])) if record["group"] else None
        )
        area.order = record["order"]
        area.responsible_department_id = departments.get(record["responsible"])
        for name in ("upcoming", "title", "why", "desired_effect", "participating_text",
                     "dependencies_text", "form_of_work", "footnote"):  # fmt: skip
            setattr(area, name, record[name])
        if area.pk is None or area.planned_text != record["planned_text"]:
            area.planned_text = record["planned_text"]
            area.read_planned_text()
        if area.pk is None:
            added.append(area)
        else:
            kept.append(area)
            dirty.append(area)
    # The areas kept as they were move to the new revision in one UPDATE; then the
    # changed ones, each to its own (support area, order). The new revision starts
    # empty and every row's target is unique, so no row collides with another on
    # the way, even in PostgreSQL, which checks uniqueness row by row.
    staying = removed_keys + [a.key for a in dirty + reordered]
    DevelopmentArea.objects.filter(plan=old).exclude(key__in=staying).update(plan=new)
    DevelopmentArea.objects.bulk_update(reordered, ["plan", "order"], batch_size=500)
    DevelopmentArea.objects.bulk_update(
        dirty,
        ["plan", "support_area", "group", "order", "responsible_department", "upcoming", "title",
         "why", "desired_effect", "participating_text", "dependencies_text", "form_of_work",
         "footnote", "planned_text", "planned_start", "planned_start_precision", "planned_end",
         "planned_end_precision", "planned_note"],
        batch_size=200,
    )  # fmt: skip
    DevelopmentArea.objects.bulk_create(added, batch_size=500)
    by_key = {a.key: a for a in kept + added}
    added_keys = {a.key for a in added}
    for record in records:
        area = by_key[record["key"]]
        if area.key in added_keys:
            change(area, _("added in revision"), "", new.revision)
        elif area.key not in changed:
            continue
        else:
            for item in changed[area.key].fields:
                change(area, item.label, item.old, item.new)
        names = {f.field for f in changed[area.key].fields} if area.key in changed else LIST_FIELDS
        if "participating" in names:
            area.participating_departments.set([departments[c] for c in record["participating"]])
        if "external" in names:
            area.external_dependencies.set([externals[c] for c in record["external"]])
        if "depends_on" in names:
            area.depends_on.set([by_key[k] for k in record["depends_on"]])
    for item in change_set.removed:
        area = areas[item["key"]]
        change(area, _("removed in revision"), old.revision, "")
    PlanChange.objects.bulk_create(plan_changes, batch_size=500)


# ---------------------------------------------------------------------------
# The first revision: an installation with no plan starts it from a workbook
# ---------------------------------------------------------------------------


def _refuse_unless_empty() -> None:
    if ActionPlan.objects.exists():
        raise RevisionError(
            _(
                "This installation already has a plan. Import a revised plan instead: export "
                "the plan, edit it, and import it as a new revision."
            )
        )
    if SupportArea.objects.exists() or Department.objects.exists():
        raise RevisionError(
            _(
                "This installation has no plan, but it already holds support areas or "
                "departments (entered in the administration). A plan is started on an empty "
                "installation only; remove them there, or ask the administrator."
            )
        )


# The aspects of the KTH plan's section 2.8, which are those of any risk analysis.
DEFAULT_RISK_ASPECTS = [
    ("external", "Påverkande omvärldsfaktorer", "External factors"),
    ("internal", "Påverkande invärldsfaktorer och beroenden", "Internal factors and dependencies"),
    ("work_environment", "Arbetsmiljöaspekter", "Work environment"),
    ("competence", "Kompetensförsörjningsaspekter", "Competence supply"),
]


def _create_reference(start: StartData, user, record: Callable) -> None:
    """The departments, support areas, groups and goals of a starting workbook. Rows the
    reading found wrong (duplicate or invalid codes) are left out: they are errors, which
    stop the plan from being applied, and the rest still shows in the change set."""
    departments: dict[str, Department] = {}
    for row in start.departments:
        code = row["code"]
        if not code or code in departments or not row["kind"]:
            continue
        department = Department.objects.create(
            code=code, name_sv=row["name_sv"], name_en=row["name_en"], kind=row["kind"],
            name_confirmed=True,
        )  # fmt: skip
        departments[code] = department
        record(department)
    for row in start.departments:
        parent = departments.get(row["parent"]) if row["parent"] else None
        own = departments.get(row["code"])
        if parent is not None and own is not None and parent != own and own.parent_id is None:
            own.parent = parent
            own.save(update_fields=["parent"])
    support_areas: dict[str, SupportArea] = {}
    for order, row in enumerate(start.support_areas, start=1):
        code = row["code"]
        if not code or code in support_areas:
            continue
        try:
            support_area_code_validator(code)
        except ValidationError:
            continue
        support_area = SupportArea.objects.create(
            code=code, number=row["number"], order=order, name_sv=row["name_sv"],
            name_en=row["name_en"], short_name_sv=row["short_name_sv"],
        )  # fmt: skip
        support_area.responsible_departments.set(
            [departments[c] for c in row["responsible"] if c in departments]
        )
        support_areas[code] = support_area
        record(support_area)
    orders: dict[str, int] = defaultdict(int)
    seen = set()
    for row in start.groups:
        support_area = support_areas.get(row["support_area"])
        pair = (row["support_area"], row["name"])
        if support_area is None or not row["name"] or pair in seen:
            continue
        seen.add(pair)
        orders[row["support_area"]] += 1
        group = Group.objects.create(
            support_area=support_area, name=row["name"], order=orders[row["support_area"]]
        )
        record(group)
    for order, row in enumerate((g for g in start.goals if g["title"]), start=1):
        goal = ProgrammeGoal.objects.create(
            order=order, title=row["title"], definition=row["definition"],
            follow_up=row["follow_up"],
        )  # fmt: skip
        record(goal)
    # Every risk analysis takes a position on the same four aspects; a new organisation
    # starts with them (renamed or added to in the admin), so its reports can name risks.
    if not RiskAspect.objects.exists():
        for order, (code, name_sv, name_en) in enumerate(DEFAULT_RISK_ASPECTS, start=1):
            record(RiskAspect.objects.create(code=code, order=order, name_sv=name_sv,
                                             name_en=name_en))  # fmt: skip


def _first_revision(start: StartData, user, values: dict, record: Callable) -> ActionPlan:
    valid_until = read_planned_period(start.plan.get("valid_until_text", "")).end
    plan = ActionPlan.objects.create(
        organisation=start.plan["organisation"],
        title=start.plan["title"],
        registration_number=values["registration_number"],
        revision=values["revision"],
        document_date=values.get("document_date"),
        decision_date=values.get("decision_date"),
        decided_by=values.get("decided_by", ""),
        valid_until_text=start.plan.get("valid_until_text", ""),
        valid_until=valid_until.value if valid_until else None,
        is_current=True,
        created_by=user,
        created_at=timezone.now(),
    )
    record(plan)
    return plan


def start_values(start: StartData) -> dict:
    """The first revision's label, number, dates and decider as the workbook gives them."""
    plan = start.plan
    return {
        "revision": plan.get("revision") or "1",
        "registration_number": plan.get("registration_number", ""),
        "decided_by": plan.get("decided_by", ""),
        "document_date": plan.get("document_date") or None,
        "decision_date": plan.get("decision_date") or None,
    }


def start_change_set(start: StartData, records: list[dict], read_messages) -> ChangeSet:
    """What starting the plan from this workbook would create (every area new), and what
    stops it: built as the apply builds it, in a transaction that is then rolled back."""
    with transaction.atomic():
        _refuse_unless_empty()
        _create_reference(start, None, lambda obj: None)
        values = start_values(start)
        plan = _first_revision(
            start,
            None,
            {**values, "registration_number": values["registration_number"] or "-"},
            lambda obj: None,
        )
        change_set = build_change_set(records, plan, read_messages)
        transaction.set_rollback(True)
    return change_set


def plan_start(**options) -> tuple[ActionPlan, ChangeSet]:
    """Start the plan (``_plan_start``); someone who started it in the same moment wins,
    and this one is told so rather than shown an error page."""
    try:
        return _plan_start(**options)
    except IntegrityError:
        _refuse_unless_empty()  # the other start is committed by now: say so
        raise RevisionError(
            _("The plan could not be started; nothing was written. Try again.")
        ) from None


@transaction.atomic
def _plan_start(
    *,
    start: StartData,
    records: list[dict],
    read_errors: list[Message],
    user: AbstractBaseUser | None,
    revision: str,
    registration_number: str,
    document_date=None,
    decision_date=None,
    decided_by: str = "",
    expected_digest: str | None = None,
    plan_import: PlanImport | None = None,
) -> tuple[ActionPlan, ChangeSet]:
    """Start the plan on an empty installation, all or nothing: its departments, support
    areas, groups and goals, and its first revision with every area of the workbook, each
    recorded as a change (who, when, what). ``expected_digest``: the change set the user
    reviewed; a different one raises ChangeSetChanged."""
    _refuse_unless_empty()
    preview = start_change_set(start, records, (read_errors, []))
    if expected_digest is not None and preview.digest != expected_digest:
        raise ChangeSetChanged(
            _("The plan changed after the change set was made. Review the changes again.")
        )
    if not preview.can_apply:
        raise RevisionError(_("The workbook has errors or no changes; nothing was written."))
    changes: list[PlanChange] = []

    def record(obj) -> None:
        changes.append(
            PlanChange(
                changed_by=user,
                model=obj._meta.model_name,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                field=str(_("created when the plan was started")),
                old_value="",
                new_value=str(obj)[:1000],
            )  # fmt: skip
        )

    _create_reference(start, user, record)
    plan = _first_revision(
        start,
        user,
        {
            "revision": revision,
            "registration_number": registration_number,
            "document_date": document_date,
            "decision_date": decision_date,
            "decided_by": decided_by,
        },
        record,
    )
    PlanChange.objects.bulk_create(changes)
    change_set = build_change_set(records, plan, (read_errors, []))
    if not change_set.can_apply:  # the same rows, read against what was just created
        raise RevisionError(_("The workbook has errors or no changes; nothing was written."))
    _write_areas(change_set, plan, plan, user)
    if plan_import is not None:
        plan_import.applied_as = plan
        plan_import.save(update_fields=["applied_as"])
    return plan, change_set
