"""Filters of assessment results and hiring profiles, shared by the API (and any list page)."""

import django_filters

from engagements.filters import EngagementScopedFilterSet
from engagements.models import Engagement
from onboarding.choices import AssessmentKind
from onboarding.models import AssessmentResult, HiringProfile


class AssessmentResultFilterSet(EngagementScopedFilterSet):
    search_fields = ("test_name", "onboarding__agent__full_name")
    engagement = django_filters.ModelChoiceFilter(
        field_name="onboarding__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    onboarding = django_filters.NumberFilter(field_name="onboarding_id", help_text="An onboarding id.")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)
    passed = django_filters.BooleanFilter()

    class Meta:
        model = AssessmentResult
        fields = ["q", "engagement", "onboarding", "kind", "passed"]


class HiringProfileFilterSet(EngagementScopedFilterSet):
    search_fields = ("engagement__name",)
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all())

    class Meta:
        model = HiringProfile
        fields = ["q", "engagement"]
