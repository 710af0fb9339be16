"""The list of agents in ramp: filters shared by the UI list (and its CSV) and the API's `?engagement=`."""

import django_filters
from django import forms

from engagements.choices import AgentStatus
from engagements.filters import EngagementScopedFilterSet
from engagements.models import Engagement
from onboarding.models import Onboarding

DATE = forms.DateInput(attrs={"type": "date"})


class RampOnboardingFilterSet(EngagementScopedFilterSet):
    """Onboardings that have entered ramp (annotated `ramp_entered` by onboarding.services.ramp.with_ramp_entry)."""

    search_fields = ("agent__full_name", "agent__employee_ref", "engagement__name")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")
    stage = django_filters.ChoiceFilter(
        choices=[(AgentStatus.RAMP, "In ramp"), (AgentStatus.LIVE, "Live")], label="Stage"
    )
    entered_from = django_filters.DateFilter(
        field_name="ramp_entered", lookup_expr="date__gte", label="Entered ramp from", widget=DATE
    )
    entered_to = django_filters.DateFilter(
        field_name="ramp_entered", lookup_expr="date__lte", label="Entered ramp until", widget=DATE
    )
    flagged = django_filters.BooleanFilter(method="filter_flagged", label="Flagged for coaching")
    finished = django_filters.BooleanFilter(
        field_name="ramp_result__finished_week", lookup_expr="isnull", exclude=True, label="Finished ramp"
    )

    class Meta:
        model = Onboarding
        fields = ["q", "engagement", "stage", "entered_from", "entered_to", "flagged", "finished"]

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(ramp_flags__isnull=False).distinct() if value else queryset.filter(ramp_flags=None)
