"""Every pipeline and vetting page and endpoint, tried by every persona (the shared matrix's rules).

Both sides see an engagement's pipeline, onboardings, hiring profile and results; only the provider's managers
(and portal admins) start, move and offboard, record results and send typing tests; both sides' managers edit the
hiring profile. Outsiders and the agent's own login get 404; anonymous visitors sign in (UI) or get 401 (API). The
typing-test link opens its own page to anyone holding it, and nothing else. A refused request writes nothing.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client

from engagements.choices import AgentStatus
from onboarding.services import vetting
from tests import factories
from tests.onboarding.factories import make_onboarding
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
    expect,
    fill,
    run,
    ui_client,
)

pytestmark = pytest.mark.django_db

LISTS = expect(OK, outsider=OK, other_provider_manager=OK, agent=HIDDEN)
READ_NO_AGENT = {**READ, "agent": HIDDEN}
MOVERS_PAGE = expect(FORBIDDEN, provider_manager=OK)
MOVERS = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
PROFILE_EDITORS_PAGE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN)
PROFILE_EDITORS = expect(FORM_OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, admin=FORM_OK)
PUBLIC = dict.fromkeys(API_PERSONAS, OK)

UI_CASES = [
    ("get", "/onboarding/", None, LISTS),
    ("get", "/onboarding/onboardings/", None, LISTS),
    ("get", "/onboarding/onboardings/?_export=csv", None, LISTS),
    ("get", "/onboarding/engagements/{engagement}/pipeline/", None, READ_NO_AGENT),
    ("get", "/onboarding/engagements/{engagement}/hiring-profile/", None, READ_NO_AGENT),
    ("get", "/onboardings/{onboarding}/", None, READ_NO_AGENT),
    ("get", "/onboarding/engagements/{engagement}/pipeline/start/", None, MOVERS_PAGE),
    ("post", "/onboarding/engagements/{engagement}/pipeline/start/", {"agent": "{spare_agent}"}, MOVERS),
    ("get", "/onboardings/{onboarding}/move/", None, MOVERS_PAGE),
    ("post", "/onboardings/{onboarding}/move/", {"to_stage": "vetting"}, MOVERS),
    ("get", "/onboardings/{leaver}/offboard/", None, MOVERS_PAGE),
    ("post", "/onboardings/{leaver}/offboard/", {"reason": "withdrew"}, MOVERS),
    ("get", "/onboardings/{onboarding}/assessments/add/", None, MOVERS_PAGE),
    (
        "post",
        "/onboardings/{onboarding}/assessments/add/",
        {"kind": "cognitive", "test_name": "Wonderlic", "taken_on": "2026-11-20", "raw_score": "70"},
        MOVERS,
    ),
    ("get", "/onboardings/{onboarding}/typing-test/send/", None, MOVERS_PAGE),
    ("post", "/onboardings/{onboarding}/typing-test/send/", {"email": "c@example.test"}, MOVERS_PAGE),
    ("get", "/onboarding/engagements/{engagement}/hiring-profile/require/", None, PROFILE_EDITORS_PAGE),
    (
        "post",
        "/onboarding/engagements/{engagement}/hiring-profile/require/",
        {"kind": "behavioural", "min_score": "60", "required": "on"},
        PROFILE_EDITORS,
    ),
    ("post", "/onboarding/requirements/{requirement}/remove/", {}, PROFILE_EDITORS),
    ("get", "/typing-test/{typing_token}/", None, PUBLIC),
]

API_CASES = [
    ("get", "/api/v1/onboardings/", None, {**LISTS, "agent": OK}),
    ("get", "/api/v1/onboardings/{onboarding}/", None, READ),
    (
        "post",
        "/api/v1/onboardings/",
        {"agent": "{spare_agent}", "engagement": "{engagement}"},
        expect(FORBIDDEN, provider_manager=OK, outsider=FORBIDDEN, other_provider_manager=400, agent=FORBIDDEN),
    ),
    (
        "post",
        "/api/v1/agents/{agent}/stage/",
        {"engagement": "{engagement}", "to_stage": "vetting"},
        expect(FORBIDDEN, provider_manager=OK),
    ),
    ("get", "/api/v1/hiring-profiles/", None, {**LISTS, "agent": OK}),
    ("get", "/api/v1/hiring-profiles/{profile}/", None, READ),
    ("get", "/api/v1/assessments/", None, {**LISTS, "agent": OK}),
    (
        "post",
        "/api/v1/assessments/",
        {"onboarding": "{onboarding}", "kind": "cognitive", "test_name": "W", "taken_on": "2026-11-20",
         "raw_score": "70"},
        expect(FORBIDDEN, provider_manager=OK, integration=OK, outsider=FORBIDDEN, other_provider_manager=400,
               agent=FORBIDDEN),
    ),
]  # fmt: skip


@pytest.fixture
def objects(world):
    vetting.set_requirement(world.engagement, "cognitive", by=world.practice_manager, min_score=60)
    requirement = vetting.set_requirement(world.engagement, "english", by=world.practice_manager, min_cefr="B1")
    onboarding = make_onboarding(world.engagement, agent=world.agent)
    leaver = make_onboarding(world.engagement, stage=AgentStatus.VETTING)
    _, url = vetting.send_typing_test(onboarding, by=world.provider_manager, email="cand@example.test")
    return {
        "engagement": world.engagement.pk,
        "agent": world.agent.pk,
        "spare_agent": factories.make_agent(world.provider, full_name="Spare Agent").pk,
        "onboarding": onboarding.pk,
        "leaver": leaver.pk,
        "requirement": requirement.pk,
        "profile": requirement.profile_id,
        "typing_token": url.rstrip("/").rsplit("/", 1)[1],
    }


def _data(data, objects, *, api):
    if not data:
        return data
    filled = {key: fill(value, objects) for key, value in data.items()}
    if api:
        return {key: int(value) if isinstance(value, str) and value.isdigit() and key != "raw_score" else value
                for key, value in filled.items()}  # fmt: skip
    return filled


@pytest.mark.parametrize("persona", PERSONAS)
def test_ui(world, objects, persona):
    client = ui_client(world, persona)
    for method, url, data, expected in UI_CASES:
        before = LogEntry.objects.count()
        response = run(client, method, fill(url, objects), _data(data, objects, api=False), api=False)
        try:
            check(response, expected[persona], api=False)
        except AssertionError as error:
            raise AssertionError(f"{persona} {method} {url}: {error}") from None
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, f"{persona} {method} {url}: a refused request wrote something"


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_api(world, objects, persona):
    client = api_client(world, persona)
    for method, url, data, expected in API_CASES:
        before = LogEntry.objects.count()
        response = run(client, method, fill(url, objects), _data(data, objects, api=True), api=True)
        try:
            check(response, expected[persona], api=True)
        except AssertionError as error:
            raise AssertionError(f"{persona} {method} {url}: {error} {response.content[:300]}") from None
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, f"{persona} {method} {url}: a refused request wrote something"


def test_the_typing_link_opens_nothing_but_its_own_test(world, objects):
    """Holding the link is no session: every other page sends the holder to sign in, every endpoint says 401, and
    the token opens nothing under another path."""
    client = Client()
    token = objects["typing_token"]
    assert client.get(f"/typing-test/{token}/").status_code == 200
    for url in ("/onboarding/", f"/onboardings/{objects['onboarding']}/", "/", "/engagements/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    assert client.get("/api/v1/onboardings/").status_code == 401
    assert client.get(f"/invitations/{token}/").status_code in (404, 200)  # not an invitation: the form says so
    assert client.get(f"/typing-test/{token}x/").status_code == 404
    assert client.get(f"/api/v1/onboardings/?token={token}").status_code == 401
    assert "_auth_user_id" not in client.session


def test_a_practice_manager_sees_the_board_but_no_move_controls(world, objects):
    client = ui_client(world, "practice_manager")
    board = client.get(f"/onboarding/engagements/{objects['engagement']}/pipeline/").content.decode()
    page = client.get(f"/onboardings/{objects['onboarding']}/").content.decode()
    assert "Ana Reyes" in board and 'data-testid="start-onboarding"' not in board
    assert 'data-testid="stage-actions"' not in page and 'data-testid="record-result"' not in page
    provider_page = ui_client(world, "provider_manager").get(f"/onboardings/{objects['onboarding']}/")
    assert 'data-testid="stage-actions"' in provider_page.content.decode()


def test_the_nav_entry_is_for_both_sides_not_for_agents(world):
    assert 'data-testid="nav-onboarding"' in ui_client(world, "practice_staff").get("/onboarding/").content.decode()
    home = ui_client(world, "agent").get("/", follow=True).content.decode()
    assert 'href="/onboarding/"' not in home


def test_dates_are_well_formed_in_csv(world, objects):
    response = ui_client(world, "provider_manager").get("/onboarding/onboardings/?_export=csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv") and "Ana Reyes" in body
    assert str(date.today().year) in body or "In stage since" in body
