"""The SLA engine's data: what is measured, what was agreed, what was measured, and what came of it.

Metric (catalogue) → SLATarget (per engagement) → Measurement (pushed by the provider, in IngestBatches) →
KPIValue (one per target and period, computed in the database) → Breach (one per target and period, never two)
→ RemediationPlan (the provider's answer, the practice's decision).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet, engagements_for
from slas.choices import (
    Aggregation,
    BreachStatus,
    Direction,
    Grain,
    IngestSource,
    KPIStatus,
    RemediationStatus,
    Severity,
)
from slas.periods import code, label

MAX_DIGITS, DECIMALS = 18, 4
LIVE_PLAN_STATUSES = [RemediationStatus.SUBMITTED, RemediationStatus.ACCEPTED, RemediationStatus.DONE]


class Metric(models.Model):
    """A measurable thing both sides can agree a target on: CSAT, first call resolution, days in A/R …"""

    code = models.SlugField(max_length=50, unique=True, help_text="What integrations send, e.g. “csat”.")
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, help_text="How values read: “%”, “s”, “days”, “score”, “count”.")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices)
    description = models.TextField(blank=True, help_text="What a row counts, so both sides measure alike.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Retired metrics keep their history.")
    # The range one row's value must lie in (CSAT 1–5, talk time ≥ 0); a mean's row is its numerator / denominator.
    # Ratios need none: a row's numerator cannot exceed its denominator, so each lies in 0–1.
    min_value = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=4, null=True, blank=True, help_text="Lowest valid value of one row."
    )
    max_value = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=4, null=True, blank=True, help_text="Highest valid value of one row."
    )

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(min_value__lte=F("max_value")),
                name="%(app_label)s_%(class)s_range_is_ordered",
                violation_error_message="A metric's lowest valid value cannot be above its highest.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_ratio(self) -> bool:
        return self.aggregation == Aggregation.RATIO

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER

    def kpi_value(self, numerator: Decimal, denominator: Decimal) -> Decimal | None:
        """A period's KPI from its summed numerator and denominator; ratios read as percentages."""
        if self.aggregation == Aggregation.SUM:
            return numerator
        if not denominator:
            return None
        value = numerator / denominator
        return value * 100 if self.is_ratio else value


class SLATargetQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        # Targets are contract terms: the practice sets them ("change" means manage_contract).
        return super().for_user(user, "manage_contract" if action == "change" else action)

    def effective_on(self, day):
        return self.filter(Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class SLATarget(models.Model):
    """A level of service the practice and provider agreed for one metric on one engagement."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="sla_targets")
    metric = models.ForeignKey("slas.Metric", on_delete=models.PROTECT, related_name="targets")
    service_line = models.ForeignKey(
        "engagements.ServiceLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_targets",
        help_text="Leave empty to judge the metric across all the engagement's work.",
    )
    threshold = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMALS, help_text="The agreed level, in the metric's unit."
    )
    warning_threshold = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMALS,
        null=True,
        blank=True,
        help_text="An earlier warning, on the good side of the threshold.",
    )
    period = models.CharField(max_length=10, choices=Grain.choices, default=Grain.MONTH)
    min_sample_size = models.PositiveIntegerField(
        "Minimum sample size",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="A period with fewer observations is not judged.",
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    service_credit_percent = models.DecimalField(
        "Service credit (% of the month's fees)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="What a breach of this target earns the practice, as a share of that month's fees. 0 for none.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SLATargetQuerySet.as_manager()

    class Meta:
        verbose_name = "SLA target"
        ordering = ["engagement", "metric__sort_order", "service_line__sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="A target cannot end before it starts.",
            ),
        ]
        indexes = [
            # Rollups find the targets a batch touched by engagement and metric.
            models.Index(fields=["engagement", "metric"], name="slatarget_eng_metric_idx"),
        ]

    def __str__(self):
        scope = f" ({self.service_line})" if self.service_line_id else ""
        return f"{self.metric}{scope}: {self.describe_threshold()}"

    def get_absolute_url(self):
        return reverse("slas:engagement_slas", args=[self.engagement_id]) + f"#target-{self.pk}"

    def describe_threshold(self) -> str:
        comparison = "≥" if self.metric.higher_is_better else "≤"
        threshold = Decimal(str(self.threshold)).normalize()  # an int or float before the row is saved and reloaded
        return f"{comparison} {threshold:f}{self.metric.unit if self.metric.unit == '%' else ''}"

    def clean(self):
        errors = {}
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = "A target cannot end before it starts."
        if self.metric_id and self.threshold is not None and self.warning_threshold is not None:
            if self.metric.higher_is_better and self.warning_threshold < self.threshold:
                errors["warning_threshold"] = (
                    "Higher is better for this metric, so the warning threshold must be at or above the threshold "
                    f"({self.threshold.normalize():f})."
                )
            if not self.metric.higher_is_better and self.warning_threshold > self.threshold:
                errors["warning_threshold"] = (
                    "Lower is better for this metric, so the warning threshold must be at or below the threshold "
                    f"({self.threshold.normalize():f})."
                )
        if self.metric_id and self.metric.is_ratio and self.threshold is not None and not 0 <= self.threshold <= 100:
            errors["threshold"] = "This metric is a percentage: the threshold must be between 0 and 100."
        if errors:
            raise ValidationError(errors)

    def judge(self, value: Decimal | None, sample_size: Decimal) -> str:
        """Met, warning or breach for a period's value — or not judged when too few samples back it."""
        if value is None or sample_size < self.min_sample_size:
            return KPIStatus.INSUFFICIENT
        worse = (lambda a, b: a < b) if self.metric.higher_is_better else (lambda a, b: a > b)
        if worse(value, self.threshold):
            return KPIStatus.BREACH
        if self.warning_threshold is not None and worse(value, self.warning_threshold):
            return KPIStatus.WARNING
        return KPIStatus.MET

    def is_effective_during(self, start, end) -> bool:
        return self.effective_from <= end and (self.effective_to is None or self.effective_to >= start)


class IngestBatchQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """Batches are the submitting side's records: visible to whoever may submit to one of its engagements."""
        return self.filter(engagements__in=engagements_for(user, "submit_measurements")).distinct()


class IngestBatch(models.Model):
    """One accepted request of measurements (API call or CSV upload): who sent it, when, and what it changed."""

    source = models.CharField(max_length=10, choices=IngestSource.choices, default=IngestSource.API)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="ingest_batches"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    engagements = models.ManyToManyField("engagements.Engagement", related_name="ingest_batches")
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    corrected_count = models.PositiveIntegerField(default=0)
    # {"<engagement id>:<metric id>": ["YYYY-MM-DD", …]} — the dates whose periods need recomputing.
    touched = models.JSONField(default=dict, blank=True)
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    recomputed_at = models.DateTimeField(null=True, blank=True)

    objects = IngestBatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ingest batches"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"Batch {self.pk}"

    def get_absolute_url(self):
        return reverse("slas:batch_detail", args=[self.pk])

    def touched_pairs(self) -> dict[tuple[int, int], list[str]]:
        pairs = {}
        for key, dates in self.touched.items():
            engagement_id, metric_id = (int(part) for part in key.split(":"))
            pairs[(engagement_id, metric_id)] = dates
        return pairs


class MeasurementQuerySet(EngagementScopedQuerySet):
    pass


class MeasurementCorrectionQuerySet(EngagementScopedQuerySet):
    engagement_path = "measurement__engagement"


class MeasurementCorrection(models.Model):
    """What a correction replaced: a measurement's content before a batch sent with corrections changed it, kept
    with the batch that changed it, so both sides can see what was corrected from what. Never changed itself."""

    measurement = models.ForeignKey("slas.Measurement", on_delete=models.CASCADE, related_name="corrections")
    batch = models.ForeignKey("slas.IngestBatch", on_delete=models.PROTECT, related_name="corrections")
    replaced_batch = models.ForeignKey(
        "slas.IngestBatch", on_delete=models.PROTECT, related_name="+", help_text="The batch the old value came in."
    )
    metric = models.ForeignKey("slas.Metric", on_delete=models.PROTECT, related_name="+")
    service_line = models.ForeignKey(
        "engagements.ServiceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    date = models.DateField()
    numerator = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMALS)
    denominator = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMALS)
    corrected_at = models.DateTimeField(auto_now_add=True)

    objects = MeasurementCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-corrected_at", "-pk"]

    def __str__(self):
        return f"Correction of measurement {self.measurement_id} by batch {self.batch_id}"


