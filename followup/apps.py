from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .data_generation import install_triggers

        # Not business logic: after every migrate, every table gets its trigger.
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="data-generation")
