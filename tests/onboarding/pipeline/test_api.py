"""The pipeline and vetting API: onboardings, stage moves (200, 400, 409 with what is missing), hiring profiles,
assessment results pushed by an integration; and list query counts that do not grow with the rows."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import AgentStatus, TokenKind
from onboarding.models import AssessmentResult, Onboarding, StageChange
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.pipeline.helpers import english_profile

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    _, raw = services.create_api_token(name="t", kind=TokenKind.PERSONAL, by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def integration(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.integration_raw_token}")
    return client


def test_a_provider_manager_starts_and_moves_an_onboarding(world):
    client = client_for(world.provider_manager)
    created = client.post(
        "/api/v1/onboardings/",
        {"agent": world.agent.pk, "engagement": world.engagement.pk, "sourcing_channel": "agency"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.data["stage"] == "candidate" and created.data["sourcing_channel"] == "agency"
    moved = client.post(
        f"/api/v1/agents/{world.agent.pk}/stage/",
        {"engagement": world.engagement.pk, "to_stage": "vetting", "note": "CV screened"},
        format="json",
    )
    assert moved.status_code == 200 and moved.data["stage"] == "vetting"
    assert StageChange.objects.filter(onboarding_id=created.data["id"]).last().note == "CV screened"


def test_a_move_whose_gate_is_not_met_answers_409_with_what_is_missing(world):
    english_profile(world)
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.VETTING)
    response = client_for(world.provider_manager).post(
        f"/api/v1/agents/{world.agent.pk}/stage/",
        {"engagement": world.engagement.pk, "to_stage": "interviewing"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and len(body["errors"]) == 2
    assert body["errors"][0]["field"] == "to_stage" and "English" in body["errors"][0]["message"]
    onboarding.refresh_from_db()
    assert onboarding.stage == AgentStatus.VETTING


def test_a_bad_move_answers_400_and_offboarding_needs_a_reason(world):
    make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.CANDIDATE)
    client = client_for(world.provider_manager)
    url = f"/api/v1/agents/{world.agent.pk}/stage/"
    skip = client.post(url, {"engagement": world.engagement.pk, "to_stage": "live"}, format="json")
    assert skip.status_code == 400 and "one stage forward" in skip.json()["detail"]
    no_reason = client.post(url, {"engagement": world.engagement.pk, "to_stage": "offboarded"}, format="json")
    assert no_reason.status_code == 400
    gone = client.post(
        url,
        {"engagement": world.engagement.pk, "to_stage": "offboarded", "offboard_reason": "withdrew"},
        format="json",
    )
    assert gone.status_code == 200 and gone.data["offboard_reason"] == "withdrew"
    other = client.post(url, {"engagement": world.other_engagement.pk, "to_stage": "vetting"}, format="json")
    assert other.status_code == 404


def test_an_integration_pushes_an_ef_set_result_once(world):
    english_profile(world)  # the profile judges the result
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.VETTING)
    body = {
        "onboarding": onboarding.pk,
        "kind": "english",
        "test_name": "EF SET",
        "taken_on": "2026-11-20",
        "raw_score": "64",
        "external_id": "efset-1",
    }
    first = integration(world).post("/api/v1/assessments/", body, format="json")
    assert first.status_code == 201, first.content
    assert (first.data["cefr_level"], first.data["passed"], first.data["source"]) == ("C1", True, "api")
    again = integration(world).post("/api/v1/assessments/", body, format="json")
    assert again.status_code == 400 and AssessmentResult.objects.count() == 1
    practice = client_for(world.practice_manager)
    listed = practice.get(f"/api/v1/assessments/?engagement={world.engagement.pk}&kind=english")
    assert [row["id"] for row in listed.data["results"]] == [first.data["id"]]
    assert practice.get("/api/v1/assessments/?kind=typing").data["count"] == 0


def test_the_hiring_profile_lists_its_requirements(world):
    english_profile(world)
    response = client_for(world.practice_staff).get("/api/v1/hiring-profiles/")
    (profile,) = response.data["results"]
    assert {r["kind"] for r in profile["requirements"]} == {"english", "typing"}
    assert client_for(world.outsider).get("/api/v1/hiring-profiles/").data["count"] == 0


def _rows(world, n):
    for i in range(n):
        onboarding = make_onboarding(world.engagement, agent=factories.make_agent(world.provider, full_name=f"C {i}"))
        AssessmentResult.objects.create(
            onboarding=onboarding, kind="cognitive", test_name="W", taken_on="2026-11-20", raw_score=70, passed=True
        )


@pytest.mark.parametrize("n", [3, 30])
def test_list_queries_do_not_grow_with_the_rows(world, n, django_assert_max_num_queries):
    _rows(world, n)
    page = Client()
    page.force_login(world.provider_manager)
    api = client_for(world.provider_manager)
    with django_assert_max_num_queries(14):
        assert page.get("/onboarding/onboardings/").status_code == 200
    with django_assert_max_num_queries(16):
        assert page.get(f"/onboarding/engagements/{world.engagement.pk}/pipeline/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/onboardings/").data["count"] == n
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/assessments/").data["count"] == n
    assert Onboarding.objects.count() == n
