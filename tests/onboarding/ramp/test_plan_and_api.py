"""The ramp plan (defaults, the editor's rules) and the API's answers: nested targets, one agent's weekly actuals."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from onboarding.models import RampPlan
from onboarding.services import ramp
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.ramp.conftest import push_week, week_monday
from tests.test_access_matrix import api_client, ui_client

pytestmark = pytest.mark.django_db


def thresholds(plan):
    return {(t.week, t.metric.code): t.threshold for t in plan.targets.select_related("metric")}


def test_the_default_plan_follows_the_seeds(world):
    plan = ramp.ensure_default_plan(world.engagement)
    assert (plan.weeks, plan.consecutive_weeks) == (6, 2)
    got = thresholds(plan)
    assert got[(1, "quality_score")] == Decimal("75.00") and got[(6, "quality_score")] == Decimal("90.00")
    assert got[(1, "average_talk_time")] == Decimal("480.00") and got[(6, "average_talk_time")] == Decimal("360.00")
    assert got[(4, "quality_score")] == Decimal("84.00")
    assert {code for _, code in got} == {"quality_score", "average_talk_time", "calls_handled", "csat"}
    directions = {t.metric.code: t.comparator for t in plan.targets.select_related("metric")}
    assert directions == {"quality_score": "≥", "average_talk_time": "≤", "calls_handled": "≥", "csat": "≥"}
    assert ramp.ensure_default_plan(world.engagement).pk == plan.pk  # once


@pytest.mark.parametrize(
    ("weeks", "k", "wanted", "message"),
    [
        (3, 2, {(1, "quality_score"): 80}, "final week"),
        (3, 2, {(4, "quality_score"): 80, (3, "quality_score"): 80}, "outside the plan"),
        (3, 2, {(3, "no_such_metric"): 80}, "not a metric"),
        (0, 2, {}, "1 to 26"),
        (3, 0, {(3, "quality_score"): 80}, "1 to 26"),
    ],
)
def test_a_plan_that_breaks_a_rule_is_refused_and_changes_nothing(world, weeks, k, wanted, message):
    plan = ramp.ensure_default_plan(world.engagement)
    before = thresholds(plan)
    with pytest.raises(DomainError, match=message):
        ramp.save_plan(world.engagement, by=world.practice_manager, weeks=weeks, consecutive_weeks=k, thresholds=wanted)
    assert thresholds(plan) == before


def test_only_the_engagements_managers_change_the_plan(world):
    with pytest.raises(PermissionDenied):
        ramp.save_plan(
            world.engagement, by=world.provider_staff, weeks=1, consecutive_weeks=1, thresholds={(1, "csat"): 4}
        )
    plan = ramp.save_plan(
        world.engagement, by=world.provider_manager, weeks=1, consecutive_weeks=1, thresholds={(1, "csat"): 4}
    )
    assert thresholds(plan) == {(1, "csat"): Decimal("4.00")}


def test_the_editor_saves_the_grid(world):
    response = ui_client(world, "practice_manager").post(
        f"/engagements/{world.engagement.pk}/ramp-plan/?weeks=2",
        {"weeks": "2", "consecutive_weeks": "3", "t_1_quality_score": "70", "t_2_quality_score": "88.5"},
    )
    assert response.status_code == 302
    plan = RampPlan.objects.get(engagement=world.engagement)
    assert plan.consecutive_weeks == 3
    assert thresholds(plan) == {(1, "quality_score"): Decimal("70.00"), (2, "quality_score"): Decimal("88.50")}


def test_the_editor_shows_the_rule_it_broke(world):
    page = ui_client(world, "practice_manager").post(
        f"/engagements/{world.engagement.pk}/ramp-plan/",
        {"weeks": "6", "consecutive_weeks": "2", "t_1_quality_score": "70"},
    )
    assert page.status_code == 200 and "the final week" in page.content.decode()


def test_the_api_creates_and_replaces_a_plan_with_nested_targets(world):
    client = api_client(world, "practice_manager")
    engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    body = {
        "engagement": engagement.pk,
        "weeks": 2,
        "consecutive_weeks": 2,
        "targets": [
            {"week": 1, "metric": "quality_score", "threshold": "70"},
            {"week": 2, "metric": "average_talk_time", "threshold": "400"},
        ],
    }
    created = client.post("/api/v1/ramp-plans/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["targets"] == [
        {"week": 1, "metric": "quality_score", "threshold": "70.00", "direction": "higher"},
        {"week": 2, "metric": "average_talk_time", "threshold": "400.00", "direction": "lower"},
    ]
    again = client.post("/api/v1/ramp-plans/", body, format="json")
    assert again.status_code == 400 and "already" in str(again.json())
    patched = client.patch(f"/api/v1/ramp-plans/{data['id']}/", {"consecutive_weeks": 4}, format="json")
    assert patched.json()["consecutive_weeks"] == 4 and len(patched.json()["targets"]) == 2
    bad = client.put(f"/api/v1/ramp-plans/{data['id']}/", {**body, "targets": body["targets"][:1]}, format="json")
    assert bad.status_code == 400 and "final week" in str(bad.json())
    assert len(client.get(f"/api/v1/ramp-plans/{data['id']}/").json()["targets"]) == 2


def test_the_agent_ramp_endpoint_gives_targets_and_weekly_actuals(world, in_ramp, today, plan):
    in_ramp(2, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 2), quality=70)
    push_week(world, world.agent, week_monday(today, 1), quality=88, talk=380)
    other = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    make_onboarding(other, agent=world.agent, stage=AgentStatus.TRAINING)

    data = api_client(world, "practice_manager").get(f"/api/v1/agents/{world.agent.pk}/ramp/").json()
    assert data["agent_name"] == "Ana Reyes" and len(data["ramps"]) == 2
    home = next(r for r in data["ramps"] if r["engagement"] == world.engagement.pk)
    assert home["started_on"] == week_monday(today, 2).isoformat()
    assert [w["status"] for w in home["weeks"]] == ["missed", "met", "so_far"]
    assert home["weeks"][0]["cells"] == [
        {"metric": "quality_score", "direction": "higher", "threshold": "80.00", "actual": "70.00", "status": "missed"}
    ]
    assert home["met_run"] == 0 and home["finished_week"] is None
    only = api_client(world, "agent").get(f"/api/v1/agents/{world.agent.pk}/ramp/?engagement={other.pk}").json()
    assert [r["engagement"] for r in only["ramps"]] == [other.pk] and only["ramps"][0]["weeks"] == []


def test_the_ramp_page_shows_target_vs_actual_and_the_coaching_link(world, in_ramp, today, plan):
    onboarding = in_ramp(3, agent=world.agent)
    push_week(world, world.agent, week_monday(today, 3), quality=60)
    push_week(world, world.agent, week_monday(today, 2), quality=60, talk=390)
    ramp.record_evaluation(onboarding)
    page = ui_client(world, "provider_manager").get(f"/onboardings/{onboarding.pk}/ramp/").content.decode()
    assert 'data-status="missed"' in page and 'data-status="no_data"' in page
    assert 'data-testid="ramp-flag"' in page and f"/action-plans/?agent={world.agent.pk}" in page
    assert "ramp-chart-data" in page
    staff = ui_client(world, "practice_staff").get(f"/onboardings/{onboarding.pk}/ramp/").content.decode()
    assert 'data-testid="ramp-flag"' in staff and "ramp-coaching-link" not in staff
    section = ui_client(world, "practice_manager").get(onboarding.get_absolute_url()).content.decode()
    assert 'data-testid="ramp-section"' in section and "Flagged for coaching (week 2)" in section


def test_the_cohort_draws_a_curve_per_agent_who_entered_in_those_weeks(world, in_ramp, today, plan):
    early = in_ramp(3, agent=world.agent)
    late = in_ramp(1)
    push_week(world, early.agent, week_monday(today, 3), quality=81)
    url = f"/engagements/{world.engagement.pk}/ramp-cohort/"
    page = ui_client(world, "practice_staff").get(url, {"from": week_monday(today, 4), "to": week_monday(today, 2)})
    series = page.context["chart"]["series"]
    assert [s["label"] for s in series] == ["Ana Reyes"] and series[0]["data"][0] == 81.0
    everyone = ui_client(world, "practice_staff").get(url, {"from": week_monday(today, 4), "to": today})
    assert {s["onboarding"] for s in everyone.context["chart"]["series"]} == {early.pk, late.pk}
