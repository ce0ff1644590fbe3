from django.urls import path, re_path

from . import audit_views, cycle_views, opendata, plan_views, views, workbook_views
from .cycle_urls import urlpatterns as cycle_urlpatterns
from .dashboard_urls import urlpatterns as dashboard_urlpatterns

app_name = "followup"
urlpatterns = [
    path("", plan_views.plan, name="plan"),
    path("start/", plan_views.start, name="start"),
    path("areas/<str:key>/", plan_views.area_detail, name="area_detail"),
    path("my/", views.my_areas, name="my_areas"),
    path("pdf/", cycle_views.pdf_ask, name="pdf_ask"),
    path("areas/<str:key>/status/", views.area_status, name="area_status"),
    path("areas/<str:key>/comments/", views.area_comment, name="area_comment"),
    path("plan/export.xlsx", workbook_views.plan_export, name="plan_export"),
    path("plan/import/", workbook_views.plan_import, name="plan_import"),
    path("plan/start/", workbook_views.plan_start_page, name="plan_start"),
    path("plan/start/empty.xlsx", workbook_views.plan_start_workbook, name="plan_start_workbook"),
    path("plan/import/<int:pk>/", workbook_views.plan_import_review, name="plan_import_review"),
    path("plan/revisions/", workbook_views.revisions, name="revisions"),
    path("plan/revisions/<int:pk>/", workbook_views.revision_detail, name="revision_detail"),
    path(
        "plan/revisions/<int:pk>/export.xlsx",
        workbook_views.revision_export,
        name="revision_export",
    ),
    re_path(r"^data/status\.(?P<fmt>csv|json)$", opendata.status_data, name="status_data"),
    path("audit/", audit_views.audit, name="audit"),
    path("public/", opendata.public_plan, name="public_plan"),
    path("public/cycles/<int:year>/", opendata.public_cycle, name="public_cycle"),
    *cycle_urlpatterns,
    *dashboard_urlpatterns,
]
