"""Who someone is in vsplan: the role groups, and the departments a user heads.

This is the core every layer's permission rules build on (``areas.permissions``
for the plan, ``followup.permissions`` for its follow-up):

* **department head**: heads one or more departments (``Department.heads``);
* **secretariat** (group ``secretariat``), and administrators (superusers);
* **council** (group ``council``) and **reader** (group ``reader``), who read.

Answers are cached on the user object, so a page asks the database once per
request however many objects it shows.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.contrib.auth.models import Group as AuthGroup

SECRETARIAT = "secretariat"
COUNCIL = "council"
READER = "reader"
ROLE_GROUPS = [SECRETARIAT, COUNCIL, READER]

User = AbstractBaseUser | AnonymousUser


def is_signed_in(user: User) -> bool:
    """A signed-in, active user: everyone else may see nothing but the login page."""
    return bool(user.is_authenticated and user.is_active)


def _group_names(user: User) -> frozenset[str]:
    if not hasattr(user, "_vsplan_groups"):
        user._vsplan_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._vsplan_groups


def is_secretariat(user: User) -> bool:
    """Secretariat rights: the secretariat group, and administrators."""
    if not is_signed_in(user):
        return False
    return user.is_superuser or SECRETARIAT in _group_names(user)


def is_council(user: User) -> bool:
    return is_signed_in(user) and COUNCIL in _group_names(user)


def headed_department_ids(user: User) -> frozenset[int]:
    """The departments the user heads (empty for anyone else)."""
    if not is_signed_in(user):
        return frozenset()
    if not hasattr(user, "_vsplan_headed"):
        user._vsplan_headed = frozenset(user.headed_departments.values_list("pk", flat=True))
    return user._vsplan_headed


def is_head(user: User) -> bool:
    return bool(headed_department_ids(user))


# What the secretariat may do in the admin: keep the plan (not delete it, which
# would lose history) and read the status history.
SECRETARIAT_PERMISSIONS = [
    ("areas", "actionplan", ["add", "change", "view"]),
    ("areas", "department", ["add", "change", "view"]),
    ("areas", "supportarea", ["change", "view"]),
    ("areas", "group", ["add", "change", "view"]),
    ("areas", "developmentarea", ["add", "change", "view"]),
    ("areas", "externaldependency", ["add", "change", "view"]),
    ("areas", "programmegoal", ["change", "view"]),
    ("areas", "riskaspect", ["view"]),
    ("areas", "planchange", ["view"]),
    ("followup", "statusupdate", ["view"]),
    ("followup", "areacomment", ["view"]),
    ("auth", "user", ["view"]),
    ("vsplan", "accessibilitystatement", ["add", "change", "view"]),
]


def ensure_role_groups() -> list[str]:
    """Create the role groups and give the secretariat its permissions; return what was created."""
    created = []
    for name in ROLE_GROUPS:
        _, was_created = AuthGroup.objects.get_or_create(name=name)
        if was_created:
            created.append(name)
    secretariat = AuthGroup.objects.get(name=SECRETARIAT)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, model, actions in SECRETARIAT_PERMISSIONS
        for action in actions
    ]
    secretariat.permissions.add(*wanted)
    return created
