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

# An area not updated for this long is flagged on the dashboard and the plan.
STALE_MONTHS = 6


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
    is_demo = models.BooleanField(_("demo data"), default=False)

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


class FollowUpCycle(models.Model):
    """The yearly follow-up round ("Uppföljning 2024"): draft → open → closed → published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")

    plan = models.ForeignKey(
        "areas.ActionPlan",
        verbose_name=_("action plan"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opens"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    reminder_days = models.CharField(
        _("reminders, days before the deadline"),
        max_length=50,
        default="14,3",
        help_text=_("Comma-separated, e.g. 14,3."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up cycle")
        verbose_name_plural = _("follow-up cycles")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="cycle_one_per_year"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("deadline")), name="cycle_opens_before_deadline"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.state in (self.State.CLOSED, self.State.PUBLISHED)

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}, reverse=True)


class ReportState(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class BenefitOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT_YET = "not_yet", _("not yet")
    NOT_ACHIEVED = "not_achieved", _("not achieved")


class FollowUpReport(models.Model):
    """One area's report in one cycle, by its responsible head, reviewed by the secretariat."""

    cycle = models.ForeignKey(
        FollowUpCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        DevelopmentArea,
        verbose_name=_("development area"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    traffic_light = models.CharField(
        _("traffic light"), max_length=10, choices=TrafficLight.choices, blank=True
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
    reviewer_light = models.CharField(
        _("reviewer's traffic light"), max_length=10, choices=TrafficLight.choices, blank=True
    )
    reviewer_reason = models.TextField(_("reason for the reviewer's traffic light"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The area as it was when the cycle closed, so later edits never change it.
    frozen_area = models.JSONField(_("area when closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["area__support_area__order", "area__order"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "area"], name="report_one_per_area_and_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} – {self.area.key}"

    @property
    def area_key(self) -> str:
        return self.frozen_area["key"] if self.frozen_area else self.area.key

    @property
    def area_title(self) -> str:
        return self.frozen_area["title"] if self.frozen_area else self.area.title


class Risk(models.Model):
    """A risk of a development area in one report, in one of the four aspects of section 2.8."""

    report = models.ForeignKey(
        FollowUpReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="risks"
    )
    aspect = models.ForeignKey(
        "areas.RiskAspect", verbose_name=_("aspect"), on_delete=models.PROTECT, related_name="risks"
    )
    description = models.TextField(_("risk"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"))
    consequence = models.PositiveSmallIntegerField(_("consequence (1–5)"))
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    shared_with_unions = models.BooleanField(
        _("shared with the employee organisations"), default=False
    )

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(consequence__gte=1, consequence__lte=5), name="risk_consequence_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


class Benefit(models.Model):
    """Benefits realisation: one desired effect of a finished area and whether it was achieved."""

    report = models.ForeignKey(
        FollowUpReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="benefits"
    )
    effect = models.TextField(_("desired effect"))
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=BenefitOutcome.choices, blank=True
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.effect[:60]


class ReminderLog(models.Model):
    """One reminder e-mail: to whom, for which step of which cycle, about which reports."""

    cycle = models.ForeignKey(
        FollowUpCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="reminders"
    )
    days_before = models.SmallIntegerField(_("days before the deadline"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    reports = models.ManyToManyField(FollowUpReport, verbose_name=_("reports"), related_name="+")

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "days_before", "recipient"], name="reminder_once_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.days_before} → {self.recipient}"


class GoalAssessment(models.Model):
    cycle = models.ForeignKey(
        FollowUpCycle,
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        related_name="goal_assessments",
    )
    goal = models.ForeignKey(
        "areas.ProgrammeGoal",
        verbose_name=_("goal"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessment = models.TextField(_("assessment"))

    class Meta:
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "goal"], name="goal_assessment_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.goal}"


class IndicatorValue(models.Model):
    """An indicator such as a PULS index, per department and cycle, with its respondent count."""

    cycle = models.ForeignKey(
        FollowUpCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=100)
    department = models.ForeignKey(
        "areas.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    respondents = models.PositiveIntegerField(_("respondents"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["name", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "name", "department"], name="indicator_once_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.name} {self.department_id}"


class GeneratedReport(models.Model):
    """A follow-up report PDF rendered in the background and kept, with its checksum."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    cycle = models.ForeignKey(
        FollowUpCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="pdfs"
    )
    scope = models.CharField(_("report for"), max_length=20)
    code = models.CharField(_("support area or department"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("PDF"), blank=True, editable=False)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "scope", "code", "language"], name="one_stored_report_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.cycle} {self.scope} {self.code} {self.language}"


class DataVersion(models.Model):
    """One row whose token changes with every write the dashboard reads (followup.versioning).

    The dashboard caches its panels under the token, so a cached panel is never
    older than the data. A random token, not a counter: a restored backup or a
    rolled-back transaction can never bring back a token that named other data.
    """

    token = models.CharField(_("token"), max_length=32, default="initial")

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return self.token
