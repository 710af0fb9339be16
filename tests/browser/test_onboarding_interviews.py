"""Interviews in the browser: the practice manager, the panel's last interviewer, rates each skill and clears the
candidate, and the round passes; the onboarding page shows it and the next round can be scheduled."""

import re

import pytest
from playwright.sync_api import expect

from onboarding.models import Interview
from tests.onboarding.interviews.helpers import candidate, give, rounds_for, schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_interviewer_fills_feedback_and_the_round_passes(world, log_in):
    round1, _ = rounds_for(world.engagement)
    onboarding = candidate(world)
    interview = schedule(world, onboarding, round1, interviewers=[world.provider_manager, world.practice_manager])
    give(interview, world.provider_manager, 4)

    page = log_in(world.practice_manager)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    expect(page.get_by_text("give your interview feedback on Ana Reyes")).to_be_visible()
    page.get_by_text("give your interview feedback on Ana Reyes").click()
    expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/feedback/$"))
    for index, value in enumerate(("4", "3", "5")):
        page.locator(f'input[name="skill_{index}"][value="{value}"]').check()
    page.get_by_label("Notes").fill("Calm with an upset caller; clear English.")
    page.locator('input[name="cleared"][value="yes"]').check()
    page.get_by_role("button", name="Submit feedback").click()

    expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/$"))
    expect(page.get_by_test_id("interview-status")).to_have_text("Passed")
    expect(page.get_by_test_id("interview-average")).to_have_text("4.00")  # (4+4+4 + 4+3+5) / 6
    expect(page.get_by_test_id("interview-feedback")).to_contain_text("Calm with an upset caller")
    interview.refresh_from_db()
    assert interview.status == "passed"

    page.goto(onboarding.get_absolute_url())
    expect(page.get_by_test_id("onboarding-interviews")).to_contain_text("Passed")
    timeline = page.get_by_test_id("onboarding-timeline")
    expect(timeline).to_contain_text("Interview round 1 (Communication and fit): passed")
    page.get_by_test_id("schedule-interview").click()
    page.get_by_label("When").fill("2026-12-10T10:00")
    page.get_by_label(re.compile("Sam Staff")).check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/interviews/\d+/$"))
    assert Interview.objects.filter(onboarding=onboarding, round__number=2).exists()
    assert errors == []
