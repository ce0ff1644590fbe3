"""A token that changes with every write the dashboard reads, so its cache is never stale.

Saves and deletes of the models below change it through signals (in the same
transaction as the write, so a rolled-back write leaves it as it was).

The token is one row, so changing it locks that row until the transaction ends.
Every service that writes (status updates, reports and reviews, cycle steps,
goals, plan revisions, the admin) therefore calls :func:`data_changed` *first*:
all writers take the token before any other row, in the same order, so two of
them can wait for each other but never deadlock. That first call also covers
their writes that send no signals (``QuerySet.update``, bulk operations).
"""

from uuid import uuid4

from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import DataVersion

TOKEN_ROW = 1


def data_changed() -> None:
    """Give the data a new token (one UPDATE; the row is created the first time)."""
    token = uuid4().hex
    if not DataVersion.objects.filter(pk=TOKEN_ROW).update(token=token):
        DataVersion.objects.update_or_create(pk=TOKEN_ROW, defaults={"token": token})


def data_token() -> str:
    """The current token (one query)."""
    return DataVersion.objects.filter(pk=TOKEN_ROW).values_list("token", flat=True).first() or ""


def _changed(sender, **kwargs) -> None:
    data_changed()


def watch() -> None:
    """Connect the signals of every model the dashboard reads (called once, at start-up)."""
    from areas.models import (
        ActionPlan,
        Department,
        DevelopmentArea,
        ExternalDependency,
        Group,
        ProgrammeGoal,
        RiskAspect,
        SupportArea,
    )

    from .models import (
        Benefit,
        FollowUpCycle,
        FollowUpReport,
        GoalAssessment,
        IndicatorValue,
        Risk,
        StatusUpdate,
    )

    models = [ActionPlan, Department, DevelopmentArea, ExternalDependency, Group, ProgrammeGoal,
              RiskAspect, SupportArea, Benefit, FollowUpCycle, FollowUpReport, GoalAssessment,
              IndicatorValue, Risk, StatusUpdate]  # fmt: skip
    for model in models:
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"data-version-save-{model.__name__}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"data-version-delete-{model.__name__}"
        )
    for relation in (
        DevelopmentArea.participating_departments,
        DevelopmentArea.depends_on,
        DevelopmentArea.external_dependencies,
        SupportArea.responsible_departments,
    ):
        m2m_changed.connect(
            _changed, sender=relation.through, dispatch_uid=f"data-version-m2m-{relation.through}"
        )
