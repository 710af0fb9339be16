"""Change requests in the browser: the provider proposes adding a service line, the practice approves it, and the
new contract version's diff shows the added line."""

import re

import pytest
from playwright.sync_api import expect

from engagements.models import ChangeRequest
from tests.engagements.changes_helpers import signed_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_provider_proposes_a_line_the_practice_approves_and_the_new_version_shows_it(world, log_in):
    signed_contract(world.engagement, world.practice_manager)

    provider = log_in(world.provider_manager)
    errors = []
    provider.on("pageerror", lambda error: errors.append(str(error)))
    provider.goto(f"/engagements/{world.engagement.pk}/")
    card = provider.get_by_test_id("change-requests-card")
    expect(card.get_by_test_id("pending-changes")).to_have_text("0")
    expect(card.get_by_test_id("contract-version")).to_have_text("1")
    card.get_by_role("link", name="Open").click()
    provider.get_by_test_id("propose-change").click()

    form = provider.get_by_test_id("change-request-form")
    provider.get_by_label("What changes").select_option("add_line")
    expect(form.get_by_label("New end date")).to_be_hidden()  # only the fields the kind uses are shown
    expect(form.get_by_label("Rate per FTE hour")).to_be_hidden()
    form.get_by_label("Service line").select_option("billing")
    form.get_by_label("How the new line is charged").select_option("per_unit")
    form.get_by_label("Monthly volume").fill("500")
    form.get_by_label("Rate per unit").fill("4.00")
    form.get_by_label("Reason").fill("Statements and billing questions keep reaching the front desk.")
    form.get_by_role("button", name="Propose").click()

    expect(provider).to_have_url(re.compile(r"/change-requests/\d+/$"))
    expect(provider.get_by_test_id("change-status")).to_have_text("Proposed")
    expect(provider.get_by_test_id("cost-delta")).to_contain_text(re.compile(r"\+\$2,?000\.00"))
    expect(provider.get_by_test_id("approve")).to_have_count(0)  # only the practice decides
    request = ChangeRequest.objects.get()
    assert (request.service_line.code, request.ends_on, request.hourly_rate) == ("billing", None, None)

    practice = log_in(world.practice_manager)
    expect(practice.get_by_test_id("unread-count")).to_have_text("1")
    practice.goto(f"/engagements/{world.engagement.pk}/")
    expect(practice.get_by_test_id("pending-changes")).to_have_text("1")
    practice.goto(request.get_absolute_url())
    expect(practice.get_by_test_id("withdraw")).to_have_count(0)  # the practice did not propose it
    practice.get_by_test_id("approve").click()
    expect(practice.get_by_role("alert").filter(has_text="version 2")).to_be_visible()
    expect(practice.get_by_test_id("change-status")).to_have_text("Approved")

    practice.get_by_test_id("resulting-version").click()
    expect(practice).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/contract/versions/2/$"))
    added = practice.get_by_test_id("diff").get_by_test_id("line-added")
    expect(added).to_contain_text("Billing")
    expect(added).to_contain_text("Rate per unit: — → 4.00")
    expect(practice.get_by_test_id("version-terms")).to_contain_text("Billing")
    assert errors == []
