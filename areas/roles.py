"""The role groups and the permissions that let the secretariat keep the plan in the admin."""

from django.contrib.auth.models import Group, Permission

from .permissions import ROLE_GROUPS, SECRETARIAT

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
]


def ensure_role_groups() -> list[str]:
    """Create the role groups and give the secretariat its permissions; return what was created."""
    created = []
    for name in ROLE_GROUPS:
        _, was_created = Group.objects.get_or_create(name=name)
        if was_created:
            created.append(name)
    secretariat = Group.objects.get(name=SECRETARIAT)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, model, actions in SECRETARIAT_PERMISSIONS
        for action in actions
    ]
    secretariat.permissions.add(*wanted)
    return created
