"""The access log's filters: what kind of record, which reader, which engagement, and when."""

import django_filters

from engagements.filters import SearchFilterSet
from engagements.forms import DATE
from engagements.models import AccessEntry, AccessKind


class AccessEntryFilterSet(SearchFilterSet):
    search_fields = ("user_label", "object_label", "ip_address")
    kind = django_filters.ChoiceFilter(choices=AccessKind.choices)
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From", widget=DATE)
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To", widget=DATE)
    engagement = django_filters.NumberFilter(field_name="engagement_id", label="Engagement id")

    class Meta:
        model = AccessEntry
        fields = ["q", "kind", "engagement", "since", "until"]
