"""The training API: LMS pushes (idempotent on external_id, a rejected push writes nothing), the filters, and list
endpoints at a constant number of queries."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from onboarding.choices import ModuleKind
from onboarding.models import TrainingCompletion
from onboarding.services import training
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.training.conftest import make_quiz_module

pytestmark = pytest.mark.django_db

URL = "/api/v1/training-completions/"


def push(api, world, **body):
    return api.as_token(world.integration_raw_token).post(URL, body, format="json")


def test_an_lms_push_is_recorded_once_however_often_it_is_sent(world, trained, api):
    body = {
        "module": trained.module.pk,
        "agent": world.agent.pk,
        "passed_on": "2026-11-02",
        "score": "91.50",
        "external_id": "lms-88231",
    }
    first = push(api, world, **body)
    assert first.status_code == 201, first.content
    assert first.json()["source"] == "lms" and first.json()["expires_on"] == "2027-11-02"
    again = push(api, world, **body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert TrainingCompletion.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"passed_on": "not a date"},
        {"agent": 999999},
        {"module": 999999},
        {"score": "120"},
        {"passed_on": (date.today() + timedelta(days=3)).isoformat()},
    ],
    ids=["bad date", "unknown agent", "unknown module", "score above 100", "in the future"],
)
def test_a_rejected_push_writes_nothing(world, trained, api, change):
    body = {
        "module": trained.module.pk,
        "agent": world.agent.pk,
        "passed_on": "2026-11-02",
        "external_id": "x-1",
        **change,
    }
    before = LogEntry.objects.count()
    response = push(api, world, **body)
    assert response.status_code == 400, response.content
    assert "detail" in response.json() or response.json()
    assert not TrainingCompletion.objects.exists() and LogEntry.objects.count() == before


def test_another_providers_agent_reads_as_unknown(world, trained, api):
    response = push(
        api, world, module=trained.module.pk, agent=world.other_agent.pk, passed_on="2026-11-02", external_id="x"
    )
    assert response.status_code == 400 and not TrainingCompletion.objects.exists()


def test_completions_filter_by_agent_module_engagement_and_expiring(world, trained, api):
    colleague = factories.make_agent(world.provider)
    make_onboarding(world.engagement, agent=colleague)
    soon = timezone.localdate() - timedelta(days=350)
    expiring = training.record_by_trainer(trained.module, by=world.provider_manager, passed_on=soon, agent=world.agent)
    fresh = training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=timezone.localdate(), agent=colleague
    )
    client = api.as_user(world.provider_manager)

    def ids(query):
        return [row["id"] for row in client.get(f"{URL}?{query}").json()["results"]]

    assert ids(f"agent={world.agent.pk}") == [expiring.pk]
    assert ids("expiring=true") == [expiring.pk]
    assert sorted(ids(f"engagement={world.engagement.pk}")) == sorted([expiring.pk, fresh.pk])
    assert ids(f"engagement={world.other_engagement.pk}") == []
    assert sorted(ids(f"module={trained.module.pk}")) == sorted([expiring.pk, fresh.pk])


def _grow(world, n):
    for index in range(n):
        agent = factories.make_agent(world.provider)
        module = make_quiz_module(world.provider_manager, title=f"API module {index}", kind=ModuleKind.SOP)
        training.add_to_curriculum(world.engagement, module, by=world.provider_manager)
        training.record_by_trainer(module, by=world.provider_manager, passed_on=timezone.localdate(), agent=agent)


@pytest.mark.parametrize("url", ["/api/v1/training-modules/", "/api/v1/curricula/", URL])
def test_list_endpoints_take_a_constant_number_of_queries(world, trained, api, django_assert_max_num_queries, url):
    client = api.as_user(world.provider_manager)
    _grow(world, 2)
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    _grow(world, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
