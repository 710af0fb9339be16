"""List pages and list endpoints answer in a number of queries that does not grow with their rows."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from engagements import services as engagement_services
from engagements.choices import AgentStatus
from onboarding.choices import DocumentKind
from onboarding.services import acknowledgements as services
from tests import factories
from tests.onboarding.acknowledgements.conftest import pdf, sign
from tests.onboarding.factories import make_onboarding

pytestmark = pytest.mark.django_db


def grow(world, docs, n):
    """n more documents with two versions each, and n more agents who sign them all."""
    documents = [docs.nda, docs.aup]
    for i in range(n):
        document = services.create_document(
            engagement=world.engagement, kind=DocumentKind.OTHER, title=f"Policy {i}", by=world.practice_manager
        )
        services.publish_version(document, effective_on=docs.today, text="v1", by=world.practice_manager)
        services.publish_version(document, effective_on=docs.today, file=pdf(), by=world.practice_manager)
        documents.append(document)
    for i in range(n):
        agent = factories.make_agent(world.provider, full_name=f"Agent Number{i}")
        engagement_services.assign_agent(world.engagement, agent, by=world.provider_manager)
        make_onboarding(world.engagement, agent=agent, stage=AgentStatus.TRAINING)
        user = factories.make_agent_login(agent)
        for document in documents:
            sign(services.version_in_force(document), user)


PAGES = ["/documents/", "/documents/?_export=csv", "/documents/signatures/", "/documents/signatures/?_export=csv"]
ENDPOINTS = ["/api/v1/policy-documents/", "/api/v1/acknowledgements/", "/api/v1/business-associate-agreements/"]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_stay_constant(world, docs, url, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.practice_manager)
    for size in (1, 4):
        grow(world, docs, size)
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ENDPOINTS)
def test_list_endpoints_stay_constant(world, docs, url, django_assert_max_num_queries):
    client = APIClient()
    client.force_login(world.provider_manager)
    for size in (1, 4):
        grow(world, docs, size)
        services.record_baa(world.engagement, signed_on=docs.today, file=pdf(), by=world.practice_manager)
        with django_assert_max_num_queries(10):
            response = client.get(url)
            assert response.status_code == 200 and response.json()["count"] >= 1


def test_the_agents_own_pages_stay_constant(world, docs, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.agent_user)
    for size in (1, 4):
        grow(world, docs, size)
        with django_assert_max_num_queries(16):
            assert client.get("/me/documents/").status_code == 200
