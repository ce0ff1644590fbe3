"""Forms of the status of areas: the status update, a comment, and the plan page's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.forms import PlanFilterForm
from areas.plandates import read_planned_period
from vsplan.forms import ModelForm

from .models import (
    LIGHTS_WITH_REASON,
    AreaComment,
    Status,
    StatusFields,
    StatusUpdate,
    TrafficLight,
)
from .summary import NOT_REPORTED


class StatusFieldsForm(ModelForm):
    """The fields a status update and a report share (``StatusFields``), and the version of
    the area or report the form was opened at: the no-lost-updates check."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        fields = StatusFields.WRITTEN
        labels = {
            "status": _("Status"),
            "traffic_light": _("Traffic light"),
            "traffic_light_reason": _("Reason for amber or red"),
            "progress": _("Progress"),
            "next_steps": _("Next steps"),
            "revised_end_text": _("Revised expected end"),
        }
        help_texts = {
            "progress": _("What has been done since the last update."),
            "revised_end_text": _(
                "Only if the end has moved, written as in the plan: HT24, maj 2025, 2025-06-30."
            ),
        }
        widgets = {
            "traffic_light": forms.RadioSelect,
            "traffic_light_reason": forms.Textarea(attrs={"rows": 2}),
            "progress": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_revised_end_text(self) -> str:
        text = self.cleaned_data["revised_end_text"]
        if text and read_planned_period(text).end is None:
            raise forms.ValidationError(
                _(
                    "No end date could be read from “%(text)s”. "
                    "Write it like HT24, maj 2025 or 2025-06-30."
                ),
                params={"text": text},
            )
        return text

    def clean(self):
        cleaned = super().clean()
        light, reason = cleaned.get("traffic_light"), cleaned.get("traffic_light_reason")
        if light in LIGHTS_WITH_REASON and not reason:
            self.add_error("traffic_light_reason", _("Say why the traffic light is amber or red."))
        return cleaned

    def validate_constraints(self) -> None:
        """Not asked of the database here: ``clean`` checks the reason rule (with its message
        at the field), and the database enforces the constraints on saving anyway, so
        asking it first would cost a query per save."""

    @property
    def version_is_tampered(self) -> bool:
        """A version that is not a whole number never came from our own form."""
        return self.is_bound and "version" in self.errors

    @property
    def status_fields(self) -> dict:
        """The cleaned status fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StatusUpdateForm(StatusFieldsForm):
    """A department head's statement of where an area stands."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"), choices=TrafficLight.choices, widget=forms.RadioSelect
    )

    class Meta(StatusFieldsForm.Meta):
        model = StatusUpdate


class CommentForm(ModelForm):
    class Meta:
        model = AreaComment
        fields = ["text"]
        labels = {"text": _("Comment")}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


# -- the plan page's filters: the plan's own, and its status -------------------------


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


class PlanPageFilterForm(PlanFilterForm):
    """The plan page's filters: the plan's own and the areas' latest status."""

    status = status_filter()
    traffic_light = traffic_light_filter()
    late = forms.BooleanField(label=_("Only late areas"), required=False)
    stale = forms.BooleanField(label=_("No update in 6 months"), required=False)

    field_order = [
        "support_area",
        "group",
        "department",
        "status",
        "traffic_light",
        "upcoming",
        "late",
        "stale",
        "q",
    ]
