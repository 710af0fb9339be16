"""FilterSets for change requests and contract versions, shared by the UI lists and the API."""

import django_filters
from django import forms

from engagements.filters import SearchFilterSet
from engagements.models import ChangeRequest, Contract, ContractVersion, Engagement


class _EngagementScoped(SearchFilterSet):
    """Offers only the engagements (and contracts) the user can see, so the filter form itself leaks nothing."""

    engagement = django_filters.ModelChoiceFilter(
        field_name="contract__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all(), label="Contract")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["engagement"].queryset = Engagement.objects.for_user(user)
            self.filters["contract"].queryset = Contract.objects.for_user(user)


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
