"""Breaches: one per target and period whatever runs twice, told once, kept when data resolves them."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.models import Notification
from engagements.tasks import send_notification_emails
from slas import rollups, services, tasks
from slas.choices import BreachStatus, RemediationStatus, Severity
from slas.models import Breach, IngestBatch, KPIValue, RemediationPlan, SLATarget

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def missed(sla):
    """A monthly service-level target of 80% missed in March 2026 (50%)."""
    target = sla.target("service_level", 80, warning_threshold=90)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10, external_id="m-1")])
    return target


def test_a_missed_target_opens_one_breach_with_its_evidence(missed):
    breach = Breach.objects.get()
    assert (breach.target, breach.period_start, breach.period_end) == (missed, MARCH, date(2026, 3, 31))
    assert (breach.severity, breach.status, breach.value, breach.threshold) == (Severity.BREACH, "open", 50, 80)


def test_a_retried_recompute_opens_no_second_breach_and_tells_no_one_twice(missed, world):
    batch = IngestBatch.objects.get()
    for _ in range(3):
        tasks.recompute_batch(batch.pk)
        tasks.recompute_recent()
        tasks.recompute_target(missed.pk)
    assert Breach.objects.count() == 1
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {world.practice_manager.username, world.provider_manager.username}
    assert Notification.objects.count() == 2


def test_both_sides_managers_get_an_email_once_and_staff_none(missed, world):
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.practice_manager.email, world.provider_manager.email])
    assert "SLA breach: Service level Mar 2026" in mail.outbox[0].subject
    assert send_notification_emails() == 0  # already sent: nothing more
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(user__in=[world.practice_staff, world.provider_staff]).exists()


def test_a_worse_period_raises_the_severity_of_the_same_breach_and_is_announced_once_more(sla, world):
    target = sla.target("service_level", 80, warning_threshold=90)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=85, denominator=100)])
    assert Breach.objects.get().severity == Severity.WARNING
    sla.push([sla.row("service_level", date(2026, 3, 3), numerator=0, denominator=100)])
    breach = Breach.objects.get()
    assert (breach.severity, breach.threshold, breach.target) == (Severity.BREACH, 80, target)
    # The warning was told, then the breach: once each, to both sides, in the portal and by e-mail.
    keys = sorted(Notification.objects.values_list("key", "user__username"))
    sides = sorted([world.practice_manager.username, world.provider_manager.username])
    assert keys == sorted(
        [(f"breach:{breach.pk}:warning", name) for name in sides]
        + [(f"breach:{breach.pk}:breach", name) for name in sides]
    )
    assert sum("SLA breach: Service level Mar 2026" in m.subject for m in mail.outbox) == 2
    assert "was a warning before" in Notification.objects.get(key__endswith=":breach", user=world.practice_manager).body
    for _ in range(2):
        tasks.recompute_recent()
        tasks.recompute_target(target.pk)
    assert Notification.objects.count() == 4  # nothing changed: nothing told again


def test_a_breach_that_improves_to_a_warning_is_not_announced_again(sla):
    sla.target("service_level", 80, warning_threshold=90)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=0, denominator=100)])
    assert Notification.objects.count() == 2
    sla.push([sla.row("service_level", date(2026, 3, 3), numerator=900, denominator=1000)])  # 0% → 81.82%
    assert Breach.objects.get().severity == Severity.WARNING
    assert Notification.objects.count() == 2


def test_a_resolved_breach_that_reopens_is_announced_again_once(sla, world):
    sla.target("service_level", 80)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=0, denominator=100)])
    sla.push([sla.row("service_level", date(2026, 3, 3), numerator=1000, denominator=1000)])  # 90.91%: met
    assert Breach.objects.get().status == BreachStatus.RESOLVED_BY_DATA
    sla.push([sla.row("service_level", date(2026, 3, 4), numerator=0, denominator=1000)])  # 47.62%
    assert Breach.objects.get().status == BreachStatus.OPEN
    reopened = Notification.objects.filter(user=world.practice_manager, key__contains=":reopened:")
    assert reopened.count() == 1 and "reopened" in reopened.get().body
    tasks.recompute_recent()
    assert Notification.objects.count() == 4


def test_a_recompute_killed_midway_leaves_the_last_good_state_and_a_rerun_completes_it(sla, monkeypatch):
    target = sla.target("service_level", 80)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=9, denominator=10, external_id="k-1")])
    before = list(KPIValue.objects.values_list("period_start", "value"))

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(rollups, "_notify", killed)  # after the KPI and breach writes, before the commit
    with pytest.raises(SystemExit):
        sla.push([sla.row("service_level", date(2026, 3, 3), numerator=0, denominator=90, external_id="k-2")])
    # The KPI upsert and the breach ran before the kill, but in the same transaction: nothing of them remains.
    assert list(KPIValue.objects.values_list("period_start", "value")) == before
    assert not Breach.objects.exists()
    monkeypatch.undo()

    tasks.recompute_batch(IngestBatch.objects.latest("pk").pk)
    assert sla.kpi(target, MARCH).value == 9  # 9 / 100
    assert Breach.objects.count() == 1


def test_the_nightly_job_catches_up_periods_a_lost_task_never_computed(sla, monkeypatch):
    target = sla.target("service_level", 80, period="day")  # three days ago is past its 2-day grace
    monkeypatch.setattr(tasks.recompute_batch, "delay", lambda *args: None)  # the broker lost the message
    recent = timezone.localdate() - timedelta(days=3)
    sla.push([sla.row("service_level", recent, numerator=1, denominator=10)])
    assert not KPIValue.objects.exists()
    tasks.recompute_recent()
    assert KPIValue.objects.get(target=target).value == 10
    assert Breach.objects.count() == 1


def test_changing_a_threshold_rejudges_past_periods(sla, missed, world):
    missed.threshold, missed.warning_threshold = 40, 45
    services.save_target(missed, by=world.practice_manager)
    tasks.recompute_target(missed.pk)
    assert KPIValue.objects.get().status == "met"
    assert Breach.objects.get().status == BreachStatus.RESOLVED_BY_DATA


# --- Targets ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "threshold", "warning", "field"),
    [
        ("service_level", 80, 70, "warning_threshold"),  # higher is better: warning must sit above
        ("abandonment_rate", 10, 12, "warning_threshold"),  # lower is better: warning must sit below
        ("service_level", 120, None, "threshold"),  # a percentage over 100
    ],
)
def test_a_target_with_a_threshold_on_the_wrong_side_is_refused_on_that_field(sla, code, threshold, warning, field):
    with pytest.raises(DomainError) as refused:
        sla.target(code, threshold, warning_threshold=warning)
    assert refused.value.field == field
    assert not SLATarget.objects.exists()


def test_a_target_cannot_end_before_it_starts(sla):
    with pytest.raises(DomainError) as refused:
        sla.target("csat", 4, effective_from=date(2026, 5, 1), effective_to=date(2026, 4, 1))
    assert refused.value.field == "effective_to"


def test_only_the_practice_side_sets_targets(sla, world):
    for persona in (world.provider_manager, world.practice_staff, world.outsider):
        with pytest.raises(DomainError, match="Only the practice's managers"):
            sla.target("csat", 4, by=persona)


# --- Remediation -----------------------------------------------------------------------------------------------------


def plan_for(breach, world, **fields):
    fields = {
        "actions": "Add two agents to the morning shift.",
        "owner": "Bea Account",
        "due_on": date.today(),
    } | fields
    return services.submit_remediation_plan(breach, by=world.provider_manager, **fields)


def test_a_remediation_plan_goes_from_proposal_to_closure_and_closes_the_breach(missed, world):
    breach = Breach.objects.get()
    plan = plan_for(breach, world)
    assert Notification.objects.filter(user=world.practice_manager, key__startswith="remediation:").count() == 1
    plan = services.decide_remediation_plan(plan, by=world.practice_manager, accept=True)
    plan = services.complete_remediation_plan(plan, by=world.provider_manager)
    plan = services.close_remediation_plan(plan, by=world.practice_manager)
    breach.refresh_from_db()
    assert (plan.status, breach.status) == (RemediationStatus.CLOSED, BreachStatus.CLOSED)
    assert plan.decided_by == world.practice_manager and plan.closed_at is not None


def test_each_side_does_only_its_part(missed, world):
    breach = Breach.objects.get()
    with pytest.raises(DomainError, match="provider's managers"):
        services.submit_remediation_plan(
            breach, by=world.practice_manager, actions="x", owner="y", due_on=timezone.localdate()
        )
    plan = plan_for(breach, world)
    with pytest.raises(DomainError, match="practice's managers"):
        services.decide_remediation_plan(plan, by=world.provider_manager, accept=True)
    with pytest.raises(DomainError, match="Only an accepted plan"):
        services.complete_remediation_plan(plan, by=world.provider_manager)


def test_a_rejection_needs_a_reason_and_lets_the_provider_propose_again(missed, world):
    breach = Breach.objects.get()
    plan = plan_for(breach, world)
    with pytest.raises(DomainError) as refused:
        services.decide_remediation_plan(plan, by=world.practice_manager, accept=False)
    assert refused.value.field == "note"
    with pytest.raises(DomainError, match="already has a remediation plan"):
        plan_for(breach, world)
    services.decide_remediation_plan(plan, by=world.practice_manager, accept=False, note="Too vague.")
    plan_for(breach, world, actions="Hire and train two agents by Friday.")
    assert list(RemediationPlan.objects.values_list("status", flat=True)) == ["submitted", "rejected"]


def test_a_plan_due_in_the_past_is_refused(missed, world):
    with pytest.raises(DomainError) as refused:
        plan_for(Breach.objects.get(), world, due_on=timezone.localdate() - timedelta(days=1))
    assert refused.value.field == "due_on"


def test_moving_a_targets_start_later_drops_the_values_before_it(missed, world, django_capture_on_commit_callbacks):
    missed.effective_from = date(2026, 4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(missed, by=world.practice_manager)
    assert not KPIValue.objects.filter(target=missed).exists()


def test_changing_a_targets_period_recomputes_it_on_the_new_grain(missed, world, django_capture_on_commit_callbacks):
    missed.period = "week"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(missed, by=world.practice_manager)
    assert list(KPIValue.objects.filter(target=missed).values_list("period_start", flat=True)) == [date(2026, 3, 2)]
