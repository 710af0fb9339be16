"""Shapes of the SLA API. Serializers check the shape and tenancy of what is sent; rules live in slas.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.api.serializers import ServiceLineCodeField
from engagements.models import Engagement, Notification
from engagements.models.people import display_name
from slas import evidence, services
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
from slas.models import (
    MAX_DIGITS,
    Breach,
    IngestBatch,
    KPIValue,
    Measurement,
    MeasurementCorrection,
    Metric,
    RemediationPlan,
    SLATarget,
)


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _code(**kwargs):
    """A catalogue object (metric, service line) read as its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)


def _amount(**kwargs):
    return serializers.DecimalField(max_digits=24, decimal_places=4, read_only=True, **kwargs)


class VisibleObjectField(serializers.PrimaryKeyRelatedField):
    """A primary key among the objects the caller can see. Unknown and out of sight read alike, so nobody learns
    another tenant's ids; the caller's scope is set by the serializer, which knows the request."""

    def __init__(self, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."


# --- Catalogue ------------------------------------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="metric-detail", lookup_field="code")
    direction = EnumChoiceField(Direction, read_only=True)
    aggregation = EnumChoiceField(Aggregation, read_only=True)

    class Meta:
        model = Metric
        fields = ["code", "url", "name", "unit", "direction", "aggregation", "description", "sort_order", "is_active"]
        read_only_fields = fields


class MetricCodeField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "“{value}” is not a metric. The catalogue is at /api/v1/metrics/.",
        "invalid": "A metric is given by its code, e.g. “service_level”.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Metric.objects.filter(is_active=True), **kwargs)


# --- Targets --------------------------------------------------------------------------------------------------------


class SLATargetSerializer(serializers.ModelSerializer):
    """A level of service agreed for one metric on one engagement. The terms are checked as a whole: a warning
    threshold on the good side of the target, an end after the start."""

    url = serializers.HyperlinkedIdentityField(view_name="slatarget-detail")
    engagement = VisibleObjectField(
        "engagement", queryset=Engagement.objects.none(), help_text="The engagement's id; fixed once created."
    )
    metric = MetricCodeField(help_text="The metric's code; fixed once created.")
    service_line = ServiceLineCodeField(
        required=False, allow_null=True, help_text="A service line code, or null to judge all the engagement's work."
    )
    period = EnumChoiceField(Grain, required=False, help_text="The period each value is judged over. Default: month.")
    metric_name = serializers.CharField(source="metric.name", read_only=True)
    metric_unit = serializers.CharField(source="metric.unit", read_only=True)
    metric_direction = EnumChoiceField(Direction, source="metric.direction", read_only=True)

    class Meta:
        model = SLATarget
        fields = [
            "id",
            "url",
            "engagement",
            "metric",
            "metric_name",
            "metric_unit",
            "metric_direction",
            "service_line",
            "threshold",
            "warning_threshold",
            "period",
            "min_sample_size",
            "effective_from",
            "effective_to",
            "weight",
            "service_credit_percent",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def validate_engagement(self, engagement):
        if self.instance is not None and engagement != self.instance.engagement:
            raise serializers.ValidationError("A target stays with its engagement; add a new one there instead.")
        return engagement

    def validate_metric(self, metric):
        if self.instance is not None and metric != self.instance.metric:
            raise serializers.ValidationError(
                "A target keeps its metric, so its history stays meaningful; end it and add a new one instead."
            )
        return metric

    def create(self, validated_data):
        return services.save_target(SLATarget(**validated_data), by=_request_user(self))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_target(instance, by=_request_user(self))


# --- Measurements ---------------------------------------------------------------------------------------------------


class MeasurementSerializer(serializers.ModelSerializer):
    """One stored measurement. A plain value is stored as value / 1."""

    metric = _code()
    service_line = _code(allow_null=True, help_text="The service line's code; null when the row is for all work.")

    class Meta:
        model = Measurement
        fields = [
            "id",
            "engagement",
            "metric",
            "service_line",
            "agent",
            "date",
            "numerator",
            "denominator",
            "external_id",
            "batch",
        ]
        read_only_fields = fields


class MeasurementCorrectionSerializer(serializers.ModelSerializer):
    """What a correction replaced: the measurement's content before `batch` changed it (it came in `replaced_batch`)."""

    engagement = serializers.IntegerField(source="measurement.engagement_id", read_only=True)
    external_id = serializers.CharField(source="measurement.external_id", read_only=True)
    metric = _code()
    service_line = _code(allow_null=True)

    class Meta:
        model = MeasurementCorrection
        fields = [
            "id",
            "measurement",
            "engagement",
            "external_id",
            "batch",
            "replaced_batch",
            "metric",
            "service_line",
            "agent",
            "date",
            "numerator",
            "denominator",
            "corrected_at",
        ]
        read_only_fields = fields


def _number(help_text: str):
    return serializers.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=4,
        min_value=0,
        required=False,
        coerce_to_string=False,
        help_text=f"{help_text} Rounded to 4 decimals; at most 15 significant digits, which every supported database "
        "stores exactly (more is refused with 400, so a resent row always counts as a duplicate).",
    )


class MeasurementRowSerializer(serializers.Serializer):
    """One row of an ingest request: a JSON object, or a CSV line under a header naming the same columns."""

    engagement = serializers.IntegerField(help_text="The engagement's id; you must be able to submit to it.")
    metric = serializers.CharField(help_text="A metric code from /api/v1/metrics/.")
    service_line = serializers.CharField(required=False, help_text="A service line code (optional).")
    agent = serializers.IntegerField(required=False, help_text="The id of one of the provider's agents (optional).")
    date = serializers.DateField(help_text="The practice's local date, YYYY-MM-DD; not in the future.")
    value = _number("For mean and count metrics: the value. Ratio metrics send numerator and denominator instead.")
    numerator = _number("With a denominator, e.g. calls answered within 30 s.")
    denominator = _number("Greater than 0, e.g. calls offered.")
    external_id = serializers.CharField(
        max_length=100, help_text="The row's id in your system; resending it is idempotent."
    )


class IngestResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="The ingest batch's id (GET /api/v1/ingest-batches/{id}/).")
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Rows already stored with the same content: nothing changed.")
    corrected = serializers.IntegerField(help_text="Rows that replaced a stored value (only with corrections=true).")


