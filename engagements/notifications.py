"""Telling people: one in-app notification per person and event, e-mailed once by a Celery task.

Other apps (the SLA engine's breaches, reminders) call `notify`; the database's unique (user, key) constraint
makes a second call for the same event a no-op, however many workers try.
"""

import contextlib
import contextvars

from django.db import transaction

from engagements.models import Notification

# What a notification is about, by the first part of its key, for the notification list's filter. Other apps add
# their own in AppConfig.ready(): `KINDS["audit"] = "Quality audits"`.
KINDS = {
    "breach": "SLA breaches and warnings",
    "remediation": "Remediation plans",
    "change_request": "Change requests",
    "reminder": "Reminders",
}

# While `held()` is active, notify() collects its calls instead of writing them (a backfill turns thousands of
# breach announcements into one digest per engagement, slas/backfill.py).
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("held_notifications", default=None)


@contextlib.contextmanager
def held():
    """Collect the notify() calls made inside the block, as a list of their keyword arguments (plus "users"),
    without notifying anyone; the caller decides what to send instead."""
    calls: list[dict] = []
    token = _held.set(calls)
    try:
        yield calls
    finally:
        _held.reset(token)


def notify(users, *, key: str, title: str, body: str = "", url: str = "", engagement=None) -> int:
    """Notify each of `users` about the event `key`, unless they already were. Returns how many were new."""
    calls = _held.get()
    if calls is not None:
        calls.append(
            {"users": list(users), "key": key, "title": title, "body": body, "url": url, "engagement": engagement}
        )
        return 0
    user_ids = list(users.values_list("pk", flat=True)) if hasattr(users, "values_list") else [u.pk for u in users]
    already = set(Notification.objects.filter(key=key, user_id__in=user_ids).values_list("user_id", flat=True))
    fresh = [
        Notification(user_id=user_id, key=key, title=title[:200], body=body, url=url, engagement=engagement)
        for user_id in user_ids
        if user_id not in already
    ]
    # ignore_conflicts: a concurrent notifier may have inserted the same (user, key) since the read above.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    if fresh:
        from engagements.tasks import send_notification_emails

        transaction.on_commit(send_notification_emails.delay, robust=True)
    return len(fresh)


def notify_many(events: list[dict]) -> int:
    """`notify` for many events at once (a recompute announcing its breaches): each event is a dict of notify's
    keyword arguments plus "users". One query reads who was already told, one bulk insert writes the rest, and
    one e-mail task is queued, however many events. Returns how many notifications were new."""
    calls = _held.get()
    if calls is not None:
        calls.extend({**event, "users": list(event["users"])} for event in events)
        return 0
    wanted = {}  # (user id, key) → the notification; the first event wins, as a second notify() would be a no-op
    for event in events:
        for user in event["users"]:
            wanted.setdefault(
                (user.pk, event["key"]),
                Notification(
                    user_id=user.pk,
                    key=event["key"],
                    title=event["title"][:200],
                    body=event.get("body", ""),
                    url=event.get("url", ""),
                    engagement=event.get("engagement"),
                ),
            )
    if not wanted:
        return 0
    keys = {key for _, key in wanted}
    users = {user_id for user_id, _ in wanted}
    already = set(Notification.objects.filter(key__in=keys, user_id__in=users).values_list("user_id", "key"))
    fresh = [notification for pair, notification in wanted.items() if pair not in already]
    # ignore_conflicts: a concurrent notifier may have inserted the same (user, key) since the read above.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    if fresh:
        from engagements.tasks import send_notification_emails

        transaction.on_commit(send_notification_emails.delay, robust=True)
    return len(fresh)


def mark_read(user, notification_ids=None) -> int:
    from django.utils import timezone

    unread = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
