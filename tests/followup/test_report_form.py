"""The report form as its writer uses it: another risk row (with and without JavaScript),
likelihood and consequence as labelled choices, checkboxes beside their labels; and the
review, whose errors stand at the fields they ask for."""

import re
from html import unescape as html_unescape

import pytest

from followup import cycles
from followup.models import FollowUpReport, Risk
from tests.followup.test_cycle_views import HX, _post_data, _report, _report_url, open_cycle

__all__ = ["open_cycle"]  # the fixture, used by name

pytestmark = pytest.mark.django_db


def _rows(html: str) -> int:
    return len(re.findall(r'name="risk-\d+-description"', html))


def test_adding_a_risk_without_javascript_keeps_what_was_typed_and_saves_nothing(
    client, head, open_cycle
):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    data = _post_data(
        action="add_risk", progress="Typed, not saved.", **{"risk-0-description": "Half a risk"}
    )
    response = client.post(_report_url(), data)

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html  # the whole page, again
    assert _rows(html) == 2 and 'name="risk-TOTAL_FORMS" value="2"' in html
    assert "Half a risk" in html and "Typed, not saved." in html
    # Asking for a row shows no errors yet (the half-filled risk lacks its aspect).
    assert "field-error" not in html
    # The new row takes the focus.
    assert re.search(r'<select name="risk-1-aspect"[^>]*autofocus', html)
    assert "A new empty risk row was added. Nothing is saved yet." in html
    assert html.count('id="live-region"') == 1  # the page's own, not a second one
    report = _report()
    assert (report.version, report.progress) == (0, "")
    assert not Risk.objects.exists()


def test_adding_a_risk_with_htmx_answers_the_form_alone(client, head, open_cycle):
    client.force_login(head)
    data = _post_data(action="add_risk", **{"risk-0-description": "First risk"})
    response = client.post(_report_url(), data, headers=HX)

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="report">')
    assert _rows(html) == 2 and "First risk" in html
    assert not Risk.objects.exists()


def test_rows_added_one_after_another_are_all_saved_together(client, head, open_cycle):
    client.force_login(head)
    data = _post_data(
        action="add_risk",
        **{"risk-TOTAL_FORMS": 2, "risk-1-aspect": "", "risk-1-description": ""},
    )
    assert _rows(client.post(_report_url(), data, headers=HX).content.decode()) == 3
    risk = {"aspect": 1, "likelihood": 2, "consequence": 5}
    data = _post_data(**{"risk-TOTAL_FORMS": 3, "risk-INITIAL_FORMS": 2})
    for n, text in enumerate(["Staff leave", "", "The system is late"]):
        data |= {f"risk-{n}-description": text} | {
            f"risk-{n}-{name}": value if text else "" for name, value in risk.items()
        }
    assert client.post(_report_url(), data).status_code == 302
    assert list(Risk.objects.values_list("description", "likelihood", "consequence")) == [
        ("Staff leave", 2, 5),
        ("The system is late", 2, 5),
    ]


def test_likelihood_and_consequence_are_labelled_choices_from_very_low_to_very_high(
    client, head, open_cycle
):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    html = client.get(_report_url()).content.decode()
    likelihood = html.split('name="risk-0-likelihood"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d?)"[^>]*>([^<]*)</option>', likelihood)
    assert options == [
        ("", "– Choose –"),
        ("1", "1 Very low"),
        ("2", "2 Low"),
        ("3", "3 Medium"),
        ("4", "4 High"),
        ("5", "5 Very high"),
    ]
    assert '<label for="id_risk-0-consequence">Consequence</label>' in html


def test_a_likelihood_outside_the_scale_is_refused_at_its_field(client, head, open_cycle):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    data = _post_data(**{"risk-0-description": "Risk", "risk-0-aspect": 1,
                         "risk-0-likelihood": 9, "risk-0-consequence": 2})  # fmt: skip
    html = client.post(_report_url(), data, headers=HX).content.decode()
    error = html.split('id="id_risk-0-likelihood_error"')[1][:120]
    assert "Select a valid choice" in error
    assert re.search(r'<select name="risk-0-likelihood"[^>]*aria-invalid="true"', html)
    assert not Risk.objects.exists() and _report().version == 0


