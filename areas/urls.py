from django.urls import path, re_path

from . import excel_views, opendata, views

app_name = "areas"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("start/", views.start, name="start"),
    path("areas/<str:key>/", views.area_detail, name="area_detail"),
    path("plan/export.xlsx", excel_views.plan_export, name="plan_export"),
    path("plan/import/", excel_views.plan_import, name="plan_import"),
    path("plan/import/<int:pk>/", excel_views.plan_import_review, name="plan_import_review"),
    re_path(r"^data/plan\.(?P<fmt>csv|json)$", opendata.plan_data, name="plan_data"),
    path("plan/revisions/", excel_views.revisions, name="revisions"),
    path("plan/revisions/<int:pk>/", excel_views.revision_detail, name="revision_detail"),
    path(
        "plan/revisions/<int:pk>/export.xlsx",
        excel_views.revision_export,
        name="revision_export",
    ),
]
