"""Ramp in the browser: a manager edits the plan's grid, opens an agent's ramp page (target vs actual, the chart
drawn from the page's data) and the cohort chart with a curve per agent."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from engagements.choices import AgentStatus
from onboarding.models import RampPlan
from onboarding.services import ramp
from slas.periods import local_today, period_start
from slas.services import ingest_measurements
from tests import factories
from tests.onboarding.factories import make_onboarding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_ramp(world, agent, weeks_ago, scores):
    today = local_today(world.practice.timezone)
    monday = period_start(today, "week") - timedelta(weeks=weeks_ago)
    onboarding = make_onboarding(
        world.engagement,
        agent=agent,
        stage=AgentStatus.RAMP,
        stage_entered_at=datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC),
    )
    records = [
        {
            "engagement": world.engagement.pk,
            "metric": "quality_score",
            "agent": agent.pk,
            "date": (monday + timedelta(weeks=week, days=1)).isoformat(),
            "value": str(score),
            "external_id": f"browser-ramp-{agent.pk}-{week}",
        }
        for week, score in enumerate(scores)
    ]
    ingest_measurements(records, by=world.provider_manager)
    return onboarding


def test_a_manager_edits_the_plan_and_reads_an_agents_ramp_and_the_cohort(world, log_in):
    ramp.ensure_default_plan(world.engagement)
    onboarding = in_ramp(world, world.agent, 3, [70, 72, 90])
    in_ramp(world, factories.make_agent(world.provider, full_name="Ben Cruz"), 2, [80, 85])
    page = log_in(world.practice_manager)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"/engagements/{world.engagement.pk}/ramp-plan/")
    page.locator("#id_consecutive_weeks").fill("3")
    page.locator("input[name=t_1_quality_score]").fill("72")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Ramp plan saved.")).to_be_visible()
    plan = RampPlan.objects.get(engagement=world.engagement)
    assert plan.consecutive_weeks == 3
    assert str(plan.targets.get(week=1, metric__code="quality_score").threshold) == "72.00"

    page.goto(f"/onboardings/{onboarding.pk}/ramp/")
    grid = page.get_by_test_id("ramp-grid")
    expect(grid.locator('[data-status="missed"]').first).to_be_visible()
    expect(page.locator("#ramp-chart")).to_have_attribute("data-curves", "1")  # ramp_charts.js drew it

    page.goto(f"/engagements/{world.engagement.pk}/ramp-cohort/")
    expect(page.locator("#ramp-chart")).to_have_attribute("data-curves", "2")
    expect(page.get_by_test_id("ramp-cohort")).to_contain_text("Ben Cruz")
    assert errors == []
