"""Status of development areas: signed, dated status updates and comments, never overwritten."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from areas.models import PRECISION_CHOICES, DevelopmentArea


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ONGOING = "ongoing", _("ongoing")
    FINISHED = "finished", _("finished")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


# Work that is over: an area in one of these states is never late.
CLOSED_STATUSES = (Status.FINISHED, Status.CANCELLED)


class TrafficLight(models.TextChoices):
    GREEN = "green", pgettext_lazy("traffic light", "green (on track)")
    AMBER = "amber", pgettext_lazy("traffic light", "amber (at risk)")
    RED = "red", pgettext_lazy("traffic light", "red (off track)")


class StatusUpdate(models.Model):
    """A dated, signed statement of where a development area stands. Appended, never edited."""

    area = models.ForeignKey(
        DevelopmentArea,
        verbose_name=_("development area"),
        on_delete=models.PROTECT,
        related_name="status_updates",
    )
    sequence = models.PositiveIntegerField(
        _("number"), help_text=_("1 for the area's first update, then 2, 3, ...")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="status_updates",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    traffic_light = models.CharField(
        _("traffic light"), max_length=10, choices=TrafficLight.choices
    )
    traffic_light_reason = models.TextField(_("reason for the traffic light"), blank=True)
    progress = models.TextField(_("progress"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    revised_end_text = models.CharField(
        _("revised expected end, as written"), max_length=200, blank=True
    )
    revised_end = models.DateField(_("revised expected end"), null=True, blank=True)
    revised_end_precision = models.CharField(
        _("precision of revised end"), max_length=10, choices=PRECISION_CHOICES, blank=True
    )

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["-area_id", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["area", "sequence"], name="status_update_sequence"),
            models.CheckConstraint(
                condition=Q(traffic_light="green") | ~Q(traffic_light_reason=""),
                name="status_update_reason_for_amber_and_red",
            ),
            models.CheckConstraint(
                condition=Q(revised_end__isnull=True) | ~Q(revised_end_precision=""),
                name="status_update_revised_end_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.key} #{self.sequence}: {self.get_status_display()}"


class AreaComment(models.Model):
    """A comment on a development area, by a head of a participating department or an editor."""

    area = models.ForeignKey(
        DevelopmentArea,
        verbose_name=_("development area"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="area_comments",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.area.key}: {self.text[:40]}"
