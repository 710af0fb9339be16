"""FilterSets for calibration sessions, action plans and audit assignments, shared by the UI lists and the API."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model

from audits.choices import AssignmentKind, Band, CalibrationStatus, PlanStatus
from audits.models import ActionPlan, AuditAssignment, CalibrationSession, SamplingPolicy
from engagements.filters import EngagementScopedFilterSet, IdFilter
from engagements.models import Agent, Engagement

DATE = forms.DateInput(attrs={"type": "date"})


def engagement_filter():
    return django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")


def agent_filter():
    return django_filters.ModelChoiceFilter(queryset=Agent.objects.all(), label="Agent")


class CalibrationSessionFilterSet(EngagementScopedFilterSet):
    search_fields = ("title", "interaction_ref", "engagement__name")
    engagement = engagement_filter()
    status = django_filters.ChoiceFilter(choices=CalibrationStatus.choices)
    participant = IdFilter(field_name="participants__user", label="Participant (user id)", distinct=True)

    class Meta:
        model = CalibrationSession
        fields = ["q", "engagement", "status", "participant"]


class ActionPlanFilterSet(EngagementScopedFilterSet):
    search_fields = ("title", "agent__full_name", "engagement__name")
    engagement = engagement_filter()
    agent = agent_filter()
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    owner = IdFilter(field_name="owner", label="Owner (user id)")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")

    class Meta:
        model = ActionPlan
        fields = ["q", "engagement", "agent", "status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        overdue = {"status": PlanStatus.OPEN, "due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class SamplingPolicyFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter()

    class Meta:
        model = SamplingPolicy
        fields = ["engagement", "active"]


class AuditAssignmentFilterSet(EngagementScopedFilterSet):
    search_fields = ("agent__full_name", "engagement__name")
    engagement = engagement_filter()
    agent = agent_filter()
    auditor = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label="Auditor")
    week_start = django_filters.DateFilter(widget=DATE, label="Week of (Monday)")
    kind = django_filters.ChoiceFilter(choices=AssignmentKind.choices)
    band = django_filters.ChoiceFilter(choices=Band.choices)
    done = django_filters.BooleanFilter(field_name="audit", lookup_expr="isnull", exclude=True, label="Done")

    class Meta:
        model = AuditAssignment
        fields = ["q", "engagement", "agent", "auditor", "week_start", "kind", "band", "done"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            visible = AuditAssignment.objects.for_user(user).values("auditor")
            self.filters["auditor"].queryset = get_user_model().objects.filter(pk__in=visible).order_by("last_name")
