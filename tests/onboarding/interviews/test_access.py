"""Every interviews page and endpoint, tried by every persona (the shared access matrix, extended).

Both sides see an engagement's rounds, interviews and feedback; either side's managers set rounds and schedule
interviews; only the interviewers on a panel give feedback on it; only the provider's managers override a round.
The agent persona sees none of it (404; lists are empty). A refused request writes nothing.
"""

import pytest
from auditlog.models import LogEntry

from onboarding.models import Interview, InterviewFeedback, InterviewRound
from onboarding.services import interviews as svc
from tests import factories
from tests.onboarding.interviews.helpers import candidate, give, rounds_for, schedule
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
    fill,
    run,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK)
MANAGER_PAGES = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN)
MANAGER_ACTIONS = expect(FORM_OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, admin=FORM_OK)
PANEL_PAGE = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK, admin=FORBIDDEN)
PANEL_ACTION = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORBIDDEN)
OVERRIDE_PAGE = expect(FORBIDDEN, provider_manager=OK, admin=FORBIDDEN)
OVERRIDE_ACTION = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORBIDDEN)
API_MANAGERS_WRITE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)
API_MANAGERS_CREATE = expect(
    OK,
    practice_staff=FORBIDDEN,
    provider_staff=FORBIDDEN,
    integration=FORBIDDEN,
    outsider=400,
    other_provider_manager=400,
)


@pytest.fixture
def objects(world):
    round1, round2 = rounds_for(world.engagement)
    spare = svc.create_round(
        engagement=world.engagement,
        by=world.practice_manager,
        number=3,
        name="Spare",
        expected_skills=["Typing"],
        expected_average=3,
    )
    onboarding = candidate(world)
    interview = schedule(world, onboarding, round1)
    failing = candidate(world, agent=factories.make_agent(world.provider, full_name="Fay Failing"))
    failed = schedule(world, failing, round1, interviewers=[world.provider_staff, world.practice_staff])
    give(failed, world.provider_staff, 2)
    feedback = give(failed, world.practice_staff, 2)
    fresh = candidate(world, agent=factories.make_agent(world.provider, full_name="Nia New"))
    return {
        "engagement": world.engagement.pk,
        "round1": round1.pk,
        "round2": round2.pk,
        "spare_round": spare.pk,
        "onboarding": onboarding.pk,
        "fresh": fresh.pk,
        "interview": interview.pk,
        "failed": failed.pk,
        "feedback": feedback.pk,
        "provider_staff": world.provider_staff.pk,
    }


def state():
    return (
        LogEntry.objects.count(),
        list(Interview.objects.order_by("pk").values_list("status", "override_reason")),
        InterviewFeedback.objects.count(),
        list(InterviewRound.objects.order_by("pk").values_list("name", "expected_average")),
    )


ROUND_FORM = {"number": "4", "name": "Panel", "expected_skills": "Typing\nJudgement", "expected_average": "3.00"}
FEEDBACK_FORM = {"skill_0": "4", "skill_1": "4", "skill_2": "5", "notes": "Clear.", "cleared": "yes"}

UI_CASES = [
    ("get", "/engagements/{engagement}/interview-rounds/", None, READ),
    ("post", "/engagements/{engagement}/interview-rounds/", ROUND_FORM, MANAGER_ACTIONS),
    ("post", "/engagements/{engagement}/interview-rounds/defaults/", None, MANAGER_ACTIONS),
    ("get", "/interview-rounds/{round2}/edit/", None, MANAGER_PAGES),
    ("post", "/interview-rounds/{round2}/edit/", {**ROUND_FORM, "number": "2", "name": "Deep"}, MANAGER_ACTIONS),
    ("post", "/interview-rounds/{spare_round}/delete/", None, MANAGER_ACTIONS),
    ("get", "/onboardings/{fresh}/interviews/schedule/", None, MANAGER_PAGES),
    (
        "post",
        "/onboardings/{fresh}/interviews/schedule/",
        {"round": "{round1}", "scheduled_at": "2026-12-10T10:00", "interviewers": "{provider_staff}"},
        MANAGER_ACTIONS,
    ),
    ("get", "/interviews/", None, EVERYONE),
    ("get", "/interviews/?_export=csv", None, EVERYONE),
    ("get", "/interviews/?mine=on&status=scheduled&round=1&engagement={engagement}", None, EVERYONE),
    ("get", "/interviews/{interview}/", None, READ),
    ("get", "/interviews/{failed}/", None, READ),
    ("get", "/interviews/{interview}/feedback/", None, PANEL_PAGE),
    ("post", "/interviews/{interview}/feedback/", FEEDBACK_FORM, PANEL_ACTION),
    ("get", "/interviews/{failed}/override/", None, OVERRIDE_PAGE),
    ("post", "/interviews/{failed}/override/", {"reason": "Re-heard the recording."}, OVERRIDE_ACTION),
    ("get", "/onboardings/{onboarding}/", None, READ),
]

