"""A provider manager sends a candidate the typing test; the candidate takes it through the one-time link, with no
account; the server's score, recomputed from the keystroke log, is on the candidate's onboarding page."""

import re

import pytest
from playwright.sync_api import expect

from engagements.choices import AgentStatus
from onboarding.models import AssessmentResult
from onboarding.services import vetting
from tests.onboarding.factories import make_onboarding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_takes_the_typing_test_through_the_link(world, log_in, open_session, live_server, settings,
                                                            mailoutbox):  # fmt: skip
    settings.SITE_URL = live_server.url
    vetting.set_requirement(world.engagement, "typing", by=world.practice_manager, min_score=5, min_accuracy=80)
    world.agent.email = "ana.candidate@example.test"
    world.agent.save()
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.VETTING)

    manager = log_in(world.provider_manager)
    manager.goto(f"{live_server.url}{onboarding.get_absolute_url()}")
    manager.get_by_test_id("send-typing-test").click()
    manager.get_by_role("button", name="Save").click()
    link = manager.get_by_test_id("typing-link").inner_text().strip()
    assert re.match(rf"{re.escape(live_server.url)}/typing-test/\S+/$", link)
    assert [email.to for email in mailoutbox] == [["ana.candidate@example.test"]] and link in mailoutbox[0].body

    candidate = open_session()
    candidate.goto(link)
    expect(candidate.get_by_test_id("typing-passage")).to_contain_text("Thank you for calling the eye clinic.")
    box = candidate.get_by_test_id("typing-input")
    box.press_sequentially("Thank you for callinf", delay=40)
    box.press("Backspace")
    box.press_sequentially("g the eye clinuc.", delay=40)
    candidate.get_by_test_id("typing-finish").click()
    expect(candidate.get_by_test_id("typing-result")).to_contain_text("net words per minute")

    result = AssessmentResult.objects.get(onboarding=onboarding, kind="typing")
    keys = [entry["k"] for entry in result.keystroke_log]
    assert "Backspace" in keys and len(keys) == len("Thank you for callinf") + 1 + len("g the eye clinuc.")
    link_row = result.typing_link
    recomputed = vetting.score_typing(link_row.passage, result.keystroke_log, link_row.duration_seconds)
    assert recomputed.typed_text == "Thank you for calling the eye clinuc." and recomputed.errors == 1
    assert (result.net_wpm, result.accuracy) == (recomputed.net_wpm, recomputed.accuracy)
    expect(candidate.get_by_test_id("typing-result")).to_contain_text(f"{result.net_wpm} net words per minute")

    # Used once: the link is gone, and it never opened anything else.
    candidate.goto(link)
    expect(candidate.get_by_test_id("typing-passage")).to_have_count(0)
    candidate.goto(f"{live_server.url}/onboarding/")
    expect(candidate).to_have_url(re.compile(r"/accounts/login/"))

    manager.goto(f"{live_server.url}{onboarding.get_absolute_url()}")
    expect(manager.get_by_test_id("vetting-section")).to_contain_text("Portal typing test")
    expect(manager.get_by_test_id("vetting-section")).to_contain_text(f"{result.net_wpm} net WPM")
