"""The plan page's filters: status, traffic light, late, upcoming, group, department."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from areas.models import DevelopmentArea, Group
from followup.selectors import filter_areas
from followup.services import status_update_create

URL = reverse("followup:plan")


def _keys(html: str) -> list[str]:
    return re.findall(r'href="/areas/([^/"]+)/"', html)


def _report(key: str, user, status: str, light: str = "green") -> None:
    area = DevelopmentArea.objects.get(key=key)
    reason = "" if light == "green" else "Why not."
    status_update_create(area=area, author=user, seen_version=area.status_version,
                         status=status, traffic_light=light, traffic_light_reason=reason)  # fmt: skip


@pytest.fixture
def reported(secretariat):
    _report("UTB-01", secretariat, "ongoing", "amber")
    _report("UTB-04", secretariat, "finished")
    _report("HR-03", secretariat, "ongoing", "red")
    _report("HR-03", secretariat, "finished")  # only the latest counts
    _report("INF-11", secretariat, "cancelled")


def _filter(**kwargs) -> list[str]:
    areas = DevelopmentArea.objects.all()
    user = kwargs.pop("user", AnonymousUser())
    return list(filter_areas(areas, user=user, as_of=kwargs.pop("today", date(2024, 1, 15)),
                             **kwargs).values_list("key", flat=True))  # fmt: skip


@pytest.mark.django_db
def test_by_latest_status(reported):
    assert _filter(status="finished") == ["UTB-04", "HR-03"]
    assert _filter(status="ongoing") == ["UTB-01"]
    assert "UTB-01" not in _filter(status="none")
    assert len(_filter(status="none")) == 72 - 4


@pytest.mark.django_db
def test_by_latest_traffic_light(reported):
    assert _filter(traffic_light="amber") == ["UTB-01"]
    assert _filter(traffic_light="red") == []  # HR-03 turned green when it finished


@pytest.mark.django_db
def test_late_honours_the_precision_of_the_planned_end(reported):
    # On 15 January 2024: "Pilot HT 23" (UTB-04) ended 31 December 2023 but is
    # finished; "HT23" (INF-16) ended then and has no report, so it is late;
    # "HT 2023" (INF-11) is cancelled; "VT24" (UTB-03) has not ended.
    late = _filter(late=True)
    assert "INF-16" in late
    assert "UTB-04" not in late and "INF-11" not in late and "UTB-03" not in late
    assert "UTB-01" not in late  # ends 2024-12-31
    on_the_last_day = _filter(late=True, today=date(2023, 12, 31))
    assert "INF-16" not in on_the_last_day  # HT23 is not late on its own last day ...
    assert "UTB-09" in on_the_last_day  # ... while VT 23 ended in June
    assert all(
        a.planned_end < date(2024, 1, 15) for a in DevelopmentArea.objects.filter(key__in=late)
    )


@pytest.mark.django_db
def test_upcoming_group_and_department(kth_plan):
    assert _filter(upcoming="yes") == ["UTB-16", "UTB-17", "UTB-18"]
    assert len(_filter(upcoming="no")) == 69
    arkiv = Group.objects.get(name="Arkiv")
    assert _filter(group=arkiv) == ["INF-10", "INF-11", "INF-12", "INF-13", "INF-14", "INF-15"]
    from areas.models import Department

    uhr = Department.objects.get(code="UHR")
    assert _filter(department=uhr) == ["UTB-07"]
    mo = Department.objects.get(code="MO")
    keys = _filter(department=mo)
    assert {"LED-01", "LED-02", "LED-03", "LED-04"} <= set(keys)  # responsible
    assert "FOI-10" in keys  # participating


@pytest.mark.django_db
def test_filters_combine_and_live_in_the_url(reader_client, reported, monkeypatch):
    response = reader_client.get(URL, {"support_area": "UTB", "status": "ongoing"})
    assert _keys(response.content.decode()) == ["UTB-01"]
    html = reader_client.get(URL, {"status": "finished", "q": "Vakter"}).content.decode()
    assert _keys(html) == ["UTB-04"]
    assert '<option value="finished" selected>' in html


@pytest.mark.django_db
def test_late_filter_on_the_page_uses_today(reader_client, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2024, 1, 15))
    html = reader_client.get(URL, {"late": "on", "support_area": "INF"}).content.decode()
    keys = _keys(html)
    assert "INF-16" in keys and "INF-22" not in keys  # INF-22 runs to March 2024
    assert "Försenad" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"status": "half-done"},
        {"traffic_light": "blue"},
        {"group": "999999"},
        {"group": "x"},
        {"upcoming": "maybe"},
    ],  # fmt: skip
)
def test_bad_filter_values_are_reported(reader_client, params):
    html = reader_client.get(URL, params).content.decode()
    assert "Några filter kunde inte användas" in html
    assert len(_keys(html)) == 72
