"""Database constraints hold the plan's rules even when code forgets them."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from areas.models import ActionPlan, Department, DevelopmentArea


@pytest.mark.django_db
def test_a_planned_start_after_the_end_is_refused(kth_plan):
    area = DevelopmentArea.objects.get(key="HR-03")
    area.planned_start, area.planned_end = date(2025, 1, 1), date(2024, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()
    area.refresh_from_db()
    assert area.planned_start == date(2023, 1, 1)


@pytest.mark.django_db
def test_a_date_without_its_precision_is_refused(kth_plan):
    area = DevelopmentArea.objects.get(key="HR-03")
    area.planned_end_precision = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()


@pytest.mark.django_db
def test_keys_are_unique_within_a_plan(kth_plan):
    area = DevelopmentArea.objects.get(key="HR-03")
    area.pk, area.order = None, 99
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()


@pytest.mark.django_db
def test_only_one_plan_revision_is_current(kth_plan):
    plan = ActionPlan.objects.get()
    plan.pk, plan.revision = None, "2024"
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


@pytest.mark.django_db
def test_department_codes_are_unique(kth_plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="EDO", kind=Department.Kind.SUBJECT)


@pytest.mark.django_db
def test_reading_the_planned_text_sets_dates_precision_and_note(kth_plan):
    area = DevelopmentArea.objects.get(key="HR-03")
    area.planned_text = "Pågående-VT24"
    area.read_planned_text()
    assert (area.planned_start, area.planned_start_precision) == (None, "")
    assert (area.planned_end, area.planned_end_precision) == (date(2024, 6, 30), "term")
    assert area.planned_note == "open_start"
