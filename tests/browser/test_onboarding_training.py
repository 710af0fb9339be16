"""Training in the browser: an agent signs in, opens their training from the menu, takes a module's quiz (the page
holds no correct answer), passes it, and sees the module current with its renewal date."""

import pytest
from playwright.sync_api import expect

from engagements.choices import AgentStatus
from onboarding.services import training
from tests.browser.test_audits import sign_in_as_agent
from tests.onboarding.factories import make_onboarding
from tests.onboarding.training.conftest import make_quiz_module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_passes_a_modules_quiz(world, open_session):
    module = make_quiz_module(world.provider_manager, questions=2, pass_mark=100, max_attempts=2)
    training.add_to_curriculum(world.engagement, module, by=world.provider_manager)
    make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)

    page = sign_in_as_agent(open_session, world.agent_user)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/me/training/")
    expect(page.get_by_test_id("training-row")).to_contain_text("Not passed yet")
    page.get_by_role("link", name="Open").click()
    page.get_by_test_id("quiz-start").click()
    quiz = page.get_by_test_id("quiz-form")
    expect(quiz).to_be_visible()
    assert "badge" not in quiz.inner_html() and "is_correct" not in quiz.inner_html()  # no marker on any choice
    for label in ("Right 1", "Also right 1", "Right 2"):
        page.get_by_label(label, exact=True).check()
    page.get_by_test_id("quiz-submit").click()
    expect(page.get_by_test_id("quiz-result")).to_contain_text("Score 100.00%")
    expect(page.get_by_test_id("quiz-result")).to_contain_text("passed")
    page.get_by_role("link", name="Back to my training").click()
    expect(page.get_by_test_id("training-row")).to_contain_text("Passed")
    expect(page.get_by_test_id("training-progress")).to_contain_text("1 of 1 required modules current")
    assert errors == []
