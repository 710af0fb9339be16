"""Celery tasks of provider compliance audits (imported by AuditsConfig.ready, so workers register them)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_corrective_action_escalation_email(escalation_id: int) -> str:
    """E-mail an escalated corrective action to its level's contact once. The row lock and `emailed_at` make a
    retry or a second worker a no-op; a contact whose account has the same address is told by the notification."""
    from audits.models import CorrectiveActionEscalation

    with transaction.atomic():
        escalation = (
            CorrectiveActionEscalation.objects.select_for_update(of=("self",))
            .select_related("level__contact__user", "action__finding__audit__engagement", "action__owner")
            .filter(pk=escalation_id)
            .first()
        )
        if escalation is None:
            return "missing"
        if escalation.emailed_at is not None:
            return "already-sent"
        contact = escalation.level.contact
        account = contact.user
        if not (account is not None and account.is_active and account.email.lower() == contact.email.lower()):
            engagement = escalation.action.finding.audit.engagement
            context = {"escalation": escalation, "contact": contact, "engagement": engagement}
            send_mail(
                subject=f"Escalation level {escalation.level_number}: overdue corrective action on {engagement.name}",
                message=render_to_string(
                    "audits/compliance/email/escalation.txt", {**context, "site_url": settings.SITE_URL}
                ),
                from_email=None,
                recipient_list=[contact.email],
            )
            result = "sent"
        else:
            result = "covered-by-notification"
        escalation.emailed_at = timezone.now()
        escalation.save(update_fields=["emailed_at"])
    return result
