#!/usr/bin/env python3
"""Build fixtures/kth_plan.json from the reviewed transcription of KTH's action plan.

    python scripts/build_kth_fixtures.py [SOURCE_TXT]

fixtures/source/kth_plan.toml holds every cell of the plan as copied from the
source text. This script checks each copied text against the source (it must
occur there verbatim, white space aside, and areas must occur in the source's
order), joins the PDF's line breaks, reads the planned dates with the app's
plan-date reader, and writes a Django fixture with explicit primary keys.

It stops with a list of problems, and writes nothing, if any text is not found.
SOURCE_TXT defaults to ../shared/seed/000_23803955bbfbdf64.txt next to the repo.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from areas.plandates import read_planned_period  # noqa: E402

SPEC = REPO / "fixtures" / "source" / "kth_plan.toml"
OUTPUT = REPO / "fixtures" / "kth_plan.json"
DEFAULT_SOURCE = REPO.parent / "shared" / "seed" / "000_23803955bbfbdf64.txt"

# Page furniture the PDF conversion left inside the tables.
PAGE_HEADER = re.compile(
    r"RAPPORT\s+Dokumentdatum\s+Diarienummer\s+\d{4}-\d\d-\d\d\s+V-\d{4}-\d{4} \d\.\d\s+\d+ \(\d+\)"
)
COLUMN_HEADINGS = re.compile(
    r"Utvecklingsområde Varför Önskad effekt Medverkande\s+avdelningar\s+Beroenden Planerad\s+"
    r"start/slut"
)
# A hyphen at the end of a line followed by one of these words is a Swedish
# suspension hyphen ("analoga- och ostrukturerade"), so the space stays.
KEEP_SPACE_AFTER_HYPHEN = {"och", "eller", "som", "samt"}
LIST_ITEM = re.compile(r"^[-‒•]\s?\S")

# A word the source breaks with a hyphen: at the end of a line, or (where the PDF's
# conversion already joined the lines) a hyphen and a space inside one.
BROKEN_WORD = re.compile(r"(?P<left>\w+)-(?P<gap>\n| )(?P<right>[^\s.,;:)'\"]+)")

# What to do with such a hyphen: drop it (the line break split one word), keep it (a
# real hyphen: a name, an abbreviation or a number before it, a range), or keep it with
# its space (a suspended compound before "och", "eller": "Inköps- och upphandlingsarbetet").
JOIN, KEEP, SUSPENDED = "join", "keep", "suspended"
KEEP_HYPHEN_AFTER = {"icke"}  # "icke-systemknutna": Swedish writes "icke-" with its hyphen
HYPHEN_DECISIONS = {JOIN: "", KEEP: "-", SUSPENDED: "- "}


def suggest_hyphen(left: str, right: str) -> str:
    """The likely reading of ``left-`` broken before ``right``: what the builder proposes
    for a break that kth_plan.toml's ``[hyphenation]`` table has no decision for yet."""
    if right.lower() in KEEP_SPACE_AFTER_HYPHEN:
        return SUSPENDED
    if not right[:1].islower() or not left.isalpha():  # "Pågående-VT24", "HT23-HT24"
        return KEEP
    if len(left) == 1 or any(c.isupper() for c in left[1:]) or left.isupper():
        return KEEP  # an abbreviation or a name: "NyA-webben", "IT-hanteringen", "e-arkiv"
    if left.lower() in KEEP_HYPHEN_AFTER:
        return KEEP
    return JOIN


