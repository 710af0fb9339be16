"""Communication and escalation: contacts, the escalation path, meetings and action items, staff feedback — and
the reminder source that says which meetings, action items and overdue remediations need someone now.

When is a remediation overdue? The SLA engine's `RemediationPlan` has a due date, so for an open breach:

- its live plan (submitted or accepted) is past its `due_on`: overdue from the day after `due_on`;
- it has no live plan (none yet, or only rejected ones) `ANSWER_WITHIN_DAYS` after it opened (practice-local
  date): overdue from the day after that;
- a plan the provider reported done is the practice's to close, so it is not overdue.

An overdue remediation goes up the engagement's escalation path one level at a time: level 1 on the day it
became overdue, each next level once the previous level's expected response time (in whole days, at least one,
since the job runs daily) has passed since that level was told, with the remediation still overdue. Each level
is reached once per breach (`Escalation` is unique per breach and level); an engagement with no escalation path
is not escalated.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.choices import ReminderKind, Side
from engagements.locking import lock_row
from engagements.models import (
    ActionItem,
    Contact,
    Engagement,
    Escalation,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
)
from engagements.reminders import BOTH, Due
from engagements.services import webhooks
from slas import evidence

ANSWER_WITHIN_DAYS = 7  # an open breach with no live remediation plan this long after it opened is overdue
MEETING_NOTICE_DAYS = 2  # a meeting due per cadence is announced this many days ahead


def _require(user, engagement, permission: str, message: str) -> None:
    if not can_act_on(user, engagement, permission):
        raise DomainError(message)


def _validated_save(obj):
    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from error
    obj.save()
    return obj


MANAGERS_ONLY = "Only the managers of either side can change the communication plan."


# --- Contacts, escalation path, cadences ------------------------------------------------------------------------


@transaction.atomic
def save_contact(contact: Contact, *, by) -> Contact:
    _require(by, contact.engagement, "change", MANAGERS_ONLY)
    if contact.user_id and not can_act_on(contact.user, contact.engagement, "view"):
        raise DomainError("That person cannot see this engagement; leave the account empty.", field="user")
    return _validated_save(contact)


@transaction.atomic
def save_escalation_level(level: EscalationLevel, *, by) -> EscalationLevel:
    _require(by, level.engagement, "change", MANAGERS_ONLY)
    duplicate = EscalationLevel.objects.filter(engagement=level.engagement, level=level.level).exclude(pk=level.pk)
    if duplicate.exists():
        raise DomainError(f"Level {level.level} already has a contact; edit that level instead.", field="level")
    return _validated_save(level)


@transaction.atomic
def save_cadence(cadence: MeetingCadence, *, by) -> MeetingCadence:
    _require(by, cadence.engagement, "change", MANAGERS_ONLY)
    if cadence.kind == "custom" and not cadence.name.strip():
        raise DomainError("Name the meeting, e.g. “Billing huddle”.", field="name")
    return _validated_save(cadence)


# --- Meetings and action items ----------------------------------------------------------------------------------


@transaction.atomic
def save_meeting(meeting: Meeting, *, by) -> Meeting:
    _require(by, meeting.engagement, "change", MANAGERS_ONLY)
    if meeting.cadence_id and not meeting.pk:
        meeting.kind = meeting.cadence.kind
    if not meeting.pk:
        meeting.recorded_by = by
    return _validated_save(meeting)


@transaction.atomic
def save_action_item(item: ActionItem, *, by) -> ActionItem:
    _require(by, item.meeting.engagement, "change", MANAGERS_ONLY)
    return _validated_save(item)


@transaction.atomic
def complete_action_item(item: ActionItem, *, by) -> ActionItem:
    item = lock_row(ActionItem, item.pk, engagement="meeting__engagement_id", related=("meeting__engagement",))
    _require(by, item.meeting.engagement, "change", MANAGERS_ONLY)
    if item.is_done:
        raise DomainError("This action item is already done.")
    item.done_at, item.done_by = timezone.now(), by
    item.save(update_fields=["done_at", "done_by"])
    return item


# --- Staff feedback ---------------------------------------------------------------------------------------------


@transaction.atomic
def give_feedback(engagement: Engagement, *, text: str, anonymous: bool, by) -> Feedback:
    """Record a practice member's feedback. Anonymous feedback is stored without its author, and is not sent
    to the audit log (whose actor would name them)."""
    _require(by, engagement, "give_feedback", "Only the practice's people can leave feedback on the transition.")
    if not text or not text.strip():
        raise DomainError("Write your feedback first.", field="text")
    feedback = Feedback(engagement=engagement, text=text.strip(), is_anonymous=anonymous)
    feedback.author = None if anonymous else by
    return _validated_save(feedback)


# --- Reminder source --------------------------------------------------------------------------------------------


def due_items(engagements, today: date):
    """The communication area's reminders for `engagements` on the practice-local date `today`."""
    yield from meetings_due(engagements, today)
    yield from action_items_overdue(engagements, today)
    yield from remediations_overdue(engagements, today)


