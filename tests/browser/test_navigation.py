"""The main menu stays on one line at 1280 px for every demo role, even with the quality and onboarding entries
that other apps are about to add."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bpo_portal import navigation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGINS = [
    "admin@portal.example",
    "manager@riverside.example",
    "staff@riverside.example",
    "manager@clearview.example",
    "staff@clearview.example",
]


@pytest.fixture
def future_entries():
    """Two more work entries, as the quality-audit and onboarding apps will register them."""
    navigation.register("work", "Quality", "engagements:meeting_list", names=("quality",), order=30)
    navigation.register("work", "Onboarding", "engagements:reminder_list", names=("onboarding",), order=40)
    yield
    navigation.unregister("engagements:meeting_list")
    navigation.unregister("engagements:reminder_list")


def test_the_menu_stays_on_one_line_at_1280_px_for_every_role(open_session, live_server, future_entries):
    call_command("seed_demo", verbosity=0)
    for email in LOGINS:
        page = open_session()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill("demo-portal-2026")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        bar = page.get_by_role("navigation", name="Main")
        expect(bar.get_by_test_id("nav-onboarding")).to_be_visible()
        tops = bar.locator(".navbar-brand, .portal-menu > .nav-item, [data-testid=user-menu]").evaluate_all(
            "items => items.map(item => Math.round(item.getBoundingClientRect().top + item.offsetHeight / 2))"
        )
        assert max(tops) - min(tops) <= 4, f"{email}: the menu wraps ({tops})"
        right = bar.get_by_test_id("user-menu").evaluate("button => button.getBoundingClientRect().right")
        assert right <= 1280, email


def test_the_directory_group_opens_and_leads_to_its_pages(log_in, world):
    page = log_in(world.practice_manager)
    bar = page.get_by_role("navigation", name="Main")
    expect(bar.get_by_test_id("nav-providers")).to_be_hidden()
    bar.get_by_test_id("nav-group-directory").click()
    bar.get_by_test_id("nav-providers").click()
    expect(page.get_by_role("heading", name="Providers")).to_be_visible()
    expect(bar.get_by_test_id("nav-group-directory")).to_have_class("nav-link dropdown-toggle active")
