"""FilterSets for interview rounds, interviews and feedback, shared by the UI lists and the API."""

import django_filters
from django import forms

from engagements.filters import EngagementScopedFilterSet, IdFilter
from engagements.models import Engagement
from onboarding.choices import InterviewStatus
from onboarding.models import Interview, InterviewFeedback, InterviewRound


def engagement_filter(field_name="engagement"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=Engagement.objects.all(), label="Engagement"
    )


class InterviewRoundFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter("hiring_profile__engagement")

    class Meta:
        model = InterviewRound
        fields = ["engagement"]


class InterviewFilterSet(EngagementScopedFilterSet):
    search_fields = ("onboarding__agent__full_name", "round__name", "onboarding__engagement__name")
    engagement = engagement_filter("onboarding__engagement")
    round = django_filters.NumberFilter(field_name="round__number", label="Round number")
    status = django_filters.ChoiceFilter(choices=InterviewStatus.choices)
    onboarding = IdFilter(field_name="onboarding", label="Onboarding (id)")
    mine = django_filters.BooleanFilter(method="filter_mine", label="I am an interviewer", widget=forms.CheckboxInput)

    class Meta:
        model = Interview
        fields = ["q", "engagement", "round", "status", "onboarding", "mine"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(interviewers=user)


class InterviewFeedbackFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter("interview__onboarding__engagement")
    interview = IdFilter(field_name="interview", label="Interview (id)")
    onboarding = IdFilter(field_name="interview__onboarding", label="Onboarding (id)")

    class Meta:
        model = InterviewFeedback
        fields = ["engagement", "interview", "onboarding"]
