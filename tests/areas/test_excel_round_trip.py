"""Export → edit in a spreadsheet program's way → change set → new revision."""

from datetime import date

import pytest
from django.utils import timezone
from django.utils.translation import override

from areas.models import ActionPlan, DevelopmentArea, Group, PlanChange
from areas.revisions import ChangeSetChanged, RevisionError, build_change_set
from followup import cycles
from followup.models import FollowUpCycle, StatusUpdate
from followup.services import plan_revise, status_update_create
from followup.workbook import rows_with_status

from .excel_helpers import column_index, edited, exported, find_row, read

pytestmark = pytest.mark.django_db


def change_set_of(data: bytes):
    result = read(data)
    plan = ActionPlan.objects.get(is_current=True)
    return build_change_set(result.rows, plan, (result.errors, result.warnings)), result


def apply(data: bytes, user=None, revision: str = "Revision 2027", **extra):
    result = read(data)
    return plan_revise(
        records=result.rows,
        read_errors=result.errors,
        user=user,
        revision=revision,
        registration_number="V-2023-0512",
        **extra,
    )


def three_cells_and_a_row(wb) -> None:
    """What a secretary does in Excel: three cells edited, one new row at the end of HR."""
    utb = wb["UTB"]
    utb.cell(find_row(utb, "UTB-02"), column_index("title")).value = "Utresande studenter"
    utb.cell(find_row(utb, "UTB-03"), column_index("why")).value = "Ny motivering.\nTvå rader."
    foi = wb["FOI"]
    foi.cell(find_row(foi, "FOI-01"), column_index("planned_text")).value = "2025-2027"
    hr = wb["HR"]
    new = hr.max_row + 1
    hr.cell(new, column_index("title")).value = "Digital introduktion för nyanställda"
    hr.cell(new, column_index("participating")).value = "HR, ITA"
    hr.cell(new, column_index("responsible")).value = "HR"
    hr.cell(new, column_index("planned_text")).value = "HT 2026"
    hr.cell(new, column_index("upcoming")).value = "nej"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_export_then_import_of_the_same_file_shows_no_changes(kth_plan, language):
    change_set, result = change_set_of(exported(language))

    assert len(result.rows) == 72
    assert change_set.errors == [] and change_set.warnings == []
    assert not change_set.has_changes
    assert change_set.unchanged == 72
    assert not change_set.can_apply


def test_three_cells_and_one_row_show_exactly_those_changes(kth_plan):
    change_set, _ = change_set_of(edited(exported(), three_cells_and_a_row))

    changed = {c.key: [(f.field, f.old, f.new) for f in c.fields] for c in change_set.changed}
    assert changed == {
        "UTB-02": [("title", "Utresande utbytesstudenter", "Utresande studenter")],
        "UTB-03": [("why", DevelopmentArea.objects.get(key="UTB-03").why, "Ny motivering.\nTvå rader.")],
        "FOI-01": [("planned_text", "Pågående", "2025-2027")],
    }  # fmt: skip
    assert [(a["key"], a["key_assigned"], a["title"], a["sheet"]) for a in change_set.added] == [
        ("HR-05", True, "Digital introduktion för nyanställda", "HR")
    ]
    assert change_set.removed == [] and change_set.moved == []
    assert change_set.errors == [] and change_set.unknown_departments == []
    assert change_set.unchanged == 69 and change_set.reordered == 0
    assert change_set.can_apply


