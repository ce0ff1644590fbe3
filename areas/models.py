"""The action plan: departments, support areas, groups, development areas and what they depend on.

Every text that comes from the plan is kept verbatim (``*_text`` fields and the
cells of a development area); links to departments, areas and external
dependencies are kept beside the text, never instead of it.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .plandates import Note, Precision, read_planned_period


class ActionPlan(models.Model):
    """One revision of an action plan (handlingsplan); earlier revisions stay readable."""

    organisation = models.CharField(_("organisation"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    registration_number = models.CharField(_("registration number"), max_length=100)
    revision = models.CharField(
        _("revision"), max_length=100, help_text=_("A label that tells revisions apart.")
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    decision_date = models.DateField(
        _("decision date"),
        null=True,
        blank=True,
        help_text=_("Empty when the source does not state it."),
    )
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_until_text = models.CharField(_("valid until, as written"), max_length=200, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    is_current = models.BooleanField(_("current revision"), default=False)
    created_at = models.DateTimeField(_("created"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Filled when a newer revision replaces this one: every area as it stood
    # (the workbook's columns), so that the revision stays readable.
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-is_current", "-document_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number", "revision"], name="plan_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="plan_one_current_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.registration_number}, {self.revision})"


class Department(models.Model):
    """A department (avdelning), a unit inside one, a school, or a body outside the organisation."""

    class Kind(models.TextChoices):
        SUBJECT = "subject", _("subject department")
        SCHOOL_SUPPORT = "school_support", _("school support department")
        SCHOOL = "school", _("school")
        UNIT = "unit", _("unit within a department")
        EXTERNAL = "external", _("external body")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    name_confirmed = models.BooleanField(
        _("name confirmed"),
        default=False,
        help_text=_("Whether the source states this name for this code."),
    )
    aliases = models.CharField(
        _("other spellings"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated spellings of the code used in the plan's tables."),
    )
    note = models.TextField(_("note"), blank=True)
    heads = models.ManyToManyField(
        "auth.User", verbose_name=_("heads"), blank=True, related_name="headed_departments"
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}" if self.name else self.code

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the other one."""
        if get_language() == "en":
            return self.name_en or self.name_sv
        return self.name_sv or self.name_en


# A support area's code names its sheet in the Excel workbook and begins its areas' keys,
# which are in the pages' addresses: letters, digits, hyphens and underscores only (Excel
# refuses a sheet name with / \\ ? * : [ ], an address cannot hold a /).
support_area_code_validator = RegexValidator(
    r"^[^\W_][\w-]*\Z",
    _(
        "Use letters, digits, hyphens and underscores only, starting with a letter or digit: "
        "the code names the support area's sheet in the Excel workbook and is part of its "
        "areas' keys."
    ),
)


class SupportArea(models.Model):
    """One of the plan's support areas (stödområden), in the plan's order."""

    code = models.CharField(
        _("code"), max_length=10, unique=True, validators=[support_area_code_validator]
    )
    number = models.CharField(_("section"), max_length=10, help_text=_("e.g. 3.1"))
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    short_name_sv = models.CharField(_("short Swedish name"), max_length=100, blank=True)
    responsible_departments = models.ManyToManyField(
        Department,
        verbose_name=_("responsible departments"),
        blank=True,
        related_name="responsible_for_support_areas",
    )
    responsible_text = models.TextField(_("responsible, as written"), blank=True)

    class Meta:
        verbose_name = _("support area")
        verbose_name_plural = _("support areas")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv


