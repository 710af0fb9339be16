import django_filters
from django import forms

from audits.choices import AuditStatus, DisputeStatus, InteractionType
from audits.models import Dispute, QualityAudit, Scorecard
from engagements.choices import Side
from engagements.filters import EngagementScopedFilterSet, yes_no_filter
from engagements.models import Agent, Engagement

DATE = forms.DateInput(attrs={"type": "date"})


class ScorecardFilterSet(EngagementScopedFilterSet):
    search_fields = ("name", "engagement__name")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all())

    class Meta:
        model = Scorecard
        fields = ["q", "engagement"]


class AuditFilterSet(EngagementScopedFilterSet):
    search_fields = ("interaction_ref", "agent__full_name", "engagement__name")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all())
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())
    status = django_filters.ChoiceFilter(choices=AuditStatus.choices)
    auditor_side = django_filters.ChoiceFilter(choices=Side.choices, label="Auditor's side")
    interaction_type = django_filters.ChoiceFilter(choices=InteractionType.choices)
    passed = yes_no_filter()
    critical_failed = yes_no_filter(label="Critical fail")
    date_from = django_filters.DateFilter(field_name="interaction_date", lookup_expr="gte", widget=DATE, label="From")
    date_to = django_filters.DateFilter(field_name="interaction_date", lookup_expr="lte", widget=DATE, label="To")

    class Meta:
        model = QualityAudit
        fields = [
            "q",
            "engagement",
            "agent",
            "status",
            "auditor_side",
            "interaction_type",
            "passed",
            "critical_failed",
            "date_from",
            "date_to",
        ]


class DisputeFilterSet(EngagementScopedFilterSet):
    search_fields = ("audit__agent__full_name", "audit__engagement__name", "reason")
    engagement = django_filters.ModelChoiceFilter(
        field_name="audit__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    status = django_filters.ChoiceFilter(choices=DisputeStatus.choices)
    deciding_side = django_filters.ChoiceFilter(
        field_name="audit__auditor_side", choices=Side.choices, label="Decided by"
    )
    to_decide = django_filters.BooleanFilter(
        method="filter_to_decide", label="Mine to decide", widget=forms.CheckboxInput
    )

    class Meta:
        model = Dispute
        fields = ["q", "engagement", "status", "deciding_side", "to_decide"]

    def filter_to_decide(self, queryset, name, value):
        from audits.services.disputes import decidable_by

        if not value:
            return queryset
        return decidable_by(self.request.user, queryset).filter(status=DisputeStatus.OPEN)
