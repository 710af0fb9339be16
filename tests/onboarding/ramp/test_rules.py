"""The ramp's rules: two weeks off target flag the agent for coaching; K consecutive weeks on the final targets
end the ramp (and open the gate into live); weeks without data break a run; speed to proficiency is the median."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboarding.gates import GATES
from onboarding.models import RampFlag, RampResult
from onboarding.services import ramp
from onboarding.signals import prerequisites_changed
from onboarding.tasks_ramp import evaluate_ramps
from tests import factories
from tests.onboarding.ramp.conftest import push_week, week_monday

STATUSES = st.lists(st.sampled_from(["met", "missed", "no_data"]), max_size=30)


# --- The pure rules, on any sequence of weeks -----------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(STATUSES)
def test_a_flag_falls_on_the_second_of_each_run_of_missed_weeks(statuses):
    flags = ramp.flag_weeks(statuses)
    expected, run = [], 0
    for number, status in enumerate(statuses, start=1):
        run = run + 1 if status == "missed" else 0
        if run == 2:
            expected.append(number)
    assert flags == expected


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(STATUSES, st.integers(min_value=1, max_value=5))
def test_the_ramp_ends_on_the_first_week_that_completes_k_met_weeks_in_a_row(statuses, k):
    week = ramp.finished_week(statuses, k)
    text = "".join("M" if status == "met" else "." for status in statuses)
    if "M" * k in text:
        assert week == text.index("M" * k) + k
        assert "M" * k not in text[: week - 1]
    else:
        assert week is None


def test_examples_of_the_rules():
    assert ramp.flag_weeks(["missed", "missed", "missed", "met", "missed", "missed"]) == [2, 6]
    assert ramp.flag_weeks(["missed", "no_data", "missed"]) == []
    assert ramp.finished_week(["met", "no_data", "met", "met"], 2) == 4
    assert ramp.finished_week(["met", "missed", "met"], 2) is None
    assert ramp.trailing_run(["met", "missed", "met", "met"]) == 2


# --- Recorded by the nightly evaluation -----------------------------------------------------------------------------


@pytest.fixture
def signals():
    sent = []

    def listener(sender, **kwargs):
        sent.append(kwargs["cause"])

    prerequisites_changed.connect(listener, dispatch_uid="ramp-test")
    yield sent
    prerequisites_changed.disconnect(dispatch_uid="ramp-test")


@pytest.mark.django_db(transaction=True)
def test_two_weeks_off_target_in_a_row_flag_the_agent_once(world, in_ramp, today, plan, signals):
    onboarding = in_ramp(3, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 3), quality=82)  # week 1: ≥ 80 met
    push_week(world, world.agent, week_monday(today, 2), quality=70, talk=380)  # week 2: quality missed
    push_week(world, world.agent, week_monday(today, 1), quality=95, talk=450)  # week 3: talk time missed

    assert evaluate_ramps.delay().get() == {"flagged": 1, "finished": 0}
    flag = RampFlag.objects.get(onboarding=onboarding)
    assert flag.week == 3 and "Average talk time 450.00 (target ≤ 400.00)" in flag.reason
    assert signals == ["ramp_flagged"]
    assert evaluate_ramps.delay().get() == {"flagged": 0, "finished": 0}  # idempotent
    assert RampFlag.objects.count() == 1 and signals == ["ramp_flagged"]
    assert ramp.open_flag(onboarding) == flag


@pytest.mark.django_db
def test_a_week_without_data_between_two_misses_does_not_flag(world, in_ramp, today, plan):
    onboarding = in_ramp(3, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 3), quality=60)
    push_week(world, world.agent, week_monday(today, 1), quality=60, talk=380)
    recorded = ramp.record_evaluation(onboarding)
    assert recorded.new_flags == [] and not RampFlag.objects.exists()
    assert RampResult.objects.get(onboarding=onboarding).last_status == "missed"


@pytest.mark.django_db(transaction=True)
def test_k_weeks_on_the_final_targets_end_the_ramp_and_open_the_gate(world, in_ramp, today, plan, signals):
    onboarding = in_ramp(5, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 5), quality=85)  # week 1: met its own, not the final (≥ 90)
    push_week(world, world.agent, week_monday(today, 4), quality=91, talk=390)  # week 2: met final too
    push_week(world, world.agent, week_monday(today, 3), quality=92, talk=380)  # week 3: second in a row

    assert ramp_gate(onboarding) == []
    recorded = ramp.record_evaluation(onboarding)
    assert recorded.finished_now
    result = RampResult.objects.get(onboarding=onboarding)
    assert result.finished_week == 3 and result.finished_at is not None and result.met_run == 2
    assert signals == ["ramp_finished"]
    # A later miss changes nothing: the ramp ended in week 3, once.
    push_week(world, world.agent, week_monday(today, 2), quality=40, talk=900)
    push_week(world, world.agent, week_monday(today, 1), quality=40, talk=900)
    assert not ramp.record_evaluation(onboarding).finished_now
    assert RampResult.objects.get(onboarding=onboarding).finished_week == 3 and not RampFlag.objects.exists()
    assert ramp_gate(onboarding) == []


@pytest.mark.django_db
def test_the_gate_says_how_far_the_run_on_the_final_targets_has_come(world, in_ramp, today, plan):
    onboarding = in_ramp(3, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 3), quality=85)  # week 1: its own target, not the final
    push_week(world, world.agent, week_monday(today, 2), quality=86, talk=390)  # week 2: the same
    push_week(world, world.agent, week_monday(today, 1), quality=91, talk=390)  # week 3: on the final targets
    assert ramp_gate(onboarding) == ["ramp targets not met for 2 consecutive weeks (1 of 2)"]
    assert [week.status for week in ramp.evaluate(onboarding).closed] == ["met", "met", "met"]


@pytest.mark.django_db
def test_the_gate_counts_a_run_broken_by_a_week_without_data(world, in_ramp, today, plan):
    onboarding = in_ramp(3, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 3), quality=95, talk=300)
    push_week(world, world.agent, week_monday(today, 1), quality=95, talk=300)
    # Week 2 has no data: the run is the last week only.
    assert ramp_gate(onboarding) == ["ramp targets not met for 2 consecutive weeks (1 of 2)"]


@pytest.mark.django_db
def test_an_agent_who_never_ramped_may_not_go_live(world, plan):
    from engagements.choices import AgentStatus
    from tests.onboarding.factories import make_onboarding

    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    assert ramp_gate(onboarding) == ["ramp targets not met for 2 consecutive weeks (0 of 2)"]


@pytest.mark.django_db
def test_speed_to_proficiency_is_the_median_of_the_finishers_weeks(world, in_ramp, today, plan):
    assert ramp.speed_to_proficiency(world.engagement) is None
    finishes = {}
    for weeks_ago, start_met in ((6, 1), (6, 3), (6, 4), (6, 2)):  # finishing in weeks 2, 4, 5, 3 (K = 2)
        agent = factories.make_agent(world.provider)
        onboarding = in_ramp(weeks_ago, agent=agent)
        for week in range(start_met, start_met + 2):
            push_week(world, agent, week_monday(today, weeks_ago - week + 1), quality=95, talk=300)
        ramp.record_evaluation(onboarding)
        finishes[agent.pk] = RampResult.objects.get(onboarding=onboarding).finished_week
    in_ramp(6)  # someone still ramping does not count
    assert sorted(finishes.values()) == [2, 3, 4, 5]
    assert ramp.speed_to_proficiency(world.engagement) == Decimal("3.5")


@pytest.mark.django_db
def test_weeks_beyond_the_plan_are_judged_on_the_final_week_targets(world, in_ramp, today, plan):
    onboarding = in_ramp(5, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 1), quality=89, talk=300)  # week 5
    week = ramp.evaluate(onboarding).weeks[4]
    assert week.number == 5 and week.status == "missed"
    assert {c.target.metric.code: c.target.threshold for c in week.cells}["quality_score"] == Decimal("90")
    assert week.start == week_monday(today, 1) and week.end == week.start + timedelta(days=6)


@pytest.mark.django_db
def test_the_timeline_shows_the_flag_and_the_finish(world, in_ramp, today, plan):
    from onboarding.timeline import events_for

    onboarding = in_ramp(5, agent=world.agent)
    for weeks_ago, quality in ((5, 60), (4, 60), (3, 95), (2, 95)):
        push_week(world, world.agent, week_monday(today, weeks_ago), quality=quality, talk=300)
    ramp.record_evaluation(onboarding)
    titles = [event.title for event in events_for(onboarding) if event.area == "ramp"]
    assert sorted(titles) == ["Flagged for coaching (week 2)", "Ramp finished in week 4"]
    assert ramp.open_flag(onboarding) is None  # the finish closes the flag


def ramp_gate(onboarding):
    """What the ramp area's own check keeps from live (documents and the BAA are their areas' gates)."""
    return dict(GATES["live"])["ramp"](onboarding)
