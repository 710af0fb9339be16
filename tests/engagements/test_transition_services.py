"""The phased transition's rules: gate evaluation from KPI values, go / no-go, starting the plan, milestones and
the overdue-milestone reminder source."""

from datetime import date, timedelta

import pytest
from django.db.models import ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpo_portal.errors import DomainError
from engagements.choices import ReminderKind
from engagements.models import GateCriterion, GateDecision, Milestone, ServiceLine, TransitionPhase
from engagements.reminders import BOTH
from engagements.services import transition
from tests import factories
from tests.engagements import transition_fixtures
from tests.engagements.transition_fixtures import make_transitioning

pytestmark = pytest.mark.django_db
plan, started = transition_fixtures.plan, transition_fixtures.started  # the fixtures these tests share


class TestGateEvaluation:
    def test_it_is_ready_when_the_last_k_closed_periods_are_all_met(self, plan):
        target = plan.target()
        for start in plan.closed(target, 3):
            plan.kpi(target, start, 90)
        plan.criterion(target, k=3)
        evaluation = transition.evaluate_gate(plan.first, plan.today)
        assert evaluation.ready
        [evidence] = evaluation.criteria
        assert [p.start for p in evidence.periods] == plan.closed(target, 3)
        assert [p.status for p in evidence.periods] == ["met"] * 3

    def test_one_missed_period_among_the_last_k_keeps_it_closed(self, plan):
        target = plan.target()
        older, newer = plan.closed(target, 2)
        plan.kpi(target, older, 70)
        plan.kpi(target, newer, 90)
        plan.criterion(target, k=2)
        evaluation = transition.evaluate_gate(plan.first, plan.today)
        assert not evaluation.ready
        assert [p.status for p in evaluation.criteria[0].periods] == ["breach", "met"]
        assert "not met in" in evaluation.reason

    def test_a_period_without_data_is_not_evidence(self, plan):
        target = plan.target()
        oldest, gap, newest = plan.closed(target, 3)
        plan.kpi(target, oldest, 90)
        plan.kpi(target, newest, 90)
        plan.criterion(target, k=3)
        evaluation = transition.evaluate_gate(plan.first, plan.today)
        assert not evaluation.ready
        assert [p.status for p in evaluation.criteria[0].periods] == ["met", "missing", "met"]
        assert "no KPI value for" in evaluation.reason

    def test_the_current_open_period_does_not_count(self, plan):
        from slas.periods import period_start

        target = plan.target()
        plan.kpi(target, plan.closed(target, 1)[0], 90)
        plan.kpi(target, period_start(plan.today, "week"), 10)  # the week under way is not judged yet
        plan.criterion(target, k=1)
        assert transition.evaluate_gate(plan.first, plan.today).ready
        # and a good current period cannot stand in for a missing closed one
        plan.first.gate_criteria.all().delete()
        other = plan.target("abandonment_rate", "5")
        plan.kpi(other, period_start(plan.today, "week"), 1)
        plan.criterion(other, k=1)
        assert not transition.evaluate_gate(plan.first, plan.today).ready

    def test_k_reaches_back_exactly_k_periods(self, plan):
        target = plan.target(period="month")
        oldest, *recent = plan.closed(target, 3)
        plan.kpi(target, oldest, 10)  # long ago, outside K=2
        for start in recent:
            plan.kpi(target, start, 95)
        plan.criterion(target, k=2)
        assert transition.evaluate_gate(plan.first, plan.today).ready

    def test_a_warning_or_too_few_samples_is_not_met(self, plan):
        target = plan.target(warning_threshold=85)
        older, newer = plan.closed(target, 2)
        plan.kpi(target, older, 82)  # warning: above the threshold but inside the margin
        plan.kpi(target, newer, 95, sample="0")  # below the minimum sample size
        plan.criterion(target, k=2)
        statuses = [p.status for p in transition.evaluate_gate(plan.first, plan.today).criteria[0].periods]
        assert statuses == ["warning", "insufficient"]

    def test_it_judges_with_the_target_as_it_stands_now(self, plan):
        target = plan.target()
        [start] = plan.closed(target, 1)
        plan.kpi(target, start, 85)
        plan.criterion(target, k=1)
        assert transition.evaluate_gate(plan.first, plan.today).ready
        target.threshold = 90
        target.save()
        assert not transition.evaluate_gate(plan.first, plan.today).ready

    def test_lower_is_better_targets_are_judged_their_way(self, plan):
        target = plan.target("abandonment_rate", "5")
        for start in plan.closed(target, 2):
            plan.kpi(target, start, 3)
        plan.criterion(target, k=2)
        assert transition.evaluate_gate(plan.first, plan.today).ready

    def test_a_gate_without_criteria_is_not_ready_and_says_why(self, plan):
        evaluation = transition.evaluate_gate(plan.first, plan.today)
        assert not evaluation.ready
        assert "no criteria" in evaluation.reason

    def test_every_criterion_must_be_met(self, plan):
        good, bad = plan.target(), plan.target("abandonment_rate", "5")
        for start in plan.closed(good, 2):
            plan.kpi(good, start, 90)
            plan.kpi(bad, start, 9)
        plan.criterion(good)
        plan.criterion(bad)
        evaluation = transition.evaluate_gate(plan.first, plan.today)
        assert not evaluation.ready
        assert [item.met for item in evaluation.criteria] == [True, False]
        assert evaluation.as_dict()["criteria"][1]["periods"][0]["status"] == "breach"

    def test_many_phases_are_evaluated_in_a_fixed_number_of_queries(self, plan, django_assert_max_num_queries):
        for phase in (plan.first, plan.second):
            for code in ("service_level", "first_call_resolution"):
                plan.criterion(plan.target(code) if phase == plan.first else plan.target(code, "70"), phase=phase)
        phases = list(TransitionPhase.objects.select_related("engagement__practice"))
        with django_assert_max_num_queries(2):
            transition.evaluate_gates(phases, plan.today)


