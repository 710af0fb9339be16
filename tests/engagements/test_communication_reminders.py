# ruff: noqa: F811 - pytest fixtures imported from communication_fixtures are parameters here
"""Reminders: each sent once per item and due date, to the right side, in-app and by e-mail; an overdue
remediation climbs the escalation path one level per overdue interval, each level once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, transaction

from engagements.choices import ReminderKind, Side
from engagements.models import Escalation, Notification, Reminder
from engagements.reminders import SOURCES, current_due, send_due_reminders
from engagements.services import communication
from engagements.tasks import send_reminders
from tests.engagements.communication_fixtures import (
    TODAY,
    cadence,  # noqa: F401 - a fixture
    comms,  # noqa: F401 - a fixture
    make_action_item,
    make_breach,
    make_meeting,
    make_plan,
)

pytestmark = pytest.mark.django_db


def run(today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_due_reminders(today)


def kinds(user):
    return sorted(n.key.split(":")[1] for n in Notification.objects.filter(user=user))


def test_the_communication_source_is_listed_once():
    assert SOURCES.count("engagements.services.communication.due_items") == 1


def test_a_duplicate_reminder_is_refused_by_the_database(world):
    item_type = ContentType.objects.get_for_model(world.engagement)
    fields = {"kind": ReminderKind.MEETING_DUE, "item_type": item_type, "item_id": world.engagement.pk, "due_on": TODAY}
    Reminder.objects.create(side="both", title="Meet", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(side="both", title="Meet again", **fields)
    # A later due date for the same item is a new reminder.
    Reminder.objects.create(side="both", title="Meet", **{**fields, "due_on": TODAY + timedelta(days=7)})


def test_an_overdue_action_item_reminds_its_side_once(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world.engagement, held_on=TODAY - timedelta(days=10))
    make_action_item(meeting, due_on=TODAY - timedelta(days=1), side=Side.PROVIDER)
    make_action_item(meeting, due_on=TODAY + timedelta(days=1), side=Side.PROVIDER, title="Not yet due")

    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert kinds(world.provider_manager) == ["action_item_overdue"]
    assert kinds(world.practice_manager) == []
    assert kinds(world.provider_staff) == []  # staff read; managers are reminded
    assert [m.to for m in mail.outbox] == [[world.provider_manager.email]]

    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 0  # same item, same due date
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_done_action_item_is_not_reminded(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world.engagement)
    item = make_action_item(meeting, due_on=TODAY - timedelta(days=1))
    communication.complete_action_item(item, by=world.practice_manager)
    assert run(TODAY, django_capture_on_commit_callbacks) == 0


def test_a_meeting_due_per_cadence_reminds_both_sides(world, cadence, django_capture_on_commit_callbacks):
    make_meeting(world.engagement, held_on=TODAY - timedelta(days=6), cadence=cadence)  # next due tomorrow
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert kinds(world.practice_manager) == ["meeting_due"]
    assert kinds(world.provider_manager) == ["meeting_due"]
    reminder = Reminder.objects.get()
    assert reminder.due_on == TODAY + timedelta(days=1)
    # Holding the meeting moves the cadence on: the next reminder is for a new due date.
    make_meeting(world.engagement, held_on=TODAY + timedelta(days=1), cadence=cadence)
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert run(TODAY + timedelta(days=6), django_capture_on_commit_callbacks) == 1
    assert Reminder.objects.filter(kind=ReminderKind.MEETING_DUE).count() == 2


def test_a_cadence_on_a_fixed_schedule_ignores_late_meetings(world, cadence):
    cadence.anchor, cadence.interval, cadence.unit = "schedule", 1, "months"
    cadence.starts_on = TODAY.replace(month=1, day=31)
    assert cadence.next_due(None) == cadence.starts_on
    assert cadence.next_due(TODAY.replace(month=2, day=3)) == TODAY.replace(month=2, day=28)
    assert cadence.next_due(TODAY.replace(month=3, day=1)) == TODAY.replace(month=3, day=31)
    cadence.anchor = "last_meeting"
    assert cadence.next_due(TODAY.replace(month=2, day=3)) == TODAY.replace(month=3, day=3)


def test_running_the_beat_job_twice_sends_nothing_twice(world, django_capture_on_commit_callbacks, monkeypatch):
    meeting = make_meeting(world.engagement, held_on=TODAY - timedelta(days=10))
    make_action_item(meeting, due_on=TODAY - timedelta(days=2), side=Side.PRACTICE)
    moment = datetime.combine(TODAY, datetime.min.time(), tzinfo=ZoneInfo("UTC")) + timedelta(hours=12)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay().get() == 0
    assert Notification.objects.filter(user=world.practice_manager).count() == 1
    assert len(mail.outbox) == 1


def test_each_engagement_is_judged_on_its_practices_local_date(world, monkeypatch):
    """At 20:00 UTC on 16 March it is already 17 March in Auckland but still 16 March in Los Angeles."""
    world.practice.timezone = "Pacific/Auckland"
    world.practice.save()
    world.other_practice.timezone = "America/Los_Angeles"
    world.other_practice.save()
    for engagement in (world.engagement, world.other_engagement):
        make_action_item(make_meeting(engagement, held_on=TODAY - timedelta(days=5)), due_on=TODAY)
    moment = datetime.combine(TODAY, datetime.min.time(), tzinfo=ZoneInfo("UTC")) + timedelta(hours=20)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    due = list(current_due(world.engagement.__class__.objects.all()))
    assert [d.engagement for d in due] == [world.engagement]
    assert send_due_reminders() == 1


def test_a_reminder_with_no_one_to_tell_is_still_recorded_once(world, django_capture_on_commit_callbacks):
    world.provider_manager.is_active = False
    world.provider_manager.save()
    make_action_item(make_meeting(world.engagement), due_on=TODAY - timedelta(days=1))
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert Notification.objects.count() == 0


# --- Escalation ----------------------------------------------------------------------------------------------------


def escalated_levels(breach):
    return list(Escalation.objects.filter(breach=breach).values_list("level_number", flat=True))


def test_an_overdue_plan_escalates_level_by_level_and_never_twice(comms, django_capture_on_commit_callbacks):
    world = comms.world
    breach = make_breach(world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=1))  # overdue from TODAY

    assert run(TODAY - timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert escalated_levels(breach) == [1]
    assert kinds(world.provider_manager) == ["remediation_overdue"]  # level 1's contact is a portal user
    assert {tuple(m.to) for m in mail.outbox} == {(world.provider_manager.email,), (comms.first.email,)}

    assert run(TODAY, django_capture_on_commit_callbacks) == 0  # the same day again: nothing
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 1  # level 1 had 24 h
    assert escalated_levels(breach) == [1, 2]
    assert mail.outbox[-1].to == ["dana@clearview.test"]  # level 2 has no account: e-mailed directly
    assert Escalation.objects.get(breach=breach, level_number=2).emailed_at is not None

    for day in range(1, 6):
        assert run(TODAY + timedelta(days=day), django_capture_on_commit_callbacks) == 0
    assert escalated_levels(breach) == [1, 2]
    assert Reminder.objects.filter(kind=ReminderKind.REMEDIATION_OVERDUE).count() == 2


def test_a_level_waits_for_the_previous_levels_response_time(comms, django_capture_on_commit_callbacks):
    comms.level1.response_hours = 49  # three days
    comms.level1.save()
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=1))
    run(TODAY, django_capture_on_commit_callbacks)
    assert run(TODAY + timedelta(days=2), django_capture_on_commit_callbacks) == 0
    assert run(TODAY + timedelta(days=3), django_capture_on_commit_callbacks) == 1
    assert escalated_levels(breach) == [1, 2]


def test_a_breach_without_a_live_plan_is_overdue_a_week_after_it_opened(comms, django_capture_on_commit_callbacks):
    opened = TODAY - timedelta(days=communication.ANSWER_WITHIN_DAYS)
    breach = make_breach(comms.world.engagement, opened_on=opened)
    make_plan(breach, due_on=TODAY + timedelta(days=30), status="rejected")
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert escalated_levels(breach) == [1]


@pytest.mark.parametrize("status", ["done", "closed"])
def test_a_plan_done_or_a_closed_breach_is_not_escalated(comms, status, django_capture_on_commit_callbacks):
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=5), status="done")
    if status == "closed":
        breach.status = "closed"
        breach.save()
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert escalated_levels(breach) == []


def test_a_plan_on_time_is_not_escalated(comms, django_capture_on_commit_callbacks):
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY)
    assert run(TODAY, django_capture_on_commit_callbacks) == 0


def test_an_engagement_without_an_escalation_path_is_not_escalated(world, django_capture_on_commit_callbacks):
    breach = make_breach(world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=3))
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert escalated_levels(breach) == []


def test_escalation_is_unique_per_breach_and_level(comms):
    breach = make_breach(comms.world.engagement)
    Escalation.objects.create(breach=breach, level=comms.level1, level_number=1, due_on=TODAY, reached_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(breach=breach, level=comms.level1, level_number=1, due_on=TODAY, reached_on=TODAY)


def test_a_contact_whose_account_has_the_same_address_gets_one_email(comms, django_capture_on_commit_callbacks):
    comms.first.email = comms.world.provider_manager.email.upper()
    comms.first.save()
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=1))
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[comms.world.provider_manager.email]]
    assert Escalation.objects.get(breach=breach).emailed_at is not None


def test_a_late_job_gives_each_level_its_full_response_time(comms, django_capture_on_commit_callbacks):
    """Overdue for five days before the job first ran: level 1 is told today, and level 2 waits a day from today,
    not from when level 1 would have been due."""
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=6))
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert escalated_levels(breach) == [1]
    escalation = Escalation.objects.get(breach=breach)
    assert (escalation.due_on, escalation.reached_on) == (TODAY - timedelta(days=5), TODAY)
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert escalated_levels(breach) == [1, 2]
