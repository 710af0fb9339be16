"""Renewal reminders 30 and 7 days ahead, to the agent and the provider's managers, once per completion and
reminder date; and the nightly job that announces completions expiring today."""

from datetime import date

import pytest

from engagements.models import Notification, Reminder
from engagements.reminders import send_due_reminders
from onboarding import tasks_training
from onboarding.services import training
from onboarding.signals import prerequisites_changed

pytestmark = pytest.mark.django_db

PASSED = date(2025, 12, 20)  # a 12-month module: expires on 2026-12-20


@pytest.fixture
def completion(world, trained):
    return training.record_by_trainer(trained.module, by=world.provider_manager, passed_on=PASSED, agent=world.agent)


def sent():
    return list(Reminder.objects.filter(kind="training_renewal_due").values_list("due_on", flat=True))


def test_nothing_is_sent_more_than_30_days_ahead(world, completion):
    assert completion.expires_on == date(2026, 12, 20)
    send_due_reminders(today=date(2026, 11, 19))
    assert sent() == []


def test_the_30_day_reminder_goes_once_to_the_agent_and_the_providers_managers(world, completion):
    for day in (date(2026, 11, 20), date(2026, 11, 21), date(2026, 12, 12)):
        send_due_reminders(today=day)
    assert sent() == [date(2026, 11, 20)]
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {world.agent_user.pk, world.provider_manager.pk}


def test_each_recipient_is_linked_to_a_page_they_can_open(world, completion, client):
    send_due_reminders(today=date(2026, 11, 20))
    links = dict(Notification.objects.values_list("user_id", "url"))
    assert links[world.agent_user.pk] == "/me/training/"
    assert links[world.provider_manager.pk] == f"/training/completions/?agent={world.agent.pk}"
    for user in (world.agent_user, world.provider_manager):
        client.force_login(user)
        assert client.get(links[user.pk]).status_code == 200, user
    assert str(completion.module) in client.get(links[world.provider_manager.pk]).content.decode()


def test_the_7_day_reminder_is_a_second_one_also_sent_once(world, completion):
    for day in (date(2026, 11, 25), date(2026, 12, 13), date(2026, 12, 14), date(2026, 12, 19)):
        send_due_reminders(today=day)
    assert sorted(sent()) == [date(2026, 11, 20), date(2026, 12, 13)]


def test_a_renewed_completion_stops_the_old_ones_reminders(world, trained, completion):
    training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=date(2026, 11, 1), agent=world.agent
    )
    send_due_reminders(today=date(2026, 11, 25))
    assert sent() == []


def test_an_expired_completion_is_not_reminded(world, completion):
    send_due_reminders(today=date(2026, 12, 20))
    assert sent() == []


def test_the_nightly_job_announces_completions_that_expired_today(world, completion):
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["agent"], kwargs["cause"]))

    prerequisites_changed.connect(listener)
    try:
        assert training.announce_expiries(date(2026, 12, 19)) == 0
        assert training.announce_expiries(date(2026, 12, 20)) == 1
        assert tasks_training.announce_training_expiries.delay().get() == 0  # today is not its expiry date
    finally:
        prerequisites_changed.disconnect(listener)
    assert received == [(world.agent, "module_expired")]


def test_an_expiry_already_renewed_is_not_announced(world, trained, completion):
    training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=date(2026, 12, 1), agent=world.agent
    )
    assert training.announce_expiries(date(2026, 12, 20)) == 0
    assert training.announce_expiries(date(2027, 12, 1)) == 1  # the renewal itself lapses a year on
