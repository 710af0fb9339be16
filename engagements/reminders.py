"""Reminders: what falls due in an engagement, found by each area of the workspace, sent once by Celery beat
and gathered on each person's home page.

Every area (due diligence, contract terms, transition, communication) offers one *source*: a function
`due_items(engagements, today)` that takes a queryset of engagements and the practice-local date and yields
`Due` items for those engagements. The same sources feed the beat job (all live engagements) and the
"what needs my attention" list (the engagements a person can see), so both agree on what is due.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models


@dataclass(frozen=True)
class Due:
    kind: str  # a ReminderKind value
    item: models.Model  # the row the reminder is about (a certificate, a checkpoint, a milestone, …)
    due_on: date  # the date that makes it due; a later due date for the same item is a new reminder
    engagement: models.Model | None  # None for provider-wide items such as a certificate
    side: str  # who is told: a Side value, or BOTH
    title: str  # one line a person can act on, without patient details
    url: str  # where to act
    level: str = "warning"  # "danger", "warning" or "info"
    recipients: tuple = ()  # explicit users (an escalation contact); empty means the side's managers


BOTH = "both"
