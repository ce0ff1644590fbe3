"""Status of development areas: signed, dated status updates and comments, never overwritten."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from areas.models import PRECISION_CHOICES, DevelopmentArea
from areas.plandates import read_planned_period


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ONGOING = "ongoing", _("ongoing")
    FINISHED = "finished", _("finished")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


class TrafficLight(models.TextChoices):
    GREEN = "green", pgettext_lazy("traffic light", "green (on track)")
    AMBER = "amber", pgettext_lazy("traffic light", "amber (at risk)")
    RED = "red", pgettext_lazy("traffic light", "red (off track)")


# The longest free text a person may write in one field (a form checks it).
TEXT_LIMIT = 5000

# Work that is over: an area in one of these states is never late, nor stale.
WORK_OVER = (Status.FINISHED, Status.CANCELLED)
# A traffic light that needs its reason.
LIGHTS_WITH_REASON = (TrafficLight.AMBER, TrafficLight.RED)


class StatusFields(models.Model):
    """What a status update and a report both say of an area: its status, traffic light
    (with the reason for amber or red), progress, next steps and a revised expected end."""

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    traffic_light = models.CharField(
        _("traffic light"), max_length=10, choices=TrafficLight.choices, blank=True
    )
    traffic_light_reason = models.TextField(
        _("reason for the traffic light"), blank=True, max_length=TEXT_LIMIT
    )
    progress = models.TextField(_("progress"), blank=True, max_length=TEXT_LIMIT)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=TEXT_LIMIT)
    revised_end_text = models.CharField(
        _("revised expected end, as written"), max_length=200, blank=True
    )
    revised_end = models.DateField(_("revised expected end"), null=True, blank=True)
    revised_end_precision = models.CharField(
        _("precision of revised end"), max_length=10, choices=PRECISION_CHOICES, blank=True
    )

    # The fields a status form fills in (the revised end's date is read from its text).
    WRITTEN = [
        "status",
        "traffic_light",
        "traffic_light_reason",
        "progress",
        "next_steps",
        "revised_end_text",
    ]
    ALL = [*WRITTEN, "revised_end", "revised_end_precision"]

    class Meta:
        abstract = True

    @property
    def is_over(self) -> bool:
        return self.status in WORK_OVER

    def copy_status_from(self, other: "StatusFields") -> None:
        """Take over every status field of another status update or report."""
        for name in self.ALL:
            setattr(self, name, getattr(other, name))

    def read_revised_end(self) -> None:
        """Set the revised end's date and precision from its text (not saved)."""
        period = read_planned_period(self.revised_end_text)
        self.revised_end = period.end.value if period.end else None
        self.revised_end_precision = period.end.precision.value if period.end else ""


class StatusUpdateQuerySet(models.QuerySet):
    def latest_per_area(self) -> "StatusUpdateQuerySet":
        """Each area's newest update only (the one its status version points at)."""
        return self.filter(sequence=F("area__status_version"))


class StatusUpdate(StatusFields):
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
    # A status update always states a status and a light (a report's draft may not).
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    traffic_light = models.CharField(
        _("traffic light"), max_length=10, choices=TrafficLight.choices
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = StatusUpdateQuerySet.as_manager()

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
    text = models.TextField(_("comment"), max_length=TEXT_LIMIT)

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
    # The plan as it read when the cycle closed (its revision, registration number, goals,
    # the indicator values), so that a closed cycle's pages and PDFs never change after it.
    frozen_plan = models.JSONField(_("plan when closed"), null=True, blank=True, editable=False)
    # The follow-up report's own text, written by the secretariat for the council; it opens
    # the report PDF and, like the rest of the cycle, no longer changes once it is closed.
    report_summary = models.TextField(_("summary"), blank=True)
    report_assessment = models.TextField(_("overall assessment"), blank=True)
    report_decisions = models.TextField(_("decisions the council is asked to take"), blank=True)

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

    # Each state as a question, so that no page spells a state out.
    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_closed(self) -> bool:
        """Closed and not (yet) published."""
        return self.state == self.State.CLOSED

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_frozen(self) -> bool:
        """Closed or published: its reports are the record and never change again."""
        return self.state in (self.State.CLOSED, self.State.PUBLISHED)

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}, reverse=True)

    @property
    def reminder_days_text(self) -> str:
        """The reminder days as words read them: "14 och 3" ("14,3" is a decimal in Swedish)."""
        return get_text_list([str(d) for d in self.reminder_offsets], _("and"))

    def days_left(self, today) -> int:
        """Days until the deadline (0 on the day, negative after it)."""
        return (self.deadline - today).days

    @property
    def record_date(self):
        """The date a frozen cycle's documents carry: when it was published, else closed."""
        moment = self.published_at or self.closed_at
        return timezone.localdate(moment) if moment else None


