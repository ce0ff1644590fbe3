from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("start/", views.start, name="start"),
    path("areas/<str:key>/", views.area_detail, name="area_detail"),
]
