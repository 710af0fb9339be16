"""Odd but legal requests the outside test found answering 500: each answers 4xx (or 200) instead."""

import pytest

from engagements.models import GateDecision
from tests.engagements.transition_fixtures import plan, started  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_a_gate_decision_kept_without_an_evaluation_reads_with_null_evidence(api, world, started):  # noqa: F811
    GateDecision.objects.create(phase=started.first, outcome=GateDecision.Outcome.NO_GO, note="Not yet", evidence={})
    response = api.as_user(world.practice_manager).get(f"/api/v1/transition-phases/{started.first.pk}/decisions/")
    assert response.status_code == 200
    assert [d["evidence"] for d in response.json()] == [None]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/engagements/{engagement}/history.json",
        "/api/v1/engagements/{engagement}/contract.json",
        "/api/v1/engagements.json",
        "/api/v1/sla-targets.json",
    ],
)
def test_a_format_suffix_answers_404_on_every_route_alike(api, world, path):
    response = api.as_user(world.practice_manager).get(path.format(engagement=world.engagement.pk))
    assert response.status_code == 404


def test_the_format_is_still_chosen_with_the_query_string(api, world):
    response = api.as_user(world.practice_manager).get(f"/api/v1/engagements/{world.engagement.pk}/?format=json")
    assert response.status_code == 200 and response.json()["id"] == world.engagement.pk
