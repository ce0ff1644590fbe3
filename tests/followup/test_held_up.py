"""Slip propagates: an area that waits on something that slipped is warned, wherever it shows.

In the KTH plan LED-01, LED-03 and LED-04 depend on FOI-10 (the data office, undated),
and LED-01, LED-03 and LED-04 wait on two external dependencies.
"""

from datetime import date

import pytest

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency
from followup import cycles
from followup.models import StatusUpdate
from followup.selectors import held_up_by
from followup.services import status_update_create

AS_OF = date(2026, 12, 3)


def _state(key: str, user, **fields) -> StatusUpdate:
    area = DevelopmentArea.objects.get(key=key)
    values = {"status": "ongoing", "traffic_light": "green"} | fields
    if values["traffic_light"] != "green":
        values.setdefault("traffic_light_reason", "The data office has no staff yet.")
    return status_update_create(area=area, author=user, seen_version=area.status_version,
                                **values)  # fmt: skip


def _held(as_of=AS_OF) -> dict[str, list]:
    found = held_up_by(ActionPlan.objects.get(), as_of=as_of)
    keys = dict(DevelopmentArea.objects.filter(pk__in=found).values_list("pk", "key"))
    return {keys[pk]: causes for pk, causes in found.items()}


@pytest.mark.django_db
def test_nothing_slipped_nothing_held_up(kth_plan):
    assert _held() == {}


@pytest.mark.django_db
def test_a_red_area_holds_up_the_areas_that_depend_on_it(kth_plan, head):
    _state("FOI-10", head, traffic_light="red")
    held = _held()
    assert set(held) == {"LED-01", "LED-03", "LED-04"}
    [cause] = held["LED-04"]
    assert (cause.code, cause.reason) == ("FOI-10", "rött trafikljus")
    assert cause.name == "FOI-10 Gemensamt arbete med datakällor (data office)"


@pytest.mark.django_db
def test_a_late_area_holds_up_its_dependants_until_its_work_is_over(kth_plan, head):
    DevelopmentArea.objects.filter(key="FOI-10").update(
        planned_end=date(2025, 6, 30), planned_end_precision="month"
    )
    assert {c.reason for c in _held()["LED-04"]} == {"försenat"}
    assert _held(as_of=date(2025, 6, 30)) == {}  # not yet late then
    _state("FOI-10", head, status="finished")
    assert _held() == {}


@pytest.mark.django_db
def test_a_revised_end_after_a_dependants_start_holds_it_up(kth_plan, head):
    # LED-01 and LED-03 start in April 2023, LED-04 in August 2023.
    _state("FOI-10", head, revised_end_text="mars 2023")
    assert _held() == {}
    _state("FOI-10", head, revised_end_text="juni 2023")
    held = _held()
    assert set(held) == {"LED-01", "LED-03"}
    assert [c.reason for c in held["LED-03"]] == ["väntas bli klart juni 2023"]
    _state("FOI-10", head, revised_end_text="HT23")
    assert set(_held()) == {"LED-01", "LED-03", "LED-04"}


@pytest.mark.django_db
def test_an_area_whose_work_is_over_is_not_held_up_and_passes_nothing_on(kth_plan, head):
    _state("FOI-10", head, traffic_light="red")
    _state("LED-01", head, status="finished")
    assert set(_held()) == {"LED-03", "LED-04"}


@pytest.mark.django_db
def test_an_external_dependency_and_an_area_are_both_named(kth_plan, head):
    dependency = ExternalDependency.objects.filter(areas__key="LED-04").first()
    dependency.state = ExternalDependency.State.DELAYED
    dependency.save()
    _state("FOI-10", head, traffic_light="red")
    causes = {(c.code, c.reason) for c in _held()["LED-04"]}
    assert causes == {(dependency.code, "försenat"), ("FOI-10", "rött trafikljus")}


@pytest.mark.django_db
def test_every_page_that_warns_names_the_area_that_holds_it_up(kth_plan, head, secretariat, client):
    _state("FOI-10", head, traffic_light="red")
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2026, name="Uppföljning 2026",
                                opens_on=date(2026, 11, 1), deadline=date(2027, 3, 31))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    client.force_login(secretariat)
    warning = "Hålls upp av: FOI-10 "
    for url in ["/areas/LED-04/", "/cycles/2026/reports/LED-04/"]:
        page = client.get(url).content.decode()
        assert warning in page and "(rött trafikljus)" in page, url
    DevelopmentArea.objects.get(key="LED-04").responsible_department.heads.add(head)
    client.force_login(head)
    page = client.get("/my/").content.decode()
    assert warning in page and "(rött trafikljus)" in page
    client.force_login(secretariat)
    cycles.cycle_close(cycle=cycle)  # the record keeps what held it up when it closed
    StatusUpdate.objects.filter(area__key="FOI-10").delete()
    assert _held() == {}
    page = client.get("/cycles/2026/reports/LED-04/").content.decode()
    assert warning in page and "(rött trafikljus)" in page


def test_a_frozen_hold_up_is_worded_in_the_readers_language():
    from django.utils import translation

    from followup.records import _hold_up

    frozen = {"code": "FOI-10", "name": "FOI-10 x",
              "causes": [["red"], ["ends", "2025-06-30", "month"]]}  # fmt: skip
    with translation.override("en"):
        assert _hold_up(frozen).reason == "red light, expected to end June 2025"
    with translation.override("sv"):
        assert _hold_up(frozen).reason == "rött trafikljus, väntas bli klart juni 2025"
        # Records frozen before the causes were codes keep their words; older ones a state.
        assert _hold_up({"code": "A", "name": "A", "reason": "försenat"}).reason == "försenat"
        assert _hold_up({"code": "L", "name": "Ladok", "state": "delayed"}).reason == "försenat"