RATINGS = {"Spoken English clarity": 4, "Empathy": 4, "Professionalism": 5}

API_CASES = [
    ("get", "/api/v1/interview-rounds/", None, EVERYONE),
    ("get", "/api/v1/interview-rounds/?engagement={engagement}", None, EVERYONE),
    ("get", "/api/v1/interview-rounds/{round1}/", None, READ),
    (
        "post",
        "/api/v1/interview-rounds/",
        {"engagement": "{engagement}", "number": 4, "name": "Panel", "expected_skills": ["X"], "expected_average": 3},
        API_MANAGERS_CREATE,
    ),
    ("patch", "/api/v1/interview-rounds/{round2}/", {"name": "Renamed"}, API_MANAGERS_WRITE),
    ("delete", "/api/v1/interview-rounds/{spare_round}/", None, API_MANAGERS_WRITE),
    ("get", "/api/v1/interviews/", None, EVERYONE),
    ("get", "/api/v1/interviews/?mine=true&status=failed", None, EVERYONE),
    ("get", "/api/v1/interviews/{interview}/", None, READ),
    (
        "post",
        "/api/v1/interviews/",
        {
            "onboarding": "{fresh}",
            "round": "{round1}",
            "scheduled_at": "2026-12-10T10:00:00Z",
            "interviewers": ["{provider_staff}"],
        },
        API_MANAGERS_CREATE,
    ),
    (
        "post",
        "/api/v1/interviews/{failed}/override/",
        {"reason": "Re-heard the recording."},
        expect(FORBIDDEN, provider_manager=OK, admin=FORBIDDEN),
    ),
    ("get", "/api/v1/interview-feedback/", None, EVERYONE),
    ("get", "/api/v1/interview-feedback/?interview={failed}", None, EVERYONE),
    ("get", "/api/v1/interview-feedback/{feedback}/", None, READ),
    (
        "post",
        "/api/v1/interview-feedback/",
        {"interview": "{interview}", "ratings": RATINGS, "notes": "Clear.", "cleared": True},
        expect(
            FORBIDDEN,
            practice_manager=OK,
            provider_manager=OK,
            admin=FORBIDDEN,
            outsider=400,
            other_provider_manager=400,
        ),
    ),
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
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        before = state()
        data = {key: fill(value, objects) for key, value in data.items()} if data else data
        response = run(ui_client(world, persona), method, fill(url, objects), data, api=False)
        check(response, expected[persona], api=False)
        if expected[persona] not in (OK, FORM_OK):
            assert state() == before, "a refused request wrote something"
        elif method == "post" and not url.endswith("/defaults/"):  # the defaults are already there: nothing to add
            assert state() != before, "an allowed write changed nothing"

    each_persona(PERSONAS, attempt)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), fill_data(data, objects), expected, api=True, state=state)


def test_agents_and_outsiders_lists_show_none_of_the_engagements_interviews(world, objects):
    for persona in ("agent", "outsider", "other_provider_manager"):
        assert ui_client(world, persona).get("/interviews/?_export=csv").content.decode().count("\n") <= 1
        for url in ("/api/v1/interviews/", "/api/v1/interview-feedback/", "/api/v1/interview-rounds/"):
            assert api_client(world, persona).get(url).json()["results"] == [], (persona, url)
    assert "Fay Failing" in ui_client(world, "practice_staff").get("/interviews/?_export=csv").content.decode()


assert HIDDEN == 404  # the matrix's "out of sight" is a 404, never a 403