def meetings_due(engagements, today: date):
    cadences = MeetingCadence.objects.filter(engagement__in=engagements).select_related("engagement")
    cadences = cadences.annotate(last_held=Max("meetings__held_on"))
    for cadence in cadences:
        due = cadence.next_due(cadence.last_held)
        if due <= today + timedelta(days=MEETING_NOTICE_DAYS):
            when = "was due" if due < today else "is due"
            yield Due(
                kind=ReminderKind.MEETING_DUE,
                item=cadence,
                due_on=due,
                engagement=cadence.engagement,
                side=BOTH,
                title=f"{cadence.engagement.name}: the {cadence.label.lower()} {when} on {due:%d %b %Y}.",
                # the communication page, which every reader may open; those who record meetings find the button there
                url=reverse("engagements:communication", args=[cadence.engagement_id]),
                level="warning" if due < today else "info",
            )


def action_items_overdue(engagements, today: date):
    items = ActionItem.objects.open().filter(meeting__engagement__in=engagements, due_on__lt=today)
    for item in items.select_related("meeting__engagement"):
        engagement = item.meeting.engagement
        yield Due(
            kind=ReminderKind.ACTION_ITEM_OVERDUE,
            item=item,
            due_on=item.due_on,
            engagement=engagement,
            side=item.side,
            title=f"{engagement.name}: action item “{item.title}” ({item.owner}) was due {item.due_on:%d %b %Y}.",
            url=item.meeting.get_absolute_url(),
        )


def overdue_since(breach, today: date, tz: str) -> date | None:
    """The first practice-local day `breach`'s remediation counts as overdue, or None if it is not overdue."""
    remediation = evidence.remediation_of(breach)
    if not remediation.waiting:
        return None
    if remediation.live_plan_due_on is not None:
        since = remediation.live_plan_due_on + timedelta(days=1)
    else:
        opened_on = timezone.localtime(breach.opened_at, ZoneInfo(tz)).date()
        since = opened_on + timedelta(days=ANSWER_WITHIN_DAYS + 1)
    return since if since <= today else None


def next_escalation(breach, levels: list, reached: dict, today: date, tz: str):
    """(level, due date) of the next escalation `breach` has reached by `today`, or None.

    `levels` is the engagement's path in order; `reached` maps level number → Escalation already recorded."""
    return next_level(overdue_since(breach, today, tz), levels, reached, today)


def current_escalation(breach, levels: list, reached: dict, today: date, tz: str):
    """(level, due date) of the last level already told while the remediation is still overdue, or None.

    Yielded again so the home page keeps showing the overdue remediation; for the beat job it is the reminder
    it already sent (same kind, item and due date), so the insert finds it there and sends nothing."""
    return last_level(overdue_since(breach, today, tz), levels, reached)


