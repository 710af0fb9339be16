"""FilterSets of training, shared by the list pages and the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagements.filters import NOT_VISIBLE, SearchFilterSet, VisibleEngagementsMixin, yes_no_filter
from engagements.models import Agent, Engagement
from onboarding.choices import CompletionSource, ModuleKind
from onboarding.models import Curriculum, TrainingCompletion, TrainingModule
from onboarding.services.training import EXPIRING_DAYS


@extend_schema_field(OpenApiTypes.INT)
class EngagementChoiceFilter(django_filters.ModelChoiceFilter):
    """An engagement id (filtered by a method, so the schema is told its type)."""


OWNER_CHOICES = (("provider", "A provider's library"), ("practice", "A practice's own"))


class TrainingModuleFilterSet(SearchFilterSet):
    search_fields = ("title", "material")
    kind = django_filters.MultipleChoiceFilter(choices=ModuleKind.choices, widget=forms.CheckboxSelectMultiple)
    owner = django_filters.ChoiceFilter(choices=OWNER_CHOICES, method="filter_owner", label="Owner")
    renews = yes_no_filter(field_name="renewal_months", lookup_expr="isnull", exclude=True, label="Renews")

    class Meta:
        model = TrainingModule
        fields = ["q", "kind", "owner", "renews"]

    def filter_owner(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class CurriculumFilterSet(VisibleEngagementsMixin, SearchFilterSet):
    search_fields = ("engagement__name", "engagement__practice__name", "engagement__provider__name")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")

    class Meta:
        model = Curriculum
        fields = ["q", "engagement"]


class TrainingCompletionFilterSet(VisibleEngagementsMixin, SearchFilterSet):
    search_fields = ("module__title", "agent__full_name", "external_id")
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all(), label="Agent")
    module = django_filters.ModelChoiceFilter(queryset=TrainingModule.objects.all(), label="Module")
    engagement = EngagementChoiceFilter(
        queryset=Engagement.objects.all(), method="filter_engagement", label="Engagement"
    )
    source = django_filters.ChoiceFilter(choices=CompletionSource.choices)
    expiring = yes_no_filter(method="filter_expiring", label=f"Expiring within {EXPIRING_DAYS} days")
    expired = yes_no_filter(method="filter_expired", label="Expired")

    class Meta:
        model = TrainingCompletion
        fields = ["q", "agent", "module", "engagement", "source", "expiring", "expired"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["module"].queryset = TrainingModule.objects.for_user(user)
        self.filters["engagement"].method = self.filter_engagement  # the mixin's own method filters a FK we lack

    def filter_engagement(self, queryset, name, value):
        if value is NOT_VISIBLE:
            return queryset.none()
        agents = Agent.objects.filter(Q(onboardings__engagement=value) | Q(assignments__engagement=value))
        modules = TrainingModule.objects.filter(curriculum_items__curriculum__engagement=value)
        return queryset.filter(agent__in=agents.values("pk"), module__in=modules.values("pk"))

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        window = Q(expires_on__gt=today, expires_on__lte=today + timedelta(days=EXPIRING_DAYS))
        return queryset.filter(window) if value else queryset.exclude(window)

    def filter_expired(self, queryset, name, value):
        lapsed = Q(expires_on__lte=timezone.localdate())
        return queryset.filter(lapsed) if value else queryset.exclude(lapsed)
