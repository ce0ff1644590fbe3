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
    GoalAssessment,
    IndicatorValue,
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

    # A closed, published cycle for the year before last, reported and reviewed through the
    # same services as in use, with the dates they would have had.
    old = cycles.cycle_create(
        plan=plan,
        year=year - 1,
        name=f"Uppföljning {year - 1}",
        opens_on=datetime(year, 1, 15).date(),
        deadline=datetime(year, 3, 31).date(),
        user=secretariat,
        is_demo=True,
    )
    cycles.cycle_open(
        cycle=old, user=secretariat, before_its_date=True, now=_at(datetime(year, 1, 15))
    )
    for n, report in enumerate(old.reports.select_related("area__responsible_department")):
        author = _author(report, head, secretariat)
        _report(report, author, rng, aspects, n, submit=True, now=_at(datetime(year, 3, 10)))
        cycles.report_review(report=report, user=secretariat, approve=True,
                             reviewer_light=report.traffic_light, now=_at(datetime(year, 3, 20)),
                             notify=False)  # fmt: skip
    for goal in ProgrammeGoal.objects.all():
        GoalAssessment.objects.create(
            cycle=old,
            goal=goal,
            assessment=DEMO_NOTE + "Arbetet går i rätt riktning; PULS visar en svag förbättring.",
        )
    _puls(old, rng)
    cycles.cycle_close(cycle=old, user=secretariat, now=_at(datetime(year, 4, 2)))
    cycles.cycle_publish(cycle=old, user=secretariat, now=_at(datetime(year, 4, 9)))

    # This year's cycle, open, with reports not started, drafts, submitted, returned, approved.
    current = cycles.cycle_create(
        plan=plan,
        year=year,
        name=f"Uppföljning {year}",
        opens_on=today - timedelta(days=20),
        deadline=today + timedelta(days=10),
        user=secretariat,
        is_demo=True,
    )
    cycles.cycle_open(cycle=current, user=secretariat, now=_at(_day(today - timedelta(days=20))))
    for n, report in enumerate(current.reports.select_related("area__responsible_department")):
        if n % 4 == 3:
            continue  # not started
        author = _author(report, head, secretariat)
        kind = "returned" if n % 11 == 0 else ["submitted", "approved", "draft"][n % 3]
        submit = kind != "draft"
        _report(
            report, author, rng, aspects, n, submit=submit, now=_at(_day(today - timedelta(days=5)))
        )
        if kind in ("approved", "returned"):
            # Now and then the secretariat rates an area more severely than its owner.
            stricter = {"green": "amber", "amber": "red"}.get(report.traffic_light)
            disagree = kind == "approved" and stricter and n % 5 == 0
            cycles.report_review(
                report=report,
                user=secretariat,
                approve=kind == "approved",
                reviewer_light=stricter if disagree else report.traffic_light,
                reviewer_reason=DEMO_NOTE + "Tidplanen ser mer ansträngd ut än rapporten anger."
                if disagree
                else "",
                comment=""
                if kind == "approved"
                else DEMO_NOTE + "Beskriv gärna hur risken kring tidplanen hanteras.",
                now=_at(_day(today - timedelta(days=2))),
                notify=False,
            )
    _puls(current, rng)

    crm = ExternalDependency.objects.filter(code="CRM").first()
    if crm is not None:
        crm.state = ExternalDependency.State.DELAYED
        crm.state_note = DEMO_NOTE + "Upphandlingen har överprövats."
        crm.save(update_fields=["state", "state_note"])
    return True


def _day(day) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _author(report, head, secretariat):
    """The head reports for EDO's areas; the secretariat for the rest (demo has one head)."""
    department = report.area.responsible_department
    return head if department and department.code == "EDO" else secretariat


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


def _report(report, author, rng, aspects, n, *, submit: bool, now) -> None:
    """Fill in a report as its head would, through the report's own service."""
    report.refresh_from_db()
    light = report.traffic_light or TrafficLight.GREEN
    fields = {
        "status": report.status or Status.ONGOING,
        "traffic_light": light,
        "traffic_light_reason": (report.traffic_light_reason or DEMO_NOTE + "Resursbrist.")
        if light != TrafficLight.GREEN
        else "",
        "progress": DEMO_NOTE + rng.choice(PROGRESS),
        "next_steps": DEMO_NOTE + "Nästa steg planeras på ledningsrådet.",
        "revised_end_text": report.revised_end_text,
    }
    risks = [
        cycles.RiskData(
            aspect=aspects[code],
            description=DEMO_NOTE + text,
            likelihood=likelihood,
            consequence=consequence,
            mitigation=mitigation,
            owner="Avdelningschef",
            shared_with_unions=bool(n % 2),
        )
        for code, text, likelihood, consequence, mitigation in rng.sample(RISKS, k=1 + n % 3)
    ]
    benefits = [
        cycles.BenefitData(
            b.pk,
            rng.choice(["achieved", "partly", "not_yet"]),
            DEMO_NOTE + "Uppföljning i PULS och verksamhetsdialog.",
        )
        for b in report.benefits.all()
    ]
    cycles.report_save(report=report, user=author, seen_version=report.version, fields=fields,
                       risks=risks, benefits=benefits, submit=submit, now=now)  # fmt: skip


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
