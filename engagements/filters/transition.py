"""FilterSets of the phased transition, shared by the milestone list page and the API."""

import django_filters
from django import forms

from engagements.filters import EngagementScopedFilterSet, IdFilter
from engagements.models import Engagement, GateCriterion, Milestone, TransitionPhase

DATE = forms.DateInput(attrs={"type": "date"})
YES_NO = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class TransitionPhaseFilterSet(EngagementScopedFilterSet):
    search_fields = ("name",)
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")
    status = django_filters.MultipleChoiceFilter(
        choices=TransitionPhase.Status.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TransitionPhase
        fields = ["q", "engagement", "status"]


class MilestoneFilterSet(EngagementScopedFilterSet):
    search_fields = ("title", "owner_name", "phase__name")
    engagement = django_filters.ModelChoiceFilter(
        field_name="phase__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    phase = IdFilter(field_name="phase", label="Phase id")
    done = django_filters.BooleanFilter(
        field_name="done_at", lookup_expr="isnull", exclude=True, label="Done", widget=YES_NO
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue", widget=YES_NO)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due from", widget=DATE)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due until", widget=DATE)

    class Meta:
        model = Milestone
        fields = ["q", "engagement", "phase", "done", "overdue", "due_after", "due_before"]

    def filter_overdue(self, queryset, name, value):
        """Overdue in the server's calendar; the page and reminders use each practice's own date."""
        from django.utils import timezone

        today = timezone.localdate()
        overdue = queryset.model.objects.overdue(today).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class GateCriterionFilterSet(EngagementScopedFilterSet):
    engagement = django_filters.ModelChoiceFilter(
        field_name="phase__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    phase = IdFilter(field_name="phase", label="Phase id")

    class Meta:
        model = GateCriterion
        fields = ["engagement", "phase"]
