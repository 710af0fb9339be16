"""Webhook endpoints and their deliveries, as integrators register and read them."""

from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import DeliveryStatus
from engagements.models import WebhookDelivery, WebhookEndpoint
from engagements.services.webhooks import EVENT_TYPES


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """An endpoint in your system that the portal calls, signed, when one of its events happens."""

    url = serializers.URLField(max_length=500, help_text="An https:// URL that resolves to a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        allow_empty=False,
        help_text="Event types to receive; `GET /api/v1/webhook-event-types/` lists them.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["failing_since", "disabled_at", "disabled_reason", "created_at"]
        extra_kwargs = {
            "is_active": {"help_text": "Switch off to stop deliveries; switching back on forgets past failures."}
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The registry as it is now: other apps register their events when they start.
        self.fields["events"].child.choices = sorted(EVENT_TYPES)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (`X-Signature`). Shown in this response only: keep it."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One event sent to one endpoint: the last attempt's answer and when it is tried next."""

    event_id = serializers.CharField(source="event.event_id", read_only=True, help_text="As in the body's `id`.")
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    engagement = serializers.IntegerField(source="event.engagement_id", read_only=True)
    status = EnumChoiceField(DeliveryStatus, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "engagement",
            "status",
            "attempts",
            "response_code",
            "duration_ms",
            "error",
            "first_attempt_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
