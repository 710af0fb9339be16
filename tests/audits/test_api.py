"""The quality-audit API: the public contract the issue spells out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import QualityAudit
from tests import factories
from tests.api_errors import field_errors
from tests.audits.helpers import criteria, submitted_audit

pytestmark = pytest.mark.django_db


def test_a_scorecard_is_created_from_a_starter_edited_as_a_draft_and_published(api, world):
    client = api.as_user(world.practice_manager)
    created = client.post(
        "/api/v1/scorecards/", {"engagement": world.engagement.pk, "starter": "claims"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "Claims processing" and body["versions"][0]["status"] == "draft"
    names = [c["name"] for s in body["versions"][0]["sections"] for c in s["criteria"]]
    assert "Correct codes and modifiers" in names and "Submitted within 48 h" in names
    url = f"/api/v1/scorecards/{body['id']}/"
    draft = {
        "pass_mark": "90",
        "sections": [
            {
                "title": "Accuracy",
                "criteria": [
                    {"name": "Correct codes", "weight": 3, "critical": True},
                    {"name": "Attachments", "weight": 1, "scale": "points", "max_points": 4, "allows_na": True},
                ],
            },
        ],
    }
    replaced = client.put(url + "draft/", draft, format="json")
    assert replaced.status_code == 200 and len(replaced.json()["sections"][0]["criteria"]) == 2
    published = client.post(url + "publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.put(url + "draft/", draft, format="json")
    assert again.status_code == 400  # no draft any more: a published version never changes
    new_draft = client.post(url + "new-draft/")
    assert new_draft.status_code == 201 and new_draft.json()["number"] == 2
    versions = client.get(url + "versions/").json()
    assert [v["status"] for v in versions] == ["draft", "published"]


def test_the_other_side_reads_but_staff_cannot_write(api, world):
    scorecard = (
        api.as_user(world.provider_manager)
        .post("/api/v1/scorecards/", {"engagement": world.engagement.pk, "name": "Chats"}, format="json")
        .json()
    )
    assert api.as_user(world.practice_staff).get(f"/api/v1/scorecards/{scorecard['id']}/").status_code == 200
    refused = api.as_user(world.practice_staff).post(f"/api/v1/scorecards/{scorecard['id']}/publish/")
    assert refused.status_code == 403


def test_an_integration_creates_and_submits_an_audit_and_reads_its_score(api, world, version):
    client = api.as_token(world.integration_raw_token)
    found = criteria(version)
    body = {
        "engagement": world.engagement.pk,
        "agent": world.agent.pk,
        "version": version.pk,
        "interaction_type": "call",
        "interaction_ref": "QA-TOOL-7781",
        "interaction_date": str(timezone.localdate() - timedelta(days=1)),
        "feedback": "From the QA tool.",
        "rating_input": [
            {"criterion": found["Greeting and identification"].pk, "value": 1},
            {"criterion": found["Empathy and tone"].pk, "value": 2, "comment": "Rushed"},
            {"criterion": found["Two patient identifiers verified"].pk, "value": 0},
            {"criterion": found["Insurance captured"].pk, "na": True},
        ],
    }
    created = client.post("/api/v1/audits/", body, format="json")
    assert created.status_code == 201, created.json()
    audit_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["score"] is None
    submitted = client.post(f"/api/v1/audits/{audit_id}/submit/")
    assert submitted.status_code == 200, submitted.json()
    detail = client.get(f"/api/v1/audits/{audit_id}/").json()
    # greeting 2×1 + tone 1×0.25 + ids 3×0 (critical) over 6 → 37.5 before the critical fail
    assert (detail["score"], detail["score_before_critical"]) == ("0.00", "37.50")
    assert detail["passed"] is False and detail["critical_failed"] is True and detail["auditor_side"] == "provider"
    ratings = {r["criterion_name"]: r for r in detail["ratings"]}
    assert ratings["Empathy and tone"]["comment"] == "Rushed" and ratings["Insurance captured"]["na"] is True


def test_patient_data_in_the_reference_is_refused_with_the_reason(api, world, version):
    response = api.as_user(world.provider_manager).post(
        "/api/v1/audits/",
        {
            "engagement": world.engagement.pk,
            "agent": world.agent.pk,
            "version": version.pk,
            "interaction_ref": "555-867-5309",
            "interaction_date": str(timezone.localdate()),
        },
        format="json",
    )
    assert response.status_code == 400 and "phone number" in str(field_errors(response)["interaction_ref"])
    assert not QualityAudit.objects.exists()


def test_a_submitted_audit_cannot_be_changed_through_the_api(api, world, version):
    audit = submitted_audit(world, version)
    response = api.as_user(world.provider_manager).patch(
        f"/api/v1/audits/{audit.pk}/", {"feedback": "Rewritten"}, format="json"
    )
    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.feedback == "Good call overall."


def test_an_agents_token_lists_only_their_audits_and_acknowledges(api, world, version):
    mine = submitted_audit(world, version)
    colleague = factories.make_agent(world.provider)
    from engagements import services as engagement_services

    engagement_services.assign_agent(world.engagement, colleague, by=world.provider_manager)
    client = api.as_user(world.agent_user)
    rows = client.get("/api/v1/audits/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert client.get("/api/v1/scorecards/").json()["results"] == []
    assert client.post(f"/api/v1/audits/{mine.pk}/acknowledge/").json()["status"] == "acknowledged"


def test_a_dispute_through_the_api_decided_by_the_practice(api, world, version):
    audit = submitted_audit(world, version, by=world.practice_manager, greeting=0)
    greeting = criteria(version)["Greeting and identification"].pk
    raised = api.as_user(world.agent_user).post(
        "/api/v1/disputes/",
        {"audit": audit.pk, "reason": "I greeted them.", "item_input": [{"criterion": greeting, "proposed_value": 1}]},
        format="json",
    )
    assert raised.status_code == 201, raised.json()
    dispute = raised.json()
    assert dispute["status"] == "open" and dispute["deciding_side"] == "practice"
    refused = api.as_user(world.practice_manager).post(
        f"/api/v1/disputes/{dispute['id']}/decide/",
        {"note": "", "decisions": [{"criterion": greeting, "decision": "accept"}]},
        format="json",
    )
    assert refused.status_code == 400
    decided = api.as_user(world.practice_manager).post(
        f"/api/v1/disputes/{dispute['id']}/decide/",
        {"note": "Heard it.", "decisions": [{"criterion": greeting, "decision": "accept"}]},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    assert decided.json()["score"] == "100.00" and decided.json()["items"][0]["decision"] == "accept"
    outcome = api.as_user(world.agent_user).get(f"/api/v1/disputes/{dispute['id']}/").json()
    assert outcome["decision_note"] == "Heard it."