class Hyphenation:
    """The reviewed decisions for words broken with a hyphen (``[hyphenation]`` in
    kth_plan.toml, keyed ``"left- right"`` as the source prints them), which decisions were
    used, and the breaks that have none (each with the builder's suggestion)."""

    def __init__(self, decisions: dict[str, str] | None = None) -> None:
        self.decisions = decisions
        self.used: set[str] = set()
        self.missing: dict[str, str] = {}

    def joiner(self, left: str, right: str) -> str:
        key = f"{left}- {right}"
        suggestion = suggest_hyphen(left, right)
        if self.decisions is None:  # no reviewed table: the suggestion
            return HYPHEN_DECISIONS[suggestion]
        if key not in self.decisions:
            self.missing[key] = suggestion
            return HYPHEN_DECISIONS[suggestion]
        self.used.add(key)
        return HYPHEN_DECISIONS.get(self.decisions[key], HYPHEN_DECISIONS[suggestion])

    def problems(self) -> list[str]:
        problems = [
            f"hyphenation: no decision for {key!r} (suggested: {suggestion!r})"
            for key, suggestion in sorted(self.missing.items())
        ]
        if self.decisions is not None:
            problems += [
                f"hyphenation: {key!r} = {value!r} is not a decision ({', '.join(HYPHEN_DECISIONS)})"
                for key, value in self.decisions.items()
                if value not in HYPHEN_DECISIONS
            ]
            problems += [
                f"hyphenation: {key!r} does not occur in the transcription"
                for key in sorted(set(self.decisions) - self.used - set(self.missing))
            ]
        return problems


def compact(text: str) -> str:
    """The text with all white space removed: how cells are compared with the source."""
    return re.sub(r"\s+", "", text)


def clean_source(raw: str) -> str:
    return COLUMN_HEADINGS.sub(" ", PAGE_HEADER.sub(" ", raw))


def join_lines(text: str, hyphenation: Hyphenation | None = None) -> str:
    """Join the PDF's wrapped lines; keep paragraph breaks and list items on their own lines;
    a word broken with a hyphen is joined, or its hyphen kept, as ``hyphenation`` decides."""
    hyphenation = hyphenation or Hyphenation()
    paragraphs = re.split(r"\n\s*\n", text.strip())
    out = []
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        joined = ""
        for line in lines:
            if not joined:
                joined = line
            elif LIST_ITEM.match(line):
                joined += "\n" + line
            elif re.search(r"\w-$", joined):
                joined += "\n" + line  # decided below, with the breaks inside a line
            else:
                joined += " " + line
        if joined:
            out.append(BROKEN_WORD.sub(lambda m: _mend(m, hyphenation), joined))
    return "\n".join(out)


def _mend(match: re.Match[str], hyphenation: Hyphenation) -> str:
    left, right = match["left"], match["right"]
    if match["gap"] == " " and right.lower() in KEEP_SPACE_AFTER_HYPHEN:
        return match[0]  # "Inköps- och" inside a line: written so, no break to decide
    return left + hyphenation.joiner(left, right) + right


def cell(
    value: str | list[str] | None, hyphenation: Hyphenation | None = None
) -> tuple[str, list[str]]:
    """(joined text, fragments to verify) for a cell written as a string or list of parts."""
    if value is None:
        return "", []
    parts = [value] if isinstance(value, str) else list(value)
    parts = [p for p in parts if p.strip()]
    return " ".join(join_lines(p, hyphenation) for p in parts), parts


class Checker:
    def __init__(self, source: str) -> None:
        self.source = compact(source)
        self.lower = self.source.lower()
        self.problems: list[str] = []

    def find(self, fragment: str, where: str, start: int = 0) -> int:
        needle = compact(fragment)
        position = self.source.find(needle, start)
        if position < 0:
            self.problems.append(
                f"{where}: not found in the source (after position {start}): "
                f"{fragment.strip()[:80]!r}"
            )
        return position

    def find_anywhere(self, fragment: str, where: str) -> None:
        if compact(fragment).lower() not in self.lower:
            self.problems.append(f"{where}: not found in the source: {fragment.strip()[:80]!r}")


