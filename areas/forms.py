"""Forms of the plan: its filters, a workbook with a revised plan, and the revision's label."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vsplan.forms import Form

from .models import Department, Group, SupportArea


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.support_area.number} · {obj.name}"


# The filters every page of the plan shares, defined once.


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


class PlanFilterForm(Form):
    """The plan's own filters (``areas.selectors.filter_plan_areas``); the state lives in the
    query string."""

    support_area = support_area_filter()
    group = GroupChoiceField(
        label=_("Group"),
        queryset=Group.objects.select_related("support_area"),
        required=False,
        empty_label=_("All groups"),
    )
    department = department_filter(help_text=_("Responsible or participating."))
    upcoming = forms.ChoiceField(
        label=_("Upcoming"),
        required=False,
        choices=[
            ("", pgettext_lazy("upcoming filter", "All areas")),
            ("yes", _("Only upcoming")),
            ("no", _("Only decided")),
        ],
    )
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)


class PlanUploadForm(Form):
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


class RevisionForm(Form):
    """What the new revision is called; the secretariat enters it when applying."""

    revision = forms.CharField(
        label=_("Revision"),
        max_length=100,
        help_text=_("A label that tells revisions apart, e.g. “Revision 2027”."),
    )
    registration_number = forms.CharField(label=_("Registration number"), max_length=100)
    document_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_by = forms.CharField(label=_("Decided by"), max_length=200, required=False)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
