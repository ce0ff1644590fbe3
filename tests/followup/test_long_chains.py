"""A long chain of dependencies (1,200 areas, each depending on the next one) is shown,
not a server error: nothing walks the plan's dependencies by recursion (issue 21, finding 4)."""

import sys

import pytest

from areas.models import ActionPlan, Department, DevelopmentArea, SupportArea

pytestmark = pytest.mark.django_db

LENGTH = 1_200


@pytest.fixture
def chain(kth_plan):
    assert LENGTH > sys.getrecursionlimit()  # recursion over it would fail
    plan = ActionPlan.objects.get()
    led = SupportArea.objects.get(code="LED")
    department = Department.objects.get(code="MO")
    DevelopmentArea.objects.bulk_create(
        DevelopmentArea(
            plan=plan,
            key=f"LEDK-{n:04d}",
            support_area=led,
            order=100 + n,
            responsible_department=department,
            title=f"Kedjans led {n}",
            planned_text="2025",
        )  # fmt: skip
        for n in range(LENGTH)
    )
    ids = dict(DevelopmentArea.objects.filter(key__startswith="LEDK-").values_list("key", "pk"))
    through = DevelopmentArea.depends_on.through
    through.objects.bulk_create(
        through(
            from_developmentarea_id=ids[f"LEDK-{n - 1:04d}"],
            to_developmentarea_id=ids[f"LEDK-{n:04d}"],
        )  # fmt: skip
        for n in range(1, LENGTH)  # each depends on the next: the first on the whole chain
    )


def test_the_dashboard_shows_a_chain_of_1200_areas(client, chain, council):
    # (the same reads for every role that may open it; the council's is the fullest view)
    client.force_login(council)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert f"LEDK-{LENGTH - 1:04d}" in response.content.decode()


def test_the_pages_of_the_chains_ends_open(client, chain, reader):
    client.force_login(reader)
    for key in ("LEDK-0000", f"LEDK-{LENGTH - 1:04d}"):
        assert client.get(f"/areas/{key}/").status_code == 200
    assert client.get("/").status_code == 200
