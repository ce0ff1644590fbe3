from django.urls import re_path

from . import opendata

app_name = "areas"
urlpatterns = [
    re_path(r"^data/plan\.(?P<fmt>csv|json)$", opendata.plan_data, name="plan_data"),
]
