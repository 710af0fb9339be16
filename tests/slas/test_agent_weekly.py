"""One agent's weekly values (issue 14): the ramp page's and QA trend's read, checked against a computation in
Python over the same rows (ISO weeks from isocalendar, sums then ratio), on whichever database runs the tests."""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from slas.evidence import agent_weekly_values
from slas.models import Measurement, Metric
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 18)  # a Wednesday: the current week is under way
METRICS = ["service_level", "first_call_resolution", "average_talk_time", "calls_handled"]


def independent(agent, engagement, codes, weeks, today):
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for m in Measurement.objects.filter(agent=agent, engagement=engagement).select_related("metric"):
        year, week, _ = m.date.isocalendar()
        start = date.fromisocalendar(year, week, 1)
        sums[(m.metric.code, start)][0] += m.numerator
        sums[(m.metric.code, start)][1] += m.denominator
    expected = {}
    for code in codes:
        metric = Metric.objects.get(code=code)
        series = []
        for start in starts:
            if (code, start) not in sums:
                series.append((start, None))
                continue
            n, d = sums[(code, start)]
            value = n if metric.aggregation == "sum" else n / d * (100 if metric.is_ratio else 1)
            series.append((start, value.quantize(Decimal("0.01"))))
        expected[code] = series
    return expected


def test_weekly_values_match_an_independent_computation(sla, world):
    rng = random.Random(14)
    other_agent = factories.make_agent(world.provider, full_name="Ben Other")
    rows = []
    for offset in range(0, 100):
        day = TODAY - timedelta(days=offset)
        for agent in (world.agent, other_agent):
            if rng.random() < 0.2:
                continue  # some days off: some weeks hold no data
            offered = rng.randint(1, 40)
            rows.append(
                sla.row("service_level", day, agent=agent.pk, numerator=rng.randint(0, offered), denominator=offered)
            )
            resolved = rng.randint(0, 3)
            rows.append(sla.row("first_call_resolution", day, agent=agent.pk, numerator=resolved, denominator=3))
            seconds = rng.randint(100, 9000)
            rows.append(sla.row("average_talk_time", day, agent=agent.pk, numerator=seconds, denominator=7))
            rows.append(sla.row("calls_handled", day, agent=agent.pk, value=rng.randint(0, 50)))
    # Weeks 4 and 5 back: no data at all for this agent.
    gap = (TODAY - timedelta(weeks=5), TODAY - timedelta(weeks=3, days=TODAY.weekday()))
    rows = [r for r in rows if not (r["agent"] == world.agent.pk and gap[0] <= date.fromisoformat(r["date"]) < gap[1])]
    sla.push(rows)
    got = agent_weekly_values(world.agent, world.engagement, METRICS, 12, today=TODAY)
    expected = independent(world.agent, world.engagement, METRICS, 12, TODAY)
    assert {code: [(w.week_start, w.value) for w in series] for code, series in got.items()} == expected
    assert all(len(series) == 12 for series in got.values())
    assert got["service_level"][-1].week_start == date(2026, 11, 16)
    assert any(w.value is None for w in got["service_level"])  # the empty weeks read as no data, not 0


def test_a_ratio_of_sums_not_an_average_of_ratios(sla, world):
    sla.push(
        [
            sla.row("service_level", date(2026, 11, 16), agent=world.agent.pk, numerator=1, denominator=1),
            sla.row("service_level", date(2026, 11, 17), agent=world.agent.pk, numerator=0, denominator=3),
        ]
    )
    week = agent_weekly_values(world.agent, world.engagement, ["service_level"], 1, today=TODAY)["service_level"]
    assert [(w.week_start, w.numerator, w.denominator, w.value) for w in week] == [
        (date(2026, 11, 16), Decimal(1), Decimal(4), Decimal("25.00"))
    ]


def test_other_agents_and_engagements_are_not_counted(sla, world):
    second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    other = factories.make_agent(world.provider)
    day = date(2026, 11, 16)
    sla.push(
        [
            sla.row("calls_handled", day, agent=world.agent.pk, value=5),
            sla.row("calls_handled", day, agent=other.pk, value=100),
            sla.row("calls_handled", day, agent=world.agent.pk, value=7, engagement=second),
            sla.row("calls_handled", day, value=1000),
        ]
    )
    week = agent_weekly_values(world.agent, world.engagement, ["calls_handled"], 2, today=TODAY)["calls_handled"]
    assert [w.value for w in week] == [None, Decimal("5.00")]