# The walk up an escalation path, for anything overdue since a date (a remediation here, a corrective action in
# the audits app): `reached` maps level number → a record with `level_id`, `due_on` and `reached_on`.


def next_level(since: date | None, levels: list, reached: dict, today: date):
    """(level, due date) of the next level something overdue from `since` has reached by `today`, or None."""
    if since is None or not levels:
        return None
    due, previous = since, None
    for level in levels:
        if previous is not None:
            recorded = reached.get(previous.level)
            if recorded is None:
                return None
            # Counted from when the previous level was told, so a job that ran late never skips a level's time.
            due = max(due, recorded.reached_on + timedelta(days=previous.response_days))
        if level.level not in reached:
            return (level, due) if due <= today else None
        previous = level
    return None  # every level reached


def last_level(since: date | None, levels: list, reached: dict):
    """(level, due date) of the last level already told while the item is still overdue, or None."""
    if not reached or since is None:
        return None
    last = reached[max(reached)]
    level = next((level for level in levels if level.pk == last.level_id), None)
    return (level, last.due_on) if level is not None else None


def _breaches_for(engagements):
    return (
        evidence.open_breaches(engagements)
        .select_related("target__engagement__practice", "target__metric")
        .prefetch_related("remediation_plans", Prefetch("escalations", queryset=Escalation.objects.all()))
    )


def remediations_overdue(engagements, today: date):
    breaches = list(_breaches_for(engagements))
    if not breaches:
        return
    paths: dict[int, list] = {}
    levels = EscalationLevel.objects.filter(engagement__in={b.target.engagement_id for b in breaches})
    for level in levels.select_related("contact__user").order_by("level"):
        paths.setdefault(level.engagement_id, []).append(level)
    for breach in breaches:
        engagement = breach.target.engagement
        reached = {e.level_number: e for e in breach.escalations.all()}
        path = paths.get(engagement.pk, [])
        found = next_escalation(breach, path, reached, today, engagement.practice.timezone)
        if found is None:
            found = current_escalation(breach, path, reached, today, engagement.practice.timezone)
        if found is None:
            continue
        level, due = found
        contact = level.contact
        yield Due(
            kind=ReminderKind.REMEDIATION_OVERDUE,
            item=breach,
            due_on=due,
            engagement=engagement,
            side=contact.side,
            title=(
                f"{engagement.name}: remediation of the {breach.target.metric} breach ({breach.period_label}) is "
                f"overdue — escalated to level {level.level}, {contact.name}."
            ),
            url=breach.get_absolute_url(),
            level="danger",
            recipients=(contact.user,) if contact.user_id and contact.user.is_active else (),
        )


def record_escalation(due: Due, today: date) -> Escalation | None:
    """After the beat job sent a remediation-overdue reminder: record which level it reached and e-mail that
    level's contact. Runs inside the reminder's transaction, so a failure sends neither."""
    breach = due.item
    engagement = due.engagement
    levels = list(EscalationLevel.objects.filter(engagement=engagement).select_related("contact").order_by("level"))
    reached = {e.level_number: e for e in Escalation.objects.filter(breach=breach)}
    found = next_escalation(breach, levels, reached, due.due_on, engagement.practice.timezone)
    if found is None or found[1] != due.due_on:
        return None
    level, _ = found
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                breach=breach, level=level, level_number=level.level, due_on=due.due_on, reached_on=today
            )
    except IntegrityError:  # another run recorded this level meanwhile
        return None
    from engagements.tasks import send_escalation_email

    transaction.on_commit(lambda: send_escalation_email.delay(escalation.pk), robust=True)
    webhooks.emit("remediation.overdue", engagement, {"breach": breach.pk, "escalation_level": level.level})
    return escalation


def contacts_by_side(engagement) -> dict[str, list[Contact]]:
    contacts = {Side.PRACTICE: [], Side.PROVIDER: []}
    for contact in engagement.contacts.select_related("user"):
        contacts[contact.side].append(contact)
    return contacts