# --- Ingest batches -------------------------------------------------------------------------------------------------


class TouchedSerializer(serializers.Serializer):
    """The dates one batch touched for one engagement and metric: the periods they fall in are recomputed."""

    engagement = serializers.IntegerField()
    metric = serializers.CharField()
    first_date = serializers.DateField()
    last_date = serializers.DateField()
    days = serializers.IntegerField()


class IngestBatchSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="ingestbatch-detail")
    source = EnumChoiceField(IngestSource, read_only=True)
    submitted_by = serializers.SerializerMethodField()
    engagements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    touched = serializers.SerializerMethodField()

    class Meta:
        model = IngestBatch
        fields = [
            "id",
            "url",
            "source",
            "submitted_by",
            "submitted_at",
            "row_count",
            "created_count",
            "duplicate_count",
            "corrected_count",
            "engagements",
            "first_date",
            "last_date",
            "touched",
            "recomputed_at",
        ]
        read_only_fields = fields

    def get_submitted_by(self, batch) -> str | None:
        return display_name(batch.submitted_by)

    @extend_schema_field(TouchedSerializer(many=True))
    def get_touched(self, batch):
        codes = self._metric_codes()
        return [
            {
                "engagement": engagement_id,
                "metric": codes.get(metric_id, str(metric_id)),
                "first_date": min(days),
                "last_date": max(days),
                "days": len(days),
            }
            for (engagement_id, metric_id), days in sorted(batch.touched_pairs().items())
            if days
        ]

    def _metric_codes(self) -> dict[int, str]:
        """The catalogue once per response, however many batches it lists."""
        if "metric_codes" not in self.context:
            self.context["metric_codes"] = dict(Metric.objects.values_list("pk", "code"))
        return self.context["metric_codes"]


# --- KPI values and breaches ----------------------------------------------------------------------------------------


class PeriodResultSerializer(serializers.ModelSerializer):
    """What KPI values and breaches share: the target they judge, and its engagement, metric and period grain."""

    engagement = serializers.IntegerField(source="target.engagement_id", read_only=True)
    metric = _code(source="target.metric")
    service_line = _code(
        source="target.service_line",
        allow_null=True,
        help_text="The target's service line code; null when the target judges all the engagement's work.",
    )
    grain = EnumChoiceField(
        Grain, source="target.period", read_only=True, help_text="The target's period: day, ISO week or month."
    )


def _judged_value(help_text: str):
    return serializers.DecimalField(
        max_digits=24, decimal_places=2, read_only=True, allow_null=True, help_text=help_text
    )


class ProgressSerializer(serializers.Serializer):
    """The period under way (or still in its grace for late data), read so far."""

    days_elapsed = serializers.IntegerField(help_text="Days of the period so far, today included.")
    days_in_period = serializers.IntegerField()
    projection = _judged_value(
        "Sum metrics: the total so far extended in a straight line to the period's end; null for other metrics."
    )
    outlook = serializers.ChoiceField(
        choices=[evidence.ON_TRACK, evidence.AT_RISK],
        allow_null=True,
        help_text="at_risk when the value so far (for sum metrics, the projection) would be a warning or a breach if "
        "the period ended like this; null with too few samples to tell.",
    )


