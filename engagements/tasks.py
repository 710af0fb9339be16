from celery import shared_task
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
