"""Every transition page, action and endpoint, tried by every persona (the shared access matrix).

Both sides read the plan; the practice's managers plan phases, set gate criteria, start the plan and decide gates;
either side's managers keep milestones; staff and integrations read only. The outsider and the other provider's
manager get 404. A refused request writes nothing.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from engagements.models import GateCriterion, GateDecision, Milestone, TransitionPhase
from tests.engagements import transition_fixtures
from tests.test_access_matrix import (
    API_PERSONAS,
    DIRECTORY,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    READ,
    api_client,
    each_persona,
    expect,
    fill,
    fill_form,
    try_each,
)

pytestmark = pytest.mark.django_db
plan, started = transition_fixtures.plan, transition_fixtures.started

PRACTICE_PAGES = expect(FORBIDDEN, practice_manager=OK)
PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
MANAGER_PAGES = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK)
MANAGER_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)
API_PRACTICE = expect(FORBIDDEN, practice_manager=OK)
API_MANAGERS = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)


@pytest.fixture
def objects(world, started):
    """The first phase active with a ready gate and an overdue milestone; the second phase planned."""
    target = started.target()
    for start in started.closed(target, 2):
        started.kpi(target, start, 90)
    criterion = started.criterion(target)
    spare = started.target("abandonment_rate", "5")
    milestone = Milestone.objects.create(
        phase=started.first, title="Scripts signed off", owner_name="Bea", due_on=started.today - timedelta(days=2)
    )
    return {
        "engagement": world.engagement.pk,
        "first": started.first.pk,
        "second": started.second.pk,
        "criterion": criterion.pk,
        "spare_target": spare.pk,
        "milestone": milestone.pk,
        "today": started.today.isoformat(),
    }


PHASE_FORM = {"name": "A/R follow-up", "planned_start": "{today}", "planned_end": "{today}"}

UI_CASES = [
    ("get", "/engagements/{engagement}/transition/", None, READ),
    ("get", "/transition/milestones/", None, DIRECTORY),
    ("get", "/transition/milestones/?_export=csv", None, DIRECTORY),
    ("get", "/transition/phases/{first}/gate/", None, READ),
    ("get", "/engagements/{engagement}/transition/phases/new/", None, PRACTICE_PAGES),
    ("post", "/engagements/{engagement}/transition/phases/new/", PHASE_FORM, PRACTICE_WRITES),
    ("get", "/transition/phases/{second}/edit/", None, PRACTICE_PAGES),
    ("post", "/transition/phases/{second}/edit/", {**PHASE_FORM, "order": "2"}, PRACTICE_WRITES),
    ("post", "/transition/phases/{second}/delete/", None, PRACTICE_WRITES),
    ("post", "/transition/phases/{first}/gate/decision/", {"outcome": "go"}, PRACTICE_WRITES),
    ("post", "/transition/phases/{first}/gate/decision/", {"outcome": "no_go", "note": "Wait"}, PRACTICE_WRITES),
    ("get", "/transition/phases/{first}/criteria/new/", None, PRACTICE_PAGES),
    (
        "post",
        "/transition/phases/{first}/criteria/new/",
        {"target": "{spare_target}", "consecutive_periods": "2"},
        PRACTICE_WRITES,
    ),
    ("post", "/transition/criteria/{criterion}/delete/", None, PRACTICE_WRITES),
    ("get", "/transition/phases/{first}/milestones/new/", None, MANAGER_PAGES),
    (
        "post",
        "/transition/phases/{first}/milestones/new/",
        {"title": "Access granted", "owner_name": "IT", "due_on": "{today}"},
        MANAGER_WRITES,
    ),
    ("get", "/transition/milestones/{milestone}/edit/", None, MANAGER_PAGES),
    (
        "post",
        "/transition/milestones/{milestone}/edit/",
        {"title": "Scripts approved", "owner_name": "Bea", "due_on": "{today}"},
        MANAGER_WRITES,
    ),
    ("post", "/transition/milestones/{milestone}/done/", None, MANAGER_WRITES),
]
# Allowed posts that must change something (the plan actions below refuse politely and change nothing).
READ_ONLY_POSTS = {"/transition/start/", "/transition/standard-plan/"}
UI_CASES += [
    ("post", "/engagements/{engagement}/transition/start/", None, PRACTICE_WRITES),
    ("post", "/engagements/{engagement}/transition/standard-plan/", None, PRACTICE_WRITES),
]


def state():
    return (
        LogEntry.objects.count(),
        sorted(TransitionPhase.objects.values_list("pk", "name", "status", "updated_at")),
        sorted(GateCriterion.objects.values_list("pk", "consecutive_periods")),
        sorted(Milestone.objects.values_list("pk", "title", "done_at")),
        GateDecision.objects.count(),
    )


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(
        PERSONAS,
        world,
        method,
        fill(url, objects),
        fill_form(data, objects),
        expected,
        api=False,
        state=state,
        must_write=method == "post" and not any(part in url for part in READ_ONLY_POSTS),
    )


API_CASES = [
    ("get", "/api/v1/transition-phases/", None, {**DIRECTORY, "integration": OK}),
    ("get", "/api/v1/transition-phases/{first}/", None, READ),
    ("get", "/api/v1/transition-phases/{first}/gate/", None, READ),
    ("get", "/api/v1/transition-phases/{first}/decisions/", None, READ),
    ("patch", "/api/v1/transition-phases/{second}/", {"name": "Claims and billing"}, API_PRACTICE),
    ("delete", "/api/v1/transition-phases/{second}/", None, API_PRACTICE),
    ("post", "/api/v1/transition-phases/{first}/gate-decision/", {"outcome": "go"}, API_PRACTICE),
    (
        "post",
        "/api/v1/transition-phases/{first}/gate-decision/",
        {"outcome": "no_go", "note": "Not yet"},
        API_PRACTICE,
    ),
    ("get", "/api/v1/gate-criteria/", None, {**DIRECTORY, "integration": OK}),
    ("get", "/api/v1/gate-criteria/{criterion}/", None, READ),
    ("patch", "/api/v1/gate-criteria/{criterion}/", {"consecutive_periods": 1}, API_PRACTICE),
    ("delete", "/api/v1/gate-criteria/{criterion}/", None, API_PRACTICE),
    ("get", "/api/v1/milestones/", None, {**DIRECTORY, "integration": OK}),
    ("get", "/api/v1/milestones/{milestone}/", None, READ),
    ("patch", "/api/v1/milestones/{milestone}/", {"title": "Scripts approved"}, API_MANAGERS),
    ("post", "/api/v1/milestones/{milestone}/done/", None, API_MANAGERS),
    ("delete", "/api/v1/milestones/{milestone}/", None, API_MANAGERS),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(
        API_PERSONAS,
        world,
        method,
        fill(url, objects),
        data,
        expected,
        api=True,
        state=state,
        must_write=method != "get",
    )


# Creating: who may add a phase, a criterion or a milestone to the home engagement. Someone who manages another
# engagement gets 400 "No engagement with id …" (the id is not theirs to see); someone who manages none gets 403.
CREATE_CASES = [
    (
        "/api/v1/transition-phases/",
        {"engagement": "{engagement}", "name": "A/R", "planned_start": "{today}", "planned_end": "{today}"},
        "manage_contract",
    ),
    ("/api/v1/gate-criteria/", {"phase": "{second}", "target": "{spare_target}", "consecutive_periods": 2}, "pm"),
    (
        "/api/v1/milestones/",
        {"phase": "{first}", "title": "Go-live call", "owner_name": "Bea", "due_on": "{today}"},
        "m",
    ),
]
CREATE_EXPECTED = {
    "manage_contract": expect(FORBIDDEN, practice_manager=201, admin=201, outsider=400, provider_manager=FORBIDDEN),
    "pm": expect(FORBIDDEN, practice_manager=201, admin=201, outsider=400),
    "m": expect(
        FORBIDDEN, practice_manager=201, provider_manager=201, admin=201, outsider=400, other_provider_manager=400
    ),
}


@pytest.mark.parametrize(("url", "body", "who"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_api_create(world, objects, url, body, who):
    def attempt(persona, url=url, body=body, who=who):
        body = {key: fill(value, objects) for key, value in body.items()}
        body = {key: int(value) if key in ("engagement", "phase", "target") else value for key, value in body.items()}
        expected = CREATE_EXPECTED[who][persona]
        client = api_client(world, persona)
        before = state()
        response = client.post(url, body, format="json")
        if expected == "login":
            assert response.status_code == 401
        elif expected == OK:
            assert response.status_code == 201, response.content
        elif expected == HIDDEN:
            assert response.status_code in (400, 403), response.content  # a create has no object to hide
        else:
            assert response.status_code == expected, response.content
        if response.status_code != 201:
            assert state() == before

    each_persona(API_PERSONAS, attempt)
