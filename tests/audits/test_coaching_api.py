"""The calibration, action-plan and sampling API: blind scores, the report, plans from an audit, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import ActionPlan
from audits.services import calibration, plans, sampling
from engagements.choices import AgentStatus, Role
from tests import factories
from tests.audits.coaching_helpers import marks, session
from tests.audits.helpers import published_scorecard, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    world.agent.status = AgentStatus.LIVE
    world.agent.save()
    return published_scorecard(world.engagement, world.practice_manager)


def test_scores_are_null_for_the_others_until_you_submit(world, version, api):
    s = session(world, version)
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    client = api.as_user(world.provider_manager)
    body = client.get(f"/api/v1/calibration-sessions/{s.pk}/").json()
    expert = next(p for p in body["participants"] if p["is_expert"])
    assert expert["submitted_at"] and expert["score"] is None and expert["ratings"] == [] and not expert["visible"]
    assert client.get(f"/api/v1/calibration-sessions/{s.pk}/report/").status_code == 403

    ratings = {str(k): v for k, v in marks(version, tone=3).items()}
    response = client.post(
        f"/api/v1/calibration-sessions/{s.pk}/scores/", {"ratings": ratings, "submit": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "closed"
    assert next(p for p in body["participants"] if p["is_expert"])["score"] == "100.00"
    report = client.get(f"/api/v1/calibration-sessions/{s.pk}/report/").json()
    assert report["auditors"][0]["bias"] == -0.125 and report["auditors"][0]["tendency"] == "harsher"
    assert {"criteria", "krippendorff_alpha", "panel", "submitted"} <= set(report)


def test_an_action_plan_from_an_audit_gets_its_failed_criteria(world, version, api):
    audit = submitted_audit(world, version, days_ago=2, ids=0)
    soon = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = api.as_user(world.practice_manager).post(
        "/api/v1/action-plans/",
        {
            "engagement": world.engagement.pk,
            "agent": world.agent.pk,
            "audits": [audit.pk],
            "owner": world.practice_manager.pk,
            "due_on": soon,
            "follow_up_on": soon,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["causing_audits"] == [audit.pk]
    assert [item["description"] for item in body["items"]] == ["Improve “Two patient identifiers verified” (critical)."]


def test_a_bad_plan_is_refused_and_nothing_is_saved(world, version, api):
    audit = submitted_audit(world, version, days_ago=2, ids=0)
    response = api.as_user(world.practice_manager).post(
        "/api/v1/action-plans/",
        {
            "engagement": world.engagement.pk,
            "agent": world.agent.pk,
            "audits": [audit.pk],
            "owner": world.outsider.pk,
            "due_on": "2020-01-01",
            "follow_up_on": "2020-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and not ActionPlan.objects.exists()


def grow(world, version, n):
    """n more agents, each with a failing audit, a plan and this week's assignments; and n calibration sessions."""
    for i in range(n):
        agent = factories.make_agent(world.provider, full_name=f"Agent {i} {timezone.now().timestamp()}")
        agent.status = AgentStatus.LIVE
        agent.save()
        from engagements import services as engagement_services

        engagement_services.assign_agent(world.engagement, agent, by=world.provider_manager)
        world.agent = agent
        audit = submitted_audit(world, version, days_ago=2, greeting=0)
        suggestion = plans.suggest_from_audit(audit)
        plans.create_plan(
            engagement=world.engagement,
            agent=agent,
            by=world.provider_manager,
            title=suggestion.title,
            owner=world.provider_manager,
            due_on=timezone.localdate(),
            follow_up_on=timezone.localdate() + timedelta(days=3),
            audits=[audit],
            items=suggestion.items,
        )
        s = session(world, version, title=f"S{i}")
        calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    sampling.schedule_week(world.engagement)


LISTS = [
    "/api/v1/calibration-sessions/",
    "/api/v1/action-plans/",
    "/api/v1/audit-assignments/",
    "/api/v1/sampling-policies/",
]
PAGES = ["/calibration/", "/action-plans/", "/audit-assignments/", "/audits/queue/"]


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", LISTS + PAGES)
def test_list_query_counts_do_not_grow_with_the_rows(world, version, api, client, url):
    sampling.save_policy(world.engagement, by=world.provider_manager)
    factories.make_member(world.provider, Role.MANAGER)  # a second auditor to spread over
    client.force_login(world.provider_manager)
    token_client = api.as_user(world.provider_manager)
    get = (lambda: token_client.get(url)) if url.startswith("/api/") else (lambda: client.get(url))
    grow(world, version, 2)
    get()  # the token's first use of the minute records itself; measure after it
    small = count_queries(get)
    grow(world, version, 5)
    assert count_queries(get) == small


@pytest.mark.parametrize("page", ["sampling", "recognition"])
def test_engagement_page_query_counts_do_not_grow_with_the_agents(world, version, client, page):
    client.force_login(world.practice_manager)
    url = f"/engagements/{world.engagement.pk}/{page}/"
    grow(world, version, 2)
    small = count_queries(lambda: client.get(url))
    grow(world, version, 4)
    assert count_queries(lambda: client.get(url)) == small
