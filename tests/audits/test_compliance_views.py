"""Compliance pages and endpoints doing their work: results saved from the audit page, evidence refused by its
content, closing without evidence refused, the engagement page's card, CSV export — and list pages and endpoints
that run the same number of queries whatever the number of rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import ComplianceEvidence, CorrectiveAction
from audits.services import compliance
from tests.audits.compliance_fixtures import assess_all, fake_pdf, finding_with_action, pdf, start_audit
from tests.test_access_matrix import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_practice_manager_records_results_on_the_audit_page(world, client):
    audit = start_audit(world)
    client.force_login(world.practice_manager)
    page = client.get(audit.get_absolute_url()).content.decode()
    assert 'data-testid="results-form"' in page and "Access control" in page and "Governance" in page
    data = {f"{r.key}-result": "compliant" for r in audit.requirements.all()}
    data.update({"mfa-result": "partial", "mfa-notes": "SMS codes, not an app", "baa-result": "not_applicable"})
    response = client.post(audit.get_absolute_url(), data, follow=True)
    assert "Results saved: score 95.45" in response.content.decode()  # 10.5 of 11
    audit.refresh_from_db()
    assert audit.status == "in_progress" and str(audit.score) == "95.45"
    assert audit.requirements.get(key="mfa").notes == "SMS codes, not an app"


def test_a_bad_result_is_refused_and_nothing_is_saved(world, client):
    audit = start_audit(world)
    client.force_login(world.practice_manager)
    response = client.post(audit.get_absolute_url(), {"mfa-result": "excellent", "baa-result": "compliant"})
    assert response.status_code == 200 and "need fixing" in response.content.decode()
    assert not audit.requirements.exclude(result="").exists()


def test_staff_and_the_provider_read_the_audit_without_its_forms(world, client):
    audit = start_audit(world)
    assess_all(audit, world.practice_manager)
    for user in (world.practice_staff, world.provider_staff, world.provider_manager):
        client.force_login(user)
        page = client.get(audit.get_absolute_url()).content.decode()
        assert 'data-testid="results-form"' not in page and "complete-audit" not in page
        assert "100.00%" in page
    client.force_login(world.provider_manager)
    assert "Add evidence" in client.get(audit.get_absolute_url()).content.decode()  # the provider supplies it


def test_evidence_that_is_not_what_it_claims_is_refused_on_the_page(world, client):
    audit = start_audit(world)
    requirement = audit.requirements.get(key="encryption")
    client.force_login(world.provider_manager)
    response = client.post(f"/compliance/requirements/{requirement.pk}/evidence/", {"file": fake_pdf()}, follow=True)
    assert "not a real PDF" in response.content.decode()
    assert not ComplianceEvidence.objects.exists()
    client.post(f"/compliance/requirements/{requirement.pk}/evidence/", {"file": pdf("bitlocker.pdf")})
    assert "bitlocker.pdf" in client.get(audit.get_absolute_url()).content.decode()


def test_closing_an_action_needs_its_evidence(world, client):
    audit = start_audit(world)
    _, action = finding_with_action(world, audit)
    client.force_login(world.provider_manager)
    response = client.post(f"/compliance/corrective-actions/{action.pk}/close/", {"closing_note": "Done"}, follow=True)
    assert "This field is required" in response.content.decode()
    assert CorrectiveAction.objects.get(pk=action.pk).status == "open"
    client.post(
        f"/compliance/corrective-actions/{action.pk}/close/",
        {"closing_note": "Done", "closing_evidence": pdf("log.pdf")},
    )
    page = client.get(action.get_absolute_url()).content.decode()
    assert "log.pdf" in page and 'data-testid="action-status">Done' in page


def test_a_finding_is_edited_until_its_audit_is_completed(world, client):
    audit = start_audit(world)
    finding, _ = finding_with_action(world, audit, severity="minor")
    client.force_login(world.practice_manager)
    client.post(
        f"/compliance/findings/{finding.pk}/edit/", {"title": "Shared login on the portal", "severity": "major"}
    )
    finding.refresh_from_db()
    assert (finding.title, finding.severity) == ("Shared login on the portal", "major")
    assess_all(audit, world.practice_manager)
    compliance.complete_compliance_audit(audit, by=world.practice_manager)
    response = client.post(f"/compliance/findings/{finding.pk}/edit/", {"title": "Changed later", "severity": "minor"})
    assert response.status_code == 200 and "This audit is completed" in response.content.decode()
    finding.refresh_from_db()
    assert finding.title == "Shared login on the portal"


def test_completing_too_early_says_why(world, client):
    audit = start_audit(world)
    compliance.record_results(audit, {"mfa": {"result": "compliant"}}, by=world.practice_manager)
    client.force_login(world.practice_manager)
    response = client.post(f"/compliance/audits/{audit.pk}/complete/", follow=True)
    assert "11 requirements are not assessed yet" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == "in_progress"


def test_the_engagement_page_shows_the_compliance_card(world, client):
    compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=date(2026, 3, 31), by=world.practice_manager
    )
    audit = start_audit(world)
    assess_all(audit, world.practice_manager, mfa="non_compliant")
    finding_with_action(world, audit, due_on=date(2020, 1, 1))
    compliance.complete_compliance_audit(audit, by=world.practice_manager)
    client.force_login(world.provider_staff)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert 'data-testid="compliance-card"' in page and "91.67%" in page
    assert "Next audit due 30 Jun 2026" in page
    assert f"/engagements/{world.engagement.pk}/compliance/" in page


def test_the_card_shows_no_score_before_an_audit_is_completed(world, client):
    start_audit(world)
    client.force_login(world.practice_manager)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    card = page[page.index('data-testid="compliance-last-score"') :][:200]
    assert "—" in card and "%" not in card


def test_the_csv_export_lists_the_filtered_rows(world, client):
    audit = start_audit(world)
    finding_with_action(world, audit, severity="critical")
    finding_with_action(world, audit, severity="minor")
    client.force_login(world.practice_manager)
    csv = client.get("/compliance/findings/?severity=critical&_export=csv").content.decode()
    assert csv.count("Shared login") == 1 and "Critical" in csv and "Minor" not in csv
    csv = client.get("/compliance/audits/?_export=csv").content.decode()
    assert "Front desk" in csv and "2026-01-01..2026-03-31" in csv


def _grow(world, audits: int):
    for n in range(audits):
        end = date(2025, 12, 31) - timedelta(days=90 * n)
        audit = start_audit(world, period_start=end - timedelta(days=80), period_end=end)
        compliance.add_evidence(audit.requirements.first(), pdf(), by=world.provider_manager)
        finding_with_action(world, audit, severity="major")
        finding_with_action(world, audit, severity="critical")


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


LISTS = [
    "/compliance/audits/",
    "/compliance/findings/",
    "/compliance/corrective-actions/",
    "/compliance/audits/?_export=csv",
    "/compliance/corrective-actions/?_export=csv",
]
ENDPOINTS = [
    "/api/v1/compliance-audits/",
    "/api/v1/findings/",
    "/api/v1/corrective-actions/",
    "/api/v1/compliance-schedules/",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_pages_run_the_same_queries_at_two_sizes(world, client, url):
    client.force_login(world.practice_manager)
    _grow(world, 1)
    small = _count(lambda: client.get(url))
    _grow(world, 4)
    assert _count(lambda: client.get(url)) == small


@pytest.mark.parametrize("url", ENDPOINTS)
def test_list_endpoints_run_the_same_queries_at_two_sizes(world, url):
    compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=date(2026, 3, 31), by=world.practice_manager
    )
    client = api_client(world, "practice_manager")
    _grow(world, 1)
    client.get(url)  # the token's first use is recorded once; count the requests after it
    small = _count(lambda: client.get(url))
    _grow(world, 4)
    assert _count(lambda: client.get(url)) == small


def test_the_audit_page_runs_the_same_queries_with_more_evidence_and_findings(world, client):
    audit = start_audit(world)
    client.force_login(world.practice_manager)
    compliance.add_evidence(audit.requirements.first(), pdf(), by=world.provider_manager)
    finding_with_action(world, audit)
    small = _count(lambda: client.get(audit.get_absolute_url()))
    for requirement in audit.requirements.all()[:6]:
        compliance.add_evidence(requirement, pdf(), by=world.provider_manager)
        finding_with_action(world, audit)
    assert _count(lambda: client.get(audit.get_absolute_url())) == small
