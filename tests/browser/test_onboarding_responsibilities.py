"""Responsibilities in the browser: a provider manager grants an agent the first rung from the matrix; the
agent's HIPAA module lapses, the nightly recheck suspends the rung (the matrix says why), and the routing API
drops the agent."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from onboarding.models import TrainingCompletion
from onboarding.tasks_responsibilities import recheck_responsibilities
from tests.onboarding.responsibilities.conftest import make_ready, setup, today  # noqa: F401 - `setup` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _routed(world) -> list[int]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.integration_raw_token}")
    response = client.get(f"/api/v1/routing/?engagement={world.engagement.pk}&service_line=scheduling")
    assert response.status_code == 200
    return [row["agent"] for row in response.json()["agents"]]


def test_a_provider_manager_grants_the_first_rung_and_a_lapsed_module_suspends_it(world, setup, log_in):  # noqa: F811
    make_ready(world, setup)
    assert _routed(world) == []
    page = log_in(world.provider_manager)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/engagements/{world.engagement.pk}/responsibilities/")
    cell = page.get_by_test_id(f"cell-{world.agent.pk}-scheduling")
    expect(cell).to_contain_text("Eligible")
    # customer service waits for scheduling: the matrix says so
    expect(page.get_by_test_id(f"cell-{world.agent.pk}-customer_service")).to_contain_text("is not held")
    page.get_by_test_id(f"grant-{setup.onboarding.pk}-scheduling").click()
    expect(page).to_have_url(re.compile(r"/grant/$"))
    expect(page.get_by_text("Every prerequisite holds.")).to_be_visible()
    page.get_by_test_id("grant-submit").click()
    expect(page).to_have_url(re.compile(r"/responsibilities/$"))
    expect(page.get_by_test_id(f"cell-{world.agent.pk}-scheduling")).to_contain_text("Held")
    assert _routed(world) == [world.agent.pk]

    # The HIPAA completion expires today; the nightly job suspends the rung.
    TrainingCompletion.objects.filter(agent=world.agent).update(expires_on=today())
    recheck_responsibilities.delay()
    page.reload()
    cell = page.get_by_test_id(f"cell-{world.agent.pk}-scheduling")
    expect(cell).to_contain_text("Suspended")
    expect(cell).to_contain_text("HIPAA essentials")
    assert _routed(world) == []
    cell.get_by_role("link", name="details").click()
    expect(page.get_by_test_id("responsibility-status")).to_have_text("Suspended")
    expect(page.get_by_test_id("responsibility-history")).to_contain_text("automatic")
    assert errors == []
