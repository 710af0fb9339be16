"""Every responsibilities page and endpoint, tried by every persona (the shared access matrix's pattern).

Both sides read an engagement's ladder, matrix and grants, and the provider's integration reads the routing
answers; either side's managers edit the ladder; only the provider's managers grant, revoke and reinstate.
Outsiders get 404 for the home engagement; the agent's own login has no engagement workspace (404). A refused
request writes nothing."""

import pytest
from auditlog.models import LogEntry

from engagements.choices import AgentStatus
from engagements.models import ServiceLine
from onboarding.choices import SuspensionCause
from onboarding.models import Responsibility
from onboarding.services import responsibilities as services
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.responsibilities.conftest import make_ready
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    READ,
    api_client,
    check,
    each_persona,
    expect,
    run,
    ui_client,
)

pytestmark = pytest.mark.django_db

EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK, agent=HIDDEN)  # each sees their own, maybe none
LADDER_EDITORS = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)
GRANTERS = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
API_GRANTERS = expect(FORBIDDEN, provider_manager=OK)


@pytest.fixture
def objects(world, setup):
    """Ana holds scheduling; Bo is suspended there for a critical fail; Cy is ready and not granted."""
    make_ready(world, setup)
    held = services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    bo = factories.make_agent(world.provider, full_name="Bo Suspended")
    make_onboarding(world.engagement, agent=bo, stage=AgentStatus.LIVE)
    make_ready(world, setup, agent=bo, user=world.provider_manager)
    suspended = services.grant(bo.onboardings.get(), setup.first, by=world.provider_manager)
    services.suspend(suspended, cause=SuspensionCause.CRITICAL_FAIL, reason="Critical fail in a test audit.")
    cy = factories.make_agent(world.provider, full_name="Cy Ready")
    ready = make_onboarding(world.engagement, agent=cy, stage=AgentStatus.LIVE)
    make_ready(world, setup, agent=cy, user=world.provider_manager)
    return {
        "engagement": world.engagement.pk,
        "agent": world.agent.pk,
        "ladder": setup.ladder.pk,
        "rung": setup.rungs[1].pk,
        "last_rung": setup.rungs[-1].pk,
        "first": setup.first.pk,
        "ready": ready.pk,
        "held": held.pk,
        "suspended": suspended.pk,
        "data_entry": ServiceLine.objects.get(code="data_entry").pk,
    }


UI_CASES = [
    ("get", "/responsibilities/", None, EVERYONE),
    ("get", "/engagements/{engagement}/ladder/", None, READ),
    (
        "post",
        "/engagements/{engagement}/ladder/rungs/",
        {"service_line": "{data_entry}", "hold_weeks": "2", "target_days": "28"},
        LADDER_EDITORS,
    ),
    ("post", "/engagements/{engagement}/ladder/default/", None, LADDER_EDITORS),  # refused (there is one): no write
    ("get", "/ladder-rungs/{rung}/edit/", None, expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN)),
    (
        "post",
        "/ladder-rungs/{rung}/edit/",
        {"service_line": "{rung_line}", "hold_weeks": "6", "target_days": "28"},
        LADDER_EDITORS,
    ),
    ("post", "/ladder-rungs/{rung}/move/", {"direction": "down"}, LADDER_EDITORS),
    ("post", "/ladder-rungs/{last_rung}/delete/", None, LADDER_EDITORS),
    ("get", "/engagements/{engagement}/responsibilities/", None, READ),
    ("get", "/engagements/{engagement}/responsibilities/?_export=csv", None, READ),
    ("get", "/engagements/{engagement}/responsibilities/?q=ana&stage=live&line=scheduling&state=held", None, READ),
    ("get", "/onboardings/{ready}/responsibilities/{first}/grant/", None, expect(FORBIDDEN, provider_manager=OK)),
    ("post", "/onboardings/{ready}/responsibilities/{first}/grant/", None, GRANTERS),
    ("get", "/responsibilities/{held}/", None, READ),
    ("post", "/responsibilities/{held}/revoke/", {"reason": "Left the queue."}, GRANTERS),
    ("post", "/responsibilities/{suspended}/reinstate/", {"note": "Coached."}, GRANTERS),
]

API_CASES = [
    ("get", "/api/v1/routing/?engagement={engagement}&service_line=scheduling", None, READ),
    ("get", "/api/v1/agents/{agent}/responsibilities/", None, READ),
    ("get", "/api/v1/ladders/", None, EVERYONE),
    ("get", "/api/v1/ladders/{ladder}/", None, READ),
    ("get", "/api/v1/responsibilities/", None, EVERYONE),
    ("get", "/api/v1/responsibilities/?status=suspended&engagement={engagement}", None, EVERYONE),
    ("get", "/api/v1/responsibilities/{held}/", None, READ),
    (
        "post",
        "/api/v1/responsibilities/",
        {"onboarding": "{ready}", "rung": "{first}"},
        {**API_GRANTERS, "outsider": 400, "other_provider_manager": 400, "agent": HIDDEN},
    ),
    ("post", "/api/v1/responsibilities/{held}/revoke/", {"reason": "Left the queue."}, API_GRANTERS),
    ("post", "/api/v1/responsibilities/{suspended}/reinstate/", {"note": "Coached."}, API_GRANTERS),
]


def _fill(value, objects):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and "/" not in value:
        return objects[value[1:-1]]
    return value.format(**objects) if isinstance(value, str) else value


def _state():
    return (LogEntry.objects.count(), list(Responsibility.objects.order_by("pk").values_list("status", flat=True)))


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, setup, objects, method, url, data, expected):
    objects = {**objects, "rung_line": setup.rungs[1].service_line_id}
    body = {k: str(_fill(v, objects)) for k, v in data.items()} if data else data

    def attempt(persona):
        before = _state()
        response = run(ui_client(world, persona), method, _fill(url, objects), body, api=False)
        check(response, expected[persona], api=False)
        if expected[persona] not in (OK, FORM_OK):
            assert _state() == before, "a refused request wrote something"

    each_persona(PERSONAS, attempt)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    body = {k: _fill(v, objects) for k, v in data.items()} if data else data

    def attempt(persona):
        client = api_client(world, persona)
        before = _state()
        response = run(client, method, _fill(url, objects), body, api=True)
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert _state() == before, "a refused request wrote something"

    each_persona(API_PERSONAS, attempt)


def test_outsiders_lists_show_none_of_the_home_engagements_rows(world, objects):
    for url in ("/api/v1/ladders/", "/api/v1/responsibilities/"):
        assert api_client(world, "outsider").get(url).json()["results"] == []
    page = ui_client(world, "outsider").get("/responsibilities/").content.decode()
    assert "Front desk" not in page
