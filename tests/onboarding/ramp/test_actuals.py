"""Weekly actuals come from the SLA engine's aggregation of the agent's own measurements: checked against an
independent computation on the same rows (sums per ISO week in the practice's calendar, ratio of sums)."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from engagements.choices import AgentStatus
from onboarding.services import ramp
from slas.models import Measurement
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.ramp.conftest import push, week_monday

pytestmark = pytest.mark.django_db


def by_hand(agent, engagement, code, start):
    """{ramp week number: value} from the raw rows: Σ numerator / Σ denominator per Monday-to-Sunday week."""
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = Measurement.objects.filter(agent=agent, engagement=engagement, metric__code=code)
    for numerator, denominator, day in rows.values_list("numerator", "denominator", "date"):
        monday = day - timedelta(days=day.weekday())
        sums[monday][0] += numerator
        sums[monday][1] += denominator
    values = {}
    for monday, (numerator, denominator) in sums.items():
        number = (monday - start).days // 7 + 1
        value = numerator if code == "calls_handled" else numerator / denominator
        values[number] = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return values


def test_weekly_actuals_match_a_hand_computation_on_the_same_rows(world, in_ramp, today):
    ramp.ensure_default_plan(world.engagement)
    onboarding = in_ramp(4, agent=world.agent)
    start = week_monday(today, 4)
    # Talk time: uneven call counts, so the mean of daily ratios differs from the ratio of sums.
    for offset, (seconds, calls) in enumerate([(4000, 10), (900, 1), (12000, 30), (2500, 5), (7000, 20)]):
        push(
            world,
            world.agent,
            "average_talk_time",
            start + timedelta(days=offset * 3),
            numerator=seconds,
            denominator=calls,
        )
    for offset, score in enumerate([70, 88, 91, 64, 99, 77]):
        push(world, world.agent, "quality_score", start + timedelta(days=offset * 2 + 1), value=score)
    for offset, calls in enumerate([40, 55, 60, 80]):
        push(world, world.agent, "calls_handled", start + timedelta(days=offset * 4), value=calls)
    # Someone else's rows, and the same agent's on another engagement, never count.
    other = factories.make_agent(world.provider, full_name="Ben Other")
    push(world, other, "quality_score", start + timedelta(days=1), value=10)

    evaluation = ramp.evaluate(onboarding)

    for code in ("average_talk_time", "quality_score", "calls_handled"):
        expected = by_hand(world.agent, world.engagement, code, start)
        got = {
            week.number: cell.actual
            for week in evaluation.weeks
            for cell in week.cells
            if cell.target.metric.code == code and cell.actual is not None
        }
        assert got == expected, code
    first_week = {c.target.metric.code: c.actual for c in evaluation.weeks[0].cells}
    assert first_week["average_talk_time"] == Decimal("412.20")  # 16900 s / 41 calls, not the mean of 400, 900, 400


def test_a_week_without_measurements_reads_no_data_and_neither_meets_nor_misses(world, in_ramp, today, plan):
    onboarding = in_ramp(3, agent=world.agent)
    push(world, world.agent, "quality_score", week_monday(today, 3) + timedelta(days=1), value=95)
    evaluation = ramp.evaluate(onboarding)
    assert [week.status for week in evaluation.closed] == ["met", "no_data", "no_data"]
    assert all(cell.actual is None and cell.status == "no_data" for cell in evaluation.weeks[1].cells)
    assert evaluation.weeks[-1].status == "so_far" and not evaluation.weeks[-1].closed


def test_ramp_week_one_is_the_week_the_agent_entered_ramp_in_the_practice_calendar(world):
    world.practice.timezone = "Asia/Manila"
    world.practice.save()
    # Sunday 20:00 UTC is already Monday 04:00 in Manila: ramp week 1 is that Monday's week.
    entered = datetime(2026, 11, 8, 20, tzinfo=UTC)
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.RAMP, stage_entered_at=entered)
    assert ramp.ramp_start(onboarding) == datetime(2026, 11, 9).date()


def test_after_ramp_the_start_is_the_last_move_into_ramp(world):
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.LIVE)
    onboarding.stage_changes.create(
        from_stage="training", to_stage="ramp", changed_at=datetime(2026, 10, 14, 15, tzinfo=UTC)
    )
    assert ramp.ramp_start(onboarding) == datetime(2026, 10, 12).date()
    annotated = ramp.with_ramp_entry(type(onboarding).objects.filter(pk=onboarding.pk)).get()
    assert annotated.ramp_entered == datetime(2026, 10, 14, 15, tzinfo=UTC)


def test_an_agent_who_never_entered_ramp_has_no_weeks(world):
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    evaluation = ramp.evaluate(onboarding)
    assert evaluation.started_on is None and evaluation.weeks == []


def test_weekly_actuals_are_one_grouped_query_whatever_the_row_count(
    world, in_ramp, today, plan, django_assert_max_num_queries
):
    onboarding = in_ramp(3, agent=world.agent)
    for offset in range(20):
        push(
            world, world.agent, "quality_score", week_monday(today, 3) + timedelta(days=offset), value=80 + offset % 10
        )
    onboarding = type(onboarding).objects.select_related("agent", "engagement__practice").get(pk=onboarding.pk)
    with django_assert_max_num_queries(4):  # plan, targets, the catalogue, one GROUP BY
        ramp.evaluate(onboarding)
