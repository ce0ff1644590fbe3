"""Forms of the follow-up cycle: the cycle, a report with its risks and benefits, a review,
the goals' assessments and the indicators."""

import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from areas.models import RiskAspect
from vsplan.forms import Form, ModelForm

from .forms import StatusFieldsForm
from .models import (
    TEXT_LIMIT,
    BenefitOutcome,
    FollowUpCycle,
    FollowUpReport,
    GoalAssessment,
    ReportState,
    Risk,
    Status,
    TrafficLight,
)


class ReportTextForm(ModelForm):
    """The report's text, which the secretariat writes for the council."""

    class Meta:
        model = FollowUpCycle
        fields = ["report_summary", "report_assessment", "report_decisions"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}
        help_texts = {
            "report_summary": _("What the follow-up shows, in a few paragraphs."),
            "report_assessment": _("How the programme as a whole is going."),
            "report_decisions": _("What the council is asked to decide, one per paragraph."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = TEXT_LIMIT
            field.widget.attrs["maxlength"] = TEXT_LIMIT
            field.validators.append(MaxLengthValidator(TEXT_LIMIT))


class CycleForm(ModelForm):
    class Meta:
        model = FollowUpCycle
        fields = ["year", "name", "opens_on", "deadline", "reminder_days"]
        labels = {
            "year": _("Year"),
            "name": _("Name"),
            "opens_on": _("Opens"),
            "deadline": _("Deadline"),
            "reminder_days": _("Reminders, days before the deadline"),
        }
        help_texts = {
            "name": _("e.g. Uppföljning 2025"),
            "reminder_days": _("Comma-separated, e.g. 14,3."),
        }
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

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


class ReportForm(StatusFieldsForm):
    """The report's own fields: like a status update, but a draft may leave them empty."""

    status = forms.ChoiceField(
        label=_("Status"),
        # Capitalised as a choice, as on the status form ("Pågående", not "pågående").
        choices=[("", "–"), *((value, capfirst(label)) for value, label in Status.choices)],
        required=False,
    )
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"),
        choices=TrafficLight.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta(StatusFieldsForm.Meta):
        model = FollowUpReport


# A risk's likelihood and consequence, each 1 to 5 (the model keeps the number).
RISK_SCALE = [
    (1, _("Very low")),
    (2, _("Low")),
    (3, _("Medium")),
    (4, _("High")),
    (5, _("Very high")),
]


def risk_scale_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[
            ("", _("– Choose –")),
            *((n, format_lazy("{} {}", n, word)) for n, word in RISK_SCALE),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )


class RiskForm(ModelForm):
    """One risk of a report; a row left empty adds nothing."""

    class Meta:
        model = Risk
        fields = [
            "aspect",
            "description",
            "likelihood",
            "consequence",
            "mitigation",
            "owner",
            "shared_with_unions",
        ]
        labels = {
            "aspect": _("Aspect"),
            "description": _("Risk"),
            "likelihood": _("Likelihood"),
            "consequence": _("Consequence"),
            "mitigation": _("Mitigation"),
            "owner": _("Owner"),
            "shared_with_unions": _("Shared with the employee organisations"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
        }

    aspect = forms.ModelChoiceField(
        label=_("Aspect"), queryset=RiskAspect.objects.all(), required=False
    )
    description = forms.CharField(
        label=_("Risk"),
        max_length=Risk._meta.get_field("description").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    likelihood = risk_scale_field(_("Likelihood"))
    consequence = risk_scale_field(_("Consequence"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("description") and not self.has_error("description"):
            return cleaned  # an empty row is ignored
        for name in ["aspect", "likelihood", "consequence"]:
            if cleaned.get(name) is None and not self.has_error(name):
                self.add_error(name, _("Needed for every risk."))
        return cleaned

    @property
    def is_empty_row(self) -> bool:
        return not self.cleaned_data.get("description")

    @property
    def risk_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


RiskFormSet = forms.formset_factory(
    RiskForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


class BenefitForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "–"), *BenefitOutcome.choices], required=False
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


BenefitFormSet = forms.formset_factory(BenefitForm, extra=0, max_num=50, validate_max=True)


class ReviewForm(Form):
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
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        label=_("Comment to the head (required when returning)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, owner_light: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_light = owner_light

    def clean(self):
        """The review's rules, each message at the field it asks for (the service checks them
        again on saving)."""
        cleaned = super().clean()
        light = cleaned.get("reviewer_light")
        if light and light != self.owner_light and not cleaned.get("reviewer_reason", "").strip():
            self.add_error(
                "reviewer_reason", _("Say why your traffic light differs from the owner's.")
            )
        if cleaned.get("decision") == "return" and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what should be changed when you return a report."))
        return cleaned


class GoalAssessmentForm(ModelForm):
    """One goal's assessment in a cycle; left empty, it removes the assessment."""

    class Meta:
        model = GoalAssessment
        fields = ["assessment"]
        labels = {"assessment": _("Assessment")}
        widgets = {"assessment": forms.Textarea(attrs={"rows": 3})}

    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=GoalAssessment._meta.get_field("assessment").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IndicatorChoiceForm(Form):
    """Which indicator the values form shows (a GET form)."""

    indicator = forms.CharField(label=_("Indicator"), max_length=100, required=False)


class IndicatorNameForm(Form):
    """The indicator whose values are saved (carried in the values form)."""

    name = forms.CharField(label=_("Indicator"), max_length=100)


class IndicatorRowForm(Form):
    """One department's value of an indicator; both left empty, the value is removed."""

    department = forms.ChoiceField(widget=forms.HiddenInput)
    # Written as the language writes it ("68,5" in Swedish; a point is read too): a
    # text field, since a browser's number field may drop a comma it does not expect.
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=7,
        decimal_places=2,
        min_value=-99999,
        max_value=99999,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    respondents = forms.IntegerField(
        label=_("Respondents"), min_value=0, max_value=1_000_000, required=False
    )

    def __init__(self, *args, department_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(code, code) for code in department_codes]

    def clean(self):
        cleaned = super().clean()
        value, respondents = cleaned.get("value"), cleaned.get("respondents")
        if value is None and respondents is not None and not self.has_error("value"):
            self.add_error("value", _("Give the value too, or clear both to remove it."))
        if respondents is None and value is not None and not self.has_error("respondents"):
            self.add_error(
                "respondents", _("Give the number of respondents too, or clear both to remove it.")
            )
        return cleaned

    @property
    def pair(self) -> tuple | None:
        """The value and its respondents, or None for a row left (or made) empty."""
        if self.cleaned_data.get("value") is None:
            return None
        return self.cleaned_data["value"], self.cleaned_data["respondents"]


IndicatorRowFormSet = forms.formset_factory(
    IndicatorRowForm, extra=0, max_num=500, validate_max=True
)


class ReportGridFilterForm(Form):
    """The reporting grid's filters (a GET form): the state lives in the URL."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Every state")), *ReportState.choices]
    )
    support_area = forms.ChoiceField(label=_("Support area"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, support_areas=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_area"].choices = [("", _("All support areas")), *support_areas]
        self.fields["department"].choices = [("", _("All departments")), *departments]


class DeadlineForm(Form):
    deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReopenForm(Form):
    reason = forms.CharField(
        label=_("Why is the cycle opened again?"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
