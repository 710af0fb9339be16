"""Communication in the browser: a manager records a meeting with an action item that is already late, and it
shows on the home page's attention list; a staff member leaves anonymous feedback that the practice manager
reads without a name."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engagements.models import ActionItem, Feedback, Meeting
from engagements.reminders import local_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_meeting_with_an_overdue_action_item_shows_on_the_home_page(world, log_in, live_server):
    today = local_today(world.practice.timezone)
    page = log_in(world.provider_manager)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(world.engagement.get_absolute_url())
    page.get_by_test_id("communication-summary").get_by_role("link", name="Open").click()
    expect(page).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/communication/$"))

    page.get_by_test_id("record-meeting").click()
    page.get_by_label("Kind").select_option("monthly_review")
    page.get_by_label("Date").fill(f"{today - timedelta(days=7):%Y-%m-%d}")
    page.get_by_label("Attendees").fill("Paula Manager, Bea Account")
    page.get_by_label("Decisions").fill("Add a Monday agent.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("decisions")).to_have_text("Add a Monday agent.")
    meeting = Meeting.objects.get()
    assert meeting.recorded_by == world.provider_manager

    page.get_by_test_id("add-action-item").click()
    page.get_by_label("Title").fill("Share the Monday rota")
    page.get_by_label("Owner", exact=True).fill("Bea Account")
    page.get_by_label("Owner's side").select_option("provider")
    page.get_by_label("Due on").fill(f"{today - timedelta(days=1):%Y-%m-%d}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("action-items")).to_contain_text("overdue")
    assert ActionItem.objects.get().meeting == meeting

    page.goto("/")
    expect(page.get_by_test_id("attention")).to_contain_text("Share the Monday rota")

    practice = log_in(world.practice_manager)  # the item is the provider's to do
    expect(practice.get_by_test_id("attention")).not_to_contain_text("Share the Monday rota")
    assert errors == []


def test_staff_feedback_left_anonymously_reaches_the_practice_manager_without_a_name(world, log_in):
    staff = log_in(world.practice_staff)
    staff.goto(f"/engagements/{world.engagement.pk}/feedback/")
    staff.get_by_label("Your feedback").fill("The evening handover notes are hard to follow.")
    staff.get_by_label("Leave it anonymously").check()
    staff.get_by_role("button", name="Send feedback").click()
    expect(staff.get_by_role("alert").filter(has_text="Thank you")).to_be_visible()
    assert Feedback.objects.get().author_id is None

    manager = log_in(world.practice_manager)
    manager.goto(f"/engagements/{world.engagement.pk}/feedback/")
    entry = manager.get_by_test_id("feedback-list")
    expect(entry).to_contain_text("evening handover notes")
    expect(entry).to_contain_text("Anonymous")
    expect(entry).not_to_contain_text("Sam Staff")