def test_applying_creates_a_new_revision_and_the_old_one_stays_readable(
    kth_plan, secretariat, head, client
):
    utb02 = DevelopmentArea.objects.get(key="UTB-02")
    status_update_create(area=utb02, author=head, seen_version=0, status="ongoing",
                         traffic_light="green", progress="På gång")  # fmt: skip
    old = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=old, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip

    with override("sv"):
        new, change_set = apply(edited(exported(), three_cells_and_a_row), user=secretariat)

    old.refresh_from_db()
    assert new.is_current and not old.is_current and new.previous == old
    assert new.revision == "Revision 2027" and new.created_by == secretariat
    assert new.areas.count() == 73 and old.areas.count() == 0
    utb02.refresh_from_db()
    assert utb02.plan == new and utb02.title == "Utresande studenter"
    # Status and history carry over: the same area row, its update untouched.
    assert StatusUpdate.objects.get().area == utb02 and utb02.status_version == 1
    foi01 = DevelopmentArea.objects.get(key="FOI-01")
    assert (foi01.planned_start, foi01.planned_end) == (date(2025, 1, 1), date(2027, 12, 31))
    added = DevelopmentArea.objects.get(key="HR-05")
    assert added.plan == new and added.order == 5 and added.responsible_department.code == "HR"
    assert sorted(added.participating_departments.values_list("code", flat=True)) == ["HR", "ITA"]
    assert added.planned_start == date(2026, 8, 1)  # HT: the autumn term
    # Every change is on record with who made it.
    recorded = set(PlanChange.objects.values_list("area__key", "field", "new_value", "changed_by"))
    assert ("UTB-02", "utvecklingsområde", "Utresande studenter", secretariat.pk) in {
        (k, f.lower(), v, u) for k, f, v, u in recorded
    }
    assert PlanChange.objects.filter(area=added, new_value="Revision 2027").exists()
    # Cycles follow the plan.
    cycle.refresh_from_db()
    assert cycle.plan == new
    # The old revision shows the plan as it was, and downloads as it was.
    client.force_login(secretariat)
    page = client.get(f"/plan/revisions/{old.pk}/").content.decode()
    assert "Utresande utbytesstudenter" in page and "Utresande studenter" not in page
    assert "Digital introduktion" not in page
    old_rows = read(client.get(f"/plan/revisions/{old.pk}/export.xlsx").content).rows
    assert len(old_rows) == 72
    assert (
        next(r for r in old_rows if r["key"] == "UTB-02")["title"] == "Utresande utbytesstudenter"
    )
    # And the current plan, exported again, is what was applied: no changes.
    assert not change_set_of(exported())[0].has_changes


def test_a_row_moved_to_another_sheet_is_a_move_and_a_deleted_row_a_removal(kth_plan):
    def edit(wb):
        utb, foi = wb["UTB"], wb["FOI"]
        row = find_row(utb, "UTB-05")
        values = [c.value for c in utb[row]]
        utb.delete_rows(row)
        foi.append(values)
        hr = wb["HR"]
        hr.delete_rows(find_row(hr, "HR-04"))

    change_set, _ = change_set_of(edited(exported(), edit))

    assert [m["key"] for m in change_set.moved] == ["UTB-05"]
    assert "UTB → FOI" in change_set.moved[0]["moves"][0]
    assert [r["key"] for r in change_set.removed] == ["HR-04"]
    new, _ = apply(edited(exported(), edit))
    moved = DevelopmentArea.objects.get(key="UTB-05")
    assert moved.support_area.code == "FOI" and moved.plan == new
    assert moved.order == 11  # after FOI's ten
    removed = DevelopmentArea.objects.get(key="HR-04")
    assert removed.plan == new.previous and not removed.plan.is_current
    assert set(r["key"] for r in new.previous.snapshot["rows"]) >= {"HR-04", "UTB-05"}


def test_a_new_group_is_created_and_listed(kth_plan):
    def edit(wb):
        ws = wb["LED"]
        ws.cell(find_row(ws, "LED-01"), column_index("group")).value = "Ny grupp"

    change_set, _ = change_set_of(edited(exported(), edit))
    assert change_set.new_groups == [{"support_area": "LED", "name": "Ny grupp"}]
    apply(edited(exported(), edit))
    assert DevelopmentArea.objects.get(key="LED-01").group == Group.objects.get(name="Ny grupp")


def test_merged_cells_and_empty_rows_read_as_the_user_sees_them(kth_plan):
    def edit(wb):
        ws = wb["UTB"]
        first = find_row(ws, "UTB-01")
        group = column_index("group")
        assert ws.cell(first, group).value == ws.cell(first + 2, group).value
        ws.cell(first + 1, group).value = None
        ws.cell(first + 2, group).value = None
        ws.merge_cells(start_row=first, start_column=group, end_row=first + 2, end_column=group)
        ws.insert_rows(first + 3, amount=2)  # two empty rows in the middle

    change_set, _ = change_set_of(edited(exported(), edit))
    assert change_set.errors == [] and not change_set.has_changes


def test_text_that_looks_like_a_formula_comes_back_as_text(kth_plan):
    hostile = '=HYPERLINK("http://evil.example","klick")'
    DevelopmentArea.objects.filter(key="KOM-01").update(why=hostile, footnote="+1 -2 @SUM(A1)")

    change_set, result = change_set_of(exported())

    assert not change_set.has_changes
    row = next(r for r in result.rows if r["key"] == "KOM-01")
    assert (row["why"], row["footnote"]) == (hostile, "+1 -2 @SUM(A1)")


