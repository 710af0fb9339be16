"""Builders for the responsibilities tests: a ladder on the suite's `world` engagement, prerequisites written
directly (the training and acknowledgement services are other areas'), and audits through the audits services."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from audits.models import Scorecard
from engagements.choices import AgentStatus
from engagements.models import ServiceLine
from onboarding.choices import CompletionSource, DocumentKind, ModuleKind
from onboarding.models import Acknowledgement, PolicyDocument, PolicyVersion, TrainingCompletion, TrainingModule
from onboarding.services import responsibilities as services
from tests.audits.helpers import published_scorecard
from tests.onboarding.factories import make_onboarding


def today():
    return timezone.localdate()


def pass_module(agent, module, *, days_ago=30, expires_in=335):
    return TrainingCompletion.objects.create(
        module=module,
        agent=agent,
        passed_on=today() - timedelta(days=days_ago),
        expires_on=None if expires_in is None else today() + timedelta(days=expires_in),
        source=CompletionSource.QUIZ,
        score=95,
    )


def sign(agent, version, user):
    return Acknowledgement.objects.create(
        version=version, agent=agent, signed_at=timezone.now(), typed_name=agent.full_name, signed_by=user
    )


def make_ready(world, setup, agent=None, user=None):
    """Every first-rung prerequisite holding for `agent` (Ana by default): module passed, NDA signed."""
    agent = agent or world.agent
    pass_module(agent, setup.hipaa)
    sign(agent, setup.nda_v1, user or world.agent_user)


def held_for(grant, weeks):
    """Pretend the grant was made `weeks` ago."""
    type(grant).objects.filter(pk=grant.pk).update(granted_at=timezone.now() - timedelta(weeks=weeks, hours=1))
    grant.refresh_from_db()
    return grant


@pytest.fixture
def setup(world):
    """The default ladder on the world's engagement; scheduling (rung 1) requires the HIPAA module and the NDA;
    customer service (rung 2) 4 weeks on scheduling and a quality score ≥ 90 on its audits; Ana live."""
    ladder = services.create_default_ladder(world.engagement, by=world.provider_manager)
    rungs = list(ladder.rungs.order_by("position"))
    hipaa = TrainingModule.objects.create(
        provider=world.provider, title="HIPAA essentials", kind=ModuleKind.PRIVACY_LAW, renewal_months=12
    )
    nda = PolicyDocument.objects.create(engagement=world.engagement, kind=DocumentKind.NDA, title="NDA")
    nda_v1 = PolicyVersion.objects.create(document=nda, number=1, text="v1", effective_on=today() - timedelta(days=60))
    rungs[0].modules.add(hipaa)
    rungs[0].documents.add(nda)
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.LIVE)
    return SimpleNamespace(
        ladder=ladder, rungs=rungs, hipaa=hipaa, nda=nda, nda_v1=nda_v1, onboarding=onboarding, first=rungs[0]
    )


@pytest.fixture
def scheduling_version(world):
    """A published scorecard for scheduling calls (the default ladder's first line)."""
    version = published_scorecard(world.engagement, world.provider_manager)
    Scorecard.objects.filter(pk=version.scorecard_id).update(service_line=ServiceLine.objects.get(code="scheduling"))
    return version
