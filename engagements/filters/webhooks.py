"""FilterSets for webhook endpoints' delivery logs (the API; the page shows the latest deliveries)."""

import django_filters

from engagements.choices import DeliveryStatus
from engagements.models import WebhookDelivery


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(field_name="endpoint_id", help_text="The endpoint's id.")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter(field_name="event__event_type", help_text="e.g. `breach.opened`.")

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]
