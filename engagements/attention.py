"""What needs a person's attention, gathered for their home page.

Each item says what is wrong, how urgent it is, and where to act. Later features (reminders, SLA breaches)
add their own sources here.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from engagements.access import engagements_for, membership_of
from engagements.choices import EngagementStatus
from engagements.models import Contract, Invitation


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

    contracts = Contract.objects.filter(engagement__in=visible).select_related("engagement__practice")
    for contract in contracts:
        local_today = contract.local_today()  # contract deadlines count in the practice's own calendar
        deadline = contract.notice_deadline_on(local_today)
        if contract.notice_deadline_near(local_today):
            items.append(
                AttentionItem(
                    "danger",
                    f"{contract.engagement.name}: last day to give notice is {deadline:%d %b %Y} "
                    f"({days_from_now(deadline, local_today)}).",
                    contract.engagement.get_absolute_url(),
                )
            )
        if contract.has_long_renewal:
            items.append(
                AttentionItem(
                    "warning",
                    f"{contract.engagement.name}: renews automatically for {contract.renewal_term_months} months.",
                    contract.engagement.get_absolute_url(),
                )
            )

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
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda item: order[item.level])


__all__ = ["AttentionItem", "attention_items"]