class TestGateCriteria:
    def test_a_target_of_another_engagement_is_refused_and_nothing_is_written(self, world, plan):
        foreign = plan.target(engagement=world.other_engagement)
        with pytest.raises(DomainError, match="target of this engagement"):
            transition.save_criterion(GateCriterion(phase=plan.first, target=foreign), by=world.practice_manager)
        assert not GateCriterion.objects.exists()

    def test_k_must_be_at_least_one(self, world, plan):
        with pytest.raises(DomainError) as error:
            transition.save_criterion(
                GateCriterion(phase=plan.first, target=plan.target(), consecutive_periods=0), by=world.practice_manager
            )
        assert error.value.field == "consecutive_periods"
        assert not GateCriterion.objects.exists()

    def test_only_the_practice_sets_them(self, world, plan):
        with pytest.raises(DomainError, match="practice's managers"):
            transition.save_criterion(GateCriterion(phase=plan.first, target=plan.target()), by=world.provider_manager)

    def test_a_target_a_gate_depends_on_cannot_be_deleted(self, plan):
        target = plan.target()
        plan.criterion(target)
        with pytest.raises(ProtectedError):
            target.delete()


class TestStartingTheTransition:
    def test_the_first_phase_starts_today_and_its_lines_go_live(self, world, plan):
        engagement = make_transitioning(world)
        engagement.service_lines.clear()
        phase = transition.start_transition(engagement, by=world.practice_manager)
        assert phase == plan.first and phase.is_active and phase.actual_start == plan.today
        assert list(engagement.service_lines.values_list("code", flat=True)) == ["scheduling"]

    def test_it_needs_a_transitioning_engagement(self, world, plan):
        with pytest.raises(DomainError, match="move it to transitioning"):
            transition.start_transition(world.engagement, by=world.practice_manager)
        assert not TransitionPhase.objects.filter(status="active").exists()

    def test_it_starts_once(self, world, started):
        with pytest.raises(DomainError, match="already started"):
            transition.start_transition(started.engagement, by=world.practice_manager)

    def test_the_provider_cannot_start_it(self, world, plan):
        engagement = make_transitioning(world)
        with pytest.raises(DomainError, match="practice's managers"):
            transition.start_transition(engagement, by=world.provider_manager)


