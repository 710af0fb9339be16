from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
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


EMAIL_BATCH = 200  # notifications per SMTP connection (and per transaction)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_notification_emails() -> int:
    """E-mail every notification not yet e-mailed, each exactly once. Returns how many were sent.

    In batches of EMAIL_BATCH: one transaction locks the batch's rows (SKIP LOCKED where the database has it, so
    two workers never take the same row), sends their e-mails over ONE connection and marks them `emailed_at`.
    A send that fails marks the ones already sent and raises, so the retry sends only the rest.
    """
    sent = 0
    while True:
        count, taken = _email_batch()
        sent += count
        if taken < EMAIL_BATCH:
            return sent


def _email_batch() -> tuple[int, int]:
    """Send one batch. Returns (e-mails sent, notifications taken)."""
    from engagements.models import Notification

    failure = None
    with transaction.atomic():
        batch = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(emailed_at__isnull=True)
            .order_by("pk")[:EMAIL_BATCH]
        )
        if not batch:
            return 0, 0
        # A deactivated person, or one without an address, is settled without an e-mail.
        settled = [n.pk for n in batch if not (n.user.email and n.user.is_active)]
        sent = []
        outgoing = [n for n in batch if n.user.email and n.user.is_active]
        if outgoing:
            try:
                with get_connection() as connection:  # opened once for the batch, closed after it
                    for notification in outgoing:
                        # One message a call on the open connection: if the server fails midway, we know which
                        # went out (send_messages of the whole list would not say), and only those are marked.
                        connection.send_messages([_notification_email(notification, connection)])
                        sent.append(notification.pk)
            except Exception as error:  # noqa: BLE001 - marked what went out; re-raised below, after the commit
                failure = error
        Notification.objects.filter(pk__in=settled + sent).update(emailed_at=timezone.now())
    if failure is not None:
        raise failure
    return len(sent), len(batch)


def _notification_email(notification, connection) -> EmailMessage:
    return EmailMessage(
        subject=notification.title,
        body=render_to_string(
            "engagements/email/notification.txt", {"notification": notification, "site_url": settings.SITE_URL}
        ),
        to=[notification.user.email],
        connection=connection,
    )


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
