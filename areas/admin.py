"""Admin for the plan, so the secretariat can correct it.

Labels come from the models' translated verbose names (Swedish by default).
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    Group,
    PlanChange,
    PlanImport,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)
from .services import plan_change_record, plan_deletion_record

admin.site.site_header = _("vsplan administration")
admin.site.site_title = _("vsplan administration")
admin.site.index_title = _("The action plan and its users")


class AuditedAdmin(admin.ModelAdmin):
    """Records every changed field (who, when, old and new value), and every deletion, as a
    PlanChange."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        before = type(obj).objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        # Many-to-many fields are saved after this (save_related), so `before`
        # still reads their old values here.
        plan_change_record(
            user=request.user,
            before=before,
            after=obj,
            changed_fields=form.changed_data,
            new_values=form.cleaned_data,
        )

    def delete_model(self, request: HttpRequest, obj) -> None:
        plan_deletion_record(user=request.user, deleted=[obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        plan_deletion_record(user=request.user, deleted=list(queryset))
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is never edited or deleted, not even by an administrator."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "changed_by", "object_repr", "field", "old_value", "new_value"]
    list_filter = ["model", "field"]
    search_fields = ["object_repr", "field", "old_value", "new_value"]
    list_select_related = ["changed_by"]


@admin.register(PlanImport)
class PlanImportAdmin(ReadOnlyAdmin):
    """Uploaded workbooks, as read; they are reviewed and applied at /plan/import/."""

    list_display = ["uploaded_at", "uploaded_by", "filename", "plan", "applied_as"]
    search_fields = ["filename", "uploaded_by__username"]
    list_select_related = ["uploaded_by", "plan", "applied_as"]
    exclude = ["rows", "start"]


@admin.register(ActionPlan)
class ActionPlanAdmin(AuditedAdmin):
    """A revision's own facts may be corrected; which revision is current changes only by
    applying a revised plan (Import a revised plan), never by hand."""

    list_display = ["title", "registration_number", "revision", "document_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["title", "registration_number", "revision"]
    readonly_fields = ["is_current", "previous"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The first plan starts here (or from a fixture); every later one is a revision.
        return super().has_add_permission(request) and not ActionPlan.objects.exists()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not obj.is_current:
            return False  # a superseded revision is the record
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ActionPlan, form, change: bool) -> None:
        if not change:
            obj.is_current = True  # the first plan (see has_add_permission)
        super().save_model(request, obj, form, change)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name_sv", "name_en", "kind", "name_confirmed", "parent"]
    list_filter = ["kind", "name_confirmed"]
    search_fields = ["code", "name_sv", "name_en", "aliases"]
    filter_horizontal = ["heads"]


@admin.register(SupportArea)
class SupportAreaAdmin(AuditedAdmin):
    list_display = ["number", "name_sv", "name_en", "code"]
    search_fields = ["name_sv", "name_en", "code"]
    filter_horizontal = ["responsible_departments"]


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ["name", "support_area", "order"]
    list_filter = ["support_area"]
    search_fields = ["name"]


@admin.register(ExternalDependency)
class ExternalDependencyAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "state"]
    list_filter = ["kind", "state"]
    list_editable = ["state"]
    search_fields = ["name", "code", "description"]


@admin.register(DevelopmentArea)
class DevelopmentAreaAdmin(AuditedAdmin):
    list_display = [
        "key",
        "title",
        "support_area",
        "group",
        "responsible_department",
        "planned_text",
        "planned_start",
        "planned_end",
        "planned_note",
    ]
    list_filter = [
        "plan",
        "support_area",
        "responsible_department",
        "upcoming",
        "planned_note",
        "planned_end_precision",
    ]
    search_fields = [
        "key",
        "title",
        "why",
        "desired_effect",
        "participating_text",
        "dependencies_text",
        "planned_text",
    ]
    list_select_related = ["support_area", "group", "responsible_department"]
    filter_horizontal = ["participating_departments", "depends_on", "external_dependencies"]
    readonly_fields = [
        "planned_start",
        "planned_start_precision",
        "planned_end",
        "planned_end_precision",
        "planned_note",
    ]
    fieldsets = [
        (None, {"fields": ["plan", "key", "support_area", "group", "order", "upcoming"]}),
        (_("The plan's cells"), {"fields": ["title", "why", "desired_effect", "footnote"]}),
        (_("Departments"), {
            "fields": ["responsible_department", "participating_text", "participating_departments"]
        }),
        (_("Dependencies"), {
            "fields": ["dependencies_text", "depends_on", "external_dependencies"]
        }),
        (_("Planned start/end"), {
            "description": _("The dates are read from the text when the area is saved."),
            "fields": ["planned_text", *readonly_fields],
        }),
        (_("Form of work"), {"fields": ["form_of_work"]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # An area stays in its revision: it moves only when a revised plan is applied.
        return [*self.readonly_fields, "plan"] if obj is not None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not obj.is_changeable:
            return False  # an area of a superseded revision is the record: read-only
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "plan":
            kwargs["queryset"] = ActionPlan.objects.filter(is_current=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: DevelopmentArea, form, change: bool) -> None:
        obj.read_planned_text()
        super().save_model(request, obj, form, change)


@admin.register(ProgrammeGoal)
class ProgrammeGoalAdmin(AuditedAdmin):
    list_display = ["order", "title"]
    search_fields = ["title", "definition", "follow_up"]


@admin.register(RiskAspect)
class RiskAspectAdmin(AuditedAdmin):
    list_display = ["order", "name_sv", "name_en", "code"]
    search_fields = ["name_sv", "name_en", "code"]
