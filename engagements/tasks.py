from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from engagements.models import Invitation


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, link: str) -> str:
    """Send an invitation's e-mail once. Returns what happened, so callers (and tests) can tell."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("practice", "provider", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return "missing"
        if invitation.sent_at is not None:
            return "already-sent"
        if not invitation.is_usable:
            return "not-usable"
        context = {"invitation": invitation, "link": link}
        send_mail(
            subject=f"You are invited to {invitation.organization} on BPO Portal",
            message=render_to_string("engagements/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return "sent"


EMAIL_BATCH = 200


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_notification_emails() -> int:
    """E-mail every notification not yet e-mailed, each exactly once. Returns how many were sent.

    Each row is locked (SKIP LOCKED where the database has it), sent and marked in its own transaction, so two
    workers never send the same one, and a send that fails leaves only that row for the retry.
    """
    from engagements.models import Notification

    sent, last_pk = 0, 0
    while True:
        unsent = Notification.objects.filter(emailed_at__isnull=True, pk__gt=last_pk).order_by("pk")
        pending = list(unsent.values_list("pk", flat=True)[:EMAIL_BATCH])
        if not pending:
            return sent
        for pk in pending:
            sent += _email_one(Notification, pk)
        last_pk = pending[-1]


def _email_one(Notification, pk: int) -> int:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=pk, emailed_at__isnull=True)
            .first()
        )
        if notification is None:  # sent by another worker meanwhile
            return 0
        user = notification.user
        if user.email and user.is_active:
            send_mail(
                subject=notification.title,
                message=render_to_string(
                    "engagements/email/notification.txt", {"notification": notification, "site_url": settings.SITE_URL}
                ),
                from_email=None,
                recipient_list=[user.email],
            )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return 1 if user.email and user.is_active else 0


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_reminders() -> int:
    """The daily beat job: every reminder now due, each engagement on its practice's local date, each once."""
    from engagements.reminders import send_due_reminders

    return send_due_reminders()


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_escalation_email(escalation_id: int) -> str:
    """E-mail an escalation to its level's contact once (their address on the escalation path, which may be
    someone without a portal account). The row lock and `emailed_at` make a retry or a second worker a no-op."""
    from engagements.models import Escalation

    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("level__contact__user", "breach__target__engagement", "breach__target__metric")
            .filter(pk=escalation_id)
            .first()
        )
        if escalation is None:
            return "missing"
        if escalation.emailed_at is not None:
            return "already-sent"
        contact = escalation.level.contact
        account = contact.user
        if account is not None and account.is_active and account.email.lower() == contact.email.lower():
            # Their in-app notification is e-mailed to this very address already: one e-mail is enough.
            escalation.emailed_at = timezone.now()
            escalation.save(update_fields=["emailed_at"])
            return "covered-by-notification"
        context = {"escalation": escalation, "contact": contact, "site_url": settings.SITE_URL}
        send_mail(
            subject=f"Escalation level {escalation.level_number}: overdue remediation on "
            f"{escalation.breach.target.engagement.name}",
            message=render_to_string("engagements/email/escalation.txt", context),
            from_email=None,
            recipient_list=[contact.email],
        )
        escalation.emailed_at = timezone.now()
        escalation.save(update_fields=["emailed_at"])
    return "sent"


@shared_task
def purge_idempotency_keys() -> int:
    """The hourly beat job: forget idempotency keys older than 24 hours. Returns how many were deleted."""
    from engagements.models import IdempotencyKey

    deleted, _ = IdempotencyKey.objects.expired().delete()
    return deleted


@shared_task
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one webhook delivery; a failure is retried by `retry_webhook_deliveries`, not here, so the
    backoff schedule lives in the database and survives a worker restart."""
    from engagements.services.webhooks import attempt_delivery

    return attempt_delivery(delivery_id)


@shared_task
def retry_webhook_deliveries() -> int:
    """The every-minute beat job: attempt the webhook deliveries whose next try is due."""
    from engagements.services.webhooks import deliver_due

    return deliver_due()
