"""What every form of vsplan shares."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Django's own message ("Säkerställ att detta värde har som mest …") reads like a
# system talking; vsplan says what to do, in the user's words.
TOO_LONG = _("Write at most %(limit_value)d characters (this has %(show_value)d).")


class PlainMessages:
    """A form mixin: the too-long message in plain words on every field that has a limit."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                field.error_messages["max_length"] = TOO_LONG


class Form(PlainMessages, forms.Form):
    pass


class ModelForm(PlainMessages, forms.ModelForm):
    pass
