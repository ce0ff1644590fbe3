from django import forms
from django.utils.translation import gettext_lazy as _

from areas.plandates import read_planned_period

from .models import Status, TrafficLight

TEXT_LIMIT = 5000

# Django's own Swedish catalogue lacks this message, so vsplan says it itself.
TOO_LONG = {"max_length": _("Write at most %(limit_value)d characters (this has %(show_value)d).")}


class StatusUpdateForm(forms.Form):
    """A department head's statement of where an area stands."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"), choices=TrafficLight.choices, widget=forms.RadioSelect
    )
    traffic_light_reason = forms.CharField(
        label=_("Reason for amber or red"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    progress = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What has been done since the last update."),
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revised_end_text = forms.CharField(
        label=_("Revised expected end"),
        required=False,
        max_length=200,
        error_messages=TOO_LONG,
        help_text=_(
            "Only if the end has moved, written as in the plan: HT24, maj 2025, 2025-06-30."
        ),
    )
    # The area's status_version when the form was opened: the no-lost-updates check.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

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
        if light in (TrafficLight.AMBER, TrafficLight.RED) and not reason:
            self.add_error("traffic_light_reason", _("Say why the traffic light is amber or red."))
        return cleaned

    @property
    def version_is_tampered(self) -> bool:
        """A version that is not a whole number never came from our own form."""
        return self.is_bound and "version" in self.errors


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_LIMIT,
        error_messages=TOO_LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