class Group(models.Model):
    """A heading that gathers development areas inside a support area ("Arkiv", ...)."""

    support_area = models.ForeignKey(
        SupportArea, verbose_name=_("support area"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"))
    footnote = models.TextField(_("footnote"), blank=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["support_area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["support_area", "name"], name="group_unique_name"),
            models.UniqueConstraint(fields=["support_area", "order"], name="group_unique_order"),
        ]

    def __str__(self) -> str:
        return self.name


class ExternalDependency(models.Model):
    """Something outside the plan that development areas wait on."""

    class State(models.TextChoices):
        ON_TRACK = "on_track", _("on track")
        DELAYED = "delayed", _("delayed")
        BLOCKED = "blocked", _("blocked")

    class Kind(models.TextChoices):
        SYSTEM = "system", _("system")
        PROCUREMENT = "procurement", _("procurement")
        PROGRAMME = "programme", _("programme or portfolio")
        INVESTIGATION = "investigation", _("investigation or decision")
        REGULATION = "regulation", _("regulation")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ON_TRACK
    )
    state_note = models.TextField(_("about the state"), blank=True)

    class Meta:
        verbose_name = _("external dependency")
        verbose_name_plural = _("external dependencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_up(self) -> bool:
        """Delayed or blocked: the areas that wait on it are held up."""
        return self.state != self.State.ON_TRACK


PRECISION_CHOICES = [
    (Precision.DAY.value, pgettext_lazy("date precision", "day")),
    (Precision.MONTH.value, pgettext_lazy("date precision", "month")),
    (Precision.TERM.value, pgettext_lazy("date precision", "term")),
    (Precision.QUARTER.value, pgettext_lazy("date precision", "quarter")),
    (Precision.YEAR.value, pgettext_lazy("date precision", "year")),
]

READING_NOTE_CHOICES = [
    (Note.NONE.value, _("start and end read")),
    (Note.EMPTY.value, _("the plan gives no planned period")),
    (Note.ONGOING.value, _("ongoing; the plan gives no dates")),
    (Note.SOON.value, _("soon; the plan gives no date")),
    (Note.CONTINUOUS.value, _("continuous work; no period")),
    (Note.PART_OF_OTHER.value, _("part of other work; no dates of its own")),
    (Note.NO_DATE.value, _("no date could be read from the text")),
    (Note.END_BEFORE_START.value, _("the text gives an end before its start")),
    (Note.OPEN_END.value, _("no end is stated")),
    (Note.OPEN_START.value, _("ongoing; no start date is stated")),
]


class DevelopmentAreaQuerySet(models.QuerySet):
    def involving(self, department_ids) -> "DevelopmentAreaQuerySet":
        """The areas these departments are responsible for or take part in.

        ``department_ids``: ids, departments, or a queryset of either.
        """
        return self.filter(
            Q(responsible_department__in=department_ids)
            | Q(participating_departments__in=department_ids)
        ).distinct()


class DevelopmentArea(models.Model):
    """A development area (utvecklingsområde): one row of the plan's tables in section 3."""

    class FormOfWork(models.TextChoices):
        PRE_STUDY = "pre_study", _("pre-study")
        PROJECT = "project", _("project")
        ASSIGNMENT = "assignment", _("assignment")

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), on_delete=models.PROTECT, related_name="areas"
    )
    key = models.CharField(
        _("key"),
        max_length=20,
        help_text=_("Stable identifier that follows the area across plan revisions."),
    )
    support_area = models.ForeignKey(
        SupportArea, verbose_name=_("support area"), on_delete=models.PROTECT, related_name="areas"
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="areas",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for_areas",
        help_text=_("Its head keeps the area's status up to date."),
    )
    # Bumped by every status update; a save that read an older value is refused
    # (see followup.services.status_update_create), so no update is lost.
    status_version = models.PositiveIntegerField(_("status version"), default=0, editable=False)
    title = models.TextField(_("development area"))
    why = models.TextField(_("why"), blank=True)
    desired_effect = models.TextField(_("desired effect"), blank=True)
    participating_text = models.TextField(_("participating departments, as written"), blank=True)
    participating_departments = models.ManyToManyField(
        Department,
        verbose_name=_("participating departments"),
        blank=True,
        related_name="participating_in",
    )
    dependencies_text = models.TextField(_("dependencies, as written"), blank=True)
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on development areas"),
        symmetrical=False,
        blank=True,
        related_name="dependents",
    )
    external_dependencies = models.ManyToManyField(
        ExternalDependency,
        verbose_name=_("external dependencies"),
        blank=True,
        related_name="areas",
    )
    planned_text = models.TextField(_("planned start/end, as written"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_start_precision = models.CharField(
        _("precision of planned start"), max_length=10, choices=PRECISION_CHOICES, blank=True
    )
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    planned_end_precision = models.CharField(
        _("precision of planned end"), max_length=10, choices=PRECISION_CHOICES, blank=True
    )
    planned_note = models.CharField(
        _("reading of the planned period"),
        max_length=20,
        choices=READING_NOTE_CHOICES,
        blank=True,
    )
    footnote = models.TextField(_("footnote"), blank=True)
    upcoming = models.BooleanField(
        _("upcoming"), default=False, help_text=_("Listed under 'Kommande utvecklingsområden'.")
    )
    form_of_work = models.CharField(
        _("form of work"), max_length=20, choices=FormOfWork.choices, blank=True
    )

    objects = DevelopmentAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("development area")
        verbose_name_plural = _("development areas")
        ordering = ["support_area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="area_unique_key_per_plan"),
            models.UniqueConstraint(
                fields=["plan", "support_area", "order"], name="area_unique_order_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_start__lte=F("planned_end")),
                name="area_planned_start_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | ~Q(planned_start_precision=""),
                name="area_planned_start_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | ~Q(planned_end_precision=""),
                name="area_planned_end_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    def get_absolute_url(self) -> str:
        # The area's page shows its status too, so the follow-up serves it (named, not imported).
        return reverse("followup:area_detail", args=[self.key])

    def involves(self, department_ids) -> bool:
        """Whether one of these departments is responsible for the area or takes part in it
        (the rule of ``DevelopmentArea.objects.involving``, for one area at hand).

        Reads ``participating_departments.all()``: prefetch it where many areas are asked.
        """
        ids = set(department_ids)
        return self.responsible_department_id in ids or any(
            d.pk in ids for d in self.participating_departments.all()
        )

    @property
    def is_changeable(self) -> bool:
        """Only the current revision of the plan may change; earlier ones are the record."""
        return self.plan.is_current

    @property
    def is_undated(self) -> bool:
        return self.planned_start is None and self.planned_end is None

    def read_planned_text(self) -> None:
        """Set the parsed planned start and end from the verbatim text (not saved)."""
        period = read_planned_period(self.planned_text)
        self.planned_start = period.start.value if period.start else None
        self.planned_start_precision = period.start.precision.value if period.start else ""
        self.planned_end = period.end.value if period.end else None
        self.planned_end_precision = period.end.precision.value if period.end else ""
        self.planned_note = period.note.value


class ProgrammeGoal(models.Model):
    """One of the programme's goals (section 2.2) with its definition and how it is followed up."""

    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    title = models.CharField(_("goal"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        verbose_name = _("programme goal")
        verbose_name_plural = _("programme goals")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.title


class RiskAspect(models.Model):
    """One of the four aspects every risk analysis takes a position on (section 2.8)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        verbose_name = _("risk aspect")
        verbose_name_plural = _("risk aspects")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv


class PlanChange(models.Model):
    """One field of the plan changed by a person: who, when, old value and new value."""

    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        "auth.User", verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL
    )
    model = models.CharField(_("kind of object"), max_length=100)
    object_id = models.CharField(_("object"), max_length=50)
    object_repr = models.CharField(_("object, as it was named"), max_length=300)
    area = models.ForeignKey(
        DevelopmentArea,
        verbose_name=_("development area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_changes",
    )
    field = models.CharField(_("field"), max_length=100)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("change to the plan")
        verbose_name_plural = _("changes to the plan")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.field}"


class PlanImport(models.Model):
    """A workbook uploaded as a revised plan: its rows, read and kept until applied."""

    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "auth.User", verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    # Empty for a workbook that starts the plan (an installation with no plan yet).
    plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("revision it was read against"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    rows = models.JSONField(_("rows"), default=list)
    # A workbook that starts the plan also holds what the plan is built of: the plan's
    # title and numbers, the support areas, groups, departments and goals
    # (``areas.starter.StartData``, as plain values).
    start = models.JSONField(_("the plan's reference data"), null=True, blank=True)
    errors = models.JSONField(_("errors while reading"), default=list)
    warnings = models.JSONField(_("warnings while reading"), default=list)
    applied_as = models.ForeignKey(
        ActionPlan,
        verbose_name=_("applied as revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename
