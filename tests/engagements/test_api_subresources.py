"""Costs and termination eligibility hang off the engagement; the older paths stay as aliases that agree."""

import pytest
from django.urls import reverse

from tests.engagements.changes_helpers import signed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(world):
    return signed_contract(world.engagement, by=world.practice_manager)


def test_the_engagements_contract_carries_its_id(api, world, contract):
    data = api.as_user(world.provider_manager).get(reverse("engagement-contract", args=[world.engagement.pk])).json()

    assert data["id"] == contract.pk


def test_costs_from_the_engagement_match_the_alias(api, world, contract):
    client = api.as_user(world.practice_manager)

    canonical = client.get(reverse("engagement-costs", args=[world.engagement.pk]))
    alias = client.get(reverse("cost-detail", args=[world.engagement.pk]))

    assert canonical.status_code == 200
    assert canonical.json() == alias.json()
    assert canonical.json()["contract"] == contract.pk


def test_termination_eligibility_from_the_engagement_matches_the_contracts(api, world, contract):
    client = api.as_user(world.practice_manager)

    canonical = client.get(reverse("engagement-termination-eligibility", args=[world.engagement.pk]))
    alias = client.get(reverse("contract-termination-eligibility", args=[contract.pk]))

    assert canonical.status_code == 200
    assert canonical.json() == alias.json()


@pytest.mark.parametrize("name", ["engagement-costs", "engagement-termination-eligibility"])
def test_an_engagement_without_a_contract_answers_not_found(api, world, name):
    response = api.as_user(world.practice_manager).get(reverse(name, args=[world.engagement.pk]))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "No contract" in response.json()["detail"]


@pytest.mark.parametrize("name", ["engagement-costs", "engagement-termination-eligibility"])
def test_an_outsider_gets_not_found(api, world, contract, name):
    response = api.as_user(world.outsider).get(reverse(name, args=[world.engagement.pk]))

    assert response.status_code == 404
