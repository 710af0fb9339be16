from django.conf import settings
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """A notification is its recipient's alone."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know about an engagement (an SLA breach, a reminder), shown in the portal and
    e-mailed once.

    `key` names the event ("breach:42"); the unique constraint on (user, key) is what makes "notify once" hold
    when a job runs twice or two workers race, so senders may simply try again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="%(app_label)s_%(class)s_once_per_user_and_event",
                violation_error_message="This person has already been told about this.",
            )
        ]
        indexes = [
            # The navbar's unread count and the notifications page: one user's newest first.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx"),
            # The e-mail task picks up what has not been e-mailed yet.
            models.Index(fields=["emailed_at"], name="notification_unsent_idx", condition=models.Q(emailed_at=None)),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url or "/"
