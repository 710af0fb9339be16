import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from engagements.access import is_portal_admin
from engagements.choices import DeliveryStatus


class WebhookEndpointQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """An endpoint is its owner's (the person or integration that registered it); portal admins see all."""
        if is_portal_admin(user):
            return self
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(owner=user)

    def active(self):
        return self.filter(is_active=True)


class WebhookEndpoint(models.Model):
    """A URL in an integrator's system that the portal calls when something happens on an engagement its
    owner can see (a breach opened, a change request decided…), instead of the integrator polling for it.

    The secret signs every delivery (`X-Signature`); it is shown once, when the endpoint is registered. An
    endpoint that keeps failing for 24 hours is disabled and its owner told.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500, verbose_name="URL")
    events = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, editable=False)
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True, help_text="First failure since the last success.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Fan-out of each event: the active endpoints.
            models.Index(fields=["is_active"], name="webhookendpoint_active_idx", condition=Q(is_active=True)),
        ]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("engagements:webhook_detail", args=[self.pk])

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:6]}…{self.secret[-4:]}"


class WebhookEvent(models.Model):
    """Something that happened on an engagement, as told to webhook endpoints: its type and a JSON payload.
    `public_id` is the event id receivers see, the same on every delivery and redelivery of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=60)
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="webhook_events")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"

    @property
    def event_id(self) -> str:
        return f"evt_{self.public_id.hex}"


class WebhookDeliveryQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """The deliveries of the endpoints one may see."""
        return self.filter(endpoint__in=WebhookEndpoint.objects.for_user(user, action))


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: its attempts so far, the last answer (status code, how long it took) and
    when it is tried next. The database keeps one per endpoint and event, so an event is never sent twice to the
    same endpoint however many workers race (a redelivery reuses the row)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                name="%(app_label)s_%(class)s_once_per_endpoint_and_event",
                violation_error_message="This event has already been sent to this endpoint.",
            ),
        ]
        indexes = [
            # The retry job: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_due_idx",
                condition=Q(status=DeliveryStatus.PENDING),
            ),
            # An endpoint's delivery log, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_log_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
