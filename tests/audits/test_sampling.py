"""Sampling: bands from recent audits, the weekly job (twice creates nothing twice), spreading by open load,
assignments done by the audits that name them, coverage."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from audits.choices import Band
from audits.models import AuditAssignment, QualityAudit
from audits.services import sampling
from bpo_portal.errors import DomainError
from engagements import services as engagement_services
from engagements.choices import AgentStatus, Role
from engagements.models import Agent
from tests import factories
from tests.audits.helpers import published_scorecard, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    world.agent.status = AgentStatus.LIVE
    world.agent.save()
    return published_scorecard(world.engagement, world.practice_manager, pass_mark=80)


def test_an_agent_with_no_recent_audit_is_audited_as_below(world, version):
    band = sampling.band_for(world.agent, world.engagement)
    assert (band.band, band.per_week, band.audits) == (Band.BELOW, 5, 0)
    assert "No scored audit" in band.rule


def test_an_agent_at_or_above_the_pass_mark_is_on_target(world, version):
    submitted_audit(world, version, days_ago=3)  # 100
    submitted_audit(world, version, days_ago=10, tone=1)  # below 100 but above 80
    band = sampling.band_for(world.agent, world.engagement)
    assert (band.band, band.per_week, band.audits) == (Band.ON_TARGET, 2, 2)
    assert band.trailing_score >= band.pass_mark and "at or above the pass mark" in band.rule


def test_an_agent_below_the_pass_mark_is_below(world, version):
    submitted_audit(world, version, days_ago=3, greeting=0, tone=1, insurance=0)
    band = sampling.band_for(world.agent, world.engagement)
    assert (band.band, band.per_week) == (Band.BELOW, 5) and "below the pass mark" in band.rule


def test_audits_older_than_the_trailing_weeks_do_not_count(world, version):
    submitted_audit(world, version, days_ago=29, greeting=0, tone=1, insurance=0)
    assert sampling.band_for(world.agent, world.engagement).audits == 0


def test_a_ramping_agent_is_in_the_ramp_band(world, version):
    submitted_audit(world, version, days_ago=3)
    Agent.objects.filter(pk=world.agent.pk).update(status=AgentStatus.RAMP)
    world.agent.refresh_from_db()
    assert sampling.band_for(world.agent, world.engagement).per_week == 8


def test_a_critical_fail_keeps_the_highest_band_until_four_clean_weeks(world, version):
    submitted_audit(world, version, days_ago=20, ids=0)
    submitted_audit(world, version, days_ago=2)
    band = sampling.band_for(world.agent, world.engagement)
    assert (band.band, band.per_week) == (Band.CRITICAL, 8)  # the highest of 2, 5 and 8
    today = timezone.localdate()
    assert sampling.band_for(world.agent, world.engagement, today=today + timedelta(days=9)).band == Band.ON_TARGET


def test_the_numbers_are_configurable(world, version):
    sampling.save_policy(world.engagement, by=world.practice_manager, below_per_week=3, critical_per_week=10)
    assert sampling.band_for(world.agent, world.engagement).per_week == 3
    submitted_audit(world, version, days_ago=2, ids=0)
    assert sampling.band_for(world.agent, world.engagement).per_week == 10


def test_a_refused_policy_change_changes_nothing(world, version):
    with pytest.raises(DomainError):
        sampling.save_policy(world.engagement, by=world.practice_staff, below_per_week=1)
    with pytest.raises(DomainError):
        sampling.save_policy(world.engagement, by=world.practice_manager, trailing_weeks=0)
    assert sampling.policy_of(world.engagement).pk is None


def test_a_policy_change_and_its_auditors_are_in_the_audit_log(world, version):
    from auditlog.models import LogEntry

    policy = sampling.save_policy(world.engagement, by=world.practice_manager, below_per_week=3)
    sampling.save_policy(world.engagement, by=world.practice_manager, auditors=[world.provider_manager])
    entries = LogEntry.objects.get_for_object(policy)
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    assert any("auditors" in entry.changes_dict for entry in entries)
    before = LogEntry.objects.count()
    with pytest.raises(DomainError):
        sampling.save_policy(world.engagement, by=world.practice_staff, below_per_week=1)
    assert LogEntry.objects.count() == before


def test_the_weekly_job_run_twice_creates_nothing_twice(world, version):
    second = factories.make_member(world.provider, Role.MANAGER)
    assert sampling.schedule_week(world.engagement) == 5  # below: 5 slots
    assert sampling.schedule_week(world.engagement) == 0
    rows = AuditAssignment.objects.filter(engagement=world.engagement)
    assert sorted(rows.values_list("slot", flat=True)) == [1, 2, 3, 4, 5]
    loads = sorted(rows.values_list("auditor", flat=True))
    assert {loads.count(world.provider_manager.pk), loads.count(second.pk)} == {2, 3}  # spread by open load


def test_the_job_adds_only_the_missing_slots_when_a_band_rises(world, version):
    sampling.save_policy(world.engagement, by=world.practice_manager, below_per_week=2)
    assert sampling.schedule_week(world.engagement) == 2
    sampling.save_policy(world.engagement, by=world.practice_manager, below_per_week=4)
    assert sampling.schedule_week(world.engagement) == 2
    assert AuditAssignment.objects.count() == 4


def test_the_job_skips_agents_not_yet_working_and_inactive_policies(world, version):
    candidate = factories.make_agent(world.provider, full_name="New Hire")
    engagement_services.assign_agent(world.engagement, candidate, by=world.provider_manager)
    sampling.schedule_week(world.engagement)
    assert not AuditAssignment.objects.filter(agent=candidate).exists()
    AuditAssignment.objects.all().delete()
    sampling.save_policy(world.engagement, by=world.practice_manager, active=False)
    assert sampling.schedule_all() == 0


def test_the_database_refuses_a_second_row_for_the_same_slot(world, version):
    sampling.schedule_week(world.engagement)
    from django.db import IntegrityError, transaction

    row = AuditAssignment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditAssignment.objects.create(
            engagement=row.engagement, agent=row.agent, week_start=row.week_start, slot=row.slot
        )


def test_a_submitted_audit_does_the_agents_assignment(world, version):
    sampling.schedule_week(world.engagement)
    audit = submitted_audit(world, version, days_ago=1)
    done = AuditAssignment.objects.get(audit=audit)
    assert done.done_at is not None and done.week_start == sampling.week_start(timezone.localdate())
    this_week = sampling.coverage(world.engagement)[-1]
    assert (this_week.due, this_week.done) == (5, 1)


def test_an_assignment_is_completed_only_by_a_submitted_audit_of_its_agent(world, version):
    sampling.schedule_week(world.engagement)
    assignment = AuditAssignment.objects.first()
    draft = submitted_audit(world, version, submit=False)
    with pytest.raises(DomainError, match="submitted"):
        sampling.complete_assignment(assignment, draft, by=world.provider_manager)
    with pytest.raises(DomainError, match="auditors"):
        sampling.complete_assignment(assignment, draft, by=world.provider_staff)
    assignment.refresh_from_db()
    assert assignment.audit is None


def test_coverage_counts_this_week_and_last(world, version):
    today = timezone.localdate()
    sampling.schedule_week(world.engagement, today - timedelta(days=7))
    sampling.schedule_week(world.engagement, today)
    last, this = sampling.coverage(world.engagement)
    assert (last.due, this.due) == (5, 5) and last.week_start == this.week_start - timedelta(days=7)
    assert QualityAudit.objects.count() == 0 and this.done == 0 and this.percent == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions")
def test_two_jobs_at_the_same_moment_create_each_slot_once(world, version):
    barrier, errors, results = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(sampling.schedule_week(world.engagement))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == 5
    assert AuditAssignment.objects.filter(engagement=world.engagement).count() == 5


def test_the_beat_jobs_are_scheduled_and_run(world, version, settings):
    from audits import tasks
    from bpo_portal.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"audits.tasks.schedule_weekly_audits", "audits.tasks.close_due_calibrations"} <= scheduled
    assert {"audits.tasks.schedule_weekly_audits", "audits.tasks.close_due_calibrations"} <= set(app.tasks)
    assert tasks.schedule_weekly_audits.delay().get() == 5
    assert tasks.schedule_weekly_audits.delay().get() == 0
    assert tasks.close_due_calibrations.delay().get() == 0
