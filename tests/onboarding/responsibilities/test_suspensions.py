"""Automatic suspension: by date (an expired completion) through the nightly task and through the
prerequisites_changed signal, lifted by itself once the prerequisite holds again; a critical fail in an audit
suspends the rung it happened on until a provider manager reinstates it; the task run twice changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from bpo_portal.errors import DomainError
from engagements.models import WebhookEvent
from onboarding.choices import ResponsibilityStatus, SuspensionCause
from onboarding.models import Responsibility, ResponsibilityEvent, TrainingCompletion
from onboarding.services import responsibilities as services
from onboarding.signals import prerequisites_changed
from onboarding.tasks_responsibilities import recheck_responsibilities
from tests.audits.helpers import submitted_audit
from tests.onboarding.responsibilities.conftest import held_for, make_ready, pass_module, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world, setup):
    """Ana holds scheduling (for five weeks) and customer service; her HIPAA completion expires tomorrow."""
    make_ready(world, setup)
    TrainingCompletion.objects.filter(agent=world.agent).update(expires_on=today() + timedelta(days=1))
    first = held_for(services.grant(setup.onboarding, setup.first, by=world.provider_manager), weeks=5)
    setup.rungs[1].target_metric = ""  # the target is tested on its own; here only the order matters
    setup.rungs[1].save()
    second = services.grant(setup.onboarding, setup.rungs[1], by=world.provider_manager)
    return first, second


def _expire(world):
    TrainingCompletion.objects.filter(agent=world.agent).update(expires_on=today())


def _status(grant):
    grant.refresh_from_db()
    return grant.status


def test_the_nightly_task_suspends_a_rung_whose_module_expired_and_what_stands_on_it(
    world, setup, granted, django_capture_on_commit_callbacks
):
    first, second = granted
    assert recheck_responsibilities.delay().get() == 0  # not expired yet: nothing changes
    _expire(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert recheck_responsibilities.delay().get() == 2
    first.refresh_from_db()
    assert first.status == ResponsibilityStatus.SUSPENDED and first.suspension_cause == SuspensionCause.PREREQUISITE
    assert "HIPAA essentials" in first.suspension_reason
    assert _status(second) == ResponsibilityStatus.SUSPENDED  # it needs the first rung held
    assert "is suspended" in Responsibility.objects.get(pk=second.pk).suspension_reason
    events = WebhookEvent.objects.filter(event_type="responsibility.suspended")
    assert sorted(e.payload["service_line"] for e in events) == ["customer_service", "scheduling"]


def test_running_the_task_twice_changes_nothing_the_second_time(world, setup, granted):
    _expire(world)
    recheck_responsibilities.delay()
    after_first = (
        list(Responsibility.objects.order_by("pk").values_list("status", "suspended_at", "suspension_reason")),
        ResponsibilityEvent.objects.count(),
    )
    assert recheck_responsibilities.delay().get() == 0
    assert (
        list(Responsibility.objects.order_by("pk").values_list("status", "suspended_at", "suspension_reason")),
        ResponsibilityEvent.objects.count(),
    ) == after_first


def test_the_signal_suspends_at_once_and_lifts_once_the_module_is_passed_again(world, setup, granted):
    first, second = granted
    _expire(world)
    prerequisites_changed.send(sender="training", agent=world.agent, engagement=world.engagement, cause="expired")
    assert _status(first) == _status(second) == ResponsibilityStatus.SUSPENDED
    pass_module(world.agent, setup.hipaa, days_ago=0, expires_in=365)
    prerequisites_changed.send(sender="training", agent=world.agent, engagement=None, cause="passed")
    assert _status(first) == _status(second) == ResponsibilityStatus.HELD
    actions = list(first.events.values_list("action", flat=True))
    assert actions == ["granted", "suspended", "lifted"]


def test_a_suspension_for_a_lapsed_prerequisite_cannot_be_reinstated_while_it_lapses(world, setup, granted):
    first, _ = granted
    _expire(world)
    services.recheck_all()
    with pytest.raises(DomainError) as refused:
        services.reinstate(first, by=world.provider_manager)
    assert "HIPAA essentials" in refused.value.message
    assert _status(first) == ResponsibilityStatus.SUSPENDED


def test_a_critical_fail_suspends_the_rung_it_happened_on_until_a_provider_manager_reinstates_it(
    world, setup, granted, scheduling_version
):
    first, second = granted
    audit = submitted_audit(world, scheduling_version, ids=0)
    assert audit.critical_failed
    first.refresh_from_db()
    assert first.status == ResponsibilityStatus.SUSPENDED and first.suspension_cause == SuspensionCause.CRITICAL_FAIL
    assert first.suspended_audit == audit and f"audit #{audit.pk}" in first.suspension_reason
    # the line above it stands on it: suspended too, for the lapsed order (lifted when the first comes back)
    assert _status(second) == ResponsibilityStatus.SUSPENDED
    # the cause being gone is not enough: the nightly job never lifts a critical fail
    services.recheck_all()
    assert _status(first) == ResponsibilityStatus.SUSPENDED
    # saving the audit again (acknowledged) suspends nothing twice
    events = ResponsibilityEvent.objects.count()
    audit.save()
    assert ResponsibilityEvent.objects.count() == events
    for user in (world.practice_manager, world.provider_staff):
        with pytest.raises(PermissionDenied):
            services.reinstate(first, by=user)
    services.reinstate(first, by=world.provider_manager, note="Coached on identifiers.")
    assert _status(first) == ResponsibilityStatus.HELD and _status(second) == ResponsibilityStatus.HELD
    assert first.events.filter(action="reinstated", by=world.provider_manager, reason="Coached on identifiers.")


def test_a_critical_fail_on_another_lines_scorecard_leaves_this_rung_alone(world, setup, granted, scheduling_version):
    from audits.models import Scorecard
    from engagements.models import ServiceLine

    first, second = granted
    Scorecard.objects.filter(pk=scheduling_version.scorecard_id).update(
        service_line=ServiceLine.objects.get(code="customer_service")
    )
    submitted_audit(world, scheduling_version, ids=0)
    assert _status(first) == ResponsibilityStatus.HELD
    second.refresh_from_db()
    assert second.suspension_cause == SuspensionCause.CRITICAL_FAIL


def test_a_critical_fail_on_a_prerequisite_suspension_makes_it_need_reinstatement(
    world, setup, granted, scheduling_version
):
    first, _ = granted
    _expire(world)
    services.recheck_all()
    submitted_audit(world, scheduling_version, ids=0)
    pass_module(world.agent, setup.hipaa, days_ago=0)
    services.recheck_all()
    first.refresh_from_db()
    assert first.status == ResponsibilityStatus.SUSPENDED and first.needs_reinstatement


def test_a_passed_audit_suspends_nothing(world, setup, granted, scheduling_version):
    first, second = granted
    submitted_audit(world, scheduling_version)
    assert _status(first) == _status(second) == ResponsibilityStatus.HELD


def test_a_revoked_grant_is_never_suspended_or_lifted(world, setup, granted):
    first, second = granted
    services.revoke(second, by=world.provider_manager, reason="Back to scheduling only.")
    _expire(world)
    services.recheck_all()
    pass_module(world.agent, setup.hipaa, days_ago=0)
    services.recheck_all()
    assert _status(second) == ResponsibilityStatus.REVOKED and _status(first) == ResponsibilityStatus.HELD


def test_the_nightly_onboarding_run_suspends_the_rungs_of_an_expired_module_and_is_on_the_beat(
    world, setup, granted, settings, django_capture_on_commit_callbacks
):
    from onboarding.tasks import nightly_onboarding

    first, second = granted
    _expire(world)
    with django_capture_on_commit_callbacks(execute=True):
        nightly_onboarding.delay().get()
    assert _status(first) == _status(second) == ResponsibilityStatus.SUSPENDED
    assert "onboarding.tasks.nightly_onboarding" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
