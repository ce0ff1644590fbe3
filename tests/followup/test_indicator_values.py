"""Indicator values of a cycle: one indicator for every department on one form, a value
cleared is removed; the service that sets them, with the audit trail."""

from decimal import Decimal

import pytest

from areas.models import Department
from followup import cycles, services
from followup.models import AuditEntry, IndicatorValue
from tests.followup.test_cycle_views import HX, open_cycle

__all__ = ["open_cycle"]  # the fixture, used by name

pytestmark = pytest.mark.django_db

URL = "/cycles/2025/goals/"


def indicator_data(name: str, values: dict) -> dict:
    """The values form as posted: a row for every department, ``values`` by code as
    (value, respondents); the other rows empty."""
    codes = list(Department.objects.order_by("code").values_list("code", flat=True))
    data = {"save_indicators": "1", "indicator-name": name, "value-TOTAL_FORMS": len(codes),
            "value-INITIAL_FORMS": len(codes), "value-MIN_NUM_FORMS": 0,
            "value-MAX_NUM_FORMS": 500}  # fmt: skip
    for n, code in enumerate(codes):
        value, respondents = values.get(code, ("", ""))
        data |= {f"value-{n}-department": code, f"value-{n}-value": value,
                 f"value-{n}-respondents": respondents}  # fmt: skip
    return data


def _values() -> dict:
    return {
        (v.name, v.department.code): (v.value, v.respondents)
        for v in IndicatorValue.objects.select_related("department")
    }


def test_the_form_has_a_row_for_every_department(client, secretariat, open_cycle):
    client.force_login(secretariat)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    count = Department.objects.count()
    assert html.count('name="value-') == 2 * count + count + 4  # value, respondents; codes; mgmt
    assert 'name="indicator-name" value="PULS"' in html  # a cycle without values: PULS
    assert '<label class="visually-hidden" for="id_value-0-value">Value, ' in html


def test_values_for_several_departments_are_saved_at_once_and_a_cleared_one_removed(
    client, secretariat, open_cycle
):
    client.force_login(secretariat)
    first = {"EDO": ("71,5", 12), "HR": ("68", 30)}  # a decimal comma, as Swedish writes it
    response = client.post(URL, indicator_data("PULS index", first))
    assert response.status_code == 302
    assert response["Location"] == "/cycles/2025/goals/?indicator=PULS+index"
    assert _values() == {
        ("PULS index", "EDO"): (Decimal("71.5"), 12),
        ("PULS index", "HR"): (Decimal("68"), 30),
    }
    # The page opens on the indicator, its values in their rows.
    html = client.get(response["Location"]).content.decode()
    assert 'value="71,50"' in html and 'value="30"' in html  # shown as Swedish writes it
    assert 'inputmode="decimal"' in html and 'type="number" name="value-0-value"' not in html

    # HR cleared: its value goes; EDO unchanged; the audit trail keeps what was removed.
    response = client.post(URL, indicator_data("PULS index", {"EDO": ("71.5", 12)}))  # a point too
    assert response.status_code == 302
    assert _values() == {("PULS index", "EDO"): (Decimal("71.5"), 12)}
    removal = AuditEntry.objects.filter(kind="indicator").order_by("pk").last()
    assert (removal.subject, removal.before, removal.after) == ("PULS index, HR", "68.00 (30)", "")
    assert AuditEntry.objects.filter(kind="indicator").count() == 3


def test_a_half_filled_row_is_refused_at_its_field_and_nothing_changes(
    client, secretariat, open_cycle
):
    services.indicator_values_save(
        cycle=open_cycle, name="PULS", values={Department.objects.get(code="HR"): (Decimal(70), 9)}
    )
    client.force_login(secretariat)
    client.cookies["django_language"] = "en"
    response = client.post(URL, indicator_data("PULS", {"EDO": ("71.5", ""), "HR": ("", "")}))
    html = response.content.decode()
    assert response.status_code == 200
    codes = list(Department.objects.order_by("code").values_list("code", flat=True))
    n = codes.index("EDO")
    error = html.split(f'id="id_value-{n}-respondents_error"')[1][:120]
    assert "Give the number of respondents too, or clear both to remove it." in error
    assert _values() == {("PULS", "HR"): (Decimal(70), 9)}


def test_an_altered_department_is_a_bad_request(client, secretariat, open_cycle):
    client.force_login(secretariat)
    data = indicator_data("PULS", {"EDO": ("71.5", 12)}) | {"value-0-department": "NOPE"}
    assert client.post(URL, data).status_code == 400
    assert not IndicatorValue.objects.exists()


def test_a_head_may_not_enter_indicator_values(client, head, open_cycle):
    client.force_login(head)
    response = client.post(URL, indicator_data("PULS", {"EDO": ("71.5", 12)}), headers=HX)
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_a_closed_cycles_values_are_frozen(client, secretariat, open_cycle):
    cycles.cycle_close(cycle=open_cycle, user=secretariat)
    client.force_login(secretariat)
    response = client.post(URL, indicator_data("PULS", {"EDO": ("71.5", 12)}), follow=True)
    assert "frysta" in response.content.decode() or "frozen" in response.content.decode()
    assert not IndicatorValue.objects.exists()
