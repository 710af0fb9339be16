"""Every ramp page and endpoint, tried by every persona (the shared access matrix, extended).

Both sides see an engagement's ramp plan, cohort, its agents' ramps and the list; the engagement's managers (either
side) change the plan. The agent sees their own ramp page and endpoint and nothing else of the engagement. Out of
sight is 404; a refused request writes nothing.
"""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from engagements.choices import AgentStatus
from onboarding.models import RampFlag, RampPlan, RampTarget
from onboarding.services import ramp
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    OK,
    PERSONAS,
    READ,
    expect,
    fill,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

LISTS = expect(OK, outsider=OK, other_provider_manager=OK)  # each sees their own rows, maybe none
OWN_RAMP = {**READ, "agent": OK}
MANAGERS_WRITE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)
MANAGERS_FORM = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)
CREATE = {
    **expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN),
    "outsider": 400,
    "other_provider_manager": 400,
    "agent": FORBIDDEN,
}


@pytest.fixture
def objects(world):
    plan = ramp.ensure_default_plan(world.engagement)
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.RAMP)
    RampFlag.objects.create(onboarding=onboarding, week=2, reason="Off target in ramp weeks 1 and 2")
    colleague = make_onboarding(world.engagement, stage=AgentStatus.RAMP)
    unplanned = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    return {
        "engagement": world.engagement.pk,
        "unplanned": unplanned.pk,
        "plan": plan.pk,
        "onboarding": onboarding.pk,
        "colleague": colleague.pk,
        "agent": world.agent.pk,
        "colleague_agent": colleague.agent_id,
    }


def state():
    return (
        LogEntry.objects.count(),
        RampPlan.objects.count(),
        sorted(RampTarget.objects.values_list("plan_id", "week", "metric__code", "threshold")),
        RampFlag.objects.count(),
    )


PLAN_FORM = {"weeks": "2", "consecutive_weeks": "2", "t_1_quality_score": "70", "t_2_quality_score": "85"}

UI_CASES = [
    ("get", "/ramp/", None, LISTS),
    ("get", "/ramp/?_export=csv", None, LISTS),
    ("get", "/ramp/?stage=ramp&flagged=true&entered_from=2026-01-01&engagement={engagement}", None, LISTS),
    ("get", "/engagements/{engagement}/ramp-plan/", None, READ),
    ("get", "/engagements/{engagement}/ramp-plan/?weeks=8", None, READ),
    ("post", "/engagements/{engagement}/ramp-plan/", PLAN_FORM, MANAGERS_FORM),
    ("get", "/engagements/{engagement}/ramp-cohort/", None, READ),
    ("get", "/engagements/{engagement}/ramp-cohort/?from=2026-01-01&to=2026-12-31", None, READ),
    ("get", "/onboardings/{onboarding}/ramp/", None, OWN_RAMP),
    ("get", "/onboardings/{colleague}/ramp/", None, READ),
]

PLAN_BODY = {
    "weeks": 2,
    "consecutive_weeks": 2,
    "targets": [
        {"week": 1, "metric": "quality_score", "threshold": "70"},
        {"week": 2, "metric": "quality_score", "threshold": "85"},
    ],
}

API_CASES = [
    ("get", "/api/v1/ramp-plans/", None, LISTS),
    ("get", "/api/v1/ramp-plans/?engagement={engagement}", None, LISTS),
    ("get", "/api/v1/ramp-plans/{plan}/", None, READ),
    ("post", "/api/v1/ramp-plans/", {**PLAN_BODY, "engagement": "{unplanned}"}, CREATE),
    ("put", "/api/v1/ramp-plans/{plan}/", PLAN_BODY, MANAGERS_WRITE),
    ("patch", "/api/v1/ramp-plans/{plan}/", {"consecutive_weeks": 3}, MANAGERS_WRITE),
    ("delete", "/api/v1/ramp-plans/{plan}/", None, MANAGERS_WRITE),
    ("get", "/api/v1/agents/{agent}/ramp/", None, OWN_RAMP),
    ("get", "/api/v1/agents/{agent}/ramp/?engagement={engagement}", None, OWN_RAMP),
    ("get", "/api/v1/agents/{colleague_agent}/ramp/", None, READ),
]


def fill_data(data, objects):
    if isinstance(data, dict):
        return {key: fill_data(value, objects) for key, value in data.items()}
    if isinstance(data, list):
        return [fill_data(value, objects) for value in data]
    if isinstance(data, str) and data.startswith("{") and data.endswith("}") and data[1:-1] in objects:
        return objects[data[1:-1]]
    return data


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), data, expected, api=False, state=state)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), fill_data(data, objects), expected, api=True, state=state)


def test_the_list_and_the_csv_show_no_other_tenants_agents(world):
    make_onboarding(world.other_engagement, agent=world.other_agent, stage=AgentStatus.RAMP)
    make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.RAMP)
    for url in ("/ramp/", "/ramp/?_export=csv"):
        home = ui_client(world, "practice_manager").get(url).content.decode()
        assert "Ana Reyes" in home and "Omar Other" not in home
        if "csv" in url:
            assert "Ana Reyes,Front desk" in home  # the plain name, not the page's link
        outsider = ui_client(world, "outsider").get(url).content.decode()
        assert "Omar Other" in outsider and "Ana Reyes" not in outsider
    assert "Ana Reyes" not in ui_client(world, "agent").get("/ramp/?_export=csv").content.decode()


def test_a_refused_plan_save_keeps_the_thresholds(world):
    plan = ramp.ensure_default_plan(world.engagement)
    before = sorted(plan.targets.values_list("week", "metric__code", "threshold"))
    response = ui_client(world, "practice_staff").post(f"/engagements/{world.engagement.pk}/ramp-plan/", PLAN_FORM)
    assert response.status_code == 403
    assert sorted(plan.targets.values_list("week", "metric__code", "threshold")) == before
    assert plan.targets.filter(week=1, metric__code="quality_score").get().threshold == Decimal("75.00")
