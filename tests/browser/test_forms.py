"""The forms in a real browser: a risk row added in place, a review's error at its field,
indicator values for every department, the import's notice of an open cycle; each page
accessible (axe) and valid HTML."""

from datetime import date

import pytest

from followup.models import IndicatorValue, Risk
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_forms_of_a_cycle(page_for, live_server, head, secretariat):
    from areas.models import ActionPlan
    from followup import cycles

    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2025, 1, 1), deadline=date(2099, 1, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle, before_its_date=True)

    # The head: a second risk row in place (no page load), the first row's text kept.
    page = page_for("head")
    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    page.evaluate("window.notReloaded = true")
    page.select_option("#id_risk-0-aspect", index=1)
    page.fill("#id_risk-0-description", "Key people leave.")
    page.select_option("#id_risk-0-likelihood", "2")
    page.select_option("#id_risk-0-consequence", "4")
    page.click("button[value=add_risk]")
    page.wait_for_selector("#id_risk-1-description")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.id") == "id_risk-1-aspect"
    assert page.input_value("#id_risk-0-description") == "Key people leave."
    assert axe_violations(page) == []
    page.select_option("#id_risk-1-aspect", index=2)
    page.fill("#id_risk-1-description", "The system is late.")
    page.select_option("#id_risk-1-likelihood", "5")
    page.select_option("#id_risk-1-consequence", "3")
    page.check("#id_risk-1-shared_with_unions")
    page.select_option("#id_status", "ongoing")
    page.check("input[name=traffic_light][value=amber]")
    page.fill("#id_traffic_light_reason", "Two risks.")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Rapporten är inskickad.")
    assert list(Risk.objects.values_list("description", "likelihood", "consequence",
                                         "shared_with_unions")) == [
        ("Key people leave.", 2, 4, False), ("The system is late.", 5, 3, True)]  # fmt: skip

    # The secretariat: the light starts as the owner's; a different one needs its reason,
    # asked for at the reason's field.
    page = page_for("secretariat")
    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    assert page.is_checked("input[name=reviewer_light][value=amber]")
    page.check("input[name=decision][value=approve]")
    page.check("input[name=reviewer_light][value=green]")
    page.click("text=Spara granskningen")
    page.wait_for_selector("#id_reviewer_reason_error")
    assert page.get_attribute("#id_reviewer_reason", "aria-invalid") == "true"
    assert axe_violations(page) == []

    # Indicator values for every department on one form.
    page.goto(f"{live_server.url}/cycles/2025/goals/")
    page.fill("#id_value-0-value", "70")
    page.fill("#id_value-0-respondents", "12")
    page.click("button:has-text('Spara värdena')")
    page.wait_for_selector(".message")
    assert IndicatorValue.objects.get().respondents == 12
    assert axe_violations(page) == []

    # The import says up front that the open cycle blocks applying.
    page.goto(f"{live_server.url}/plan/import/")
    assert "Uppföljning 2025" in page.inner_text(".warning-box")
    assert axe_violations(page) == []
