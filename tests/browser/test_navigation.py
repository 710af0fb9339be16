"""The main menu stays on one line at 1280 px for every demo role, with every app's entries in it (quality,
compliance, onboarding; an agent's own audits, action plans, training and documents)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# login → an entry the role must see on the bar
LOGINS = {
    "admin@portal.example": "nav-onboarding",
    "manager@riverside.example": "nav-onboarding",
    "staff@riverside.example": "nav-onboarding",
    "manager@clearview.example": "nav-onboarding",
    "staff@clearview.example": "nav-quality",
    "agent@clearview.example": "nav-my-training",
}


def test_the_menu_stays_on_one_line_at_1280_px_for_every_role(open_session, live_server):
    call_command("seed_demo", verbosity=0)
    for email, entry in LOGINS.items():
        page = open_session()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill("demo-portal-2026")
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(f"{live_server.url}/accounts/login/")  # an agent lands on their audits
        bar = page.get_by_role("navigation", name="Main")
        expect(bar.get_by_test_id(entry)).to_be_visible()
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
