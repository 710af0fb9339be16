"""Filters of the money pages and endpoints, shared by the UI and the API.

Service credits are computed from the SLA engine's breaches, so their FilterSet filters a Breach queryset (from
`slas.evidence`, the one door engagements has into SLA results, DESIGN §2); it names no model.
"""

import django_filters
from django import forms

from engagements.access import engagements_for
from engagements.filters import VisibleEngagementsMixin
from engagements.models import Contract, ContractScope, Engagement, OneOffFee, ServiceLine, VolumeTier
from slas import evidence


def metric_choices():
    return evidence.metric_choices()


def _visible_engagements(request):
    return engagements_for(request.user) if request is not None else Engagement.objects.none()


class ServiceCreditFilterSet(VisibleEngagementsMixin, django_filters.FilterSet):
    engagement = django_filters.ModelChoiceFilter(
        field_name="target__engagement", queryset=_visible_engagements, label="Engagement"
    )
    metric = django_filters.ChoiceFilter(field_name="target__metric__code", choices=metric_choices, label="Metric")
    service_line = django_filters.ModelChoiceFilter(
        field_name="target__service_line", queryset=ServiceLine.objects.all(), to_field_name="code"
    )
    month_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    month_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )


class ContractScopeFilterSet(django_filters.FilterSet):
    engagement = django_filters.NumberFilter(field_name="contract__engagement", label="Engagement id")
    service_line = django_filters.ModelChoiceFilter(queryset=ServiceLine.objects.all(), to_field_name="code")

    class Meta:
        model = ContractScope
        fields = ["contract", "basis"]


class VolumeTierFilterSet(django_filters.FilterSet):
    engagement = django_filters.NumberFilter(field_name="scope__contract__engagement", label="Engagement id")
    contract = django_filters.NumberFilter(field_name="scope__contract", label="Contract id")

    class Meta:
        model = VolumeTier
        fields = ["scope"]


class OneOffFeeFilterSet(django_filters.FilterSet):
    engagement = django_filters.NumberFilter(field_name="contract__engagement", label="Engagement id")

    class Meta:
        model = OneOffFee
        fields = ["contract", "kind"]


class ContractPricingFilterSet(django_filters.FilterSet):
    class Meta:
        model = Contract
        fields = ["engagement", "pricing_model"]
