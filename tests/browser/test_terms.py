"""The contract page in the browser: the practice manager sees that the contract may be ended without penalty,
with the breaches behind it, and records the outcome of an evaluation checkpoint."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from engagements import services
from tests.engagements.test_terms_services import make_breach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_practice_manager_sees_termination_eligibility_and_records_a_checkpoint_outcome(world, log_in, live_server):
    today = timezone.localdate() - timedelta(days=1)  # already past in the practice's zone
    contract = services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=today - relativedelta(months=10),
        ends_on=today + relativedelta(months=14),
        evaluation_months=6,
        termination_breach_count=2,
        termination_window_months=3,
    )
    breaches = [make_breach(world.engagement, today - timedelta(days=days)) for days in (8, 15)]
    first = contract.checkpoints.order_by("due_on").first()

    page = log_in(world.practice_manager)
    page.goto(world.engagement.get_absolute_url())
    page.get_by_test_id("contract-terms-summary").get_by_role("link", name="Open contract page").click()
    expect(page).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/contract/$"))

    termination = page.get_by_test_id("termination")
    expect(termination.get_by_test_id("termination-status")).to_have_text("Eligible")
    expect(termination.get_by_test_id("termination-reason")).to_contain_text("may end the contract without penalty")
    expect(termination.get_by_test_id("termination-breaches").get_by_role("listitem")).to_have_count(2)

    checkpoint = page.locator(f"#checkpoint-{first.pk}")
    expect(checkpoint.get_by_test_id("checkpoint-outcome")).to_have_text("Overdue")
    checkpoint.get_by_label("Continue with conditions").check()
    checkpoint.get_by_role("button", name="Record outcome").click()
    # Conditions are required: the form comes back with the message on the field.
    expect(page.get_by_text("Write down the conditions of continuing.")).to_be_visible()
    page.get_by_label("Notes").fill("A daily call report to the front desk lead until service level recovers.")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/contract/#checkpoint-{first.pk}$"))
    expect(page.get_by_role("alert").filter(has_text="continue with conditions recorded")).to_be_visible()
    checkpoint = page.locator(f"#checkpoint-{first.pk}")
    expect(checkpoint.get_by_test_id("checkpoint-outcome")).to_have_text("Continue with conditions")
    expect(checkpoint).to_contain_text("Paula Manager")
    first.refresh_from_db()
    assert first.outcome == "conditions" and first.recorded_by == world.practice_manager

    # The evidence links to the breach pages.
    page.get_by_test_id("termination-breaches").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/breaches/{breaches[0].pk}/$"))