class Measurement(models.Model):
    """One number from the provider's systems: e.g. one agent's calls answered within 30 s out of calls offered
    on one day. Counts and values only — never patient details."""

    # No single-column indexes on these three: every index slows ingest (COPY +20% without them, bench/README.md).
    # The rollup index and the unique constraint below lead with the engagement. Looking measurements up by metric
    # or service line alone happens only when an admin deletes a catalogue row (metrics are retired instead), and
    # may scan.
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="measurements", db_index=False
    )
    metric = models.ForeignKey("slas.Metric", on_delete=models.PROTECT, related_name="measurements", db_index=False)
    service_line = models.ForeignKey(
        "engagements.ServiceLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        db_index=False,
    )
    agent = models.ForeignKey(
        "engagements.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        db_index=False,  # measurement_agent_date_idx leads with the agent
    )
    date = models.DateField(help_text="The practice's local date the measurement is for.")
    numerator = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMALS)
    denominator = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMALS, default=Decimal("1"))
    external_id = models.CharField(max_length=100, help_text="The row's id in the provider's system.")
    # Its index serves GET /api/v1/measurements/?batch=N (what one upload stored) and the PROTECT check when a
    # batch is deleted; it costs about a tenth of a COPY (bench/README.md, scale mode).
    batch = models.ForeignKey("slas.IngestBatch", on_delete=models.PROTECT, related_name="measurements")

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        constraints = [
            # Idempotency: its index answers ingest's duplicate lookup (engagement, external id IN chunk).
            models.UniqueConstraint(
                fields=["engagement", "external_id"],
                name="%(app_label)s_%(class)s_unique_external_id",
                violation_error_message="A measurement with this external id was already ingested.",
            ),
            models.CheckConstraint(
                condition=Q(numerator__gte=0, denominator__gt=0),
                name="%(app_label)s_%(class)s_counts_are_positive",
                violation_error_message="Counts cannot be negative and a denominator cannot be 0.",
            ),
        ]
        indexes = [
            # One engagement's metric over a range of dates: the measurements list's filters (UI and
            # GET /api/v1/measurements/?engagement=&metric=&date_from=), newest first. The rollups no longer read
            # it (they sum MeasurementDay); without it that list would read an engagement's every row per page.
            # The name is kept so deployed databases need no rebuild.
            models.Index(fields=["engagement", "metric", "date"], name="measurement_rollup_idx"),
            # One agent's weeks (slas.evidence.agent_weekly_values: ramp pages, an agent's QA trend), and the
            # PROTECT check when an agent is deleted. Replaces the plain agent_id index at the same size.
            # On PostgreSQL it carries the sums (INCLUDE), so those reads are index-only scans: at 50 rows a cell,
            # an agent's 4 metrics over 12 weeks are 336 rows on a few leaf pages instead of 336 heap pages.
            models.Index(
                fields=["agent", "metric", "date"],
                include=["engagement", "numerator", "denominator"],
                name="measurement_agent_date_idx",
            ),
        ]

    def __str__(self):
        return f"{self.metric} {self.date}: {self.numerator}/{self.denominator}"


class MeasurementDay(models.Model):
    """The measurements of one engagement, metric, service line and day, summed: what the rollups read.

    Kept by the database itself, in the same statement as the change to the measurements (triggers on
    slas_measurement, migration 0011: one per statement on PostgreSQL, one per row on SQLite), so whatever writes
    measurements — the ingest, corrections, the backfill, a COPY, retention, a cascade — keeps it exact, and no
    code path has to remember it. A period's sums read a day's row instead of its rows: at 50 agents a cell, a
    month is 31 rows here against about 1,550 measurements (bench/README.md, scale mode). Never written by Django.
    """

    # No foreign keys: the triggers keep the rows, and a row goes when its last measurement goes.
    engagement_id = models.BigIntegerField()
    metric_id = models.BigIntegerField()
    line = models.BigIntegerField(help_text="The service line's id, or 0 for measurements without one.")
    date = models.DateField()
    numerator = models.DecimalField(max_digits=MAX_DIGITS + 12, decimal_places=DECIMALS)
    denominator = models.DecimalField(max_digits=MAX_DIGITS + 12, decimal_places=DECIMALS)
    # Not Positive…Field: its CHECK would refuse the negative change a delete upserts before it is added in.
    row_count = models.BigIntegerField(help_text="How many measurements the sums hold.")

    class Meta:
        constraints = [
            # The triggers' upsert key, and the rollups' range scan: one engagement's metric over a range of days.
            models.UniqueConstraint(
                fields=["engagement_id", "metric_id", "date", "line"], name="slas_measurementday_unique_day"
            )
        ]

    def __str__(self):
        return f"{self.engagement_id}/{self.metric_id}/{self.line} {self.date}: {self.numerator}/{self.denominator}"


class KPIValueQuerySet(EngagementScopedQuerySet):
    engagement_path = "target__engagement"


class KPIValue(models.Model):
    """A target's value over one period, computed from the measurements by a database aggregation."""

    target = models.ForeignKey("slas.SLATarget", on_delete=models.CASCADE, related_name="kpi_values")
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.DecimalField(max_digits=24, decimal_places=DECIMALS)
    denominator = models.DecimalField(max_digits=24, decimal_places=DECIMALS)
    value = models.DecimalField(max_digits=24, decimal_places=DECIMALS, null=True)
    sample_size = models.DecimalField(max_digits=24, decimal_places=DECIMALS)
    status = models.CharField(max_length=15, choices=KPIStatus.choices)
    computed_at = models.DateTimeField()

    objects = KPIValueQuerySet.as_manager()

    class Meta:
        verbose_name = "KPI value"
        ordering = ["target", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period_start"],
                name="%(app_label)s_%(class)s_one_per_target_period",
                violation_error_message="A target has one KPI value per period.",
            ),
        ]
        # The unique constraint's index also serves "a target's latest periods" (trend charts, SLA pages).
        indexes = [
            # The portfolio and the API filter KPI values by period across targets.
            models.Index(fields=["period_start"], name="kpivalue_period_idx"),
        ]

    def __str__(self):
        return f"{self.target} {self.period_label}: {self.value}"

    @property
    def period_label(self) -> str:
        return label(self.period_start, self.target.period)

    @property
    def period_code(self) -> str:
        return code(self.period_start, self.target.period)


