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
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)

admin.site.site_header = _("vsplan administration")
admin.site.site_title = _("vsplan administration")
admin.site.index_title = _("The action plan and its users")


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "registration_number", "revision", "document_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["title", "registration_number", "revision"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_sv", "name_en", "kind", "name_confirmed", "parent"]
    list_filter = ["kind", "name_confirmed"]
    search_fields = ["code", "name_sv", "name_en", "aliases"]
    filter_horizontal = ["heads"]


@admin.register(SupportArea)
class SupportAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name_sv", "name_en", "code"]
    search_fields = ["name_sv", "name_en", "code"]
    filter_horizontal = ["responsible_departments"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "support_area", "order"]
    list_filter = ["support_area"]
    search_fields = ["name"]


@admin.register(ExternalDependency)
class ExternalDependencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "description"]


@admin.register(DevelopmentArea)
class DevelopmentAreaAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "title",
        "support_area",
        "group",
        "planned_text",
        "planned_start",
        "planned_end",
        "planned_note",
    ]
    list_filter = ["plan", "support_area", "upcoming", "planned_note", "planned_end_precision"]
    search_fields = [
        "key",
        "title",
        "why",
        "desired_effect",
        "participating_text",
        "dependencies_text",
        "planned_text",
    ]
    list_select_related = ["support_area", "group"]
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
        (_("Participating departments"), {
            "fields": ["participating_text", "participating_departments"]
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

    def save_model(self, request: HttpRequest, obj: DevelopmentArea, form, change: bool) -> None:
        obj.read_planned_text()
        super().save_model(request, obj, form, change)


@admin.register(ProgrammeGoal)
class ProgrammeGoalAdmin(admin.ModelAdmin):
    list_display = ["order", "title"]
    search_fields = ["title", "definition", "follow_up"]


@admin.register(RiskAspect)
class RiskAspectAdmin(admin.ModelAdmin):
    list_display = ["order", "name_sv", "name_en", "code"]
    search_fields = ["name_sv", "name_en", "code"]