class ReportState(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


# A report in one of these states is in its head's hands (and may be edited while the
# cycle is open); in the others it has been handed in to the secretariat.
EDITABLE_REPORT_STATES = (ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED)
HANDED_IN_REPORT_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class BenefitOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT_YET = "not_yet", _("not yet")
    NOT_ACHIEVED = "not_achieved", _("not achieved")


class FollowUpReportQuerySet(models.QuerySet):
    def editable(self) -> "FollowUpReportQuerySet":
        """Reports still in their head's hands: not started, draft or returned."""
        return self.filter(state__in=EDITABLE_REPORT_STATES)

    def handed_in(self) -> "FollowUpReportQuerySet":
        return self.filter(state__in=HANDED_IN_REPORT_STATES)

    def waiting_for_review(self) -> "FollowUpReportQuerySet":
        return self.filter(state=ReportState.SUBMITTED)


class FollowUpReport(StatusFields):
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
    # Bumped by every save; a save that read an older value is refused (no lost work).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    # When its status fields were last stated: saved by its head, or, for a report not yet
    # started, the status update (or earlier report) it was prefilled from.
    stated_at = models.DateTimeField(_("stated"), null=True, blank=True)
    reviewer_light = models.CharField(
        _("reviewer's traffic light"), max_length=10, choices=TrafficLight.choices, blank=True
    )
    reviewer_reason = models.TextField(
        _("reason for the reviewer's traffic light"), blank=True, max_length=TEXT_LIMIT
    )
    review_comment = models.TextField(_("review comment"), blank=True, max_length=TEXT_LIMIT)
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

    objects = FollowUpReportQuerySet.as_manager()

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
    def is_editable(self) -> bool:
        """In its head's hands (not started, draft or returned)."""
        return self.state in EDITABLE_REPORT_STATES

    @property
    def is_handed_in(self) -> bool:
        return self.state in HANDED_IN_REPORT_STATES

    @property
    def is_submitted(self) -> bool:
        """Handed in and waiting for review."""
        return self.state == ReportState.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.state == ReportState.RETURNED

    @property
    def is_started(self) -> bool:
        return self.state != ReportState.NOT_STARTED

    @property
    def area_key(self) -> str:
        return self.frozen_area["key"] if self.frozen_area else self.area.key

    @property
    def area_title(self) -> str:
        return self.frozen_area["title"] if self.frozen_area else self.area.title

    @cached_property
    def area_record(self):
        """The area as frozen when the cycle closed (``followup.records.AreaRecord``)."""
        from .records import AreaRecord

        return AreaRecord.from_frozen(self.frozen_area)


class Risk(models.Model):
    """A risk of a development area in one report, in one of the four aspects of section 2.8."""

    report = models.ForeignKey(
        FollowUpReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="risks"
    )
    aspect = models.ForeignKey(
        "areas.RiskAspect", verbose_name=_("aspect"), on_delete=models.PROTECT, related_name="risks"
    )
    description = models.TextField(_("risk"), max_length=TEXT_LIMIT)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"))
    consequence = models.PositiveSmallIntegerField(_("consequence (1–5)"))
    mitigation = models.TextField(_("mitigation"), blank=True, max_length=TEXT_LIMIT)
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
    evidence = models.TextField(_("evidence"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.effect[:60]


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("approved")
    RETURN = "return", _("returned")


class Review(models.Model):
    """One review of a submitted report: approved, or returned to its head with a comment.
    Every review is kept; the report carries the latest."""

    report = models.ForeignKey(
        FollowUpReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    reviewer_light = models.CharField(
        _("reviewer's traffic light"), max_length=10, choices=TrafficLight.choices
    )
    reviewer_reason = models.TextField(
        _("reason for the reviewer's traffic light"), blank=True, max_length=TEXT_LIMIT
    )
    comment = models.TextField(_("comment to the head"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_decision_display()}"

    @property
    def is_return(self) -> bool:
        return self.decision == ReviewDecision.RETURN


class ReportVersion(StatusFields):
    """A report as one save left it (a draft, a submission, a status update): every version is
    kept, so nothing its head wrote is ever overwritten without a trace."""

    report = models.ForeignKey(
        FollowUpReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices)
    # The risks and benefits as they then read (aspect and outcome as labels).
    risks = models.JSONField(_("risks"), default=list)
    benefits = models.JSONField(_("benefits"), default=list)

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


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
    assessment = models.TextField(_("assessment"), max_length=TEXT_LIMIT)
    # The latest change; every change is in the audit trail with what it replaced.
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
    # The latest change; every change is in the audit trail with what it replaced.
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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


class StoredPdf(models.Model):
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
    # Whose reading it holds (``followup.cycle_selectors.PdfReadership``): "all" for those
    # who read every report of its scope and the cycle's text (the secretariat, the
    # council), else a digest of what it shows; readers who may read the same share it.
    readers = models.CharField(_("readers"), max_length=16, default="all")
    # The reports whose text it shows (None: every report of its scope, made before this
    # was kept), and whether the cycle's own text.
    text_of = models.JSONField(_("reports whose text it shows"), null=True, blank=True)
    cycle_text = models.BooleanField(_("with the cycle's text"), default=True)
    # What it was made from: the data's generation (``followup.data_generation``) and the
    # day (late and the date it prints depend on it). While both are the same, asking
    # again serves this copy, for an open cycle too.
    made_from = models.CharField(_("made from"), max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "scope", "code", "language", "readers"],
                name="one_stored_report_per_kind_and_readers",
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.cycle} {self.scope} {self.code} {self.language}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE


class DataGeneration(models.Model):
    """One row whose token the database changes with every write to the plan and its
    follow-up (``followup.data_generation``): what cached pages and stored PDFs are
    keyed on."""

    token = models.CharField(_("token"), max_length=32, default="initial")

    class Meta:
        verbose_name = _("data generation")
        verbose_name_plural = _("data generations")

    def __str__(self) -> str:
        return self.token


class AuditEntry(models.Model):
    """One change in the follow-up, kept for the audit trail: who, when, what, before, after.
    (Changes to the plan's own fields are ``areas.PlanChange``; the audit page shows both.)"""

    class Kind(models.TextChoices):
        CYCLE_CREATED = "cycle_created", _("cycle created")
        CYCLE_OPENED = "cycle_opened", _("cycle opened")
        CYCLE_DEADLINE = "cycle_deadline", _("deadline changed")
        CYCLE_CLOSED = "cycle_closed", _("cycle closed")
        CYCLE_REOPENED = "cycle_reopened", _("cycle reopened")
        CYCLE_PUBLISHED = "cycle_published", _("cycle published")
        CYCLE_DELETED = "cycle_deleted", _("draft cycle deleted")
        REPORT_TEXT = "report_text", _("report text")
        REPORT_SAVED = "report_saved", _("report saved")
        REPORT_SUBMITTED = "report_submitted", _("report submitted")
        REPORT_REVIEWED = "report_reviewed", _("report reviewed")
        GOAL_ASSESSED = "goal_assessed", _("goal assessment")
        INDICATOR = "indicator", _("indicator value")
        PDF_MADE = "pdf_made", _("report PDF made")
        REMINDER = "reminder", _("reminder sent")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    cycle = models.ForeignKey(
        FollowUpCycle,
        verbose_name=_("cycle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    area = models.ForeignKey(
        DevelopmentArea,
        verbose_name=_("development area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("about"), max_length=300, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.subject}"


class Notification(models.Model):
    """An e-mail to send (a report returned or approved): kept until it is sent, and tried
    again by ``manage.py send_reminders`` when the mail server was away."""

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