class TestGateDecisions:
    def ready(self, plan):
        target = plan.target()
        for start in plan.closed(target, 2):
            plan.kpi(target, start, 90)
        plan.criterion(target)

    def test_go_finishes_the_phase_starts_the_next_and_widens_the_scope(self, world, started):
        self.ready(started)
        started.engagement.service_lines.clear()
        decision = transition.record_gate_decision(started.first, by=world.practice_manager, outcome="go", note="OK")
        started.first.refresh_from_db()
        started.second.refresh_from_db()
        assert started.first.is_done and started.first.actual_end == started.today
        assert started.second.is_active and started.second.actual_start == started.today
        assert "claims" in set(started.engagement.service_lines.values_list("code", flat=True))
        assert decision.is_go and decision.decided_by == world.practice_manager
        assert decision.evidence["ready"] is True and decision.evidence["criteria"][0]["metric"] == "service_level"

    def test_go_is_refused_when_the_gate_is_not_ready_and_nothing_changes(self, world, started):
        target = started.target()
        started.kpi(target, started.closed(target, 1)[0], 50)
        started.criterion(target, k=1)
        with pytest.raises(DomainError, match="not ready"):
            transition.record_gate_decision(started.first, by=world.practice_manager, outcome="go")
        started.first.refresh_from_db()
        assert started.first.is_active and not GateDecision.objects.exists()
        assert not started.engagement.service_lines.filter(code="claims").exists()

    def test_go_is_all_or_nothing(self, world, started, monkeypatch):
        self.ready(started)

        def broken(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(transition, "_activate", broken)
        with pytest.raises(RuntimeError):
            transition.record_gate_decision(started.first, by=world.practice_manager, outcome="go")
        started.first.refresh_from_db()
        started.second.refresh_from_db()
        assert started.first.is_active and started.second.is_planned
        assert not GateDecision.objects.exists()

    def test_no_go_keeps_the_phase_active_and_needs_a_reason(self, world, started):
        with pytest.raises(DomainError) as error:
            transition.record_gate_decision(started.first, by=world.practice_manager, outcome="no_go", note=" ")
        assert error.value.field == "note"
        decision = transition.record_gate_decision(
            started.first, by=world.practice_manager, outcome="no_go", note="Abandonment still too high."
        )
        started.first.refresh_from_db()
        assert started.first.is_active and not decision.is_go and decision.evidence["ready"] is False

    def test_only_the_active_phase_is_decided(self, world, started):
        with pytest.raises(DomainError, match="only the active phase"):
            transition.record_gate_decision(started.second, by=world.practice_manager, outcome="no_go", note="x")

    def test_the_provider_cannot_decide(self, world, started):
        self.ready(started)
        with pytest.raises(DomainError, match="practice's managers"):
            transition.record_gate_decision(started.first, by=world.provider_manager, outcome="go")
        assert not GateDecision.objects.exists()

    def test_the_last_phase_goes_without_a_next_one(self, world, started):
        self.ready(started)
        started.second.delete()
        transition.record_gate_decision(started.first, by=world.practice_manager, outcome="go")
        assert not TransitionPhase.objects.filter(status="active").exists()


class TestStandardPlan:
    def test_peripheral_lines_go_first_then_the_revenue_cycle(self, world):
        lines = ServiceLine.objects.filter(code__in=["claims", "scheduling", "customer_service", "data_entry"])
        world.engagement.service_lines.set(lines)
        phases = transition.create_standard_plan(world.engagement, by=world.practice_manager, start=date(2026, 3, 2))
        assert [p.name for p in phases] == ["Scheduling and customer service", "Revenue cycle", "Back office"]
        assert set(phases[0].service_lines.values_list("code", flat=True)) == {"scheduling", "customer_service"}
        assert phases[0].planned_start == date(2026, 3, 2) and phases[1].planned_start == phases[
            0
        ].planned_end + timedelta(1)
        assert all(p.is_planned for p in phases)

    def test_it_needs_service_lines_and_no_plan_yet(self, world, plan):
        with pytest.raises(DomainError, match="already has a transition plan"):
            transition.create_standard_plan(world.engagement, by=world.practice_manager)
        other = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
        with pytest.raises(DomainError, match="service lines first"):
            transition.create_standard_plan(other, by=world.practice_manager)


class TestPhases:
    def test_an_end_before_the_start_is_refused_on_the_field(self, world):
        phase = TransitionPhase(
            engagement=world.engagement, name="X", planned_start=date(2026, 5, 1), planned_end=date(2026, 4, 1)
        )
        with pytest.raises(DomainError) as error:
            transition.save_phase(phase, by=world.practice_manager)
        assert error.value.field == "planned_end"
        assert not TransitionPhase.objects.exists()

    def test_a_new_phase_goes_last(self, world, plan):
        phase = transition.save_phase(
            TransitionPhase(
                engagement=world.engagement, name="A/R", planned_start=date(2026, 5, 1), planned_end=date(2026, 6, 1)
            ),
            by=world.practice_manager,
        )
        assert phase.order == 3

    def test_the_provider_cannot_plan_phases(self, world):
        phase = TransitionPhase(
            engagement=world.engagement, name="X", planned_start=date(2026, 5, 1), planned_end=date(2026, 6, 1)
        )
        with pytest.raises(DomainError, match="practice's managers"):
            transition.save_phase(phase, by=world.provider_manager)


class TestMilestones:
    def test_both_sides_managers_add_and_complete_them(self, world, plan):
        milestone = transition.save_milestone(
            Milestone(
                phase=plan.first, title="Scripts signed off", owner_user=world.practice_staff, due_on=date(2026, 1, 5)
            ),
            by=world.provider_manager,
        )
        transition.complete_milestone(milestone, by=world.practice_manager)
        milestone.refresh_from_db()
        assert milestone.is_done and milestone.done_by == world.practice_manager
        with pytest.raises(DomainError, match="already done"):
            transition.complete_milestone(milestone, by=world.practice_manager)

    def test_staff_cannot_change_them(self, world, plan):
        with pytest.raises(DomainError, match="managers of either side"):
            transition.save_milestone(
                Milestone(phase=plan.first, title="X", owner_name="Bea", due_on=date(2026, 1, 5)),
                by=world.practice_staff,
            )

    def test_the_owner_is_someone_on_the_engagement(self, world, plan):
        with pytest.raises(DomainError) as error:
            transition.save_milestone(
                Milestone(phase=plan.first, title="X", owner_user=world.outsider, due_on=date(2026, 1, 5)),
                by=world.practice_manager,
            )
        assert error.value.field == "owner_user"
        with pytest.raises(DomainError) as error:
            transition.save_milestone(
                Milestone(phase=plan.first, title="X", due_on=date(2026, 1, 5)), by=world.practice_manager
            )
        assert error.value.field == "owner_name"
        assert not Milestone.objects.exists()


class TestOverdueReminders:
    def make(self, plan, due_on, done=False):
        from django.utils import timezone

        return Milestone.objects.create(
            phase=plan.first,
            title=f"Due {due_on}",
            owner_name="Bea",
            due_on=due_on,
            done_at=timezone.now() if done else None,
        )

    def test_an_open_milestone_is_due_the_day_after_its_due_date(self, world, plan):
        late = self.make(plan, date(2026, 3, 9))
        self.make(plan, date(2026, 3, 10))  # due today: not overdue yet
        self.make(plan, date(2026, 3, 1), done=True)
        items = list(transition.due_items(world.engagement.__class__.objects.all(), date(2026, 3, 10)))
        assert [(i.item, i.due_on) for i in items] == [(late, date(2026, 3, 10))]
        [item] = items
        assert item.kind == ReminderKind.MILESTONE_OVERDUE and item.side == BOTH and item.level == "danger"
        assert item.engagement == world.engagement and f"#milestone-{late.pk}" in item.url

    def test_it_only_looks_at_the_engagements_it_is_given(self, world, plan):
        self.make(plan, date(2026, 3, 1))
        from engagements.models import Engagement

        assert not list(transition.due_items(Engagement.objects.filter(pk=world.other_engagement.pk), date(2026, 4, 1)))
        assert len(list(transition.due_items(Engagement.objects.all(), date(2026, 4, 1)))) == 1


VALUES = {"met": 90, "warning": 82, "breach": 50, "insufficient": None, "missing": "missing"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    statuses=st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=5), grain=st.sampled_from(["week", "month"])
)
def test_a_gate_is_ready_exactly_when_each_of_the_last_k_closed_periods_is_met(plan, statuses, grain):
    from slas.models import KPIValue

    GateCriterion.objects.all().delete()
    KPIValue.objects.all().delete()
    target = plan.target(period=grain, warning_threshold=85)
    for start, status in zip(plan.closed(target, len(statuses)), statuses, strict=True):
        if status != "missing":
            plan.kpi(target, start, VALUES[status], sample="100" if status != "insufficient" else "0")
    plan.criterion(target, k=len(statuses))

    evaluation = transition.evaluate_gate(plan.first, plan.today)

    assert [period.status for period in evaluation.criteria[0].periods] == [
        "insufficient" if s == "insufficient" else s for s in statuses
    ]
    assert evaluation.ready == all(status == "met" for status in statuses)
    target.gate_criteria.all().delete()
    target.delete()
