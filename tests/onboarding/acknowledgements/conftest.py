"""Rows the acknowledgements tests share: an engagement's NDA and a provider's acceptable-use policy in force, and
Ana (the agent persona) onboarding onto the home engagement."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from engagements.choices import AgentStatus
from onboarding.choices import DocumentKind
from onboarding.services import acknowledgements as services
from tests.onboarding.factories import make_onboarding

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="policy.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def session_request(user):
    """A request as a signed-in browser session of `user` makes it (no API token)."""
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    return request


def sign(version, user, name=None):
    agent = services.agent_of(user)
    return services.sign(version, user, name or agent.full_name, session_request(user))


@pytest.fixture
def docs(world):
    today = timezone.localdate()
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    nda = services.create_document(
        engagement=world.engagement, kind=DocumentKind.NDA, title="Non-disclosure agreement", by=world.practice_manager
    )
    nda_v1 = services.publish_version(nda, effective_on=today, text="I will not disclose.", by=world.practice_manager)
    aup = services.create_document(
        provider=world.provider, kind=DocumentKind.ACCEPTABLE_USE, title="Acceptable use", by=world.provider_manager
    )
    aup_v1 = services.publish_version(aup, effective_on=today, file=pdf(), by=world.provider_manager)
    return SimpleNamespace(onboarding=onboarding, nda=nda, nda_v1=nda_v1, aup=aup, aup_v1=aup_v1, today=today)
