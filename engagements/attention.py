"""What needs a person's attention, gathered for their home page.

Each item says what is wrong, how urgent it is, and where to act. The reminder sources (engagements.reminders
SOURCES) are gathered here too, for the user's side.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from engagements.access import engagements_for, is_portal_admin, membership_of
from engagements.choices import EngagementStatus
from engagements.models import Invitation
from engagements.registries import attention_from_sources
from engagements.reminders import BOTH, current_due


@dataclass(frozen=True)
class AttentionItem:
    level: str  # "danger", "warning" or "info": the colour a person reads first
    text: str
    url: str


def days_from_now(day, today) -> str:
    days = (day - today).days
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def attention_items(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    visible = engagements_for(user).exclude(status=EngagementStatus.ENDED)

    # Contract deadlines (notice, long renewals, checkpoints) come from the reminder sources below.
    can_contract = engagements_for(user, "manage_contract").filter(
        status=EngagementStatus.CONTRACTING, contract__isnull=True
    )
    for engagement in can_contract.select_related("provider"):
        items.append(
            AttentionItem(
                "warning",
                f"{engagement.name}: record the contract with {engagement.provider}.",
                engagement.get_absolute_url(),
            )
        )

    unstaffed = engagements_for(user, "assign_agents").filter(
        status__in=[EngagementStatus.TRANSITIONING, EngagementStatus.STEADY], assignments__isnull=True
    )
    for engagement in unstaffed.select_related("practice"):
        items.append(
            AttentionItem(
                "warning",
                f"{engagement.name}: no agents are assigned to {engagement.practice} yet.",
                engagement.get_absolute_url(),
            )
        )

    stale_vetting = visible.filter(status=EngagementStatus.VETTING, created_at__lt=timezone.now() - timedelta(days=30))
    for engagement in stale_vetting:
        items.append(
            AttentionItem(
                "info", f"{engagement.name} has been in vetting for over 30 days.", engagement.get_absolute_url()
            )
        )

    membership = membership_of(user)
    if membership and membership.is_manager:
        expired = Invitation.objects.for_user(user).filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__lte=timezone.now(),
            expires_at__gt=timezone.now() - timedelta(days=14),
        )
        for invitation in expired:
            items.append(
                AttentionItem(
                    "info",
                    f"The invitation for {invitation.email} expired unused; invite them again.",
                    reverse("engagements:people"),
                )
            )
    items.extend(reminder_items(user, visible))
    items.extend(attention_from_sources(user))
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda item: order[item.level])


def reminder_items(user, visible) -> list[AttentionItem]:
    """What the reminder sources say is due now for the user's side — the same sources the beat job sends, each
    engagement on its practice's local date, so the home page and the e-mails agree."""
    membership = membership_of(user)
    admin = is_portal_admin(user)
    if membership is None and not admin:
        return []
    items = []
    for due in current_due(visible.select_related("practice")):
        addressed = any(recipient.pk == user.pk for recipient in due.recipients)
        if admin or addressed or due.side in (membership.side, BOTH):
            items.append(AttentionItem(due.level, due.title, due.url))
    return items


__all__ = ["AttentionItem", "attention_items"]