def test_no_select_speaks_english_in_the_swedish_interface(client, head, open_cycle):
    client.force_login(head)
    html = client.get(_report_url()).content.decode()
    assert "Select an option" not in html and "---------" not in html


def test_checkboxes_stand_before_their_labels_and_the_buttons_differ(client, head, open_cycle):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    html = client.get(_report_url()).content.decode()
    assert re.search(
        r'<p class="field checkbox-field"><input type="checkbox" name="risk-0-shared_with_unions"'
        r'[^>]*> <label for="id_risk-0-shared_with_unions">',
        html,
    )
    assert re.search(r'<button type="submit" name="action" value="submit" class="primary">', html)
    assert re.search(r'value="draft" class="secondary">Save draft', html)
    assert re.search(r'value="add_risk" class="secondary" formnovalidate>\+ Add a risk', html)


# -- the review -------------------------------------------------------------------------


def _submitted(head, light="amber") -> FollowUpReport:
    report = _report()
    cycles.report_save(
        report=report,
        user=head,
        seen_version=report.version,
        fields={"status": "ongoing", "traffic_light": light, "traffic_light_reason": "Late",
                "progress": "Done a bit.", "next_steps": "", "revised_end_text": ""},
        risks=[],
        benefits=[],
        submit=True,
    )  # fmt: skip
    report.refresh_from_db()
    return report


def test_the_reviewers_light_starts_as_the_owners(client, head, secretariat, open_cycle):
    _submitted(head, light="amber")
    client.force_login(secretariat)
    html = client.get(_report_url()).content.decode()
    checked = re.findall(r'name="reviewer_light" value="(\w+)" checked', html)
    assert checked == ["amber"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"decision": "return", "reviewer_light": "amber", "comment": ""}, "comment",
         "Say what should be changed when you return a report."),
        ({"decision": "approve", "reviewer_light": "green", "reviewer_reason": ""},
         "reviewer_reason", "Say why your traffic light differs from the owner's."),
    ],
)  # fmt: skip
def test_a_review_error_stands_at_its_field_and_changes_nothing(
    client, head, secretariat, open_cycle, data, field, message
):
    report = _submitted(head, light="amber")
    client.force_login(secretariat)
    client.cookies["django_language"] = "en"
    response = client.post(f"{_report_url()}review/", data)

    html = html_unescape(response.content.decode())
    assert response.status_code == 200
    assert message in html.split(f'id="id_{field}_error"')[1][:200]
    assert re.search(rf'name="{field}"[^>]*aria-describedby="id_{field}_error"', html)
    assert message not in html.split('id="review-heading"')[0]  # not at the top
    report.refresh_from_db()
    assert report.state == "submitted" and not report.reviews.exists()


def test_a_review_that_keeps_the_owners_light_needs_no_reason(
    client, head, secretariat, open_cycle
):
    report = _submitted(head, light="amber")
    client.force_login(secretariat)
    response = client.post(
        f"{_report_url()}review/", {"decision": "approve", "reviewer_light": "amber"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.reviewer_light) == ("approved", "amber")


def test_no_row_is_added_past_the_most_risks_a_report_holds(client, head, open_cycle):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    data = _post_data(action="add_risk", **{"risk-TOTAL_FORMS": 30})
    html = client.post(_report_url(), data, headers=HX).content.decode()
    assert _rows(html) == 30 and "A report holds at most 30 risks." in html


def test_an_altered_row_count_is_a_bad_request(client, head, open_cycle):
    client.force_login(head)
    data = _post_data(action="add_risk", **{"risk-TOTAL_FORMS": "many"})
    assert client.post(_report_url(), data).status_code == 400
    assert _report().version == 0
