"""Open data (CSV, JSON) and the public view: published things only, never names."""

import csv
import io
import json
from datetime import date

import pytest
from django.test import override_settings

from areas.models import ActionPlan, DevelopmentArea
from followup import cycles
from followup.models import FollowUpReport
from followup.services import status_update_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_and_open(kth_plan, head, secretariat):
    """2024 published (UTB-01 reported by the head, reviewed with a comment); 2025 open."""
    plan = ActionPlan.objects.get()
    old = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024",
                              opens_on=date(2025, 1, 1), deadline=date(2025, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=old)
    FollowUpReport.objects.filter(cycle=old, area__key="UTB-01").update(
        state="approved", status="ongoing", traffic_light="amber", traffic_light_reason="Ladok",
        progress="Published progress", reviewer_light="red", reviewer_reason="Secret reason",
        review_comment="Secret comment", submitted_by=head, reviewed_by=secretariat,
    )  # fmt: skip
    cycles.cycle_close(cycle=old)
    cycles.cycle_publish(cycle=old)
    current = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                  opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=current)
    FollowUpReport.objects.filter(cycle=current, area__key="UTB-01").update(
        status="paused", progress="Draft not published"
    )
    # A live status update is not published either.
    status_update_create(area=DevelopmentArea.objects.get(key="UTB-02"), author=head,
                         seen_version=0, status="finished", traffic_light="green",
                         progress="Live, not published")  # fmt: skip


def test_the_plan_as_json_with_the_plan_pages_filters(reader_client, django_assert_num_queries):
    # session, user, the plan; plan_rows' four; the support area filter's lookup
    with django_assert_num_queries(8):
        response = reader_client.get("/data/plan.json?support_area=HR")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert data["plan"]["registration_number"] == ActionPlan.objects.get().registration_number
    assert data["filters"] == {"support_area": "HR"}
    assert data["count"] == 4 and [a["key"] for a in data["areas"]] == [
        "HR-01",
        "HR-02",
        "HR-03",
        "HR-04",
    ]
    hr04 = data["areas"][3]
    assert hr04["planned_start"] == "2023-01-01" and hr04["planned_end_precision"] == "year"
    assert set(hr04) == {"key", "support_area", "group", "upcoming", "title", "why", "desired_effect",
                         "participating_text", "participating", "responsible", "dependencies_text",
                         "depends_on", "external", "planned_text", "planned_start",
                         "planned_start_precision", "planned_end", "planned_end_precision",
                         "planned_note", "form_of_work", "footnote"}  # fmt: skip


def test_the_plan_as_csv(reader_client):
    DevelopmentArea.objects.filter(key="KOM-01").update(why='=HYPERLINK("http://x")')
    response = reader_client.get("/data/plan.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 72 and rows[0]["key"] == "UTB-01"
    kom01 = next(r for r in rows if r["key"] == "KOM-01")
    assert kom01["why"] == '\'=HYPERLINK("http://x")'  # never a formula in a spreadsheet
    areas = json.loads(reader_client.get("/data/plan.json").content)["areas"]
    assert next(a for a in areas if a["key"] == "KOM-01")["why"] == '=HYPERLINK("http://x")'


def test_a_bad_filter_is_a_400_that_says_why(reader_client):
    response = reader_client.get("/data/plan.json?support_area=NOPE")
    assert response.status_code == 400
    assert "support_area" in json.loads(response.content)["errors"]


def test_published_status_only_and_no_names_or_review_comments(reader_client, published_and_open):
    data = json.loads(reader_client.get("/data/status.json").content)
    assert data["cycle"]["year"] == 2024 and data["published_cycles"] == [2024]
    utb01 = next(r for r in data["reports"] if r["key"] == "UTB-01")
    assert (utb01["status"], utb01["traffic_light"], utb01["reviewer_light"]) == (
        "ongoing",
        "amber",
        "red",
    )
    body = json.dumps(data)
    for secret in ["Secret reason", "Secret comment", "Draft not published", "Live, not published",
                   "head", "secretariat"]:  # fmt: skip
        assert secret not in body
    assert reader_client.get("/data/status.json?cycle=2025").status_code == 404  # open, unpublished
    csv_rows = list(csv.DictReader(io.StringIO(
        reader_client.get("/data/status.csv?traffic_light=amber").content.decode().lstrip("\ufeff"))))  # fmt: skip
    assert [r["key"] for r in csv_rows] == ["UTB-01"]


def test_the_data_needs_a_login_unless_the_public_view_is_on(client, published_and_open):
    assert client.get("/data/plan.json").status_code == 302
    assert client.get("/public/").status_code == 404
    with override_settings(VSPLAN_PUBLIC_VIEW=True):
        response = client.get("/data/plan.json")
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
        assert client.get("/data/status.csv").status_code == 200


@override_settings(VSPLAN_PUBLIC_VIEW=True)
def test_the_public_view_shows_the_plan_and_published_cycles_only(client, published_and_open):
    page = client.get("/public/").content.decode()
    assert "Handlingsplan för utveckling av verksamhetsstödet vid KTH" in page
    assert "Uppföljning 2024" in page and "Uppföljning 2025" not in page
    assert "Pågående" in page  # UTB-01's published status
    assert "Avslutad" not in page  # UTB-02's live update is not published
    cycle = client.get("/public/cycles/2024/").content.decode()
    assert "Published progress" in cycle
    assert "Secret" not in cycle
    assert "secretariat" not in cycle and ">head<" not in cycle
    assert client.get("/public/cycles/2025/").status_code == 404
    assert "Draft not published" not in client.get("/public/cycles/2024/").content.decode()


@override_settings(VSPLAN_PUBLIC_VIEW=True)
def test_the_public_pages_ask_a_fixed_number_of_queries(
    client, published_and_open, django_assert_num_queries
):
    # the plan, its published cycles, the latest cycle's reports; plan_tree's three
    # (support areas, their responsible departments, the areas with groups)
    with django_assert_num_queries(6):
        assert client.get("/public/").status_code == 200
    # the plan, the cycle, its reports with their areas
    with django_assert_num_queries(3):
        assert client.get("/public/cycles/2024/").status_code == 200
    # the plan, the published cycles, their years, the reports with their areas
    with django_assert_num_queries(4):
        assert client.get("/data/status.json").status_code == 200
