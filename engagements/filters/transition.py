"""FilterSets of the phased transition, shared by the milestone list page and the API."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagements.filters import SearchFilterSet
from engagements.models import Engagement, GateCriterion, Milestone, TransitionPhase

DATE = forms.DateInput(attrs={"type": "date"})
YES_NO = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: documented as an integer, not a decimal number."""


class TransitionFilterSet(SearchFilterSet):
    """Offers only the engagements the user can see, so the filter form itself leaks nothing."""

    engagement_path = "engagement"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and "engagement" in self.filters:
            self.filters["engagement"].queryset = Engagement.objects.for_user(user).select_related(
                "practice", "provider"
            )


class TransitionPhaseFilterSet(TransitionFilterSet):
    search_fields = ("name",)
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")
    status = django_filters.MultipleChoiceFilter(
        choices=TransitionPhase.Status.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TransitionPhase
        fields = ["q", "engagement", "status"]


class MilestoneFilterSet(TransitionFilterSet):
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


class GateCriterionFilterSet(TransitionFilterSet):
    engagement = django_filters.ModelChoiceFilter(
        field_name="phase__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    phase = IdFilter(field_name="phase", label="Phase id")

    class Meta:
        model = GateCriterion
        fields = ["engagement", "phase"]
