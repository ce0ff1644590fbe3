"""Changes to the plan: each leaves a trace."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext as _

from .excel import ReadResult
from .models import ActionPlan, DevelopmentArea, PlanChange, PlanImport
from .starter import StartData


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def plan_change_record(
    *,
    user: AbstractBaseUser,
    before: models.Model | None,
    after: models.Model,
    changed_fields: list[str],
    new_values: dict[str, object],
) -> list[PlanChange]:
    """Record who changed which field of a plan object, from what to what.

    ``before`` is the object as stored before the change (None when it is new);
    ``new_values`` holds the submitted values (many-to-many fields as querysets).
    """
    changes = []
    for name in changed_fields:
        field = after._meta.get_field(name)
        if before is None:
            old = ""
        elif field.many_to_many:
            old = _as_text(list(getattr(before, name).all()))
        else:
            old = _as_text(getattr(before, name))
        new = _as_text(new_values.get(name, getattr(after, name, "")))
        if old == new:
            continue
        changes.append(
            PlanChange(
                changed_by=user,
                model=after._meta.model_name,
                object_id=str(after.pk),
                object_repr=str(after)[:300],
                area=after if isinstance(after, DevelopmentArea) else None,
                field=str(field.verbose_name),
                old_value=old,
                new_value=new,
            )
        )
    PlanChange.objects.bulk_create(changes)
    return changes


def plan_import_create(
    *,
    user: AbstractBaseUser,
    plan: ActionPlan | None,
    filename: str,
    result: ReadResult,
    start: StartData | None = None,
) -> PlanImport:
    """Keep a workbook's rows, as read, until the secretariat has reviewed and applied them
    (``plan`` None and ``start`` given: a workbook that starts the plan)."""
    return PlanImport.objects.create(
        uploaded_by=user,
        filename=filename.replace("\x00", "")[:255],
        plan=plan,
        start=start.as_dict() if start is not None else None,
        rows=result.rows,
        errors=[m.as_dict() for m in result.errors],
        warnings=[m.as_dict() for m in result.warnings],
    )


def plan_deletion_record(*, user: AbstractBaseUser, deleted: list[models.Model]) -> None:
    """Record who deleted what (in the admin), with what it was called."""
    PlanChange.objects.bulk_create(
        PlanChange(
            changed_by=user,
            model=obj._meta.model_name,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            area=obj if isinstance(obj, DevelopmentArea) else None,
            field=str(_("deleted")),
            old_value=str(obj),
            new_value="",
        )
        for obj in deleted
    )
