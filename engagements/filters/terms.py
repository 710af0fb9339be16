"""FilterSets of the contract terms area, shared by the API (and any list page)."""

import django_filters
from django import forms

from engagements.choices import CheckpointOutcome
from engagements.filters import IdFilter, VisibleEngagementsMixin
from engagements.models import Checkpoint, Contract, Engagement


class VisibleEngagementFilterSet(VisibleEngagementsMixin, django_filters.FilterSet):
    """The engagement filter offers only engagements the user can see, so an unknown id and a hidden one read
    the same."""

    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")


class ContractFilterSet(VisibleEngagementFilterSet):
    auto_renew = django_filters.BooleanFilter()

    class Meta:
        model = Contract
        fields = ["engagement", "auto_renew"]


class CheckpointFilterSet(VisibleEngagementFilterSet):
    engagement = django_filters.ModelChoiceFilter(
        field_name="contract__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    contract = IdFilter(field_name="contract_id")
    outcome = django_filters.MultipleChoiceFilter(
        choices=CheckpointOutcome.choices, widget=forms.CheckboxSelectMultiple
    )
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Checkpoint
        fields = ["engagement", "contract", "outcome", "due_from", "due_to"]
