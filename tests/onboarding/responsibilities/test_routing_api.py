"""The routing API's answers as training lapses and audits fail, one agent's lines and why not, the grant
endpoints, and list query counts at two sizes."""

from datetime import timedelta

import pytest
from django.test import Client

from engagements.choices import AgentStatus
from onboarding.models import TrainingCompletion
from onboarding.services import responsibilities as services
from tests import factories
from tests.audits.helpers import submitted_audit
from tests.onboarding.factories import make_onboarding
from tests.onboarding.responsibilities.conftest import make_ready, pass_module, sign, today

pytestmark = pytest.mark.django_db


def _routing(api, world, code="scheduling", engagement=None):
    response = api.get(f"/api/v1/routing/?engagement={(engagement or world.engagement).pk}&service_line={code}")
    assert response.status_code == 200, response.content
    return [row["agent"] for row in response.json()["agents"]]


def _ready_agents(world, setup, n):
    """n more live agents holding scheduling."""
    agents = []
    for _ in range(n):
        agent = factories.make_agent(world.provider)
        onboarding = make_onboarding(world.engagement, agent=agent, stage=AgentStatus.LIVE)
        pass_module(agent, setup.hipaa)
        sign(agent, setup.nda_v1, world.provider_manager)
        services.grant(onboarding, setup.first, by=world.provider_manager)
        agents.append(agent)
    return agents


def test_the_routing_api_drops_an_agent_as_training_lapses_and_an_audit_fails(world, setup, api, scheduling_version):
    client = api.as_token(world.integration_raw_token)  # the provider's phone system
    make_ready(world, setup)
    assert _routing(client, world) == []
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    assert _routing(client, world) == [world.agent.pk]
    assert _routing(client, world, "customer_service") == []
    # the module expires today: the answer changes at once, before any recheck has run
    TrainingCompletion.objects.filter(agent=world.agent).update(expires_on=today())
    assert _routing(client, world) == []
    pass_module(world.agent, setup.hipaa, days_ago=0)
    assert _routing(client, world) == [world.agent.pk]
    submitted_audit(world, scheduling_version, ids=0)  # a critical fail
    assert _routing(client, world) == []
    grant = world.agent.responsibilities.get()
    services.reinstate(grant, by=world.provider_manager)
    assert _routing(client, world) == [world.agent.pk]


def test_an_agents_lines_say_why_they_may_not_work_them(world, setup, api):
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    TrainingCompletion.objects.filter(agent=world.agent).update(expires_on=today() - timedelta(days=1))
    services.recheck_all()
    body = api.as_user(world.practice_manager).get(f"/api/v1/agents/{world.agent.pk}/responsibilities/").json()
    (entry,) = body["engagements"]
    assert entry["engagement"] == world.engagement.pk and entry["stage"] == "live"
    lines = {line["service_line"]: line for line in entry["lines"]}
    assert lines["scheduling"]["state"] == "suspended" and not lines["scheduling"]["may_work"]
    assert "HIPAA essentials" in lines["scheduling"]["reasons"][0]
    assert lines["customer_service"]["state"] == "missing"
    assert any("is suspended" in reason for reason in lines["customer_service"]["reasons"])
    filtered = api.get(f"/api/v1/agents/{world.agent.pk}/responsibilities/?engagement={world.engagement.pk}")
    assert filtered.json()["engagements"] == body["engagements"]


def test_routing_needs_both_parameters_and_a_known_line(world, setup, api):
    client = api.as_user(world.provider_manager)
    assert client.get(f"/api/v1/routing/?engagement={world.engagement.pk}").status_code == 400
    assert client.get(f"/api/v1/routing/?engagement={world.engagement.pk}&service_line=nope").status_code == 400
    assert client.get("/api/v1/routing/?service_line=scheduling").status_code == 400
    assert client.get("/api/v1/routing/?engagement=999999&service_line=scheduling").status_code == 404
    outsider = api.as_user(world.outsider)
    assert outsider.get(f"/api/v1/routing/?engagement={world.engagement.pk}&service_line=scheduling").status_code == 404
    # a line that is not on the ladder: nobody may work it
    assert _routing(api.as_user(world.provider_manager), world, "medical_coding") == []


def test_grant_revoke_and_reinstate_through_the_api(world, setup, api, scheduling_version):
    client = api.as_user(world.provider_manager)
    refused = client.post(
        "/api/v1/responsibilities/", {"onboarding": setup.onboarding.pk, "rung": setup.first.pk}, format="json"
    )
    assert refused.status_code == 400 and "HIPAA essentials" in str(refused.json())
    make_ready(world, setup)
    created = client.post(
        "/api/v1/responsibilities/", {"onboarding": setup.onboarding.pk, "rung": setup.first.pk}, format="json"
    )
    assert created.status_code == 201 and created.json()["service_line"] == "scheduling"
    pk = created.json()["id"]
    submitted_audit(world, scheduling_version, ids=0)
    assert (
        api.as_user(world.practice_manager).post(f"/api/v1/responsibilities/{pk}/reinstate/", {}, format="json")
    ).status_code == 403
    client = api.as_user(world.provider_manager)
    reinstated = client.post(f"/api/v1/responsibilities/{pk}/reinstate/", {"note": "Coached."}, format="json")
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "held"
    assert client.post(f"/api/v1/responsibilities/{pk}/revoke/", {}, format="json").status_code == 400
    revoked = client.post(f"/api/v1/responsibilities/{pk}/revoke/", {"reason": "Left the queue."}, format="json")
    assert revoked.json()["status"] == "revoked"
    assert [e["action"] for e in revoked.json()["events"]] == ["granted", "suspended", "reinstated", "revoked"]


def test_ladders_read_through_the_api(world, setup, api):
    body = api.as_user(world.practice_staff).get("/api/v1/ladders/").json()
    (ladder,) = body["results"]
    assert [r["service_line"] for r in ladder["rungs"]][:2] == ["scheduling", "customer_service"]
    assert ladder["rungs"][0]["modules"] == [setup.hipaa.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/routing/?engagement={engagement}&service_line=scheduling",
        "/api/v1/responsibilities/",
        "/api/v1/ladders/",
        "/api/v1/agents/{agent}/responsibilities/",
    ],
)
def test_list_endpoints_keep_a_constant_number_of_queries(world, setup, api, url, django_assert_max_num_queries):
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    client = api.as_user(world.provider_manager)
    url = url.format(engagement=world.engagement.pk, agent=world.agent.pk)
    _ready_agents(world, setup, 2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _ready_agents(world, setup, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_matrix_page_keeps_a_constant_number_of_queries(world, setup, django_assert_max_num_queries):
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    client = Client()
    client.force_login(world.provider_manager)
    url = f"/engagements/{world.engagement.pk}/responsibilities/"
    _ready_agents(world, setup, 2)
    with django_assert_max_num_queries(60) as small:
        assert client.get(url).status_code == 200
    _ready_agents(world, setup, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
