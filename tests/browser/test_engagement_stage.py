"""Moving an engagement along its lifecycle and recording its contract from the engagement page."""

import re
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect

from engagements.choices import EngagementStatus
from engagements.models import Contract
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practice_manager_moves_the_engagement_to_contracting_and_records_the_contract(world, log_in, live_server):
    factories.approve_due_diligence(world.engagement, by=world.practice_manager)  # vetting ends on an approval
    page = log_in(world.practice_manager)
    detail_url = f"{live_server.url}{world.engagement.get_absolute_url()}"
    page.goto(detail_url)
    expect(page.get_by_test_id("engagement-status")).to_have_text("Vetting")

    stage_form = page.get_by_test_id("status-form")
    stage_form.get_by_role("combobox").select_option(label="Contracting")
    stage_form.get_by_role("button", name="Change stage").click()

    expect(page.get_by_test_id("engagement-status")).to_have_text("Contracting")
    expect(page.get_by_role("alert").filter(has_text="The engagement is now in Contracting.")).to_be_visible()
    world.engagement.refresh_from_db()
    assert world.engagement.status == EngagementStatus.CONTRACTING

    page.get_by_test_id("contract").get_by_role("link", name="Record contract").click()
    starts_on = date.today().replace(day=1)
    page.get_by_label("Starts on").fill(starts_on.isoformat())
    page.get_by_label("Ends on").fill((starts_on + relativedelta(years=2)).isoformat())
    evaluation = page.get_by_label("Evaluation period (months)")
    evaluation.fill("5")
    page.get_by_role("button", name="Save").click()

    expect(evaluation).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_text("Ensure this value is greater than or equal to 6.")).to_be_visible()
    assert not Contract.objects.filter(engagement=world.engagement).exists()

    evaluation.fill("6")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{detail_url}contract/")
    expect(page.get_by_role("alert").filter(has_text="Contract saved.")).to_be_visible()
    evaluation_ends_on = starts_on + relativedelta(months=6)
    expect(page.get_by_test_id("contract-terms")).to_contain_text(f"6 months, until {evaluation_ends_on:%-d %b %Y}")
    assert Contract.objects.get(engagement=world.engagement).evaluation_months == 6


def test_no_stage_is_preselected_and_a_step_back_asks_why_and_confirms(world, log_in):
    world.engagement.status = EngagementStatus.STEADY
    world.engagement.save()
    starts_on = date.today().replace(day=1)
    Contract.objects.create(
        engagement=world.engagement, starts_on=starts_on, ends_on=starts_on + relativedelta(years=1)
    )
    page = log_in(world.practice_manager)
    page.goto(world.engagement.get_absolute_url())
    stage_form = page.get_by_test_id("status-form")
    expect(stage_form.get_by_role("combobox")).to_have_value("")
    stage_form.get_by_role("button", name="Change stage").click()  # one click moves nothing
    expect(page.get_by_test_id("engagement-status")).to_have_text("Steady state")

    stage_form = page.get_by_test_id("status-form")
    confirm = stage_form.get_by_label("Yes, move the engagement back to an earlier stage")
    expect(confirm).to_be_hidden()
    stage_form.get_by_role("combobox").select_option(label="Transitioning (back)")
    expect(confirm).to_be_visible()
    stage_form.get_by_role("button", name="Change stage").click()
    expect(page.get_by_role("alert").filter(has_text="Say why the engagement goes back")).to_be_visible()
    world.engagement.refresh_from_db()
    assert world.engagement.status == EngagementStatus.STEADY

    stage_form = page.get_by_test_id("status-form")
    stage_form.get_by_role("combobox").select_option(label="Transitioning (back)")
    stage_form.get_by_placeholder("Why (needed to go back)").fill("Billing moves in after all")
    stage_form.get_by_label("Yes, move the engagement back to an earlier stage").check()
    stage_form.get_by_role("button", name="Change stage").click()
    expect(page.get_by_test_id("engagement-status")).to_have_text("Transitioning")
