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
    # Where an agent among the recipients acts, on their own pages (their training, their documents), when that is
    # not `url`: the side's managers and readers follow `url`, the agent the reminder is about follows this.
    agent_url: str = ""


BOTH = "both"


# --- Sources and sending ---------------------------------------------------------------------------------------------
# The one list of reminder sources: the beat job and the home page's attention list both read it. Apps above
# engagements (audits, onboarding) add theirs with `register_source` in their AppConfig.ready().
SOURCES: list[str] = [
    "engagements.services.diligence.due_items",
    "engagements.services.terms.due_items",
    "engagements.services.transition.due_items",
    "engagements.services.communication.due_items",
]

# What happens once a reminder of a kind has been sent (inside its transaction), called with the Due and the
# practice-local date of the run: an overdue remediation is recorded as an escalation and its contact e-mailed.
AFTER_SEND: dict[str, str] = {"remediation_overdue": "engagements.services.communication.record_escalation"}


def register_source(path: str, after_send: dict[str, str] | None = None) -> None:
    """Add a reminder source (a dotted path to a `due_items(engagements, today)`), and what to do after sending
    its kinds, once however often an app's ready() runs."""
    if path not in SOURCES:
        SOURCES.append(path)
    AFTER_SEND.update(after_send or {})


def due_items(engagements, today: date):
    """Every source's Due items for `engagements` on the practice-local date `today`."""
    from django.utils.module_loading import import_string

    for path in SOURCES:
        yield from import_string(path)(engagements, today)


def local_today(tz: str, now=None) -> date:
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.localtime(now or timezone.now(), ZoneInfo(tz)).date()


def current_due(engagements, now=None):
    """Every Due item for `engagements`, each engagement judged on its own practice's local date: a practice in
    Auckland has tomorrow's reminders while one in Los Angeles is still on today."""
    timezones = engagements.order_by().values_list("practice__timezone", flat=True).distinct()
    for tz in sorted(set(timezones)):
        yield from due_items(engagements.filter(practice__timezone=tz), local_today(tz, now))


def recipients_of(due: Due):
    """Who is told: the Due's explicit recipients, else the managers of its side (or both sides)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from engagements.choices import Role, Side

    User = get_user_model()
    if due.recipients:
        return User.objects.filter(pk__in=[user.pk for user in due.recipients], is_active=True)
    engagement = due.engagement
    if engagement is None:
        return User.objects.none()
    sides = Q(pk__in=[])
    if due.side in (Side.PRACTICE, BOTH):
        sides |= Q(membership__practice_id=engagement.practice_id)
    if due.side in (Side.PROVIDER, BOTH):
        sides |= Q(membership__provider_id=engagement.provider_id)
    return User.objects.filter(sides, membership__role=Role.MANAGER, is_active=True)


def send(due: Due, today: date | None = None) -> bool:
    """Record and send one reminder, unless it was sent before. Returns whether this call sent it.

    The insert is the lock: the unique (kind, item, due date, engagement) constraint lets exactly one run insert
    the row, concurrent runs wait for it and then fail on the constraint, and only the run that inserted notifies.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError, transaction
    from django.utils.module_loading import import_string

    from engagements.access import is_agent
    from engagements.models import Reminder
    from engagements.notifications import notify

    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                kind=due.kind,
                item_type=ContentType.objects.get_for_model(due.item),
                item_id=due.item.pk,
                due_on=due.due_on,
                engagement=due.engagement,
                side=due.side,
                level=due.level,
                title=due.title[:200],
                url=due.url,
            )
            users = list(recipients_of(due))
            reminder.recipients.set(users)
            agents = {user.pk for user in users if is_agent(user)} if due.agent_url else set()
            for group, url in (
                ([user for user in users if user.pk not in agents], reminder.url),
                ([user for user in users if user.pk in agents], due.agent_url),
            ):
                if group:
                    notify(group, key=reminder.key, title=reminder.title, url=url, engagement=due.engagement)
            if due.kind in AFTER_SEND:
                today = today or local_today(due.engagement.practice.timezone)
                import_string(AFTER_SEND[due.kind])(due, today)
    except IntegrityError:
        return False
    return True


def send_due_reminders(today: date | None = None, engagements=None) -> int:
    """Send every reminder now due on live engagements, each once. `today` overrides the practices' local dates
    (for tests and back-fills). Returns how many reminders this run sent."""
    from engagements.models import Engagement

    if engagements is None:
        engagements = Engagement.objects.active()
    items = current_due(engagements) if today is None else due_items(engagements, today)
    return sum(send(due, today) for due in list(items))
