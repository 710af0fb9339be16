"""What one side keeps from the other even on a shared engagement, and history that cannot be erased."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bpo_portal.errors import DomainError
from engagements import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def costed(world):
    world.practice.in_house_monthly_cost = Decimal("18250.00")
    world.practice.save()
    return world


def test_the_practice_sees_its_in_house_cost_and_its_provider_does_not(client, api, costed):
    client.force_login(costed.practice_manager)
    assert "18,250.00" in client.get(costed.practice.get_absolute_url()).content.decode()
    client.force_login(costed.provider_manager)
    page = client.get(costed.practice.get_absolute_url()).content.decode()
    assert client.get(costed.practice.get_absolute_url()).status_code == 200 and "18,250" not in page

    url = reverse("practice-detail", args=[costed.practice.pk])
    assert api.as_user(costed.practice_staff).get(url).json()["in_house_monthly_cost"] == "18250.00"
    assert api.as_user(costed.provider_manager).get(url).json()["in_house_monthly_cost"] is None
    assert api.as_token(costed.integration_raw_token).get(url).json()["in_house_monthly_cost"] is None
    assert api.as_user(costed.admin).get(url).json()["in_house_monthly_cost"] == "18250.00"


def test_an_ended_engagement_keeps_its_agents_on_record(world):
    services.change_engagement_status(world.engagement, "ended", by=world.practice_manager)
    with pytest.raises(DomainError, match="stays on record"):
        services.unassign_agent(world.engagement.assignments.get(), by=world.provider_manager)
    assert world.engagement.assignments.count() == 1


def test_an_agent_with_engagement_history_cannot_be_deleted(api, world):
    response = api.as_user(world.provider_manager).delete(reverse("agent-detail", args=[world.agent.pk]))
    assert response.status_code == 409
    assert "agent assignments" in response.json()["detail"]
    assert world.engagement.assignments.filter(agent=world.agent).exists()