def test_an_open_cycle_stops_a_revision_and_nothing_is_written(kth_plan):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    before = rows_with_status(plan.areas.all(), timezone.localdate())

    with override("en"), pytest.raises(RevisionError, match="Uppföljning 2025. is open"):
        apply(edited(exported(), three_cells_and_a_row))

    assert ActionPlan.objects.count() == 1 and ActionPlan.objects.get().is_current
    assert rows_with_status(plan.areas.all(), timezone.localdate()) == before
    assert FollowUpCycle.objects.get().plan == plan


def test_a_change_after_the_review_is_not_applied_unseen(kth_plan):
    data = edited(exported(), three_cells_and_a_row)
    change_set, _ = change_set_of(data)
    DevelopmentArea.objects.filter(key="UTB-03").update(why="Someone else's edit")

    with pytest.raises(ChangeSetChanged):
        apply(data, expected_digest=change_set.digest)

    assert ActionPlan.objects.count() == 1
    assert DevelopmentArea.objects.get(key="UTB-03").why == "Someone else's edit"


def test_the_same_revision_label_twice_is_refused(kth_plan):
    apply(edited(exported(), three_cells_and_a_row), revision="R1")

    def edit(wb):
        ws = wb["LED"]
        ws.cell(find_row(ws, "LED-02"), column_index("title")).value = "Ändrad"

    with override("en"), pytest.raises(RevisionError, match="already exists"):
        apply(edited(exported(), edit), revision="R1")
    assert ActionPlan.objects.count() == 2


def test_a_removed_areas_key_cannot_come_back_as_a_new_area(kth_plan):
    apply(edited(exported(), lambda wb: wb["HR"].delete_rows(find_row(wb["HR"], "HR-04"))))

    def edit(wb):
        ws = wb["HR"]
        ws.cell(ws.max_row + 1, column_index("key")).value = "HR-04"
        ws.cell(ws.max_row, column_index("title")).value = "Tillbaka"

    with override("sv"):
        change_set, _ = change_set_of(edited(exported(), edit))
        errors = [str(e) for e in change_set.errors]
    assert errors == [
        "blad HR, rad 5, kolumn ”Nyckel”: HR-04 tillhörde ett område som togs bort i en tidigare "
        "revision; lämna nyckeln tom för att lägga till ett nytt område."
    ]
    # A new row without a key gets a number never used before.
    change_set, _ = change_set_of(
        edited(exported(), lambda wb: wb["HR"].append([None, "Nytt område", None, "nej"]))
    )
    assert [a["key"] for a in change_set.added] == ["HR-05"]


def test_rows_swapped_and_shifted_are_applied_in_their_new_order(kth_plan):
    """Orders are unique per revision: swaps and shifts must not collide on the way."""

    def edit(wb):
        ws = wb["INF"]
        first, second = find_row(ws, "INF-01"), find_row(ws, "INF-02")
        a, b = [c.value for c in ws[first]], [c.value for c in ws[second]]
        for column, value in enumerate(b, start=1):
            ws.cell(first, column).value = value
        for column, value in enumerate(a, start=1):
            ws.cell(second, column).value = value
        ws.cell(second, column_index("title")).value = "Först, nu tvåa"
        ws.delete_rows(find_row(ws, "INF-03"))  # everything below moves up one

    change_set, _ = change_set_of(edited(exported(), edit))
    assert change_set.reordered == 24  # INF-01 and INF-02 swap, INF-04 … INF-25 up one
    new, _ = apply(edited(exported(), edit))
    keys = list(
        new.areas.filter(support_area__code="INF").order_by("order").values_list("key", "order")
    )
    assert keys[:3] == [("INF-02", 1), ("INF-01", 2), ("INF-04", 3)]
    assert keys[-1] == ("INF-25", 24)
    assert DevelopmentArea.objects.get(key="INF-01").title == "Först, nu tvåa"


def test_a_new_key_is_never_one_in_use_wherever_that_area_has_moved(kth_plan):
    def edit(wb):
        utb, foi = wb["UTB"], wb["FOI"]
        row = find_row(utb, "UTB-18")  # the highest UTB key moves to FOI
        values = [c.value for c in utb[row]]
        utb.delete_rows(row)
        foi.append(values)
        utb.append([None, "Nytt område i UTB", None, "nej"])
        utb.append(["UTB-40", "Med egen nyckel", None, "nej"])
        utb.append([None, "Ännu ett", None, "nej"])

    change_set, _ = change_set_of(edited(exported(), edit))
    assert [a["key"] for a in change_set.added] == ["UTB-41", "UTB-40", "UTB-42"]
    new, _ = apply(edited(exported(), edit))
    assert new.areas.filter(key__in=["UTB-18", "UTB-40", "UTB-41", "UTB-42"]).count() == 4
