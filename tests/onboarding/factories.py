"""Onboarding rows for tests, built on the suite's `world` (one engagement between `practice` and `provider`)."""

from django.utils import timezone

from engagements.choices import AgentStatus
from onboarding.models import Onboarding, StageChange
from tests import factories


def make_onboarding(engagement, agent=None, stage=AgentStatus.CANDIDATE, **fields):
    """An onboarding already at `stage`, written directly: for tests of what comes after a stage. The move rules
    themselves are tested through onboarding.services.pipeline."""
    agent = agent or factories.make_agent(engagement.provider)
    onboarding = Onboarding.objects.create(agent=agent, engagement=engagement, stage=stage, **fields)
    StageChange.objects.create(onboarding=onboarding, from_stage="", to_stage=stage, changed_at=timezone.now())
    return onboarding
