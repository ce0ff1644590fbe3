from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from areas.forms import department_filter, support_area_filter
from areas.models import DevelopmentArea, ExternalDependency, RiskAspect, SupportArea
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

    # The dependency graph's focus (a support area, an external dependency or an area;
    # followup.dashboard.focus_choices); offered in the graph's own form.
    focus = forms.CharField(
        label=_("Show"),
        required=False,
        max_length=60,
        validators=[
            RegexValidator(
                r"^(sa|x|a):[\w.-]{1,50}$",
                _("Choose a support area, an external dependency or a development area."),
            )
        ],
    )
    # The graph's form shows this one; the filter form above the panels the others.
    GRAPH_FIELDS = ("focus",)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["cycle"].queryset = FollowUpCycle.objects.filter(plan=plan)

    def clean_focus(self) -> str:
        """A focus on something this plan has (the graph then shows it)."""
        focus = self.cleaned_data["focus"]
        if not focus:
            return focus
        kind, _sep, value = focus.partition(":")
        if kind == "sa":
            exists = SupportArea.objects.filter(code=value).exists()
        elif kind == "x":
            exists = ExternalDependency.objects.filter(code=value).exists()
        else:
            exists = DevelopmentArea.objects.filter(plan=self.plan, key=value).exists()
        if not exists:
            raise forms.ValidationError(
                _("There is no such support area, external dependency or development area.")
            )
        return focus

    def filter_fields(self):
        return [field for field in self if field.name not in self.GRAPH_FIELDS]


# The lists behind the dashboard's figures (followup.summary.SHOWS), with their headings.
SHOW_CHOICES = [
    ("all", _("Development areas")),
    # Named as the figures that open them name them ("10 red" opens "Red areas").
    ("red", _("Red areas")),
    ("amber", _("Amber areas")),
    ("green", _("Green areas")),
    ("no_light", _("Areas without a traffic light")),
    ("late", _("Late areas")),
    ("held_up", _("Held up by a dependency")),
    ("stale", _("No update in 6 months")),
    ("not_reported", _("Not yet reported")),
    ("handed_in", _("Report handed in")),
    ("not_handed_in", _("Report not handed in")),
    ("disagree", _("Reviewer and owner disagree")),
]


class DashboardListForm(DashboardFilterForm):
    """A list behind one of the dashboard's figures, with the dashboard's filters."""

    show = forms.ChoiceField(label=_("List"), choices=SHOW_CHOICES, required=False)

    def clean_show(self) -> str:
        return self.cleaned_data["show"] or "all"  # no list named: every area
