from django.urls import path

from . import views
from .cycle_urls import urlpatterns as cycle_urlpatterns
from .dashboard_urls import urlpatterns as dashboard_urlpatterns

app_name = "followup"
urlpatterns = [
    path("my/", views.my_areas, name="my_areas"),
    path("areas/<str:key>/status/", views.area_status, name="area_status"),
    path("areas/<str:key>/comments/", views.area_comment, name="area_comment"),
    *cycle_urlpatterns,
    *dashboard_urlpatterns,
]
