"""A believable, fictional follow-up history for the demo, marked as demo data wherever it shows.

The plan's own text is never touched: only status updates, cycles, reports,
risks, benefits, goal assessments and PULS values are made up.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from areas.demo import DemoResult, demo_plan, setup_demo_plan
from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    ProgrammeGoal,
    RiskAspect,
)

from . import cycles
from .models import (
    Benefit,
    GoalAssessment,
    IndicatorValue,
    ReportState,
    Risk,
    Status,
    StatusUpdate,
    TrafficLight,
)

DEMO_NOTE = "Demodata (påhittad): "
PROGRESS = [
    "Arbetsgruppen har träffats varannan vecka och kartlagt nuläget.",
    "Förstudien är klar och ett förslag till nytt arbetssätt är framtaget.",
    "Piloten har genomförts på två skolor; utvärdering pågår.",
    "Rutinen är beslutad och införd i hela verksamhetsstödet.",
]
RISKS = [
    ("internal", "Beroende av systemleverantörens tidplan.", 3, 4, "Tät dialog med IT-portföljen."),
    (
        "competence",
        "Nyckelpersoner kan sluta under införandet.",
        2,
        4,
        "Dokumentera och dela kunskap.",
    ),
    ("work_environment", "Hög arbetsbelastning under omställningen.", 3, 3, "Fasa in stegvis."),
    ("external", "Ändrade regelverk kan kräva omtag.", 2, 3, "Bevaka förändringar löpande."),
]


def _at(day: datetime) -> datetime:
    return timezone.make_aware(day) if timezone.is_naive(day) else day


@transaction.atomic
def setup_demo() -> DemoResult:
    """The demo installation: the KTH plan and one user per role (``areas.demo``), and a
    follow-up history for them, each only where it is missing."""
    result = setup_demo_plan()
    result.history_created = create_demo_history(demo_plan())
    return result


@transaction.atomic
def create_demo_history(plan: ActionPlan) -> bool:
    """Create the demo history unless the plan already has follow-up cycles. True if created."""
    if plan.cycles.exists():
        return False
    rng = random.Random(2023)  # noqa: S311 - demo data, not security
    head = User.objects.get(username="head")
    secretariat = User.objects.get(username="secretariat")
    areas = list(
        DevelopmentArea.objects.filter(plan=plan, upcoming=False).order_by(
            "support_area__order", "order"
        )
    )
    aspects = {a.code: a for a in RiskAspect.objects.all()}
    today = timezone.localdate()
    year = today.year - 1

    # Status updates over time, by the head for EDO's areas and the secretariat for the rest.
    for i, area in enumerate(areas):
        if i % 3 == 2:
            continue
        author = (
            head
            if area.responsible_department and area.responsible_department.code == "EDO"
            else secretariat
        )
        steps = rng.randint(1, 3)
        for step in range(steps):
            status = [
                Status.ONGOING,
                Status.ONGOING,
                Status.FINISHED if i % 7 == 0 else Status.ONGOING,
            ][step]
            light = rng.choice(
                [TrafficLight.GREEN, TrafficLight.GREEN, TrafficLight.AMBER, TrafficLight.RED]
            )
            update = cycles_status(area, author, status, light, rng)
            update.created_at = _at(datetime(year - 1, 3, 1) + timedelta(days=200 * step + i))
            update.save(update_fields=["created_at"])

    # A closed, published cycle for the year before last.
    old = cycles.cycle_create(
        plan=plan,
        year=year - 1,
        name=f"Uppföljning {year - 1}",
        opens_on=datetime(year, 1, 15).date(),
        deadline=datetime(year, 3, 31).date(),
        is_demo=True,
    )
    cycles.cycle_open(cycle=old)
    for n, report in enumerate(old.reports.select_related("area")):
        _fill(report, rng, aspects, n)
        report.state = ReportState.APPROVED
        report.reviewer_light = report.traffic_light
        report.submitted_by = report.reviewed_by = secretariat
        report.submitted_at = report.reviewed_at = _at(datetime(year, 3, 20))
        report.stated_at = report.submitted_at
        report.save()
    for goal in ProgrammeGoal.objects.all():
        GoalAssessment.objects.create(
            cycle=old,
            goal=goal,
            assessment=DEMO_NOTE + "Arbetet går i rätt riktning; PULS visar en svag förbättring.",
        )
    _puls(old, rng)
    cycles.cycle_close(cycle=old)
    cycles.cycle_publish(cycle=old)

    # This year's cycle, open, with reports submitted, returned and approved.
    current = cycles.cycle_create(
        plan=plan,
        year=year,
        name=f"Uppföljning {year}",
        opens_on=today - timedelta(days=20),
        deadline=today + timedelta(days=10),
        is_demo=True,
    )
    cycles.cycle_open(cycle=current)
    for n, report in enumerate(current.reports.select_related("area")):
        if n % 4 == 3:
            continue  # not started
        _fill(report, rng, aspects, n)
        report.state = [ReportState.SUBMITTED, ReportState.APPROVED, ReportState.DRAFT][n % 3]
        if n % 11 == 0:
            report.state = ReportState.RETURNED
            report.review_comment = DEMO_NOTE + "Beskriv gärna hur risken kring tidplanen hanteras."
        if report.state in (ReportState.SUBMITTED, ReportState.APPROVED, ReportState.RETURNED):
            report.submitted_by, report.submitted_at = (
                secretariat,
                _at(datetime.combine(today - timedelta(days=5), datetime.min.time())),
            )
        if report.state in (ReportState.APPROVED, ReportState.RETURNED):
            report.reviewed_by, report.reviewed_at = (
                secretariat,
                _at(datetime.combine(today - timedelta(days=2), datetime.min.time())),
            )
            report.reviewer_light = report.traffic_light
        report.stated_at = report.submitted_at or _at(
            datetime.combine(today - timedelta(days=7), datetime.min.time())
        )
        report.save()
    _puls(current, rng)

    crm = ExternalDependency.objects.filter(code="CRM").first()
    if crm is not None:
        crm.state = ExternalDependency.State.DELAYED
        crm.state_note = DEMO_NOTE + "Upphandlingen har överprövats."
        crm.save(update_fields=["state", "state_note"])
    return True


def cycles_status(area, author, status, light, rng) -> StatusUpdate:
    from .services import status_update_create

    area.refresh_from_db(fields=["status_version"])
    update = status_update_create(
        area=area,
        author=author,
        seen_version=area.status_version,
        status=status,
        traffic_light=light,
        traffic_light_reason=DEMO_NOTE + "Resursbrist under våren."
        if light != TrafficLight.GREEN
        else "",
        progress=DEMO_NOTE + rng.choice(PROGRESS),
        next_steps=DEMO_NOTE + "Nästa steg planeras på ledningsrådet.",
    )
    update.is_demo = True
    update.save(update_fields=["is_demo"])
    return update


def _fill(report, rng, aspects, n) -> None:
    report.status = report.status or Status.ONGOING
    report.traffic_light = report.traffic_light or TrafficLight.GREEN
    if report.traffic_light != TrafficLight.GREEN and not report.traffic_light_reason:
        report.traffic_light_reason = DEMO_NOTE + "Resursbrist."
    report.progress = DEMO_NOTE + rng.choice(PROGRESS)
    report.risks.all().delete()
    for code, text, likelihood, consequence, mitigation in rng.sample(RISKS, k=1 + n % 3):
        Risk.objects.create(
            report=report,
            aspect=aspects[code],
            description=DEMO_NOTE + text,
            likelihood=likelihood,
            consequence=consequence,
            mitigation=mitigation,
            owner="Avdelningschef",
            shared_with_unions=bool(n % 2),
        )
    for benefit in report.benefits.all():
        benefit.outcome = rng.choice(["achieved", "partly", "not_yet"])
        benefit.evidence = DEMO_NOTE + "Uppföljning i PULS och verksamhetsdialog."
        benefit.save()
    if report.status == Status.FINISHED and not report.benefits.exists():
        Benefit.objects.create(
            report=report,
            effect=report.area.desired_effect or report.area.title,
            outcome="achieved",
            evidence=DEMO_NOTE + "Avstämt med verksamheten.",
        )


def _puls(cycle, rng) -> None:
    for code in ["EDO", "HR", "FO", "PD", "ITA", "COM", "MO", "RSO", "KTHB", "INV"]:
        department = Department.objects.get(code=code)
        respondents = rng.choice([3, 12, 25, 40])  # 3: below the threshold, never shown
        IndicatorValue.objects.create(
            cycle=cycle,
            name="PULS index",
            department=department,
            value=round(rng.uniform(62, 81), 1),
            respondents=respondents,
        )
