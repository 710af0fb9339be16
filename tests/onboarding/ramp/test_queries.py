"""The list of agents in ramp, its CSV, the plans endpoint and the readiness column stay at a fixed number of
queries whatever the number of agents."""

import pytest

from engagements.choices import AgentStatus
from onboarding.hooks.ramp import ramp_cells
from onboarding.models import Onboarding, RampFlag, RampResult
from onboarding.services import ramp
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.test_access_matrix import api_client, ui_client

pytestmark = pytest.mark.django_db


def add_agents(world, n):
    for index in range(n):
        onboarding = make_onboarding(world.engagement, stage=AgentStatus.RAMP)
        RampResult.objects.create(onboarding=onboarding, started_on="2026-11-02", closed_weeks=3, last_status="met")
        if index % 2:
            RampFlag.objects.create(onboarding=onboarding, week=2, reason="Off target")


def add_plans(world, n):
    for _ in range(n):
        engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
        ramp.ensure_default_plan(engagement)


@pytest.mark.parametrize("url", ["/ramp/", "/ramp/?_export=csv", "/ramp/?flagged=true"])
def test_the_ramp_list_is_constant_in_queries(world, url, django_assert_max_num_queries):
    client = ui_client(world, "practice_manager")
    add_agents(world, 2)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    add_agents(world, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_plans_endpoint_is_constant_in_queries(world, django_assert_max_num_queries):
    client = api_client(world, "provider_manager")
    add_plans(world, 2)
    with django_assert_max_num_queries(20) as small:
        client.get("/api/v1/ramp-plans/")
    add_plans(world, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/ramp-plans/")
    assert response.json()["count"] == 17


def test_the_readiness_column_answers_for_all_agents_in_two_queries(world, django_assert_num_queries):
    add_agents(world, 6)
    still_missing = RampFlag.objects.first().onboarding
    RampResult.objects.filter(onboarding=still_missing).update(last_status="missed")
    finished = RampResult.objects.exclude(onboarding=still_missing).first()
    RampResult.objects.filter(pk=finished.pk).update(finished_week=3)
    onboardings = list(Onboarding.objects.all())
    with django_assert_num_queries(2):
        cells = ramp_cells(onboardings)
    assert cells[still_missing.pk].text == "Coaching" and cells[still_missing.pk].tone == "danger"
    assert cells[finished.onboarding_id].text == "Finished (week 3)"
    assert sorted(cell.text for cell in cells.values()).count("Week 4") == 4  # a met week after a flag clears it
