"""Disputes: who may raise and decide them, the window, per-criterion decisions, the rescore and its history,
the corrected quality_score, and the overdue reminder."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.choices import AuditStatus, DisputeStatus
from audits.models import Dispute, QualitySettings
from audits.services import disputes
from bpo_portal.errors import DomainError
from engagements.choices import ReminderKind, Role, Side
from engagements.reminders import send_due_reminders
from slas.models import Measurement
from tests import factories
from tests.audits.helpers import criteria, submitted_audit

pytestmark = pytest.mark.django_db


def ids_of(version):
    return criteria(version)["Two patient identifiers verified"].pk


def tone_of(version):
    return criteria(version)["Empathy and tone"].pk


@pytest.fixture
def audit(world, version):
    return submitted_audit(world, version, ids=0, tone=3)  # a critical fail: score 0


def dispute_of(audit, by, version, items=None):
    return disputes.raise_dispute(
        audit,
        by=by,
        reason="Identity was verified before the transfer.",
        items=items or {ids_of(version): {"value": 1}},
    )


def test_the_agent_disputes_their_audit(world, version, audit):
    dispute = dispute_of(audit, world.agent_user, version)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.DISPUTED and not dispute.raised_on_behalf
    assert dispute.items.get().proposed_value == 1
    assert dispute.decide_by == timezone.localdate() + timedelta(days=5)


def test_a_provider_manager_may_dispute_for_the_agent(world, version, audit):
    assert dispute_of(audit, world.provider_manager, version).raised_on_behalf


@pytest.mark.parametrize("persona", ["practice_manager", "provider_staff", "practice_staff", "outsider"])
def test_others_may_not_dispute(world, version, audit, persona):
    with pytest.raises(DomainError):
        dispute_of(audit, getattr(world, persona), version)
    assert not Dispute.objects.exists()


def test_the_window_closes_after_the_engagements_setting(world, version, audit):
    QualitySettings.objects.create(engagement=world.engagement, dispute_window_days=2)
    type(audit).objects.filter(pk=audit.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    audit.refresh_from_db()
    with pytest.raises(DomainError, match="window closed"):
        dispute_of(audit, world.agent_user, version)
    assert not Dispute.objects.exists()


def test_a_dispute_must_propose_a_different_valid_rating(world, version, audit):
    with pytest.raises(DomainError, match="other than"):
        dispute_of(audit, world.agent_user, version, {ids_of(version): {"value": 0}})
    with pytest.raises(DomainError, match="from 1 to 5"):
        dispute_of(audit, world.agent_user, version, {tone_of(version): {"value": 9}})
    assert not Dispute.objects.exists()


def test_an_audit_is_disputed_once(world, version, audit):
    dispute_of(audit, world.agent_user, version)
    with pytest.raises(DomainError):
        dispute_of(audit, world.provider_manager, version)


def test_a_provider_side_dispute_is_decided_by_another_provider_manager(world, version, audit):
    dispute = dispute_of(audit, world.agent_user, version)
    with pytest.raises(DomainError, match="auditor cannot decide"):
        disputes.decide_dispute(dispute, by=world.provider_manager, note="Mine", decisions={})
    with pytest.raises(DomainError):
        disputes.decide_dispute(dispute, by=world.practice_manager, note="Ours", decisions={})
    colleague = factories.make_member(world.provider, Role.MANAGER)
    assert disputes.may_decide(colleague, dispute)
    assert set(disputes.deciders(dispute)) == {colleague}


def test_a_practice_side_dispute_is_decided_by_a_practice_manager(world, version):
    audit = submitted_audit(world, version, by=world.practice_manager, ids=0)
    dispute = dispute_of(audit, world.agent_user, version)
    assert disputes.may_decide(world.practice_manager, dispute)
    assert not disputes.may_decide(world.provider_manager, dispute)
    assert not disputes.may_decide(world.practice_staff, dispute)
    assert not disputes.may_decide(world.agent_user, dispute)


def test_a_decision_needs_a_note_and_every_criterion(world, version, audit):
    dispute = dispute_of(
        audit, world.agent_user, version, {ids_of(version): {"value": 1}, tone_of(version): {"value": 5}}
    )
    decider = factories.make_member(world.provider, Role.MANAGER)
    with pytest.raises(DomainError, match="note"):
        disputes.decide_dispute(dispute, by=decider, note=" ", decisions={ids_of(version): {"decision": "keep"}})
    with pytest.raises(DomainError, match="Empathy"):
        disputes.decide_dispute(dispute, by=decider, note="ok", decisions={ids_of(version): {"decision": "keep"}})
    dispute.refresh_from_db()
    assert dispute.is_open


def test_deciding_rescores_keeps_history_and_corrects_the_measurement(
    world, version, audit, django_capture_on_commit_callbacks
):
    dispute = dispute_of(
        audit, world.agent_user, version, {ids_of(version): {"value": 1}, tone_of(version): {"value": 5}}
    )
    decider = factories.make_member(world.provider, Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        disputes.decide_dispute(
            dispute,
            by=decider,
            note="Verified before the transfer; tone stays.",
            decisions={ids_of(version): {"decision": "accept"}, tone_of(version): {"decision": "set", "value": 4}},
        )
    audit.refresh_from_db()
    dispute.refresh_from_db()
    # greeting 2 + tone 0.75 + ids 3 + insurance 4/4 → 100 × 6.75/7
    assert audit.score == Decimal("96.43") and not audit.critical_failed and audit.status == AuditStatus.SUBMITTED
    assert dispute.status == DisputeStatus.DECIDED and dispute.decided_by == decider
    earlier = audit.score_history.get()
    assert earlier.score == 0 and earlier.critical_failed and earlier.ratings[str(ids_of(version))]["value"] == 0
    assert Measurement.objects.get(external_id=audit.external_id).numerator == Decimal("96.43")
    items = {item.criterion_id: item for item in dispute.items.all()}
    assert items[tone_of(version)].decision == "set" and items[tone_of(version)].decided_value == 4


def test_keeping_every_rating_changes_no_score(world, version, audit):
    dispute = dispute_of(audit, world.agent_user, version)
    decider = factories.make_member(world.provider, Role.MANAGER)
    disputes.decide_dispute(
        dispute, by=decider, note="Not verified.", decisions={ids_of(version): {"decision": "keep"}}
    )
    audit.refresh_from_db()
    assert audit.score == 0 and not audit.score_history.exists() and audit.status == AuditStatus.SUBMITTED


def test_an_overdue_dispute_reminds_the_deciding_side_once(world, version, audit):
    dispute = dispute_of(audit, world.agent_user, version)
    late = dispute.decide_by + timedelta(days=1)
    due = list(disputes.due_items(type(world.engagement).objects.all(), late))
    assert [(d.kind, d.side, d.item) for d in due] == [(ReminderKind.DISPUTE_OVERDUE, Side.PROVIDER, dispute)]
    assert list(disputes.due_items(type(world.engagement).objects.all(), dispute.decide_by)) == []
    assert send_due_reminders(today=late) >= 1
    assert send_due_reminders(today=late) == 0


def test_the_reminder_source_is_registered_with_engagements():
    from engagements.reminders import SOURCES

    assert "audits.services.disputes.due_items" in SOURCES


def test_the_agent_is_told_the_outcome(world, version, audit):
    from engagements.models import Notification

    decider = factories.make_member(world.provider, Role.MANAGER)
    dispute = dispute_of(audit, world.agent_user, version)
    assert Notification.objects.filter(user=decider, key=f"dispute:{dispute.pk}:open").exists()
    disputes.decide_dispute(dispute, by=decider, note="Accepted.", decisions={ids_of(version): {"decision": "accept"}})
    assert Notification.objects.filter(user=world.agent_user, key=f"dispute:{dispute.pk}:decided").exists()


def test_managers_set_the_dispute_window_and_staff_cannot(world, version):
    with pytest.raises(DomainError):
        disputes.save_quality_settings(world.engagement, by=world.practice_staff, dispute_window_days=30)
    assert not QualitySettings.objects.exists()
    with pytest.raises(DomainError):
        disputes.save_quality_settings(world.engagement, by=world.practice_manager, dispute_window_days=0)
    disputes.save_quality_settings(world.engagement, by=world.practice_manager, dispute_decision_days=2)
    audit = submitted_audit(world, version, ids=0)
    assert dispute_of(audit, world.agent_user, version).decide_by == timezone.localdate() + timedelta(days=2)


def test_the_decider_sees_the_dispute_on_their_home_page(client, world, version):
    audit = submitted_audit(world, version, by=world.practice_manager, ids=0)
    dispute_of(audit, world.agent_user, version)
    client.force_login(world.practice_manager)
    page = client.get("/").content.decode()
    assert "disputes an audit; decide it by" in page
    client.force_login(world.provider_manager)
    assert "disputes an audit" not in client.get("/").content.decode()


def test_a_submitted_audit_and_a_decided_dispute_reach_webhooks(
    world, version, settings, django_capture_on_commit_callbacks
):
    """The audit events of issue 15's list, recorded for an endpoint whose owner may see the engagement."""
    from unittest import mock

    from engagements.models import WebhookEvent
    from engagements.services import webhooks

    settings.DEBUG = True
    webhooks.create_endpoint(by=world.provider_manager, url="http://127.0.0.1:9/", events=sorted(webhooks.EVENT_TYPES))
    with mock.patch("engagements.tasks.deliver_webhook.delay"), django_capture_on_commit_callbacks(execute=True):
        failed = submitted_audit(world, version, ids=0, tone=3)
        dispute = dispute_of(failed, world.agent_user, version)
        decider = factories.make_member(world.provider, Role.MANAGER)
        disputes.decide_dispute(
            dispute, by=decider, note="Verified.", decisions={ids_of(version): {"decision": "accept"}}
        )

    submitted = WebhookEvent.objects.get(event_type="audit.submitted")
    assert (submitted.payload["audit"], submitted.payload["critical_failed"]) == (failed.pk, True)
    decided = WebhookEvent.objects.get(event_type="dispute.decided")
    assert decided.payload["dispute"] == dispute.pk and decided.payload["passed"] is True
