"""Engagements in the browser: starting one from either side, who sees it, who may change it, and the CSV export."""

import csv
import re

import pytest
from playwright.sync_api import Page, expect

from engagements.models import Engagement, ServiceLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_engagement_list(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements").click()
    expect(page.get_by_role("heading", name="Engagements", level=1)).to_be_visible()


def engagement_link(page: Page, name: str):
    return page.get_by_role("table").get_by_role("link", name=name, exact=True)


@pytest.mark.parametrize(
    ("persona", "counterpart_field", "counterpart_persona"),
    [("practice_manager", "Provider", "provider_manager"), ("provider_manager", "Practice", "practice_manager")],
)
def test_a_manager_starts_an_engagement_that_both_sides_see_and_an_outsider_cannot(
    world, log_in, live_server, persona, counterpart_field, counterpart_persona
):
    page = log_in(getattr(world, persona))
    counterpart = world.provider if counterpart_field == "Provider" else world.practice
    service_line = ServiceLine.objects.order_by("sort_order").first()
    name = f"Billing overflow opened by {persona}"

    page.get_by_test_id("start-engagement").click()
    expect(page.get_by_role("heading", name="Start an engagement")).to_be_visible()
    page.get_by_label(counterpart_field, exact=True).select_option(label=counterpart.name)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label(service_line.name).check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/engagements/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_test_id("engagement-status")).to_have_text("Vetting")
    expect(page.get_by_text(service_line.name)).to_be_visible()
    engagement = Engagement.objects.get(name=name)
    assert (engagement.practice, engagement.provider) == (world.practice, world.provider)

    open_engagement_list(page)
    expect(engagement_link(page, name)).to_be_visible()

    other_side = log_in(getattr(world, counterpart_persona))
    other_side.goto("/engagements/")
    expect(engagement_link(other_side, name)).to_be_visible()

    outsider = log_in(world.outsider)
    outsider.goto("/engagements/")
    expect(engagement_link(outsider, world.other_engagement.name)).to_be_visible()
    expect(engagement_link(outsider, name)).to_have_count(0)
    response = outsider.goto(engagement.get_absolute_url())
    assert response.status == 404
    expect(outsider).to_have_title("Not found · BPO Portal")
    expect(outsider.get_by_text(name)).to_have_count(0)


def test_a_portal_admin_sees_every_engagement(world, log_in):
    page = log_in(world.admin)
    open_engagement_list(page)

    expect(engagement_link(page, world.engagement.name)).to_be_visible()
    expect(engagement_link(page, world.other_engagement.name)).to_be_visible()


def test_practice_staff_see_the_engagement_but_cannot_start_or_edit_one(world, log_in):
    page = log_in(world.practice_staff)
    expect(page.get_by_test_id("my-engagements")).to_contain_text(world.engagement.name)
    expect(page.get_by_test_id("start-engagement")).to_have_count(0)

    open_engagement_list(page)
    expect(page.get_by_test_id("create")).to_have_count(0)
    engagement_link(page, world.engagement.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.engagement.name)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    response = page.goto(f"/engagements/{world.engagement.pk}/edit/")
    assert response.status == 403
    expect(page).to_have_title("Not allowed · BPO Portal")
    expect(page.get_by_label("Name", exact=True)).to_have_count(0)


def test_a_new_engagement_without_a_name_is_refused_and_nothing_is_created(world, log_in):
    page = log_in(world.practice_manager)
    engagements_before = Engagement.objects.count()

    page.get_by_test_id("start-engagement").click()
    page.get_by_label("Provider", exact=True).select_option(label=world.other_provider.name)
    page.get_by_label(ServiceLine.objects.order_by("sort_order").first().name).check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Start an engagement")).to_be_visible()
    name_field = page.get_by_label("Name", exact=True)
    expect(name_field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback", has_text="This field is required.")).to_be_visible()
    assert Engagement.objects.count() == engagements_before


def test_the_csv_export_holds_only_the_users_engagements(world, log_in):
    user = world.practice_manager
    page = log_in(user)
    open_engagement_list(page)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value

    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8") as export:
        rows = list(csv.DictReader(export))
    names = [row["Name"] for row in rows]
    assert sorted(names) == sorted(Engagement.objects.for_user(user).values_list("name", flat=True))
    assert world.engagement.name in names
    assert world.other_engagement.name not in names
    assert {row["Practice"] for row in rows} == {world.practice.name}
