"""The communication card on the engagement page: a few counts, in a fixed handful of queries."""

from django import template
from django.db.models import Max

from engagements.access import engagements_for
from engagements.models import ActionItem
from engagements.reminders import local_today

register = template.Library()


@register.simple_tag
def communication_summary(engagement, user) -> dict:
    today = local_today(engagement.practice.timezone)
    cadences = list(engagement.cadences.annotate(last_held=Max("meetings__held_on")))
    due = sorted((cadence.next_due(cadence.last_held), cadence.label) for cadence in cadences)
    open_items = ActionItem.objects.open().filter(meeting__engagement=engagement)
    return {
        "contacts": engagement.contacts.count(),
        "levels": engagement.escalation_levels.count(),
        "next_meeting": due[0] if due else None,
        "overdue_items": open_items.filter(due_on__lt=today).count(),
        "open_items": open_items.count(),
        "today": today,
        "feedback": engagements_for(user, "give_feedback").filter(pk=engagement.pk).exists()
        or engagements_for(user, "manage_contract").filter(pk=engagement.pk).exists(),
    }
