"""Filters of the pipeline's list of onboardings, shared by the page and the API."""

import django_filters
from django_countries import countries

from engagements.choices import AgentStatus
from engagements.filters import EngagementScopedFilterSet
from engagements.models import Engagement
from onboarding.choices import SourcingChannel
from onboarding.models import Onboarding


class OnboardingFilterSet(EngagementScopedFilterSet):
    search_fields = ("agent__full_name", "agent__employee_ref", "engagement__name")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all())
    stage = django_filters.ChoiceFilter(choices=AgentStatus.choices)
    sourcing_channel = django_filters.ChoiceFilter(choices=SourcingChannel.choices)
    country = django_filters.ChoiceFilter(field_name="agent__country", choices=countries, label="Country")

    class Meta:
        model = Onboarding
        fields = ["q", "engagement", "stage", "sourcing_channel", "country"]
