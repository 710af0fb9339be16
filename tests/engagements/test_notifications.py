"""Notifications: one per person and event however often it is raised, each e-mailed exactly once."""

import importlib

import pytest
from django.apps import apps
from django.core import mail

from engagements.access import engagements_for
from engagements.models import Notification
from engagements.models.permissions import EngagementGroupObjectPermission
from engagements.notifications import mark_read, notify
from engagements.tasks import send_notification_emails

pytestmark = pytest.mark.django_db


def raise_event(world, key="breach:1"):
    users = [world.practice_manager, world.provider_manager]
    return notify(users, key=key, title="SLA breach", body="Service level 70%.", url="/breaches/1/")


def test_raising_the_same_event_twice_notifies_each_person_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert raise_event(world) == 2
        assert raise_event(world) == 0
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.practice_manager.email, world.provider_manager.email])


def test_the_email_task_sends_each_notification_once_however_often_it_runs(world):
    raise_event(world)  # no commit hook here: the task has not run yet
    assert send_notification_emails() == 2
    assert send_notification_emails() == 0
    assert len(mail.outbox) == 2
    assert "http://" in mail.outbox[0].body and "/breaches/1/" in mail.outbox[0].body


def test_a_deactivated_person_is_not_emailed_but_the_row_is_settled(world):
    world.provider_manager.is_active = False
    world.provider_manager.save()
    raise_event(world)
    assert send_notification_emails() == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_people_read_only_their_own_notifications(world):
    raise_event(world)
    mine = Notification.objects.for_user(world.practice_manager)
    assert [n.user for n in mine] == [world.practice_manager]
    assert mark_read(world.practice_manager) == 1
    assert Notification.objects.for_user(world.provider_manager).unread().count() == 1
    assert not Notification.objects.for_user(world.outsider).exists()


def test_the_migration_gives_existing_engagements_the_sla_permissions(world):
    EngagementGroupObjectPermission.objects.filter(
        permission__codename__in=["submit_measurements", "answer_breaches"]
    ).delete()
    assert not engagements_for(world.provider_manager, "submit_measurements").exists()
    importlib.import_module("engagements.migrations.0005_grant_sla_permissions").grant(apps, None)
    assert list(engagements_for(world.provider_manager, "submit_measurements")) == [world.engagement]
    assert list(engagements_for(world.provider_manager, "answer_breaches")) == [world.engagement]
    assert list(engagements_for(world.integration_token.user, "submit_measurements")) == [world.engagement]
    assert not engagements_for(world.practice_manager, "submit_measurements").exists()
