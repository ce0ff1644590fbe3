from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.forms import TOO_LONG
from followup.models import Status, TrafficLight

from .models import Department, Group, SupportArea

NOT_REPORTED = "none"


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.support_area.number} · {obj.name}"


# The filters the plan page and the dashboard share, defined once.


def support_area_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Support area"),
        queryset=SupportArea.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All support areas"),
    )


def department_filter(**extra) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All departments"),
        **extra,
    )


def status_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (NOT_REPORTED, _("Not yet reported")), *Status.choices],
    )


def traffic_light_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Traffic light"),
        required=False,
        choices=[("", _("Any traffic light")), *TrafficLight.choices],
    )


class PlanFilterForm(forms.Form):
    """The plan page's filters; the state lives in the query string."""

    support_area = support_area_filter()
    group = GroupChoiceField(
        label=_("Group"),
        queryset=Group.objects.select_related("support_area"),
        required=False,
        empty_label=_("All groups"),
    )
    department = department_filter(help_text=_("Responsible or participating."))
    status = status_filter()
    traffic_light = traffic_light_filter()
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


class PlanUploadForm(forms.Form):
    """A workbook with a revised plan, in the layout of vsplan's export."""

    workbook = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("Export the plan, edit the support areas' sheets, and upload the file here."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        limit = settings.VSPLAN_IMPORT_MAX_BYTES
        if workbook.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB; vsplan reads workbooks up to that size."),
                params={"limit": limit // (1024 * 1024)},
            )
        return workbook


class RevisionForm(forms.Form):
    """What the new revision is called; the secretariat enters it when applying."""

    revision = forms.CharField(
        label=_("Revision"),
        max_length=100,
        error_messages=TOO_LONG,
        help_text=_("A label that tells revisions apart, e.g. “Revision 2027”."),
    )
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=100, error_messages=TOO_LONG
    )
    document_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_by = forms.CharField(
        label=_("Decided by"), max_length=200, required=False, error_messages=TOO_LONG
    )
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
