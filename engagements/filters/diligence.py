"""FilterSets of provider due diligence, shared by the certification list page and the API."""

import django_filters
from django.utils import timezone

from engagements.filters import SearchFilterSet
from engagements.models import Certification, DueDiligenceReview, Engagement, Provider
from engagements.models.diligence import CertificationKind, CertificationStatus, DiligenceDecision


class CertificationFilterSet(SearchFilterSet):
    search_fields = ("issuer", "other_name", "provider__name")
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    kind = django_filters.ChoiceFilter(choices=CertificationKind.choices)
    status = django_filters.ChoiceFilter(
        choices=CertificationStatus.choices, method="filter_status", label="Status (today)"
    )
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte", label="Expires by")

    class Meta:
        model = Certification
        fields = ["q", "provider", "kind", "status", "expires_before"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value, timezone.localdate())


class DueDiligenceReviewFilterSet(django_filters.FilterSet):
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all())
    provider = django_filters.ModelChoiceFilter(field_name="engagement__provider", queryset=Provider.objects.all())
    decision = django_filters.ChoiceFilter(choices=DiligenceDecision.choices)
    decided = django_filters.BooleanFilter(field_name="decided_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = DueDiligenceReview
        fields = ["engagement", "provider", "decision", "decided"]
