from django.urls import path

from . import dashboard_views as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/areas/", views.dashboard_areas, name="dashboard_areas"),
    path("dashboard/risks/", views.dashboard_risks, name="dashboard_risks"),
]
