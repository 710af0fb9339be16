import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from bpo_portal.formatting import number
from engagements.models.people import display_name
from slas import evidence
from slas.choices import RemediationStatus
from slas.models import Breach, IngestBatch, KPIValue, MeasurementCorrection
from slas.rollups import format_value


class EngagementColumn(tables.Column):
    """The engagement a row belongs to, linking to its SLA page; the export gets the plain name."""

    def render(self, value):
        return format_html(
            '<a href="{}" title="{} × {}">{}</a>',
            reverse("slas:engagement_slas", args=[value.pk]),
            value.practice,
            value.provider,
            value.name,
        )

    def value(self, value):
        return value.name


class MetricValueColumn(tables.Column):
    """A number in its metric's unit on the page; the raw decimal in the CSV export."""

    def render(self, value, record):
        return format_value(value, record.target.metric)

    def value(self, value, record):
        return value


class StatusColumn(tables.Column):
    """A status shown with the SLA colours (met, warning, breach, too few samples / open, resolved, closed)."""

    def render(self, value, record):
        return format_html('<span class="badge kpi-badge kpi-{}">{}</span>', record.status, value)

    def value(self, value, record):
        return value


class PeriodColumn(tables.Column):
    """A period as people read it (“Week of 17 Nov 2026”) on the page, and as its code (“2026-W47”) in the CSV."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "period_label")
        kwargs.setdefault("order_by", ("period_start",))
        super().__init__(**kwargs)

    def value(self, value, record):
        return record.period_code


class KPIValueTable(tables.Table):
    engagement = EngagementColumn(accessor="target__engagement", order_by=("target__engagement__name",))
    metric = tables.Column(accessor="target__metric", order_by=("target__metric__sort_order",))
    service_line = tables.Column(accessor="target__service_line", verbose_name="Service line", default="All")
    period = PeriodColumn()
    value = MetricValueColumn()
    threshold = MetricValueColumn(accessor="target__threshold", order_by=("target__threshold",))
    sample_size = tables.Column(verbose_name="Sample size")
    status = StatusColumn()
    judged = tables.Column(
        accessor="pk", verbose_name="Period state", orderable=False, attrs={"td": {"data-testid": "period-state"}}
    )
    computed_at = tables.DateTimeColumn(verbose_name="Computed", short=True)

    class Meta:
        model = KPIValue
        fields = ("engagement", "metric", "service_line", "period", "value", "threshold", "sample_size", "status")
        sequence = (*fields, "judged", "computed_at")
        empty_text = "No KPI values match."

    def render_sample_size(self, value):
        return f"{value.normalize():f}"

    def render_judged(self, record):
        """Closed (judged) or provisional: the period under way, or in its grace for late data."""
        return "Closed" if evidence.progress(record).closed else "So far (provisional)"

    def value_judged(self, record):
        return "closed" if evidence.progress(record).closed else "provisional"


class BreachTable(tables.Table):
    breach = tables.Column(
        accessor="pk", verbose_name="Breach", linkify=lambda record: record.get_absolute_url(), order_by=("pk",)
    )
    engagement = EngagementColumn(accessor="target__engagement", order_by=("target__engagement__name",))
    metric = tables.Column(accessor="target__metric", order_by=("target__metric__sort_order",))
    service_line = tables.Column(accessor="target__service_line", verbose_name="Service line", default="All")
    period = PeriodColumn()
    severity = tables.Column()
    value = MetricValueColumn()
    threshold = MetricValueColumn()
    status = StatusColumn()
    remediation = tables.Column(accessor="latest_plan_status", verbose_name="Remediation", default="None yet")
    opened_at = tables.DateColumn(verbose_name="Opened")

    class Meta:
        model = Breach
        fields = ("breach", "engagement", "metric", "service_line", "period", "severity", "value", "threshold")
        sequence = (*fields, "status", "remediation", "opened_at")
        empty_text = "No breaches match."

    def render_breach(self, value):
        return f"#{value}"

    def render_severity(self, value, record):
        return format_html('<span class="badge kpi-badge kpi-{}">{}</span>', record.severity, value)

    def value_severity(self, value):
        return value

    def render_remediation(self, value):
        return RemediationStatus(value).label

    value_remediation = render_remediation


class IngestBatchTable(tables.Table):
    batch = tables.Column(accessor="pk", verbose_name="Batch", linkify=lambda record: record.get_absolute_url())
    submitted_at = tables.DateTimeColumn(verbose_name="Submitted")
    submitted_by = tables.Column(verbose_name="By", default="—")
    source = tables.Column()
    engagements = tables.ManyToManyColumn(verbose_name="Engagements", orderable=False)
    row_count = tables.Column(verbose_name="Rows")
    created_count = tables.Column(verbose_name="New")
    duplicate_count = tables.Column(verbose_name="Duplicates")
    corrected_count = tables.Column(verbose_name="Corrected")
    first_date = tables.DateColumn(verbose_name="From")
    last_date = tables.DateColumn(verbose_name="To")
    recomputed_at = tables.DateTimeColumn(verbose_name="KPIs recomputed", default="Pending")

    class Meta:
        model = IngestBatch
        fields = (
            "batch",
            "submitted_at",
            "submitted_by",
            "source",
            "engagements",
            "row_count",
            "created_count",
            "duplicate_count",
            "corrected_count",
            "first_date",
            "last_date",
            "recomputed_at",
        )
        empty_text = "No ingest batches yet."

    def render_batch(self, value):
        return f"#{value}"

    def render_submitted_by(self, value):
        return display_name(value, "—")

    value_submitted_by = render_submitted_by


def measured(numerator, denominator) -> str:
    """A measurement's content as sent: “45 / 50”, or just “45” for a plain value (sent as value / 1)."""
    if denominator == 1:
        return number(numerator)
    return f"{number(numerator)} / {number(denominator)}"


