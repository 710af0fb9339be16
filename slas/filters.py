"""One FilterSet per SLA model, used by the UI list pages and the API alike."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from engagements.filters import EngagementFilterSet, EngagementScopedFilterSet, IdFilter, SearchFilterSet
from engagements.models import Agent, Engagement, ServiceLine
from slas.choices import BreachStatus, Grain, KPIStatus, RemediationStatus, Severity
from slas.models import (
    Breach,
    IngestBatch,
    KPIValue,
    Measurement,
    MeasurementCorrection,
    Metric,
    RemediationPlan,
    SLATarget,
)

DATE = forms.DateInput(attrs={"type": "date"})


def engagement_filter(field_name="engagement"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=Engagement.objects.all(), label="Engagement"
    )


def metric_filter(field_name="metric"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=Metric.objects.all(), to_field_name="code", label="Metric"
    )


def line_filter(field_name="service_line"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=ServiceLine.objects.all(), to_field_name="code", label="Service line"
    )


class MetricFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "description")

    class Meta:
        model = Metric
        fields = ["q", "aggregation", "direction", "is_active"]


class SLATargetFilterSet(EngagementScopedFilterSet):
    search_fields = ("metric__name", "metric__code", "engagement__name")
    engagement = engagement_filter()
    metric = metric_filter()
    service_line = line_filter()
    period = django_filters.ChoiceFilter(choices=Grain.choices)

    class Meta:
        model = SLATarget
        fields = ["q", "engagement", "metric", "service_line", "period"]


class MeasurementFilterSet(EngagementScopedFilterSet):
    search_fields = ("external_id",)
    engagement = engagement_filter()
    metric = metric_filter()
    service_line = line_filter()
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", widget=DATE, label="From")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", widget=DATE, label="To")
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())
    batch = IdFilter(field_name="batch_id")

    class Meta:
        model = Measurement
        fields = ["q", "engagement", "metric", "service_line", "agent", "date_from", "date_to", "batch"]


PERIOD_FIELDS = ["q", "engagement", "metric", "service_line", "target", "period", "period_from", "period_to", "grain"]


class PeriodFilterSet(EngagementScopedFilterSet):
    """KPI values and breaches: by engagement, metric, period and status."""

    engagement = engagement_filter("target__engagement")
    metric = metric_filter("target__metric")
    service_line = line_filter("target__service_line")
    target = IdFilter(field_name="target_id")
    period = django_filters.DateFilter(
        method="filter_period", widget=DATE, label="Period containing", help_text="Any date within the period."
    )
    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte", widget=DATE, label="From")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", widget=DATE, label="To")
    grain = django_filters.ChoiceFilter(field_name="target__period", choices=Grain.choices, label="Period")

    def filter_period(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class KPIValueFilterSet(PeriodFilterSet):
    search_fields = ("target__metric__name", "target__engagement__name")
    status = django_filters.MultipleChoiceFilter(choices=KPIStatus.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = KPIValue
        fields = [*PERIOD_FIELDS, "status"]


class BreachFilterSet(PeriodFilterSet):
    search_fields = ("target__metric__name", "target__engagement__name")
    status = django_filters.MultipleChoiceFilter(choices=BreachStatus.choices, widget=forms.CheckboxSelectMultiple)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)

    class Meta:
        model = Breach
        fields = [*PERIOD_FIELDS, "status", "severity"]


class RemediationPlanFilterSet(EngagementScopedFilterSet):
    search_fields = ("actions", "owner")
    engagement = engagement_filter("breach__target__engagement")
    breach = IdFilter(field_name="breach_id")
    status = django_filters.MultipleChoiceFilter(choices=RemediationStatus.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = RemediationPlan
        fields = ["q", "engagement", "breach", "status"]


class IngestBatchFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter("engagements")
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte", widget=DATE)
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = IngestBatch
        fields = ["engagement", "source", "submitted_from", "submitted_to"]


class PortfolioFilterSet(EngagementFilterSet):
    """The portfolio grid's rows: the engagement filters, and "only those with open breaches"."""

    troubled = django_filters.BooleanFilter(
        label="Only with open breaches or warnings", method="filter_troubled", widget=forms.CheckboxInput
    )

    class Meta(EngagementFilterSet.Meta):
        fields = [*EngagementFilterSet.Meta.fields, "troubled"]

    def filter_troubled(self, queryset, name, value):
        if not value:
            return queryset
        open_breaches = Breach.objects.filter(target__engagement=OuterRef("pk"), status=BreachStatus.OPEN)
        return queryset.filter(Exists(open_breaches))


class MeasurementCorrectionFilterSet(EngagementScopedFilterSet):
    """What corrections replaced: the API's `/measurement-corrections/` and the "Measurement corrections" page."""

    search_fields = ("measurement__external_id",)
    engagement = engagement_filter("measurement__engagement")
    metric = metric_filter()
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", widget=DATE, label="From")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", widget=DATE, label="To")
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())
    batch = IdFilter(field_name="batch_id", label="The correcting batch's id")
    measurement = IdFilter(field_name="measurement_id", label="Measurement id")

    class Meta:
        model = MeasurementCorrection
        fields = ["q", "engagement", "metric", "agent", "date_from", "date_to", "batch", "measurement"]
