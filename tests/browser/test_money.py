"""Scope and costs in the browser: the practice manager prices a line with a volume tier, then reads the cost
page's chart; the provider sees the same costs without the practice's in-house figures."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from engagements.costs import local_today
from tests.engagements.money_helpers import contract_for, push_volumes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_practice_manager_sets_up_scope_with_a_tier_and_sees_the_cost_chart(world, log_in, live_server):
    world.practice.in_house_monthly_cost = Decimal("9000")
    world.practice.save()
    today = local_today(world.practice)
    contract_for(world, starts_on=today.replace(day=1) - timedelta(days=40), account_management_fee=Decimal("500"))

    practice = log_in(world.practice_manager)
    errors = []
    practice.on("pageerror", lambda error: errors.append(str(error)))
    practice.goto(world.engagement.get_absolute_url())
    practice.get_by_test_id("money-summary").get_by_role("link", name="Scope and pricing").click()
    expect(practice).to_have_url(re.compile(r"/contract/scope/$"))

    practice.get_by_test_id("add-line").click()
    practice.get_by_label("Service line").select_option(label="Claims processing")
    practice.get_by_label("Basis").select_option(label="Per unit")
    practice.get_by_label("Expected monthly volume").fill("1500")
    practice.get_by_label("Rate per unit", exact=True).first.fill("2.00")
    tier = practice.get_by_test_id("tier-row").first
    tier.get_by_label("From units a month").fill("1000")
    tier.get_by_label("Rate per unit").fill("1.50")
    practice.get_by_role("button", name="Save").click()

    expect(practice.get_by_role("alert").filter(has_text="Scope saved")).to_be_visible()
    line = practice.get_by_test_id("scope-line")
    expect(line).to_contain_text("Claims processing")
    expect(line.get_by_test_id("tier")).to_have_text("from 1,000 units: $1.50")
    expect(line.get_by_test_id("line-cost")).to_have_text("$2,750.00")  # 1000 × 2.00 + 500 × 1.50
    expect(practice.get_by_test_id("projected-total")).to_have_text("$3,250.00")

    push_volumes(world, [("claims_processed", today.replace(day=1), 1200)])
    practice.get_by_role("link", name="Costs").first.click()
    expect(practice.locator("#cost-chart")).to_have_attribute("data-rendered", "true")
    this_month = practice.get_by_test_id("cost-month").last
    expect(this_month).to_contain_text("$2,800.00")  # 1000 × 2.00 + 200 × 1.50 + 500
    expect(this_month).to_contain_text("$6,200.00")  # saved against the in-house 9,000
    assert errors == []

    provider = log_in(world.provider_manager)
    provider.goto(f"/engagements/{world.engagement.pk}/costs/")
    expect(provider.locator("#cost-chart")).to_have_attribute("data-rendered", "true")
    expect(provider.get_by_test_id("cost-month").last).to_contain_text("$2,800.00")
    expect(provider.get_by_test_id("cost-table")).not_to_contain_text("In-house")
    expect(provider.get_by_test_id("total-savings")).to_have_count(0)
