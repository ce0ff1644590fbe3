"""The demo installation: the KTH plan and one user per role, with documented passwords."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from .models import ActionPlan, Department
from .roles import ensure_role_groups

KTH_FIXTURE = "kth_plan"
KTH_REGISTRATION_NUMBER = "V-2022-0218 1.2"
DEMO_PASSWORD = "vsplan-demo"  # noqa: S105 - documented in the README; demo only
HEAD_DEPARTMENT = "EDO"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role_group: str | None = None
    heads: str | None = None
    is_superuser: bool = False
    is_staff: bool = False


DEMO_USERS = [
    DemoUser("head", "Hedda", "Avdelningschef", heads=HEAD_DEPARTMENT),
    DemoUser("secretariat", "Sam", "Sekretariat", role_group="secretariat", is_staff=True),
    DemoUser("council", "Caj", "Ledningsråd", role_group="council"),
    DemoUser("reader", "Rut", "Läsare", role_group="reader"),
    DemoUser("admin", "Ada", "Systemförvaltare", is_superuser=True, is_staff=True),
]


@dataclass
class DemoResult:
    plan_loaded: bool = False
    users_created: list[str] = field(default_factory=list)
    history_created: bool = False

    @property
    def changed(self) -> bool:
        return self.plan_loaded or bool(self.users_created) or self.history_created


def setup_demo_plan() -> DemoResult:
    """Load the KTH plan unless it is there, and create each missing demo user.

    Existing users are left exactly as they are (their passwords included), so a
    second run changes nothing. The follow-up's demo history is added by
    ``followup.demo.setup_demo``, which calls this first.
    """
    result = DemoResult()
    with transaction.atomic():
        if not ActionPlan.objects.filter(registration_number=KTH_REGISTRATION_NUMBER).exists():
            call_command("loaddata", KTH_FIXTURE, verbosity=0)
            result.plan_loaded = True
        ensure_role_groups()
        for demo in DEMO_USERS:
            if User.objects.filter(username=demo.username).exists():
                continue
            user = User(
                username=demo.username,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@example.org",
                is_staff=demo.is_staff,
                is_superuser=demo.is_superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if demo.role_group:
                user.groups.add(AuthGroup.objects.get(name=demo.role_group))
            if demo.heads:
                Department.objects.get(code=demo.heads).heads.add(user)
            result.users_created.append(demo.username)
    return result


def demo_plan() -> ActionPlan:
    return ActionPlan.objects.get(registration_number=KTH_REGISTRATION_NUMBER)
