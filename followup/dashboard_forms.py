from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Department, RiskAspect, SupportArea

from .models import FollowUpCycle, Status, TrafficLight


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, as a GET form: the state is the URL."""

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
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=FollowUpCycle.objects.none(),
        to_field_name="year",
        required=False,
        empty_label=_("The open or latest cycle"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("none", _("Not yet reported")), *Status.choices],
    )
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"),
        required=False,
        choices=[("", _("Any traffic light")), *TrafficLight.choices],
    )
    aspect = forms.ModelChoiceField(
        label=_("Risk aspect"),
        queryset=RiskAspect.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All aspects"),
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = FollowUpCycle.objects.filter(plan=plan)
