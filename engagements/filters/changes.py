"""FilterSets for change requests and contract versions, shared by the UI lists and the API."""

import django_filters
from django import forms

from engagements.filters import EngagementScopedFilterSet
from engagements.models import ChangeRequest, Contract, ContractVersion, Engagement


class _EngagementScoped(EngagementScopedFilterSet):
    """Rows of a contract: filtered by its engagement or the contract itself."""

    engagement = django_filters.ModelChoiceFilter(
        field_name="contract__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all(), label="Contract")


class ChangeRequestFilterSet(_EngagementScoped):
    search_fields = ("reason", "service_line__name", "decision_note")
    status = django_filters.MultipleChoiceFilter(
        choices=ChangeRequest.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.ChoiceFilter(choices=ChangeRequest.Kind.choices)

    class Meta:
        model = ChangeRequest
        fields = ["q", "engagement", "contract", "status", "kind"]


class EngagementChangeRequestFilterSet(ChangeRequestFilterSet):
    """On one engagement's page the engagement and contract are already chosen."""

    class Meta:
        model = ChangeRequest
        fields = ["q", "status", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("engagement")
        self.filters.pop("contract")


class ContractVersionFilterSet(_EngagementScoped):
    search_fields = ("summary",)

    class Meta:
        model = ContractVersion
        fields = ["engagement", "contract"]
