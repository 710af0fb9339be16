"""A manager brings a colleague in with a one-time link, and takes their access away again."""

import re

import pytest
from playwright.sync_api import expect

from engagements.choices import Role
from engagements.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER = "new.person@example.test"


def test_an_invited_colleague_joins_sees_the_engagement_and_loses_access_when_deactivated(
    world, log_in, open_session, live_server, settings, mailoutbox
):
    # The link in the message is built from SITE_URL; point it at this live server, as production points it at
    # the public address.
    settings.SITE_URL = live_server.url
    manager = log_in(world.practice_manager)
    manager.get_by_test_id("nav-group-account").click()  # the account group of the menu
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()

    invite_form = manager.get_by_test_id("invite-form")
    invite_form.get_by_label("Email").fill(NEWCOMER)
    invite_form.get_by_label("Role").select_option(label="Staff")
    invite_form.get_by_role("button", name="Send invitation").click()

    message = manager.get_by_role("alert").filter(has_text=f"Invitation e-mailed to {NEWCOMER}")
    expect(message).to_contain_text(f"{live_server.url}/invitations/")
    link = re.search(r"https?://\S+/invitations/\S+/", message.inner_text()).group(0)
    assert [email.to for email in mailoutbox] == [[NEWCOMER]]
    assert link in mailoutbox[0].body

    newcomer = open_session()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name=f"Join {world.practice.name}")).to_be_visible()
    newcomer.get_by_label("First name").fill("Nina")
    newcomer.get_by_label("Last name").fill("Newcomer")
    newcomer.get_by_label("Password", exact=True).fill("Lantern-Quartz-Meadow-42")
    newcomer.get_by_label("Password again").fill("Lantern-Quartz-Meadow-42")
    newcomer.get_by_role("button", name="Create my account").click()

    expect(newcomer).to_have_url(f"{live_server.url}/")
    expect(newcomer.get_by_role("heading", name="Good to see you, Nina")).to_be_visible()
    expect(newcomer.get_by_test_id("my-engagements")).to_contain_text(world.engagement.name)
    membership = Membership.objects.get(user__email=NEWCOMER)
    assert (membership.practice, membership.role) == (world.practice, Role.STAFF)

    manager.reload()
    newcomer_row = manager.get_by_role("row").filter(has_text=NEWCOMER)
    newcomer_row.get_by_role("button", name=f"Actions for {NEWCOMER}").click()
    newcomer_row.get_by_role("button", name=re.compile(r"^Deactivate\b")).click()
    expect(manager.get_by_role("alert").filter(has_text=f"{NEWCOMER} can no longer sign in")).to_be_visible()

    newcomer.reload()
    expect(newcomer).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(newcomer.locator("#id_username")).to_be_visible()
    expect(newcomer.get_by_text(world.engagement.name)).to_have_count(0)
