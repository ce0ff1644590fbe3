"""Forms of the follow-up cycle: the cycle, a report with its risks and benefits, a review."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Department, RiskAspect

from .forms import TEXT_LIMIT, TOO_LONG, StatusUpdateForm
from .models import BenefitOutcome, Status, TrafficLight


class CycleForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages=TOO_LONG,
        help_text=_("e.g. Uppföljning 2025"),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reminder_days = forms.CharField(
        label=_("Reminders, days before the deadline"),
        initial="14,3",
        max_length=50,
        error_messages=TOO_LONG,
        help_text=_("Comma-separated, e.g. 14,3."),
    )

    def clean_reminder_days(self) -> str:
        value = self.cleaned_data["reminder_days"].replace(" ", "")
        if not re.fullmatch(r"\d{1,3}(,\d{1,3})*", value):
            raise forms.ValidationError(
                _("Write whole numbers of days separated by commas, e.g. 14,3.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("opens_on")
            and cleaned.get("deadline")
            and cleaned["opens_on"] > cleaned["deadline"]
        ):
            self.add_error("deadline", _("The deadline must not be before the opening date."))
        return cleaned


class ReportForm(StatusUpdateForm):
    """The report's own fields: like a status update, but a draft may leave them empty."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "–"), *Status.choices], required=False
    )
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"),
        choices=TrafficLight.choices,
        widget=forms.RadioSelect,
        required=False,
    )


class RiskForm(forms.Form):
    aspect = forms.ModelChoiceField(
        label=_("Aspect"), queryset=RiskAspect.objects.all(), required=False
    )
    description = forms.CharField(
        label=_("Risk"),
        max_length=TEXT_LIMIT,
        required=False,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    likelihood = forms.IntegerField(
        label=_("Likelihood (1–5)"), min_value=1, max_value=5, required=False
    )
    consequence = forms.IntegerField(
        label=_("Consequence (1–5)"), min_value=1, max_value=5, required=False
    )
    mitigation = forms.CharField(
        label=_("Mitigation"),
        max_length=TEXT_LIMIT,
        required=False,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.CharField(
        label=_("Owner"), max_length=200, required=False, error_messages=TOO_LONG
    )
    shared_with_unions = forms.BooleanField(
        label=_("Shared with the employee organisations"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("description") and not self.has_error("description"):
            return cleaned  # an empty row is ignored
        for name in ["aspect", "likelihood", "consequence"]:
            if cleaned.get(name) is None and not self.has_error(name):
                self.add_error(name, _("Needed for every risk."))
        return cleaned


RiskFormSet = forms.formset_factory(
    RiskForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


class BenefitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "–"), *BenefitOutcome.choices], required=False
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=TEXT_LIMIT,
        required=False,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


BenefitFormSet = forms.formset_factory(BenefitForm, extra=0, max_num=50, validate_max=True)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("return", _("Return to the head"))],
    )
    reviewer_light = forms.ChoiceField(
        label=_("Your traffic light"), choices=TrafficLight.choices, widget=forms.RadioSelect
    )
    reviewer_reason = forms.CharField(
        label=_("Reason, if it differs from the owner's"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        label=_("Comment to the head (required when returning)"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GoalAssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=TEXT_LIMIT,
        required=False,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(
        label=_("Indicator"), max_length=100, initial="PULS", error_messages=TOO_LONG
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), to_field_name="code"
    )
    value = forms.DecimalField(
        label=_("Value"), max_digits=7, decimal_places=2, min_value=-99999, max_value=99999
    )
    respondents = forms.IntegerField(label=_("Respondents"), min_value=0, max_value=1_000_000)
