from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IdempotencyKeyQuerySet(models.QuerySet):
    def of(self, user, token):
        """The keys of one caller: an API token's own, or a signed-in person's (no token) — never shared."""
        if token is not None:
            return self.filter(token=token)
        return self.filter(user=user, token__isnull=True)

    def expired(self, now=None):
        from bpo_portal.api.idempotency import KEY_LIFETIME

        return self.filter(created_at__lte=(now or timezone.now()) - KEY_LIFETIME)


class IdempotencyKey(models.Model):
    """An integration's promise that one POST is one operation: the `Idempotency-Key` it sent, what it asked
    for (a fingerprint of the method, path and body) and the first answer it got, so that a retry within 24 hours
    gets that answer again instead of creating the thing twice.

    Keys belong to the API token that sent them (or to the person, for a signed-in session): two integrations
    may use the same key without meeting.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys")
    token = models.ForeignKey(
        "engagements.ApiToken", on_delete=models.CASCADE, null=True, blank=True, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path, query and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"],
                condition=Q(token__isnull=False),
                name="%(app_label)s_%(class)s_once_per_token",
                violation_error_message="This token has already used this idempotency key.",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=Q(token__isnull=True),
                name="%(app_label)s_%(class)s_once_per_session_user",
                violation_error_message="You have already used this idempotency key.",
            ),
        ]
        indexes = [
            # The purge job deletes keys older than 24 hours.
            models.Index(fields=["created_at"], name="idempotencykey_created_idx"),
        ]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path} → {self.status_code})"
