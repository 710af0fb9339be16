"""Notification e-mails in bulk (issue 14): one SMTP connection per batch of EMAIL_BATCH, each e-mail sent once,
a retry after a failure midway sends only what had not gone out."""

import math

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from engagements import tasks
from engagements.models import Notification

pytestmark = pytest.mark.django_db
BACKEND = f"{__name__}.CountingBackend"


class CountingBackend(EmailBackend):
    """locmem, remembering each connection opened and the messages sent through it; `fail_at` (a count of
    messages sent in all) makes the server drop the connection before that message."""

    connections: list[list[str]] = []
    fail_at: int | None = None

    def open(self):
        CountingBackend.connections.append([])
        self.log = CountingBackend.connections[-1]
        return True

    def send_messages(self, messages):
        assert hasattr(self, "log"), "a message was sent on a connection that was never opened"
        for message in messages:
            if CountingBackend.fail_at is not None and len(mail.outbox) == CountingBackend.fail_at:
                raise ConnectionError("SMTP server went away")
            self.log.append(message.subject)
        return super().send_messages(messages)


@pytest.fixture
def counting(settings, monkeypatch):
    settings.EMAIL_BACKEND = BACKEND
    monkeypatch.setattr(tasks, "EMAIL_BATCH", 3)
    CountingBackend.connections, CountingBackend.fail_at = [], None
    return CountingBackend


def notifications(user, count):
    Notification.objects.bulk_create(Notification(user=user, key=f"test:{n}", title=f"Event {n}") for n in range(count))


@pytest.mark.parametrize("count", [3, 7])
def test_n_emails_go_out_in_one_connection_per_batch_and_a_rerun_sends_none(world, counting, count):
    notifications(world.practice_manager, count)

    assert tasks.send_notification_emails() == count

    assert len(mail.outbox) == count
    assert len(counting.connections) == math.ceil(count / 3)
    assert [len(sent) for sent in counting.connections] == [3] * (count // 3) + ([count % 3] if count % 3 else [])
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Event {n}" for n in range(count))
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert tasks.send_notification_emails() == 0  # a retried task: nothing twice, not even a connection
    assert len(mail.outbox) == count and len(counting.connections) == math.ceil(count / 3)


def test_a_failure_midway_keeps_what_went_out_and_the_retry_sends_only_the_rest(world, counting):
    notifications(world.practice_manager, 7)
    counting.fail_at = 4  # the second batch's second message: the server goes away

    with pytest.raises(ConnectionError):
        tasks.send_notification_emails()
    assert len(mail.outbox) == 4
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 4  # marked: exactly what went out

    counting.fail_at = None
    assert tasks.send_notification_emails() == 3
    subjects = [m.subject for m in mail.outbox]
    assert sorted(subjects) == sorted(f"Event {n}" for n in range(7))  # each once
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_batch_of_only_inactive_people_is_settled_without_a_connection(world, counting):
    world.practice_staff.is_active = False
    world.practice_staff.save(update_fields=["is_active"])
    notifications(world.practice_staff, 2)
    assert tasks.send_notification_emails() == 0
    assert counting.connections == [] and mail.outbox == []
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
