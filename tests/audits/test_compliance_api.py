"""The compliance API doing its work: an audit started from a baseline, results scored, evidence checked by its
content, findings answered, corrective actions closed only with evidence — refusals change nothing."""

from datetime import date

import pytest
from django.test import Client

from audits.models import ComplianceAudit, ComplianceEvidence, CorrectiveAction
from tests.audits.compliance_fixtures import assess_all, fake_pdf, pdf, start_audit
from tests.test_access_matrix import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_audit_runs_through_the_api_from_a_baseline(world):
    earlier = start_audit(world, period_start=date(2025, 10, 1), period_end=date(2025, 12, 31))
    assess_all(earlier, world.practice_manager, mfa="non_compliant")
    client = api_client(world, "practice_manager")
    body = {"engagement": world.engagement.pk, "period_start": "2026-01-01", "period_end": "2026-03-31"}
    started = client.post("/api/v1/compliance-audits/", {**body, "baseline": earlier.pk}, format="json").json()
    assert started["baseline"] == earlier.pk and started["score"] == "91.67"
    assert {r["key"]: r["result"] for r in started["requirements"]}["mfa"] == "non_compliant"

    url = f"/api/v1/compliance-audits/{started['id']}/"
    scored = client.post(
        f"{url}results/", {"results": [{"key": "mfa", "result": "partial", "notes": "SMS codes"}]}, format="json"
    )
    assert scored.status_code == 200 and scored.json()["score"] == "95.83" and scored.json()["status"] == "in_progress"

    refused = client.post(f"{url}results/", {"results": [{"key": "mfa", "result": "superb"}]}, format="json")
    assert refused.status_code == 400
    assert client.get(url).json()["score"] == "95.83"

    done = client.post(f"{url}complete/")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert (
        client.post(f"{url}results/", {"results": [{"key": "mfa", "result": "compliant"}]}, format="json").status_code
        == 400
    )


def test_evidence_through_the_api_is_checked_by_its_content(world):
    audit = start_audit(world)
    client = api_client(world, "provider_manager")
    url = f"/api/v1/compliance-audits/{audit.pk}/evidence/"
    assert client.post(url, {"requirement": "mfa", "file": fake_pdf()}, format="multipart").status_code == 400
    assert client.post(url, {"requirement": "nope", "file": pdf()}, format="multipart").status_code == 400
    assert not ComplianceEvidence.objects.exists()
    response = client.post(url, {"requirement": "mfa", "file": pdf("mfa.pdf")}, format="multipart")
    assert response.status_code == 201
    mfa = next(r for r in response.json()["requirements"] if r["key"] == "mfa")
    assert [e["name"] for e in mfa["evidence"]] == ["mfa.pdf"]
    browser = Client()  # the download is a portal page, checked like the certificate evidence is
    browser.force_login(world.practice_staff)
    download = browser.get(mfa["evidence"][0]["url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_findings_and_corrective_actions_through_the_api(world):
    audit = start_audit(world)
    practice, provider = api_client(world, "practice_manager"), api_client(world, "provider_manager")
    raised = practice.post(
        "/api/v1/findings/",
        {"audit": audit.pk, "title": "No MFA", "severity": "critical", "requirement": "mfa"},
        format="json",
    )
    assert raised.status_code == 201, raised.content
    finding = raised.json()
    assert finding["requirement"] == "mfa" and finding["status"] == "open"

    answer = provider.post(f"/api/v1/findings/{finding['id']}/respond/", {"response": "Rolling out"}, format="json")
    assert answer.status_code == 200 and answer.json()["response"] == "Rolling out"

    created = provider.post(
        "/api/v1/corrective-actions/",
        {
            "finding": finding["id"],
            "description": "Turn MFA on",
            "owner": world.provider_manager.pk,
            "due_on": "2026-04-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    action_url = f"/api/v1/corrective-actions/{created.json()['id']}/"
    assert provider.patch(action_url, {"status": "done"}, format="json").status_code == 400
    assert provider.patch(action_url, {"owner": world.outsider.pk}, format="json").status_code == 400
    assert CorrectiveAction.objects.get().owner == world.provider_manager

    close = f"{action_url}close/"
    assert provider.post(close, {"closing_note": "Done"}, format="multipart").status_code == 400
    assert (
        practice.post(close, {"closing_note": "Done", "closing_evidence": pdf()}, format="multipart").status_code == 403
    )
    assert CorrectiveAction.objects.get().status == "open"
    closed = provider.post(close, {"closing_note": "Done", "closing_evidence": pdf("mfa-on.pdf")}, format="multipart")
    assert closed.status_code == 200 and closed.json()["status"] == "done"
    assert closed.json()["closing_evidence_url"].endswith(
        f"/compliance/corrective-actions/{created.json()['id']}/evidence/"
    )

    closed_finding = practice.post(f"/api/v1/findings/{finding['id']}/close/")
    assert closed_finding.status_code == 200 and closed_finding.json()["status"] == "closed"


def test_the_schedule_gives_the_next_due_date(world):
    client = api_client(world, "practice_manager")
    created = client.post(
        "/api/v1/compliance-schedules/",
        {"engagement": world.engagement.pk, "frequency": "quarterly", "first_due_on": "2026-03-31"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["next_due"] == "2026-03-31"
    audit = start_audit(world)
    assess_all(audit, world.practice_manager)
    client.post(f"/api/v1/compliance-audits/{audit.pk}/complete/")
    listed = client.get("/api/v1/compliance-schedules/").json()["results"]
    assert [row["next_due"] for row in listed] == ["2026-06-30"]
    assert (
        api_client(world, "provider_manager")
        .patch(f"/api/v1/compliance-schedules/{created.json()['id']}/", {"frequency": "annual"}, format="json")
        .status_code
        == 403
    )
    assert ComplianceAudit.objects.get().engagement.compliance_schedule.frequency == "quarterly"