class KPIValueSerializer(PeriodResultSerializer):
    """A target's value over one period. Ratios read as percentages; `sample_size` is the summed denominator.

    Judged on `value`, the KPI rounded half to even to 2 decimals (what the portal shows), beside the exact
    `numerator` and `denominator` it comes from. A period is `closed` once its last day and the engagement's grace
    for late data (`sla_grace_days`, default 2) have passed in the practice's calendar; only a closed period opens a
    breach or warning, earns a credit or counts toward termination. Until then the value is provisional: its
    `status` is the value so far, and `progress` says how far in the period is and whether it is on track."""

    status = EnumChoiceField(
        KPIStatus,
        read_only=True,
        help_text="How the value judges against the target: final once closed, provisional (so far) until then.",
    )
    value = _judged_value("The KPI at the contract's precision: 2 decimals, rounded half to even. Null: no value.")
    closed = serializers.SerializerMethodField(
        help_text="true: the period is closed and judged. false: provisional (the period under way, or in its grace)."
    )
    progress = serializers.SerializerMethodField()
    threshold = _amount(source="target.threshold")
    warning_threshold = _amount(source="target.warning_threshold", allow_null=True)

    def _progress(self, kpi) -> evidence.Progress:
        cache = self.context.setdefault("progress", {})
        if kpi.pk not in cache:
            cache[kpi.pk] = evidence.progress(kpi)
        return cache[kpi.pk]

    def get_closed(self, kpi) -> bool:
        return self._progress(kpi).closed

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, kpi):
        progress = self._progress(kpi)
        return None if progress.closed else ProgressSerializer(progress).data

    class Meta:
        model = KPIValue
        fields = [
            "id",
            "target",
            "engagement",
            "metric",
            "service_line",
            "grain",
            "period_start",
            "period_end",
            "closed",
            "value",
            "sample_size",
            "numerator",
            "denominator",
            "status",
            "progress",
            "threshold",
            "warning_threshold",
            "computed_at",
        ]
        read_only_fields = fields


class RemediationPlanSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="remediationplan-detail")
    status = EnumChoiceField(RemediationStatus, read_only=True)

    class Meta:
        model = RemediationPlan
        fields = ["id", "url", "status", "owner", "due_on", "submitted_at"]
        read_only_fields = fields


class BreachSerializer(PeriodResultSerializer):
    """A closed period in which a target was missed (severity breach) or came within its warning threshold. Only a
    period whose last day and the engagement's grace for late data have passed opens one; later data still
    recomputes it (`resolved_by_data`, or open again). A breach (not a warning) not resolved by data counts:
    service credits, termination without penalty, escalation."""

    value = _judged_value("The KPI when last judged, at the contract's 2 decimals (half to even).")

    url = serializers.HyperlinkedIdentityField(view_name="breach-detail")
    severity = EnumChoiceField(Severity, read_only=True)
    status = EnumChoiceField(BreachStatus, read_only=True)
    remediation_plans = RemediationPlanSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Breach
        fields = [
            "id",
            "url",
            "target",
            "engagement",
            "metric",
            "service_line",
            "grain",
            "period_start",
            "period_end",
            "severity",
            "status",
            "value",
            "threshold",
            "opened_at",
            "resolved_at",
            "remediation_plans",
        ]
        read_only_fields = fields


# --- Remediation ----------------------------------------------------------------------------------------------------


class RemediationPlanSerializer(serializers.ModelSerializer):
    """The provider's answer to a breach and the practice's verdict. Proposed through `POST`, then moved along
    by the decision, done and close actions."""

    url = serializers.HyperlinkedIdentityField(view_name="remediationplan-detail")
    breach = VisibleObjectField("breach", queryset=Breach.objects.none(), help_text="The breach's id.")
    engagement = serializers.IntegerField(source="breach.target.engagement_id", read_only=True)
    status = EnumChoiceField(RemediationStatus, read_only=True)
    submitted_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = RemediationPlan
        fields = [
            "id",
            "url",
            "breach",
            "engagement",
            "actions",
            "owner",
            "due_on",
            "status",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "completed_at",
            "closed_at",
        ]
        read_only_fields = ["decision_note", "submitted_at", "decided_at", "completed_at", "closed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["breach"].queryset = Breach.objects.for_user(user).select_related("target")

    def get_submitted_by(self, plan) -> str | None:
        return display_name(plan.submitted_by)

    def get_decided_by(self, plan) -> str | None:
        return display_name(plan.decided_by)

    def create(self, validated_data):
        return services.submit_remediation_plan(by=_request_user(self), **validated_data)


class RemediationDecisionSerializer(serializers.Serializer):
    """The practice accepts or rejects a submitted plan."""

    accept = serializers.BooleanField(help_text="true accepts the plan, false rejects it.")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; required when rejecting, so the provider can propose a better plan. No patient details.",
    )


# --- Notifications --------------------------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "engagement", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; leave out to mark all of yours read.",
    )


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications were marked read.")
