"""The shared onboarding models and reads other areas build on: the onboarding page and onboarding.evidence."""

from datetime import date, timedelta

import pytest
from django.test import Client

from engagements.choices import AgentStatus
from onboarding import evidence
from onboarding.choices import CompletionSource, DocumentKind, ModuleKind
from onboarding.models import Acknowledgement, PolicyDocument, PolicyVersion, TrainingCompletion, TrainingModule
from tests.onboarding.factories import make_onboarding

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_onboarding_page_shows_the_stage_to_both_sides_and_404_to_outsiders(world):
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    url = onboarding.get_absolute_url()
    for user in (world.practice_manager, world.provider_staff):
        page = _client(user).get(url)
        assert page.status_code == 200 and "Moved to Training" in page.content.decode()
    for user in (world.outsider, world.other_provider_manager, world.agent_user):
        assert _client(user).get(url).status_code == 404


def test_a_module_is_current_until_its_completion_expires(world):
    module = TrainingModule.objects.create(provider=world.provider, title="HIPAA", kind=ModuleKind.PRIVACY_LAW)
    TrainingCompletion.objects.create(
        module=module,
        agent=world.agent,
        passed_on=TODAY - timedelta(days=10),
        expires_on=TODAY + timedelta(days=1),
        source=CompletionSource.QUIZ,
    )
    assert evidence.current_modules([world.agent.pk], on=TODAY) == {world.agent.pk: {module.pk}}
    assert evidence.current_modules([world.agent.pk], on=TODAY + timedelta(days=1)) == {world.agent.pk: set()}


def test_a_signature_counts_only_for_the_version_in_force(world):
    nda = PolicyDocument.objects.create(engagement=world.engagement, kind=DocumentKind.NDA, title="NDA")
    first = PolicyVersion.objects.create(document=nda, number=1, text="v1", effective_on=TODAY - timedelta(days=30))
    Acknowledgement.objects.create(
        version=first,
        agent=world.agent,
        signed_at=world.agent.created_at,
        typed_name="Ana Reyes",
        signed_by=world.agent_user,
    )
    assert evidence.signed_documents([world.agent.pk], [nda.pk], on=TODAY) == {world.agent.pk: {nda.pk}}
    PolicyVersion.objects.create(document=nda, number=2, text="v2", effective_on=TODAY + timedelta(days=5))
    assert evidence.signed_documents([world.agent.pk], [nda.pk], on=TODAY) == {world.agent.pk: {nda.pk}}
    assert evidence.signed_documents([world.agent.pk], [nda.pk], on=TODAY + timedelta(days=5)) == {
        world.agent.pk: set()
    }
    assert list(evidence.documents_for(world.engagement)) == [nda]


def test_an_agents_completions_are_seen_by_both_sides_and_the_agent_but_no_outsider(world):
    from tests.onboarding.factories import make_onboarding as onboard

    candidate = onboard(world.engagement).agent  # not assigned: the practice sees them through the onboarding
    module = TrainingModule.objects.create(provider=world.provider, title="SOPs", kind=ModuleKind.SOP)
    for agent in (candidate, world.agent):
        TrainingCompletion.objects.create(module=module, agent=agent, passed_on=TODAY, source=CompletionSource.TRAINER)
    seen = {
        user: set(TrainingCompletion.objects.for_user(user).values_list("agent_id", flat=True))
        for user in (world.practice_manager, world.provider_staff, world.agent_user, world.outsider)
    }
    assert seen[world.practice_manager] == seen[world.provider_staff] == {candidate.pk, world.agent.pk}
    assert seen[world.agent_user] == {world.agent.pk}
    assert seen[world.outsider] == set()