class BreachQuerySet(EngagementScopedQuerySet):
    engagement_path = "target__engagement"

    def unresolved(self):
        return self.filter(status=BreachStatus.OPEN)


class Breach(models.Model):
    """A period in which a target was missed (or came within its warning threshold). Kept for the record even
    when later data resolves it."""

    target = models.ForeignKey("slas.SLATarget", on_delete=models.CASCADE, related_name="breaches")
    period_start = models.DateField()
    period_end = models.DateField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=20, choices=BreachStatus.choices, default=BreachStatus.OPEN)
    value = models.DecimalField(max_digits=24, decimal_places=DECIMALS, help_text="The KPI when last judged.")
    threshold = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMALS)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text="The severity both sides were last told of; empty until announced, and again once it reopens.",
    )

    objects = BreachQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "breaches"
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period_start"],
                name="%(app_label)s_%(class)s_one_per_target_period",
                violation_error_message="A target has at most one breach per period.",
            ),
        ]
        indexes = [
            # Breach lists filter by status, newest period first.
            models.Index(fields=["status", "-period_start"], name="breach_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.target.metric} {self.period_label}"

    def get_absolute_url(self):
        return reverse("slas:breach_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return label(self.period_start, self.target.period)

    @property
    def period_code(self) -> str:
        return code(self.period_start, self.target.period)

    @property
    def is_open(self) -> bool:
        return self.status == BreachStatus.OPEN


class RemediationPlanQuerySet(EngagementScopedQuerySet):
    engagement_path = "breach__target__engagement"


class RemediationPlan(models.Model):
    """The provider's answer to a breach — what it will do, who owns it, by when — and the practice's verdict."""

    breach = models.ForeignKey("slas.Breach", on_delete=models.CASCADE, related_name="remediation_plans")
    actions = models.TextField(help_text="What will change. Do not enter patient details.")
    owner = models.CharField(max_length=150, help_text="Who on the provider's side answers for it.")
    due_on = models.DateField()
    status = models.CharField(max_length=15, choices=RemediationStatus.choices, default=RemediationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RemediationPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # A breach has at most one live plan; rejected and closed plans stay on record beside the new one.
            models.UniqueConstraint(
                fields=["breach"],
                condition=Q(status__in=LIVE_PLAN_STATUSES),
                name="%(app_label)s_%(class)s_one_live_plan_per_breach",
                violation_error_message="This breach already has a remediation plan in progress.",
            ),
        ]

    def __str__(self):
        return f"Remediation for {self.breach}"

    def get_absolute_url(self):
        return self.breach.get_absolute_url()

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLAN_STATUSES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status in (RemediationStatus.SUBMITTED, RemediationStatus.ACCEPTED) and (
            self.due_on < timezone.localdate()
        )


class OwedRecompute(models.Model):
    """Recompute work the database owes: a batch whose periods, or a target whose history, must be rolled up again.

    Written in the same transaction as the change that makes it owed (a batch, a correction, a target change), and
    deleted in the same transaction as the recompute that does it. Whatever becomes of the task message in between
    (a worker killed with -9, a lost message, a broker that was down at commit), the row stays until the work is
    done, and the sweeper (`slas.owed.sweep`, on beat every minute) finds it. The database is the record of work
    owed, not the broker.
    """

    batch = models.OneToOneField("slas.IngestBatch", on_delete=models.CASCADE, null=True, related_name="owed")
    target = models.OneToOneField("slas.SLATarget", on_delete=models.CASCADE, null=True, related_name="owed")
    owed_since = models.DateTimeField(default=timezone.now)  # the latest change that made it owed
    attempts = models.PositiveIntegerField(default=0)  # sweeper runs that failed on it
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(batch__isnull=False, target__isnull=True)
                | models.Q(batch__isnull=True, target__isnull=False),
                name="%(app_label)s_%(class)s_batch_or_target",
                violation_error_message="Owed work is for one batch or one target.",
            )
        ]
        indexes = [
            # The sweeper's query: owed rows older than the grace period, oldest first.
            models.Index(fields=["owed_since"], name="slas_owed_since_idx"),
        ]

    def __str__(self):
        return f"Recompute owed for batch {self.batch_id}" if self.batch_id else f"Recompute owed for {self.target_id}"
