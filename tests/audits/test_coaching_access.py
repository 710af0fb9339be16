"""Every calibration, coaching, sampling and recognition page and endpoint, tried by every persona — the
matrix's eight plus the agent (a login linked to the audited agent). Outsiders and agents get 404 for what they
may not see (an agent sees their own action plans, read-only); a refused request changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audits.models import (
    ActionPlan,
    ActionPlanItem,
    AuditAssignment,
    CalibrationParticipant,
    CalibrationRating,
    CalibrationSession,
    SamplingPolicy,
)
from audits.services import calibration, plans, sampling
from engagements import services
from engagements.choices import AgentStatus, TokenKind
from tests import test_access_matrix as matrix
from tests.audits.coaching_helpers import agent_login, marks, session
from tests.audits.helpers import published_scorecard, submitted_audit
from tests.test_access_matrix import try_each

pytestmark = pytest.mark.django_db

OK, FORM_OK, FORBIDDEN, HIDDEN = matrix.OK, matrix.FORM_OK, 403, 404
PERSONAS = [*matrix.PERSONAS, "agent"]
API_PERSONAS = [*matrix.API_PERSONAS, "agent"]


def expect(default_home, **overrides):
    return {**matrix.expect(default_home, agent=HIDDEN), **overrides}


READ = expect(OK)
EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK, agent=OK)  # lists: each sees their own rows
MANAGERS = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)
MANAGERS_FORM = {**MANAGERS, "practice_manager": FORM_OK, "provider_manager": FORM_OK, "admin": FORM_OK}
PLAN_READ = expect(OK, agent=OK)
PLAN_WRITE = {**MANAGERS, "agent": FORBIDDEN}
PLAN_FORM = {**MANAGERS_FORM, "agent": FORBIDDEN}
CREATE = expect(
    OK,
    practice_staff=FORBIDDEN,
    provider_staff=FORBIDDEN,
    integration=FORBIDDEN,
    agent=FORBIDDEN,
    outsider=400,
    other_provider_manager=400,
)


@pytest.fixture
def objects(world):
    world.agent.status = AgentStatus.LIVE
    world.agent.save()
    world.agent_user = agent_login(world)
    version = published_scorecard(world.engagement, world.practice_manager)
    failing = submitted_audit(world, version, days_ago=3, greeting=0)
    passing = submitted_audit(world, version, days_ago=2)
    closed = session(world, version, title="Closed")
    calibration.save_scores(closed, by=world.practice_manager, ratings=marks(version), submit=True)
    calibration.save_scores(closed, by=world.provider_manager, ratings=marks(version, tone=4), submit=True)
    open_session = session(world, version, title="Open")
    calibration.save_scores(open_session, by=world.practice_manager, ratings=marks(version), submit=True)
    suggestion = plans.suggest_from_audit(failing)
    plan = plans.create_plan(
        engagement=world.engagement,
        agent=world.agent,
        by=world.provider_manager,
        title=suggestion.title,
        owner=world.provider_manager,
        due_on=timezone.localdate() + timedelta(days=7),
        follow_up_on=timezone.localdate() + timedelta(days=7),
        audits=[failing],
        items=suggestion.items,
    )
    policy = sampling.save_policy(world.engagement, by=world.provider_manager)
    sampling.schedule_week(world.engagement)
    assignment = AuditAssignment.objects.filter(kind="sampling").first()
    return {
        "engagement": world.engagement.pk,
        "version": version.pk,
        "failing": failing.pk,
        "passing": passing.pk,
        "closed": closed.pk,
        "open": open_session.pk,
        "plan": plan.pk,
        "item": plan.items.first().pk,
        "policy": policy.pk,
        "assignment": assignment.pk,
        "auditor": world.provider_manager.pk,
        "owner": world.provider_manager.pk,
        "expert": world.practice_manager.pk,
        "participant": world.provider_manager.pk,
        "agent": world.agent.pk,
        "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
        "today": timezone.localdate().isoformat(),
        "soon": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }


def snapshot():
    """Everything a write here could change."""
    return (
        sorted(CalibrationSession.objects.values_list("pk", "status")),
        sorted(CalibrationParticipant.objects.values_list("pk", "submitted_at")),
        CalibrationRating.objects.count(),
        sorted(ActionPlan.objects.values_list("pk", "status", "title", "due_on", "escalated")),
        sorted(ActionPlanItem.objects.values_list("pk", "done")),
        sorted(AuditAssignment.objects.values_list("pk", "audit_id")),
        sorted(SamplingPolicy.objects.values_list("pk", "below_per_week")),
    )


UI_CASES = [
    ("get", "/calibration/", None, EVERYONE),
    ("get", "/calibration/{closed}/", None, READ),
    ("get", "/calibration/{open}/", None, READ),
    (
        "post",
        "/calibration/{open}/score/",
        {"submit": "1"},
        expect(FORBIDDEN, provider_manager=FORM_OK, practice_manager=FORM_OK, admin=FORBIDDEN),
    ),
    ("post", "/calibration/{open}/close/", None, MANAGERS_FORM),
    ("get", "/calibration/auditors/{auditor}/", None, READ),
    ("get", "/engagements/{engagement}/calibration/new/", None, MANAGERS),
    ("get", "/engagements/{engagement}/calibration/two-sided/", None, READ),
    ("get", "/action-plans/", None, EVERYONE),
    ("get", "/action-plans/?_export=csv", None, EVERYONE),
    ("get", "/action-plans/{plan}/", None, PLAN_READ),
    ("get", "/action-plans/{plan}/edit/", None, PLAN_WRITE),
    ("post", "/action-plans/{plan}/cancel/", {"note": "No longer needed."}, PLAN_FORM),
    ("post", "/action-plans/items/{item}/done/", {"done": "1"}, PLAN_FORM),
    ("get", "/audits/{failing}/action-plan/new/", None, {**MANAGERS, "agent": FORBIDDEN}),
    ("get", "/engagements/{engagement}/sampling/", None, READ),
    ("get", "/engagements/{engagement}/sampling/edit/", None, MANAGERS),
    ("post", "/engagements/{engagement}/sampling/schedule/", None, MANAGERS_FORM),
    ("get", "/audit-assignments/", None, EVERYONE),
    ("get", "/audit-assignments/?_export=csv", None, EVERYONE),
    ("get", "/audits/queue/", None, EVERYONE),
    ("post", "/audit-assignments/{assignment}/done/", {"audit": "{passing}"}, MANAGERS_FORM),
    ("get", "/engagements/{engagement}/recognition/", None, READ),
    ("get", "/engagements/{engagement}/recognition/?_export=csv", None, READ),
]

API_CASES = [
    ("get", "/api/v1/calibration-sessions/", None, EVERYONE),
    ("get", "/api/v1/calibration-sessions/{open}/", None, READ),
    ("get", "/api/v1/calibration-sessions/{closed}/report/", None, READ),
    ("get", "/api/v1/calibration-sessions/{open}/report/", None, expect(FORBIDDEN, practice_manager=OK)),
    (
        "post",
        "/api/v1/calibration-sessions/{open}/scores/",
        {"ratings": {}, "submit": False},
        expect(FORBIDDEN, provider_manager=OK, admin=FORBIDDEN, practice_manager=400),
    ),
    ("post", "/api/v1/calibration-sessions/{open}/close/", None, MANAGERS),
    (
        "post",
        "/api/v1/calibration-sessions/",
        {
            "engagement": "{engagement}",
            "version": "{version}",
            "title": "API session",
            "interaction_ref": "C-77",
            "interaction_date": "{today}",
            "deadline": "{deadline}",
            "expert": "{expert}",
            "participants": ["{participant}"],
        },
        CREATE,
    ),
    ("get", "/api/v1/action-plans/", None, EVERYONE),
    ("get", "/api/v1/action-plans/{plan}/", None, PLAN_READ),
    ("patch", "/api/v1/action-plans/{plan}/", {"title": "Renamed plan"}, PLAN_WRITE),
    ("post", "/api/v1/action-plans/{plan}/item-done/", {"item": "{item}", "done": True}, PLAN_WRITE),
    (
        "post",
        "/api/v1/action-plans/",
        {
            "engagement": "{engagement}",
            "agent": "{agent}",
            "audits": ["{failing}"],
            "owner": "{owner}",
            "due_on": "{soon}",
            "follow_up_on": "{soon}",
        },
        CREATE,
    ),
    ("get", "/api/v1/sampling-policies/", None, EVERYONE),
    ("get", "/api/v1/sampling-policies/{policy}/", None, READ),
    ("get", "/api/v1/sampling-policies/{policy}/bands/", None, READ),
    ("patch", "/api/v1/sampling-policies/{policy}/", {"below_per_week": 4}, MANAGERS),
    ("post", "/api/v1/sampling-policies/{policy}/schedule/", None, MANAGERS),
    ("get", "/api/v1/audit-assignments/", None, EVERYONE),
    ("get", "/api/v1/audit-assignments/{assignment}/", None, READ),
    (
        "post",
        "/api/v1/audit-assignments/{assignment}/complete/",
        {"audit": "{passing}"},
        expect(FORBIDDEN, practice_manager=OK, provider_manager=OK, integration=OK),
    ),
]


def fill(value, objects):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in objects:
        found = objects[value[1:-1]]
        return found
    if isinstance(value, str):
        return value.format(**objects)
    if isinstance(value, list):
        return [fill(v, objects) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, objects) for k, v in value.items()}
    return value


def user_of(world, persona):
    return world.agent_user if persona == "agent" else getattr(world, persona)


def ui_client(world, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(user_of(world, persona))
    return client


def api_client(world, persona):
    client = APIClient()
    if persona == "integration":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.integration_raw_token}")
    elif persona != "anonymous":
        _, raw = services.create_api_token(name="matrix", kind=TokenKind.PERSONAL, by=user_of(world, persona))
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def check(response, expected, *, api):
    if expected == 400:
        assert response.status_code == 400, response.status_code
    else:
        matrix.check(response, expected, api=api)


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), fill(data, objects), expected, api=False, state=snapshot)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), fill(data, objects), expected, api=True, state=snapshot)


@pytest.mark.parametrize(
    "url", ["/api/v1/calibration-sessions/", "/api/v1/action-plans/", "/api/v1/audit-assignments/"]
)
def test_outsiders_and_agents_list_none_of_the_engagements_rows(world, objects, url):
    assert api_client(world, "outsider").get(url).json()["results"] == []
    rows = api_client(world, "agent").get(url).json()["results"]
    assert rows == [] if "action-plans" not in url else [r["id"] for r in rows] == [objects["plan"]]
