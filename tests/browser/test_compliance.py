"""Provider compliance audits in the browser: the practice manager sets the frequency, runs an audit of the
provider with a finding and its corrective action, and completes it; the provider's manager responds."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from audits.models import ComplianceAudit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_practice_manager_runs_a_compliance_audit_with_a_finding(world, log_in, tmp_path):
    page = log_in(world.practice_manager)
    page.goto(world.engagement.get_absolute_url())
    page.get_by_test_id("compliance-card").get_by_role("link", name="Open").click()

    page.get_by_test_id("set-frequency").click()
    page.get_by_label("Frequency").select_option(label="Quarterly")
    page.get_by_label("First due on").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("compliance-schedule")).to_contain_text("Quarterly")

    page.get_by_test_id("start-compliance-audit").click()
    page.get_by_label("Period start").fill((date.today() - timedelta(days=90)).isoformat())
    page.get_by_label("Period end").fill(date.today().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("Draft")

    form = page.get_by_test_id("results-form")
    for select in form.locator("select").all():
        select.select_option("compliant")
    form.locator('select[name="mfa-result"]').select_option("non_compliant")
    form.locator('textarea[name="mfa-notes"]').fill("The clearinghouse portal has no MFA.")
    form.locator('select[name="secure_wifi-result"]').select_option("not_applicable")
    page.get_by_test_id("save-results").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("In progress")
    expect(page.get_by_test_id("compliance-score")).to_have_text("90.91%")  # 10 of 11 applicable

    evidence = tmp_path / "baa.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%signed baa\n")
    baa = page.get_by_test_id("requirement-baa")
    baa.get_by_text("Add evidence").click()
    baa.get_by_label("Evidence file for BAA in place").set_input_files(str(evidence))
    baa.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("requirement-baa").get_by_test_id("evidence-link")).to_have_text("baa.pdf")

    page.get_by_test_id("requirement-mfa").get_by_role("link", name="Raise a finding").click()
    page.get_by_label("Title").fill("No MFA on the clearinghouse portal")
    page.get_by_label("Severity").select_option(label="Critical")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("finding-severity")).to_have_text("Critical")

    page.get_by_test_id("add-action").click()
    page.get_by_label("Description").fill("Turn on MFA for every agent's clearinghouse login")
    page.get_by_label("Owner").select_option(label="Bea Account")
    page.get_by_label("Due on").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("corrective-actions")).to_contain_text("Turn on MFA")

    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=" – ").click()  # back to the audit
    page.get_by_test_id("complete-audit").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("Completed")
    expect(page.get_by_test_id("compliance-score")).to_have_text("90.91%")
    audit = ComplianceAudit.objects.get()
    assert audit.status == "completed" and str(audit.score) == "90.91"

    provider = log_in(world.provider_manager)
    provider.goto(audit.findings.get().get_absolute_url())
    provider.get_by_test_id("finding-response").get_by_role("textbox").fill("MFA is being rolled out this week.")
    provider.get_by_test_id("respond").click()
    expect(provider.get_by_test_id("finding-response")).to_contain_text("MFA is being rolled out this week.")
