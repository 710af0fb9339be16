"""Policy documents in the browser: the practice publishes the NDA's second version, the agent signs in, reads it
and signs it with her full name, and the practice sees who signed."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.choices import AgentStatus
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement
from onboarding.services import acknowledgements as services
from tests.factories import PASSWORD
from tests.onboarding.factories import make_onboarding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_agent(open_session, user):
    """Agents land on their own home, not the workspace's (so not through `log_in`, which expects "/")."""
    page = open_session()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_an_agent_signs_the_ndas_new_version(world, log_in, open_session):
    make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    nda = services.create_document(
        engagement=world.engagement, kind=DocumentKind.NDA, title="Non-disclosure agreement", by=world.practice_manager
    )
    services.publish_version(nda, effective_on=timezone.localdate(), text="Version one.", by=world.practice_manager)

    # The practice manager publishes version 2 from the document page.
    manager = log_in(world.practice_manager)
    manager.goto(nda.get_absolute_url())
    manager.get_by_test_id("publish-version").click()
    manager.get_by_label("Effective on").fill(timezone.localdate().isoformat())
    manager.get_by_label("Text").fill("Version two: no screenshots of the practice's systems.")
    manager.get_by_role("button", name="Save").click()
    expect(manager.get_by_test_id("version-2")).to_contain_text("In force")

    # Ana signs in, finds the NDA among her documents to sign, reads it and signs it.
    agent = sign_in_as_agent(open_session, world.agent_user)
    errors = []
    agent.on("pageerror", lambda error: errors.append(str(error)))
    agent.get_by_test_id("nav-my-documents").first.click()
    expect(agent).to_have_url(re.compile(r"/me/documents/$"))
    agent.get_by_test_id(f"sign-{nda.pk}").click()
    expect(agent.get_by_test_id("document-text")).to_contain_text("no screenshots")
    agent.get_by_label("Type your full name").fill("Ana R.")
    agent.get_by_label("I have read and agree").check()
    agent.get_by_test_id("sign-submit").click()
    expect(agent.get_by_test_id("sign-form")).to_contain_text("Type your full name as the portal knows it: Ana Reyes")
    assert not Acknowledgement.objects.exists()
    agent.get_by_label("Type your full name").fill("ana  reyes")
    agent.get_by_label("I have read and agree").check()
    agent.get_by_test_id("sign-submit").click()
    expect(agent).to_have_url(re.compile(r"/me/documents/$"))
    expect(agent.get_by_test_id("documents-to-sign")).to_contain_text("Nothing to sign")
    expect(agent.get_by_test_id("documents-signed")).to_contain_text("Non-disclosure agreement")
    signature = Acknowledgement.objects.get()
    assert (signature.version.number, signature.signed_by, signature.typed_name) == (2, world.agent_user, "ana reyes")
    assert errors == []

    # The practice sees who signed which version.
    manager.goto(nda.get_absolute_url())
    expect(manager.get_by_test_id("signed-by-2")).to_contain_text("Ana Reyes")
    expect(manager.get_by_test_id("to-sign")).to_contain_text("Everyone has signed")
