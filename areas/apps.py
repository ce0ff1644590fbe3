from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "areas"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_functions

        connection_created.connect(register_functions, dispatch_uid="vsplan_search_functions")
