"""Every view of vsplan, for every role, GET and POST: the status each must answer.

The views are discovered from the URL resolver, so a new view that is not in the
table below fails the test until someone decides who may use it.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from areas.models import ActionPlan, PlanImport
from followup import cycles

ROLES = ["anonymous", "reader", "council", "head", "other_head", "secretariat", "admin_user"]

# URL name -> (args, {role: GET status}, {role: POST status}); the area is UTB-01,
# which EDO (head) is responsible for and PD (other_head) has no part in.
# POSTs carry no data: for those allowed through, that is a bad form (400 for a
# missing version, 200 with the message for an empty comment).
CYCLE_READERS = {"anonymous": 302, "reader": 403, "council": 200, "head": 403, "other_head": 403,
                 "secretariat": 200, "admin_user": 200}  # fmt: skip
MANAGE_POST = {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
               "secretariat": 302, "admin_user": 302}  # fmt: skip
SECRETARIAT_ONLY = {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
                    "secretariat": 200, "admin_user": 200}  # fmt: skip
NOBODY = dict.fromkeys(ROLES, 405)
# A form's target asked for with GET (a reload, a language switch after an error shown
# there) goes on to the page the form is on, which then checks who may see it.
TO_THE_FORMS_PAGE = dict.fromkeys(ROLES, 302)
MATRIX = {
    "followup:plan": ([], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "followup:start": ([], dict.fromkeys(ROLES, 302), dict.fromkeys(ROLES, 405)),
    "followup:area_detail": (["UTB-01"], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "followup:plan_export": ([], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "followup:plan_import": ([], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    # The upload is the secretariat user's; an empty POST re-shows the change set.
    "followup:plan_import_review": ([1], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    # Starting the plan: the secretariat's; with a plan in place the page sends it to the
    # import of a revised plan (tests/followup/test_plan_start.py starts from nothing).
    "followup:plan_start": ([], MANAGE_POST, MANAGE_POST),
    "followup:plan_start_workbook": ([], SECRETARIAT_ONLY, NOBODY),
    "followup:revisions": ([], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    # Revision 99 is an earlier revision, kept as a snapshot.
    "followup:revision_detail": ([99], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "followup:revision_export": ([99], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    # Open data: a login unless the public view is on (it is off here; see test_opendata).
    "areas:plan_data": (["json"], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    # No cycle is published here: there is no status to give.
    "followup:status_data": (["csv"], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 404), dict.fromkeys(ROLES, 405)),
    "followup:public_plan": ([], dict.fromkeys(ROLES, 404), dict.fromkeys(ROLES, 405)),
    "followup:public_cycle": ([2024], dict.fromkeys(ROLES, 404), dict.fromkeys(ROLES, 405)),
    "followup:my_areas": ([], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "followup:area_status": (
        ["UTB-01"],
        {"anonymous": 302, "reader": 403, "council": 403, "head": 200, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
        {"anonymous": 302, "reader": 403, "council": 403, "head": 400, "other_head": 403,
         "secretariat": 400, "admin_user": 400},
    ),
    "followup:area_comment": (
        ["UTB-01"],
        TO_THE_FORMS_PAGE,
        {"anonymous": 302, "reader": 403, "council": 403, "head": 200, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
    ),
    # Cycles: 2025 is open (UTB-01 has a report not yet started), 2024 closed,
    # 2026 a draft (opening next year). Nothing is published, so readers see no cycle
    # page; heads see the open and the closed one, with their own reports only.
    "followup:cycles": (
        [],
        {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200),
        {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
    ),
    "followup:cycle_detail": (
        [2025],
        {"anonymous": 302, "reader": 403, "council": 200, "head": 200, "other_head": 200,
         "secretariat": 200, "admin_user": 200},
        dict.fromkeys(ROLES, 405),
    ),
    "followup:cycle_goals": (
        [2025],
        {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
        {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
         "secretariat": 302, "admin_user": 302},
    ),
    "followup:report_detail": (
        [2025, "UTB-01"],
        {"anonymous": 302, "reader": 403, "council": 200, "head": 200, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
        {"anonymous": 302, "reader": 403, "council": 403, "head": 400, "other_head": 403,
         "secretariat": 400, "admin_user": 400},
    ),
    "followup:report_review": (
        [2025, "UTB-01"],
        TO_THE_FORMS_PAGE,
        {"anonymous": 302, "reader": 403, "council": 403, "head": 403, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
    ),
    "followup:dashboard": (
        [],
        {"anonymous": 302, "reader": 403} | dict.fromkeys(ROLES[2:], 200),
        dict.fromkeys(ROLES, 405),
    ),
    "followup:dashboard_areas": (
        [],
        {"anonymous": 302, "reader": 403} | dict.fromkeys(ROLES[2:], 200),
        dict.fromkeys(ROLES, 405),
    ),
    "followup:dashboard_risks": (
        [],
        {"anonymous": 302, "reader": 403} | dict.fromkeys(ROLES[2:], 200),
        dict.fromkeys(ROLES, 405),
    ),
    "followup:cycle_pdf": (
        [2025],
        TO_THE_FORMS_PAGE,
        {"anonymous": 302, "reader": 403, "council": 302, "head": 403, "other_head": 403,
         "secretariat": 302, "admin_user": 302},
    ),
    # Asked for from My areas and an area's page, with the cycle in the form: without it,
    # a plain 400 (who may have which report: tests/followup/test_pdf_heads.py).
    "followup:pdf_ask": ([], TO_THE_FORMS_PAGE, {"anonymous": 302} | dict.fromkeys(ROLES[1:], 400)),
    "followup:pdf_status": ([2025, 1], CYCLE_READERS, dict.fromkeys(ROLES, 405)),
    "followup:pdf_download": ([2025, 1], CYCLE_READERS, dict.fromkeys(ROLES, 405)),
    "followup:cycle_remind": ([2025], TO_THE_FORMS_PAGE, MANAGE_POST),
    # 2026 cannot open while 2025 is: the refusal, on the cycle's page.
    "followup:cycle_open": ([2026], TO_THE_FORMS_PAGE, MANAGE_POST),
    # The irreversible steps ask first: a GET or a POST without "confirm" shows the question.
    "followup:cycle_close": ([2025], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    "followup:cycle_publish": ([2024], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    "followup:cycle_reopen": ([2024], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    "followup:cycle_delete": ([2026], SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    # An empty deadline: the message, on the cycle's page.
    "followup:cycle_deadline": ([2025], TO_THE_FORMS_PAGE, MANAGE_POST),
    "followup:cycle_report_text": ([2025], TO_THE_FORMS_PAGE, MANAGE_POST),
    # User 999 heads EDO, whose reports are not submitted: the e-mail goes.
    "followup:cycle_remind_one": ([2025, 999], TO_THE_FORMS_PAGE, MANAGE_POST),
    "followup:report_history": (
        [2025, "UTB-01"],
        {"anonymous": 302, "reader": 403, "council": 200, "head": 200, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
        NOBODY,
    ),
    "followup:audit": ([], SECRETARIAT_ONLY, NOBODY),
}  # fmt: skip

# Views open to everyone by nature, tested in their own modules (single sign-on: test_oidc).
PUBLIC = {"login", "logout", "set_language", "health", "accessibility", "favicon",
          "oidc_authentication_init", "oidc_authentication_callback", "oidc_logout"}  # fmt: skip


def _names(resolver, prefix: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            if pattern.namespace == "admin":  # Django's own permission system
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _names(pattern, ns)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_view_is_in_the_matrix():
    assert _names(get_resolver()) == set(MATRIX) | PUBLIC


@pytest.fixture
def cycles_in_every_state(kth_plan, secretariat):
    plan = ActionPlan.objects.get()
    ActionPlan.objects.create(pk=99, organisation="KTH", title="Earlier", registration_number="X",
                              revision="0", snapshot={"superseded_at": "2023-01-01", "rows": []})  # fmt: skip
    PlanImport.objects.create(pk=1, uploaded_by=secretariat, filename="plan.xlsx", plan=plan)
    old = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024",
                              opens_on=date(2025, 1, 1), deadline=date(2025, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=old)
    cycles.cycle_close(cycle=old)
    current = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                  opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=current)
    from django.contrib.auth.models import User

    from followup.models import StoredPdf

    StoredPdf.objects.create(
        pk=1,
        cycle=current,
        scope="programme",
        language="en",
        state="done",
        filename="r.pdf",
        content=b"%PDF-1.7",
        requested_by=User.objects.create_user("requester"),
    )
    cycles.cycle_create(plan=plan, year=2026, name="Uppföljning 2026",
                        opens_on=date(2027, 1, 1), deadline=date(2027, 3, 1))  # fmt: skip
    from areas.models import Department

    remindee = User.objects.create_user("remindee", "remindee@example.org", pk=999)
    Department.objects.get(code="EDO").heads.add(remindee)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_from_every_view(
    request, role, cycles_in_every_state, monkeypatch
):
    # Who may have the PDF is the question here, not the PDF (tested in test_pdf).
    monkeypatch.setattr(
        "followup.pdf.render_pdf", lambda data: ("r.pdf", "application/pdf", b"%PDF")
    )
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    failures = []
    for name, (args, get_expected, post_expected) in MATRIX.items():
        url = reverse(name, args=args)
        got_get = client.get(url).status_code
        got_post = client.post(url).status_code
        if got_get != get_expected[role]:
            failures.append(f"GET {url}: {got_get}, expected {get_expected[role]}")
        if got_post != post_expected[role]:
            failures.append(f"POST {url}: {got_post}, expected {post_expected[role]}")
    assert failures == []
