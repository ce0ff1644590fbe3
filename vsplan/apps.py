from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VsplanConfig(AppConfig):
    name = "vsplan"
    verbose_name = "vsplan"

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's empty choice ("- Select an option -") has no Swedish translation in
        # Django itself, so every select of vsplan would speak English in the Swedish
        # interface. Django documents overriding it from an app's ready().
        fields.BLANK_CHOICE_LABEL = _("– Choose –")
