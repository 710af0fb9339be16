"""Compliance reminders: the next audit due (to the practice), an overdue corrective action (to both sides), each
sent once per item and due date; an overdue corrective action on a critical finding climbs the escalation path."""

from datetime import date, timedelta

import pytest
from django.core import mail

from audits.models import CorrectiveActionEscalation
from audits.services import compliance
from engagements.choices import ReminderKind, Side
from engagements.models import Notification, Reminder
from engagements.reminders import AFTER_SEND, SOURCES, send_due_reminders
from tests.audits.compliance_fixtures import (
    TODAY,
    assess_all,
    escalation_path,
    finding_with_action,
    pdf,
    start_audit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run(today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_due_reminders(today)


def kinds(user):
    return sorted(n.key.split(":")[1] for n in Notification.objects.filter(user=user))


def reminders(kind):
    return list(Reminder.objects.filter(kind=kind).order_by("due_on").values_list("due_on", flat=True))


def test_the_compliance_source_is_registered_once_from_the_app():
    assert SOURCES.count("audits.services.compliance.due_items") == 1
    assert AFTER_SEND[ReminderKind.CORRECTIVE_ACTION_ESCALATED].endswith("record_corrective_action_escalation")


def test_the_next_audit_due_reminds_the_practice_once(world, django_capture_on_commit_callbacks):
    compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=TODAY + timedelta(days=20), by=world.practice_manager
    )
    assert run(TODAY, django_capture_on_commit_callbacks) == 0  # not within the notice yet
    assert run(TODAY + timedelta(days=6), django_capture_on_commit_callbacks) == 1
    assert run(TODAY + timedelta(days=7), django_capture_on_commit_callbacks) == 0  # same schedule, same due date
    assert reminders(ReminderKind.COMPLIANCE_AUDIT_DUE) == [TODAY + timedelta(days=20)]
    assert kinds(world.practice_manager) == ["compliance_audit_due"]
    assert kinds(world.provider_manager) == []


def test_an_audit_under_way_silences_it_and_completing_one_moves_the_due_date(
    world, django_capture_on_commit_callbacks
):
    compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=date(2026, 3, 31), by=world.practice_manager
    )
    audit = start_audit(world, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    assert run(TODAY, django_capture_on_commit_callbacks) == 0  # under way
    assess_all(audit, world.practice_manager)
    compliance.complete_compliance_audit(audit, by=world.practice_manager)
    assert run(TODAY, django_capture_on_commit_callbacks) == 0  # next due 30 Jun, far off
    assert run(date(2026, 6, 20), django_capture_on_commit_callbacks) == 1
    assert reminders(ReminderKind.COMPLIANCE_AUDIT_DUE) == [date(2026, 6, 30)]


def test_an_overdue_corrective_action_reminds_both_sides_once_per_due_date(world, django_capture_on_commit_callbacks):
    audit = start_audit(world)
    _, action = finding_with_action(world, audit, severity="major", due_on=TODAY - timedelta(days=1))
    finding_with_action(world, audit, severity="major", due_on=TODAY + timedelta(days=3))  # not yet due

    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert kinds(world.practice_manager) == kinds(world.provider_manager) == ["corrective_action_overdue"]
    assert kinds(world.provider_staff) == []
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert run(TODAY + timedelta(days=1), django_capture_on_commit_callbacks) == 0

    # A new due date for the same action is a new reminder; a done action is reminded no more.
    action.due_on = TODAY
    compliance.save_corrective_action(action, by=world.provider_manager)
    assert run(TODAY + timedelta(days=2), django_capture_on_commit_callbacks) == 1
    compliance.close_corrective_action(action, note="Done", evidence=pdf(), by=world.provider_manager)
    assert run(TODAY + timedelta(days=30), django_capture_on_commit_callbacks) == 1  # only the other one now
    assert reminders(ReminderKind.CORRECTIVE_ACTION_OVERDUE) == [
        TODAY - timedelta(days=1),
        TODAY,
        TODAY + timedelta(days=3),
    ]


def test_a_minor_findings_overdue_action_is_not_escalated(world, django_capture_on_commit_callbacks):
    escalation_path(world.engagement, (Side.PROVIDER, "Bea Lead", world.provider_manager, 24))
    audit = start_audit(world)
    finding_with_action(world, audit, severity="minor", due_on=TODAY - timedelta(days=5))
    run(TODAY, django_capture_on_commit_callbacks)
    assert not CorrectiveActionEscalation.objects.exists()
    assert not Reminder.objects.filter(kind=ReminderKind.CORRECTIVE_ACTION_ESCALATED).exists()


def test_an_overdue_critical_action_climbs_the_escalation_path_one_level_at_a_time(
    world, django_capture_on_commit_callbacks
):
    escalation_path(
        world.engagement,
        (Side.PROVIDER, "Bea Lead", world.provider_manager, 48),  # two days to answer
        (Side.PROVIDER, "Carl Director", None, 24),  # no portal account: e-mailed
    )
    audit = start_audit(world)
    _, action = finding_with_action(world, audit, severity="critical", due_on=TODAY)

    assert run(TODAY, django_capture_on_commit_callbacks) == 0  # due today: not overdue yet
    day1 = TODAY + timedelta(days=1)
    run(day1, django_capture_on_commit_callbacks)
    assert list(action.escalations.values_list("level_number", "due_on")) == [(1, day1)]
    assert "corrective_action_escalated" in kinds(world.provider_manager)

    run(day1 + timedelta(days=1), django_capture_on_commit_callbacks)  # level 1 still has time
    assert action.escalations.count() == 1
    mail.outbox.clear()
    run(day1 + timedelta(days=2), django_capture_on_commit_callbacks)
    assert list(action.escalations.values_list("level_number", flat=True)) == [1, 2]
    # Level 2 has no portal account: it is e-mailed, and its side's managers are told in the portal.
    escalation_mail = [m for m in mail.outbox if m.to == ["carl.director@contact.test"]]
    assert len(escalation_mail) == 1 and "overdue corrective action" in escalation_mail[0].subject

    # Running again on any later day changes nothing: every level is reached once.
    for later in range(3, 8):
        run(day1 + timedelta(days=later), django_capture_on_commit_callbacks)
    assert action.escalations.count() == 2
    assert reminders(ReminderKind.CORRECTIVE_ACTION_ESCALATED) == [day1, day1 + timedelta(days=2)]
    assert CorrectiveActionEscalation.objects.filter(emailed_at__isnull=False).count() == 2


def test_closing_the_critical_action_stops_the_escalation(world, django_capture_on_commit_callbacks):
    escalation_path(
        world.engagement,
        (Side.PROVIDER, "Bea Lead", world.provider_manager, 24),
        (Side.PRACTICE, "Paula Owner", world.practice_manager, 24),
    )
    audit = start_audit(world)
    _, action = finding_with_action(world, audit, severity="critical", due_on=TODAY - timedelta(days=1))
    run(TODAY, django_capture_on_commit_callbacks)
    assert action.escalations.count() == 1
    compliance.close_corrective_action(action, note="Done", evidence=pdf(), by=world.provider_manager)
    run(TODAY + timedelta(days=5), django_capture_on_commit_callbacks)
    assert action.escalations.count() == 1


def test_an_engagement_without_an_escalation_path_is_reminded_but_not_escalated(
    world, django_capture_on_commit_callbacks
):
    audit = start_audit(world)
    finding_with_action(world, audit, severity="critical", due_on=TODAY - timedelta(days=3))
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert not CorrectiveActionEscalation.objects.exists()


def test_the_home_page_lists_the_overdue_action_for_both_sides(world, client):
    audit = start_audit(world)
    finding_with_action(world, audit, severity="major", due_on=date(2020, 1, 1))
    for user in (world.practice_manager, world.provider_manager):
        client.force_login(user)
        assert "Issue named accounts" in client.get("/").content.decode()
    client.force_login(world.outsider)
    assert "Issue named accounts" not in client.get("/").content.decode()
