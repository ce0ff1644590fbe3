from django import forms
from django.utils.translation import gettext_lazy as _

from areas.forms import department_filter, support_area_filter
from areas.models import RiskAspect
from vsplan.forms import Form

from .forms import status_filter, traffic_light_filter
from .models import FollowUpCycle


class DashboardFilterForm(Form):
    """The dashboard's filters, as a GET form: the state is the URL."""

    support_area = support_area_filter()
    department = department_filter()
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=FollowUpCycle.objects.none(),
        to_field_name="year",
        required=False,
        empty_label=_("The open or latest cycle"),
    )
    status = status_filter()
    traffic_light = traffic_light_filter()
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
