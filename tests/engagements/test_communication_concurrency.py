"""Several beat workers sending the same day's reminders at once: each reminder is recorded once, each person
notified and e-mailed once, each escalation level reached once.

This needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there too); SQLite
serialises writers and would prove nothing.
"""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from engagements.choices import Side
from engagements.models import Escalation, EscalationLevel, Notification, Reminder
from engagements.reminders import send_due_reminders
from tests.engagements.communication_fixtures import (
    TODAY,
    make_action_item,
    make_breach,
    make_contact,
    make_meeting,
    make_plan,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)"),
]
WORKERS = 4


def _race(work):
    barrier, errors, results = threading.Barrier(WORKERS), [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported below with the failing assertion
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors, results


def test_concurrent_beat_runs_send_each_reminder_once(world):
    meeting = make_meeting(world.engagement, held_on=TODAY - timedelta(days=10))
    for n in range(1, 6):
        make_action_item(meeting, due_on=TODAY - timedelta(days=n), side=Side.PROVIDER, title=f"Item {n}")
    contact = make_contact(world.engagement, Side.PROVIDER, user=world.provider_manager)
    EscalationLevel.objects.create(engagement=world.engagement, level=1, contact=contact, response_hours=24)
    breach = make_breach(world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=1))

    errors, sent = _race(lambda: send_due_reminders(TODAY))

    assert errors == []
    assert connection.vendor == "postgresql"
    assert sum(sent) == 6  # five action items and one escalation, whoever sent them
    assert Reminder.objects.count() == 6
    assert Notification.objects.filter(user=world.provider_manager).count() == 6
    assert Escalation.objects.filter(breach=breach).count() == 1
    emailed = [m for m in mail.outbox if m.to == [world.provider_manager.email]]
    assert len(emailed) == 6
    assert len([m for m in mail.outbox if m.to == [contact.email]]) == 1  # the escalation e-mail to the contact
