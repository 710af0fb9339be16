"""Webhook endpoints and their delivery logs over the API: the same services as the pages."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.api.serializers import webhooks as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.filters.webhooks import WebhookDeliveryFilterSet
from engagements.models import WebhookDelivery, WebhookEndpoint
from engagements.services import webhooks


@extend_schema_view(
    list=extend_schema(summary="Your webhook endpoints"),
    retrieve=extend_schema(
        summary="One of your webhook endpoints", responses={200: serializers.WebhookEndpointSerializer, 404: NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary="Change an endpoint's URL, events or description, or switch it off or on",
        responses={200: serializers.WebhookEndpointSerializer, 400: INVALID, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint and its delivery log", responses={204: None, 404: NOT_FOUND}
    ),
)
class WebhookEndpointViewSet(ScopedModelViewSet):
    """Endpoints in your systems that the portal calls when something happens on an engagement you can see.
    Each belongs to whoever registered it (a person, or an integration's token); nobody else sees it."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = WebhookEndpoint.objects.all()
    serializer_class = serializers.WebhookEndpointSerializer
    filter_backends = []
    denied_message = "Only a practice's or provider's managers (or an integration) can register webhooks."

    def can_create(self) -> bool:
        return webhooks.may_register(self.request.user)

    def can_destroy(self, obj) -> bool:
        return True  # it is the caller's own: get_object found it in their scope

    @extend_schema(
        summary="Register a webhook endpoint",
        description="The URL must be https and resolve to a public address. The response carries the signing "
        "`secret`, shown this once. Verify each delivery's `X-Signature` with it (see the README's Webhooks section).",
        request=serializers.WebhookEndpointSerializer,
        responses={201: serializers.WebhookEndpointCreatedSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message=self.denied_message)
        registration = self.get_serializer(data=request.data)
        registration.is_valid(raise_exception=True)
        endpoint, secret = webhooks.create_endpoint(by=request.user, **registration.validated_data)
        data = serializers.WebhookEndpointCreatedSerializer(endpoint, context=self.get_serializer_context()).data
        data["secret"] = secret
        location = reverse("webhookendpoint-detail", args=[endpoint.pk])
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def perform_update(self, serializer):
        serializer.instance = webhooks.update_endpoint(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        webhooks.delete_endpoint(instance, by=self.request.user)

    @extend_schema(
        summary="An endpoint's delivery log, newest first",
        responses={200: serializers.WebhookDeliverySerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        log = endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")
        page = self.paginate_queryset(log)
        return self.get_paginated_response(serializers.WebhookDeliverySerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Deliveries to your webhook endpoints, newest first"),
    retrieve=extend_schema(
        summary="One delivery", responses={200: serializers.WebhookDeliverySerializer, 404: NOT_FOUND}
    ),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every event sent to your endpoints: status, the answer's status code, how long it took, the next retry."""

    queryset = WebhookDelivery.objects.select_related("event").order_by("-created_at", "-pk")
    serializer_class = serializers.WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    ordering_fields = ["created_at", "last_attempt_at", "next_attempt_at"]

    def get_queryset(self):
        return self.queryset.for_user(self.request.user)

    @extend_schema(
        summary="Send a delivery again, now",
        description="The same event (same `id`) is sent at once, with a fresh 24 hours of retries. The endpoint "
        "must be switched on.",
        request=None,
        responses={200: serializers.WebhookDeliverySerializer, 400: INVALID, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def redeliver(self, request, pk=None):
        delivery = webhooks.redeliver(self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=delivery.pk)).data)


class WebhookEventTypeListView(generics.GenericAPIView):
    """The event types an endpoint can subscribe to."""

    serializer_class = serializers.WebhookEventTypeSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="Webhook event types", responses={200: serializers.WebhookEventTypeSerializer(many=True)})
    def get(self, request):
        types = [{"type": name, "description": text} for name, text in sorted(webhooks.EVENT_TYPES.items())]
        return Response(self.get_serializer(types, many=True).data)
