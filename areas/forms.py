from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, SupportArea


class PlanFilterForm(forms.Form):
    """The plan page's filters; the state lives in the query string."""

    support_area = forms.ModelChoiceField(
        label=_("Support area"),
        queryset=SupportArea.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All support areas"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All departments"),
    )
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