def build(spec: dict, checker: Checker) -> list[dict]:
    objects: list[dict] = []
    hyphenation = Hyphenation(spec.get("hyphenation", {}))

    def add(model: str, pk: int, **fields: object) -> None:
        objects.append({"model": f"areas.{model}", "pk": pk, "fields": fields})

    plan = spec["plan"]
    checker.find_anywhere(plan["registration_number"], "plan registration number")
    checker.find_anywhere(plan["title"], "plan title")
    checker.find_anywhere(plan["valid_until_text"].replace("till och med ", ""), "plan validity")
    add(
        "actionplan", 1,
        organisation=plan["organisation"], title=plan["title"],
        registration_number=plan["registration_number"], revision=plan["revision"],
        document_date=plan["document_date"], decision_date=None, decided_by=plan["decided_by"],
        valid_until=plan["valid_until"], valid_until_text=plan["valid_until_text"],
        previous=None, is_current=True,
    )  # fmt: skip

    department_pk: dict[str, int] = {}
    for pk, dep in enumerate(spec["department"], start=1):
        department_pk[dep["code"]] = pk
    for pk, dep in enumerate(spec["department"], start=1):
        if dep.get("name_confirmed") and dep.get("name_sv"):
            checker.find_anywhere(dep["name_sv"], f"department {dep['code']} name")
        add(
            "department", pk,
            code=dep["code"], name_sv=dep.get("name_sv", ""), name_en=dep.get("name_en", ""),
            kind=dep["kind"], parent=department_pk[dep["parent"]] if "parent" in dep else None,
            name_confirmed=bool(dep.get("name_confirmed", False)),
            aliases=dep.get("aliases", ""), note=dep.get("note", ""), heads=[],
        )  # fmt: skip

    def department_pks(codes: list[str], where: str) -> list[int]:
        unknown = [c for c in codes if c not in department_pk]
        if unknown:
            checker.problems.append(f"{where}: unknown department codes {unknown}")
        return [department_pk[c] for c in codes if c in department_pk]

    kinds = {dep["code"]: dep["kind"] for dep in spec["department"]}
    # An area's responsible department is, unless the transcription says
    # otherwise, the first subject department responsible for its support area.
    default_responsible: dict[str, str] = {}
    support_pk: dict[str, int] = {}
    for order, sa in enumerate(spec["support_area"], start=1):
        default_responsible[sa["code"]] = next(
            code for code in sa["responsible"] if kinds.get(code) == "subject"
        )
        support_pk[sa["code"]] = order
        checker.find_anywhere(f"{sa['number']} {sa['name_sv']}", f"support area {sa['code']}")
        text, parts = cell(sa["responsible_text"], hyphenation)
        for part in parts:
            checker.find_anywhere(part, f"support area {sa['code']} responsible")
        add(
            "supportarea", order,
            code=sa["code"], number=sa["number"], order=order, name_sv=sa["name_sv"],
            name_en=sa["name_en"], short_name_sv=sa["short_name_sv"],
            responsible_departments=department_pks(sa["responsible"], sa["code"]),
            responsible_text=text,
        )  # fmt: skip

    for order, goal in enumerate(spec["goal"], start=1):
        checker.find_anywhere(goal["title"], f"goal {order}")
        definition, parts = cell(goal["definition"], hyphenation)
        follow_up, more = cell(goal["follow_up"], hyphenation)
        for part in parts + more:
            checker.find_anywhere(part, f"goal {order}")
        add(
            "programmegoal",
            order,
            order=order,
            title=goal["title"],
            definition=definition.replace(" Frigöra resurser:", "\nFrigöra resurser:"),
            follow_up=follow_up.replace(" ‒ ", "\n‒ "),
        )

    for order, aspect in enumerate(spec["risk_aspect"], start=1):
        checker.find_anywhere(aspect["name_sv"], f"risk aspect {aspect['code']}")
        add(
            "riskaspect",
            order,
            code=aspect["code"],
            order=order,
            name_sv=aspect["name_sv"],
            name_en=aspect["name_en"],
        )

    external_pk: dict[str, int] = {}
    for pk, ext in enumerate(spec["external"], start=1):
        external_pk[ext["code"]] = pk
        checker.find_anywhere(ext["source"], f"external dependency {ext['code']}")
        add(
            "externaldependency",
            pk,
            code=ext["code"],
            name=ext["name"],
            kind=ext["kind"],
            description=ext.get("description", ""),
        )

    group_footnotes = {
        (g["support_area"], g["group"]): g["footnote"] for g in spec.get("group_footnote", [])
    }
    group_pk: dict[tuple[str, str], int] = {}
    group_order: Counter[str] = Counter()
    area_pk = {a["key"]: pk for pk, a in enumerate(spec["area"], start=1)}
    area_order: Counter[str] = Counter()
    cursor = 0
    for pk, area in enumerate(spec["area"], start=1):
        key, sa = area["key"], area["support_area"]
        title, title_parts = cell(area["title"], hyphenation)
        position = checker.find(title_parts[0], f"{key} title", cursor)
        if position >= 0:
            cursor = position
        group = None
        if "group" in area:
            group_key = (sa, area["group"])
            if group_key not in group_pk:
                checker.find_anywhere(area["group"], f"{key} group")
                group_order[sa] += 1
                group_pk[group_key] = len(group_pk) + 1
                footnote, parts = cell(group_footnotes.get(group_key), hyphenation)
                for part in parts:
                    checker.find_anywhere(part, f"group {area['group']} footnote")
                add(
                    "group",
                    group_pk[group_key],
                    support_area=support_pk[sa],
                    name=area["group"],
                    order=group_order[sa],
                    footnote=footnote,
                )
            group = group_pk[group_key]

        fields = {}
        for name, spec_name in [
            ("why", "why"),
            ("desired_effect", "effect"),
            ("participating_text", "participating"),
            ("dependencies_text", "dependencies"),
            ("planned_text", "planned"),
        ]:
            text, parts = cell(area.get(spec_name), hyphenation)
            for part in parts:
                checker.find(part, f"{key} {spec_name}", max(cursor, 0))
            fields[name] = text
        footnote, parts = cell(area.get("footnote"), hyphenation)
        for part in parts:
            checker.find_anywhere(part, f"{key} footnote")

        period = read_planned_period(fields["planned_text"])
        area_order[sa] += 1
        unknown_areas = [k for k in area.get("depends_on", []) if k not in area_pk]
        unknown_external = [c for c in area.get("external", []) if c not in external_pk]
        if unknown_areas or unknown_external:
            checker.problems.append(f"{key}: unknown links {unknown_areas + unknown_external}")
        add(
            "developmentarea", pk,
            plan=1, key=key, support_area=support_pk[sa], group=group, order=area_order[sa],
            responsible_department=department_pk[
                area.get("responsible", default_responsible[sa])
            ],
            status_version=0,
            title=title, footnote=footnote, upcoming=bool(area.get("upcoming", False)),
            form_of_work="",
            participating_departments=department_pks(area.get("departments", []), key),
            depends_on=[area_pk[k] for k in area.get("depends_on", []) if k in area_pk],
            external_dependencies=[
                external_pk[c] for c in area.get("external", []) if c in external_pk
            ],
            planned_start=period.start.value.isoformat() if period.start else None,
            planned_start_precision=period.start.precision.value if period.start else "",
            planned_end=period.end.value.isoformat() if period.end else None,
            planned_end_precision=period.end.precision.value if period.end else "",
            planned_note=period.note.value,
            **fields,
        )  # fmt: skip
    checker.problems += hyphenation.problems()
    return objects


def summary(objects: list[dict]) -> str:
    areas = [o["fields"] for o in objects if o["model"] == "areas.developmentarea"]
    codes = {o["pk"]: o["fields"]["code"] for o in objects if o["model"] == "areas.supportarea"}
    per_area = Counter(codes[a["support_area"]] for a in areas)
    dated = sum(1 for a in areas if a["planned_start"] or a["planned_end"])
    both = sum(1 for a in areas if a["planned_start"] and a["planned_end"])
    with_text = [a for a in areas if a["planned_text"]]
    lines = [
        f"{len(areas)} development areas: "
        + ", ".join(f"{code} {per_area[code]}" for code in codes.values()),
        f"{len(with_text)} planned texts: {both} read with start and end, "
        f"{dated - both} read with one end open, {len(areas) - dated} undated "
        f"({len(areas) - len(with_text)} of them with no text at all)",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    source_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    spec = tomllib.loads(SPEC.read_text(encoding="utf-8"))
    checker = Checker(clean_source(source_path.read_text(encoding="utf-8")))
    objects = build(spec, checker)
    if checker.problems:
        print("The transcription does not match the source:", file=sys.stderr)
        for problem in checker.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    OUTPUT.write_text(json.dumps(objects, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
    print(summary(objects))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
