from django.urls import path

from . import cycle_views as views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/<int:year>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:year>/open/", views.cycle_open, name="cycle_open"),
    path("cycles/<int:year>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<int:year>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycles/<int:year>/reopen/", views.cycle_reopen, name="cycle_reopen"),
    path("cycles/<int:year>/delete/", views.cycle_delete, name="cycle_delete"),
    path("cycles/<int:year>/deadline/", views.cycle_deadline, name="cycle_deadline"),
    path("cycles/<int:year>/report-text/", views.cycle_report_text, name="cycle_report_text"),
    path("cycles/<int:year>/remind/", views.cycle_remind, name="cycle_remind"),
    path(
        "cycles/<int:year>/remind/<int:user_id>/",
        views.cycle_remind_one,
        name="cycle_remind_one",
    ),
    path("cycles/<int:year>/goals/", views.cycle_goals, name="cycle_goals"),
    path("cycles/<int:year>/pdf/", views.cycle_pdf, name="cycle_pdf"),
    path("cycles/<int:year>/pdf/<int:pk>/", views.pdf_status, name="pdf_status"),
    path("cycles/<int:year>/pdf/<int:pk>/download/", views.pdf_download, name="pdf_download"),
    path("cycles/<int:year>/reports/<str:key>/", views.report_detail, name="report_detail"),
    path("cycles/<int:year>/reports/<str:key>/review/", views.report_review, name="report_review"),
    path(
        "cycles/<int:year>/reports/<str:key>/history/",
        views.report_history,
        name="report_history",
    ),
]
