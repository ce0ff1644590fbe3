from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.forms import TOO_LONG
from followup.models import Status, TrafficLight

from .models import Department, Group, SupportArea

NOT_REPORTED = "none"


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.support_area.number} · {obj.name}"


class PlanFilterForm(forms.Form):
    """The plan page's filters; the state lives in the query string."""

    support_area = forms.ModelChoiceField(
        label=_("Support area"),
        queryset=SupportArea.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All support areas"),
    )
    group = GroupChoiceField(
        label=_("Group"),
        queryset=Group.objects.select_related("support_area"),
        required=False,
        empty_label=_("All groups"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All departments"),
        help_text=_("Responsible or participating."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (NOT_REPORTED, _("Not yet reported")), *Status.choices],
    )
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"),
        required=False,
        choices=[("", _("Any traffic light")), *TrafficLight.choices],
    )
    upcoming = forms.ChoiceField(
        label=_("Upcoming"),
        required=False,
        choices=[
            ("", pgettext_lazy("upcoming filter", "All areas")),
            ("yes", _("Only upcoming")),
            ("no", _("Only decided")),
        ],
    )
    late = forms.BooleanField(label=_("Only late areas"), required=False)
    stale = forms.BooleanField(label=_("No update in 6 months"), required=False)
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        strip=True,
        error_messages=TOO_LONG,
    )
