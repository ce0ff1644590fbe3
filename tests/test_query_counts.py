"""Exact query counts of the pages not counted in their own modules (so an N+1 cannot slip in).

Counted elsewhere: the plan, an area, My areas, the status form and save, the dashboard and
the cycle overview (at two sizes), the Excel export and import, the revisions, open data and
the public view. Every count below includes the session and the user.
"""

import pytest
from django.test import Client

from tests.test_role_matrix import cycles_in_every_state  # noqa: F401 - the fixture

PAGES = [
    # (user, url, queries, what they are)
    (None, "/login/", 0, "nothing: an anonymous session is not read from the database"),
    ("council", "/cycles/", 6, "session, user, plan, groups, menu's headed departments, cycles"),
    ("secretariat", "/cycles/2025/goals/", 11,
     "session, user, plan, cycle, groups, goals, assessments, the cycle's indicator values "
     "(their names, the chosen one's rows), departments for the values form, indicator "
     "values for the table, menu's headed departments"),
    ("head", "/cycles/2025/reports/UTB-01/", 20,
     "session, user, plan, the report with its area, participating departments, risks, "
     "benefits, groups, headed departments; what holds areas up (slipping external "
     "dependencies, links between areas, their latest status); its reviews; the head's "
     "reports in the cycle (the banner); cycles for the comparison, last cycle's report and "
     "risks, this cycle's report and risks (carried over); risk aspects"),
    ("council", "/dashboard/areas/?show=late", 10,
     "session, user, plan, groups, cycle, reports, what holds areas up (3), menu's departments"),
    ("council", "/dashboard/risks/", 8,
     "session, user, groups, plan, cycle, the filtered areas, the risks, menu's headed "
     "departments"),
    ("council", "/cycles/2025/pdf/1/", 7,
     "session, user, plan, cycle, groups, the stored report, menu's headed departments"),
    ("reader", "/plan/revisions/99/export.xlsx", 7,
     "session, user, the revision (snapshot), support areas for the summary and the sheets, "
     "department and external dependency codes for the validation lists"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("user", "url", "expected", "what"), PAGES, ids=[p[1] for p in PAGES])
def test_page_queries(request, cycles_in_every_state, user, url, expected, what,  # noqa: F811
                      django_assert_num_queries):  # fmt: skip
    client = Client()
    if user:
        client.force_login(request.getfixturevalue(user))
    client.get(url)  # warm-up: caches that fill once per process are not the page's
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
