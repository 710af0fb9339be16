"""FilterSets of provider compliance audits, shared by the list pages and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from audits.choices import ComplianceAuditStatus, CorrectiveActionStatus, FindingSeverity, FindingStatus
from audits.models import ComplianceAudit, CorrectiveAction, Finding
from engagements.choices import Side
from engagements.filters import EngagementScopedFilterSet, IdFilter, yes_no_filter
from engagements.models import Engagement

DATE = forms.DateInput(attrs={"type": "date"})


def engagement_filter(field_name):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=Engagement.objects.all(), label="Engagement"
    )


class ComplianceAuditFilterSet(EngagementScopedFilterSet):
    search_fields = ("engagement__name", "engagement__provider__name", "summary")
    engagement = engagement_filter("engagement")
    status = django_filters.MultipleChoiceFilter(
        choices=ComplianceAuditStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    side = django_filters.ChoiceFilter(choices=Side.choices, label="Auditor's side")
    period_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label="Period ends from", widget=DATE
    )
    period_before = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label="Period ends by", widget=DATE
    )
    score_below = django_filters.NumberFilter(field_name="score", lookup_expr="lt", label="Score below")

    class Meta:
        model = ComplianceAudit
        fields = ["q", "engagement", "status", "side", "period_after", "period_before", "score_below"]


class FindingFilterSet(EngagementScopedFilterSet):
    search_fields = ("title", "description", "audit__engagement__name")
    engagement = engagement_filter("audit__engagement")
    audit = IdFilter(field_name="audit_id", label="Audit")
    severity = django_filters.MultipleChoiceFilter(choices=FindingSeverity.choices, widget=forms.CheckboxSelectMultiple)
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)

    class Meta:
        model = Finding
        fields = ["q", "engagement", "audit", "severity", "status"]


class CorrectiveActionFilterSet(EngagementScopedFilterSet):
    search_fields = ("description", "finding__title", "finding__audit__engagement__name")
    engagement = engagement_filter("finding__audit__engagement")
    finding = IdFilter(field_name="finding_id", label="Finding")
    severity = django_filters.ChoiceFilter(
        field_name="finding__severity", choices=FindingSeverity.choices, label="Severity"
    )
    status = django_filters.MultipleChoiceFilter(
        choices=CorrectiveActionStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    overdue = yes_no_filter(method="filter_overdue", label="Overdue")
    mine = yes_no_filter(method="filter_mine", label="Mine")

    class Meta:
        model = CorrectiveAction
        fields = ["q", "engagement", "finding", "severity", "status", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=CorrectiveActionStatus.unfinished(), due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if user is None:
            return queryset
        return queryset.filter(owner=user) if value else queryset.exclude(owner=user)
