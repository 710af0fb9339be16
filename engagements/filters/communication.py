"""FilterSets for the communication area, shared by its list pages and its API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from engagements.choices import ReminderKind, Side
from engagements.filters import EngagementScopedFilterSet, yes_no_filter
from engagements.models import (
    ActionItem,
    Contact,
    Engagement,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
    Reminder,
)
from engagements.models.communication import MeetingKind

DATE = forms.DateInput(attrs={"type": "date"})


def engagement_filter(field_name="engagement"):
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=Engagement.objects.all())


class ContactFilterSet(EngagementScopedFilterSet):
    search_fields = ("name", "role", "email")
    engagement = engagement_filter()
    side = django_filters.ChoiceFilter(choices=Side.choices)

    class Meta:
        model = Contact
        fields = ["q", "engagement", "side"]


class EscalationLevelFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter()

    class Meta:
        model = EscalationLevel
        fields = ["engagement"]


class MeetingCadenceFilterSet(EngagementScopedFilterSet):
    engagement = engagement_filter()
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)

    class Meta:
        model = MeetingCadence
        fields = ["engagement", "kind"]


class MeetingFilterSet(EngagementScopedFilterSet):
    search_fields = ("attendees", "notes", "decisions")
    engagement = engagement_filter()
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="From", widget=DATE)
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="To", widget=DATE)

    class Meta:
        model = Meeting
        fields = ["q", "engagement", "kind", "held_after", "held_before"]


class ActionItemFilterSet(EngagementScopedFilterSet):
    search_fields = ("title", "owner")
    engagement = engagement_filter("meeting__engagement")
    meeting = django_filters.NumberFilter(field_name="meeting_id", label="Meeting")
    side = django_filters.ChoiceFilter(choices=Side.choices)
    done = yes_no_filter(field_name="done_at", lookup_expr="isnull", exclude=True)
    overdue = yes_no_filter(method="filter_overdue")

    class Meta:
        model = ActionItem
        fields = ["q", "engagement", "meeting", "side", "done", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(done_at__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class FeedbackFilterSet(EngagementScopedFilterSet):
    search_fields = ("text",)
    engagement = engagement_filter()

    class Meta:
        model = Feedback
        fields = ["q", "engagement"]


class ReminderFilterSet(EngagementScopedFilterSet):
    search_fields = ("title",)
    engagement = engagement_filter()
    kind = django_filters.ChoiceFilter(choices=ReminderKind.choices)

    class Meta:
        model = Reminder
        fields = ["q", "engagement", "kind"]
