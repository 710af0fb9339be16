"""Ramp fixtures: a small plan on the home engagement, agents in ramp that started some weeks ago, and
measurements pushed through the SLA ingest service (as the provider's people do)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from engagements.choices import AgentStatus
from onboarding.services import ramp
from slas.periods import local_today, period_start
from slas.services import ingest_measurements
from tests.onboarding.factories import make_onboarding

_ids = count(1)


@pytest.fixture(autouse=True)
def _no_grace(world):
    """Without a grace for late data, every week that ended by last Sunday is closed: tests do not depend on the
    weekday they run on."""
    world.engagement.sla_grace_days = 0
    world.engagement.save(update_fields=["sla_grace_days"])


@pytest.fixture
def today(world):
    return local_today(world.engagement.practice.timezone)


@pytest.fixture
def plan(world):
    """Three weeks, K = 2: quality ≥ 80 / 85 / 90 and talk time ≤ 400 from week 2 on."""
    return ramp.save_plan(
        world.engagement,
        by=world.practice_manager,
        weeks=3,
        consecutive_weeks=2,
        thresholds={
            (1, "quality_score"): Decimal("80"),
            (2, "quality_score"): Decimal("85"),
            (2, "average_talk_time"): Decimal("400"),
            (3, "quality_score"): Decimal("90"),
            (3, "average_talk_time"): Decimal("400"),
        },
    )


def week_monday(today, weeks_ago: int):
    return period_start(today, "week") - timedelta(weeks=weeks_ago)


@pytest.fixture
def in_ramp(world, today):
    """make(weeks_ago, agent=None): an onboarding in ramp whose week 1 began `weeks_ago` Mondays ago."""

    def make(weeks_ago: int, agent=None, engagement=None):
        monday = week_monday(today, weeks_ago)
        tuesday = monday + timedelta(days=1)
        entered = datetime(tuesday.year, tuesday.month, tuesday.day, 12, tzinfo=UTC)
        return make_onboarding(
            engagement or world.engagement, agent=agent, stage=AgentStatus.RAMP, stage_entered_at=entered
        )

    return make


def push(world, agent, code, day, *, value=None, numerator=None, denominator=None, engagement=None):
    record = {
        "engagement": (engagement or world.engagement).pk,
        "metric": code,
        "agent": agent.pk,
        "date": day.isoformat(),
        "external_id": f"ramp-test-{next(_ids)}",
    }
    if value is not None:
        record["value"] = str(value)
    else:
        record["numerator"], record["denominator"] = str(numerator), str(denominator)
    ingest_measurements([record], by=world.provider_manager)


def push_week(world, agent, monday, *, quality=None, talk=None):
    """One week's rows: a quality score on Tuesday and, if given, talk time of 10 calls on Wednesday."""
    if quality is not None:
        push(world, agent, "quality_score", monday + timedelta(days=1), value=quality)
    if talk is not None:
        push(world, agent, "average_talk_time", monday + timedelta(days=2), numerator=talk * 10, denominator=10)
