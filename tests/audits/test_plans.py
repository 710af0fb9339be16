"""Action plans: started from a failing audit, closed by the follow-up audit, overdue plans are reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.choices import AssignmentKind, PlanStatus
from audits.models import ActionPlan, AuditAssignment
from audits.services import plans
from bpo_portal.errors import DomainError
from engagements.choices import ReminderKind
from engagements.models import Engagement, Notification
from engagements.reminders import due_items
from tests.audits.helpers import published_scorecard, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return published_scorecard(world.engagement, world.practice_manager, pass_mark=80)


@pytest.fixture
def failing(world, version):
    return submitted_audit(world, version, days_ago=3, greeting=0, ids=0)


def start(world, audit, by=None, **fields):
    suggestion = plans.suggest_from_audit(audit)
    today = timezone.localdate()
    values = {
        "engagement": world.engagement,
        "agent": world.agent,
        "by": by or world.provider_manager,
        "title": suggestion.title,
        "owner": world.provider_manager,
        "due_on": today + timedelta(days=7),
        "follow_up_on": today,
        "audits": suggestion.audits,
        "items": suggestion.items,
    }
    values.update(fields)
    return plans.create_plan(**values)


def test_a_failing_audit_suggests_its_failed_criteria_critical_first(world, failing):
    suggestion = plans.suggest_from_audit(failing)
    names = [item["criteria"][0].name for item in suggestion.items]
    assert names == ["Two patient identifiers verified", "Greeting and identification"]
    assert "(critical)" in suggestion.items[0]["description"] and suggestion.audits == [failing]


def test_starting_a_plan_schedules_its_follow_up_audit(world, failing):
    plan = start(world, failing)
    assert plan.items.count() == 2 and list(plan.causing_audits.all()) == [failing]
    follow_up = AuditAssignment.objects.get(plan=plan)
    assert follow_up.kind == AssignmentKind.FOLLOW_UP and follow_up.auditor == world.provider_manager


def test_a_passed_follow_up_audit_closes_the_plan_as_effective(world, version, failing):
    plan = start(world, failing)
    follow_up = submitted_audit(world, version, days_ago=0)
    plan.refresh_from_db()
    assert (plan.status, plan.follow_up_audit) == (PlanStatus.EFFECTIVE, follow_up)
    assert AuditAssignment.objects.get(plan=plan).audit == follow_up


def test_a_failed_follow_up_closes_it_as_not_effective_and_prompts_a_new_plan(world, version, failing):
    plan = start(world, failing)
    follow_up = submitted_audit(world, version, days_ago=0, greeting=0)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.NOT_EFFECTIVE
    assert Notification.objects.filter(key=f"action-plan-not-effective-{plan.pk}").exists()
    again = start(world, follow_up, previous_plan=plan)
    assert again.previous_plan == plan and again.is_open
    plans.escalate_plan(plan, by=world.practice_manager, note="Supervisor to shadow calls for a week.")
    plan.refresh_from_db()
    assert plan.escalated


def test_an_audit_before_the_follow_up_date_does_not_close_it(world, version, failing):
    plan = start(world, failing, follow_up_on=timezone.localdate() + timedelta(days=3))
    submitted_audit(world, version, days_ago=0)
    plan.refresh_from_db()
    assert plan.is_open


def test_refused_plans_change_nothing(world, failing):
    with pytest.raises(DomainError, match="managers"):
        start(world, failing, by=world.provider_staff)
    with pytest.raises(DomainError, match="past"):
        start(world, failing, due_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(DomainError, match="owner"):
        start(world, failing, owner=world.outsider)
    with pytest.raises(DomainError, match="at least one"):
        start(world, failing, items=[])
    assert not ActionPlan.objects.exists() and not AuditAssignment.objects.exists()


def test_a_closed_plan_no_longer_changes(world, version, failing):
    plan = start(world, failing)
    submitted_audit(world, version, days_ago=0)
    with pytest.raises(DomainError, match="no longer changes"):
        plans.update_plan(plan, by=world.provider_manager, title="Changed")
    plan.refresh_from_db()
    assert plan.title != "Changed"


def test_an_overdue_plan_is_a_reminder_to_both_sides(world, failing):
    plan = start(world, failing, follow_up_on=timezone.localdate() + timedelta(days=30))
    later = timezone.localdate() + timedelta(days=8)
    found = [d for d in due_items(Engagement.objects.all(), later) if d.kind == ReminderKind.ACTION_PLAN_OVERDUE]
    assert [d.item for d in found] == [plan] and found[0].side == "both"
    assert not [d for d in due_items(Engagement.objects.all(), timezone.localdate()) if d.item == plan]


def test_an_agent_sees_only_their_own_plans(world, failing):
    from tests.audits.coaching_helpers import agent_login

    plan = start(world, failing)
    agent = agent_login(world)
    assert list(ActionPlan.objects.for_user(agent)) == [plan]
    assert not ActionPlan.objects.for_user(agent, "change").exists()
    assert not ActionPlan.objects.for_user(world.outsider).exists()