class MeasurementCorrectionTable(tables.Table):
    """What each correction replaced, newest first. `submitting` is the engagements whose batches the user may
    open (the submitting side's records): the batch links to its page only for them."""

    corrected_at = tables.DateTimeColumn(verbose_name="When", short=True)
    engagement = EngagementColumn(accessor="measurement__engagement", order_by=("measurement__engagement__name",))
    metric = tables.Column(order_by=("metric__sort_order",))
    date = tables.DateColumn(verbose_name="Date")
    agent = tables.Column(default="—", order_by=("agent__full_name",))
    external_id = tables.Column(accessor="measurement__external_id", verbose_name="External id")
    change = tables.Column(accessor="pk", verbose_name="Old value → new value", orderable=False)
    batch = tables.Column(accessor="batch_id", verbose_name="Batch", order_by=("batch_id",))
    by = tables.Column(accessor="batch__submitted_by", verbose_name="Who", default="—", orderable=False)

    class Meta:
        model = MeasurementCorrection
        fields = ("corrected_at", "engagement", "metric", "date", "agent", "external_id")
        sequence = (*fields, "change", "batch", "by")
        empty_text = "No corrections match."

    def __init__(self, *args, submitting=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting

    def render_change(self, record):
        return format_html(
            '<span class="text-body-secondary">{}</span> → <strong>{}</strong>',
            measured(record.numerator, record.denominator),
            measured(record.new_numerator, record.new_denominator),
        )

    def value_change(self, record):
        old = measured(record.numerator, record.denominator)
        return f"{old} → {measured(record.new_numerator, record.new_denominator)}"

    def render_batch(self, value, record):
        if record.measurement.engagement_id in self.submitting:
            return format_html('<a href="{}">#{}</a>', reverse("slas:batch_detail", args=[value]), value)
        return f"#{value}"

    def value_batch(self, value):
        return value

    def render_by(self, value):
        return display_name(value, "—")

    value_by = render_by
