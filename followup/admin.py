from django.contrib import admin

from areas.admin import ReadOnlyAdmin

from .models import AreaComment, StatusUpdate


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ["area", "sequence", "created_at", "author", "status", "traffic_light"]
    list_filter = ["status", "traffic_light", "area__support_area"]
    search_fields = ["area__key", "area__title", "progress", "next_steps", "traffic_light_reason"]
    list_select_related = ["area", "author"]


@admin.register(AreaComment)
class AreaCommentAdmin(ReadOnlyAdmin):
    list_display = ["area", "created_at", "author", "text"]
    search_fields = ["area__key", "text"]
    list_select_related = ["area", "author"]
