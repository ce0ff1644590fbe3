from django.urls import path, re_path

from . import opendata, views
from .cycle_urls import urlpatterns as cycle_urlpatterns
from .dashboard_urls import urlpatterns as dashboard_urlpatterns

app_name = "followup"
urlpatterns = [
    path("my/", views.my_areas, name="my_areas"),
    path("areas/<str:key>/status/", views.area_status, name="area_status"),
    path("areas/<str:key>/comments/", views.area_comment, name="area_comment"),
    re_path(r"^data/status\.(?P<fmt>csv|json)$", opendata.status_data, name="status_data"),
    path("public/", opendata.public_plan, name="public_plan"),
    path("public/cycles/<int:year>/", opendata.public_cycle, name="public_cycle"),
    *cycle_urlpatterns,
    *dashboard_urlpatterns,
]
