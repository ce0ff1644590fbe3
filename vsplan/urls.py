from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from .health import health
from .site_pages import accessibility, favicon

urlpatterns = [
    path("", include("areas.urls")),
    path("", include("followup.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("accessibility/", accessibility, name="accessibility"),
    path("favicon.ico", favicon, name="favicon"),
]

if settings.VSPLAN_OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler400 = "vsplan.errors.bad_request"
handler500 = "vsplan.errors.server_error"
