"""Due diligence in the browser: the practice manager fills in the checklist and approves, which lets the
engagement leave vetting; the provider's manager uploads a certificate, and a wrong file type is refused."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from engagements.models import Certification, DueDiligenceReview
from engagements.models.diligence import DiligenceItemKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_practice_manager_fills_in_the_checklist_and_approves(world, log_in, live_server):
    page = log_in(world.practice_manager)
    page.goto(world.engagement.get_absolute_url())
    expect(page.get_by_test_id("due-diligence-gate")).to_contain_text("No due-diligence review yet")
    page.get_by_test_id("due-diligence-card").get_by_role("link", name="Open review").click()
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("unrated")).to_have_text("11")

    form = page.get_by_test_id("checklist-form")
    for key in DiligenceItemKey:
        form.get_by_test_id(f"item-{key.value}").get_by_label("Rating").select_option("4")
    form.get_by_test_id("item-encryption").get_by_label("Evidence").fill("TLS 1.2 and AES-256, seen in their audit.")
    form.get_by_label("Date of the last penetration test").fill((date.today() - timedelta(days=90)).isoformat())
    form.get_by_label("Hours to notify the practice of a breach").fill("24")
    page.get_by_test_id("save-checklist").click()

    expect(page.get_by_test_id("unrated")).to_have_text("0")
    expect(page.get_by_test_id("score")).to_have_text("80")
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("Approve with conditions").check()
    decision.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").filter(has_text="State the conditions")).to_be_visible()

    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("Approve with conditions").check()
    decision.get_by_role("textbox", name="Conditions").fill("A new external penetration test before go-live.")
    decision.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("decision")).to_have_text("Approved with conditions")
    expect(page.get_by_test_id("decision-history")).to_contain_text("80/100")

    review = DueDiligenceReview.objects.get(engagement=world.engagement)
    assert review.is_approved and review.decided_by == world.practice_manager
    assert review.items.get(key="breach_notification").number_value == 24

    page.goto(world.engagement.get_absolute_url())
    expect(page.get_by_test_id("due-diligence-gate")).to_have_count(0)
    stage_form = page.get_by_test_id("status-form")
    stage_form.get_by_role("combobox").select_option(label="Contracting")
    stage_form.get_by_role("button", name="Change stage").click()
    expect(page.get_by_test_id("engagement-status")).to_have_text("Contracting")


def test_the_provider_manager_uploads_a_certificate(world, log_in, tmp_path):
    page = log_in(world.provider_manager)
    page.goto(world.provider.get_absolute_url())
    page.get_by_test_id("certifications").get_by_role("link", name="Add certification").click()

    form = page.get_by_test_id("certification-form")
    form.get_by_label("Kind").select_option(label="SOC 2 Type II")
    form.get_by_label("Issuer").fill("Schellman & Company")
    form.get_by_label("Issued on").fill((date.today() - timedelta(days=300)).isoformat())
    form.get_by_label("Expires on").fill((date.today() + timedelta(days=30)).isoformat())
    notes = tmp_path / "notes.txt"
    notes.write_text("not a certificate")
    form.get_by_label("Evidence").set_input_files(str(notes))
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Upload the evidence as a PDF, PNG or JPEG file.")).to_be_visible()
    assert not Certification.objects.exists()

    report = tmp_path / "soc2.pdf"
    report.write_bytes(b"%PDF-1.4\n%report\n")
    form = page.get_by_test_id("certification-form")
    form.get_by_label("Evidence").set_input_files(str(report))
    form.get_by_role("button", name="Save").click()

    certifications = page.get_by_test_id("certifications")
    expect(certifications.get_by_test_id("certification")).to_contain_text("SOC 2 Type II")
    expect(certifications.get_by_test_id("certification-flag")).to_contain_text("SOC 2 Type II expires on")
    certification = Certification.objects.get()
    assert certification.evidence_name == "soc2.pdf" and certification.created_by == world.provider_manager
    with page.expect_download() as download:
        certifications.get_by_role("link", name="Evidence").click(modifiers=["Alt"])
    assert download.value.suggested_filename == "soc2.pdf"
