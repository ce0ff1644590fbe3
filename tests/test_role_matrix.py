"""Every view of vsplan, for every role, GET and POST: the status each must answer.

The views are discovered from the URL resolver, so a new view that is not in the
table below fails the test until someone decides who may use it.
"""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

ROLES = ["anonymous", "reader", "council", "head", "other_head", "secretariat", "admin_user"]

# URL name -> (args, {role: GET status}, {role: POST status}); the area is UTB-01,
# which EDO (head) is responsible for and PD (other_head) has no part in.
# POSTs carry no data: for those allowed through, that is a bad form (400 for a
# missing version, 200 with the message for an empty comment).
MATRIX = {
    "areas:plan": ([], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
    "areas:start": ([], dict.fromkeys(ROLES, 302), dict.fromkeys(ROLES, 405)),
    "areas:area_detail": (["UTB-01"], {"anonymous": 302} | dict.fromkeys(ROLES[1:], 200), dict.fromkeys(ROLES, 405)),
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
        dict.fromkeys(ROLES, 405),
        {"anonymous": 302, "reader": 403, "council": 403, "head": 200, "other_head": 403,
         "secretariat": 200, "admin_user": 200},
    ),
}  # fmt: skip

# Views open to everyone by nature, tested in their own modules.
PUBLIC = {"login", "logout", "set_language", "health"}


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


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_from_every_view(request, role, kth_plan):
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
