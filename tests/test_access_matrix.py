"""Every UI page and action and every API endpoint, tried by every persona.

The home engagement belongs to `practice` and `provider`. Their managers and staff get what their role allows
(2xx or a redirect after a successful form post) or 403 when they may see but not do; the outsider and the other
provider's manager get 404 — never 403, which would confirm the object exists. Anonymous visitors are sent to
sign in (UI) or get 401 (API). A refused request must write nothing: every write to engagement data is
audit-logged, so the log must not grow.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import Role, TokenKind
from engagements.models import Location
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = [
    "practice_manager",
    "practice_staff",
    "provider_manager",
    "provider_staff",
    "outsider",
    "other_provider_manager",
    "admin",
    "anonymous",
    "agent",  # an agent's own login: no engagement workspace at all, like an outsider
]
API_PERSONAS = [*PERSONAS, "integration"]
OK, FORM_OK, FORBIDDEN, HIDDEN = "ok", "form-ok", 403, 404


def expect(default_home, **overrides):
    """Expected outcome per persona: outsiders 404, admin allowed, home personas `default_home` unless overridden."""
    table = {
        "practice_manager": default_home,
        "practice_staff": default_home,
        "provider_manager": default_home,
        "provider_staff": default_home,
        "integration": default_home,
        "outsider": HIDDEN,
        "other_provider_manager": HIDDEN,
        "admin": OK,
        "anonymous": "login",
    }
    table.update(overrides)
    # An agent's login is refused as an outsider is (404 for anything of an engagement), unless a case says so;
    # where an outsider's create gets as far as 400 ("no engagement with id …"), an agent, who may create nothing
    # anywhere, is refused before that (403).
    table.setdefault("agent", FORBIDDEN if table["outsider"] == 400 else table["outsider"])
    return table


READ = expect(OK)
MANAGERS_WRITE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)
PRACTICE_MANAGERS = expect(FORBIDDEN, practice_manager=OK)
PROVIDER_MANAGERS = expect(FORBIDDEN, provider_manager=OK)
DIRECTORY = expect(OK, outsider=OK, other_provider_manager=OK)
OWN_PROVIDER_EDIT = expect(FORBIDDEN, provider_manager=OK, outsider=FORBIDDEN, other_provider_manager=FORBIDDEN)


@pytest.fixture
def objects(world):
    """Extra rows the matrix needs, beside the `world` personas."""
    services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        evaluation_months=6,
        notice_days=60,
    )
    factories.approve_due_diligence(world.engagement, by=world.practice_manager)  # so it may leave vetting
    location = Location.objects.create(practice=world.practice, name="Main clinic", city="Albany")
    spare_agent = factories.make_agent(world.provider, full_name="Spare Agent")
    invitation, _ = services.invite_member(
        organization=world.practice, email="inv@example.test", role=Role.STAFF, by=world.practice_manager
    )
    personal_token, _ = services.create_api_token(name="pm", kind=TokenKind.PERSONAL, by=world.practice_manager)
    return {
        "engagement": world.engagement.pk,
        "practice": world.practice.pk,
        "provider": world.provider.pk,
        "agent": world.agent.pk,
        "spare_agent": spare_agent.pk,
        "location": location.pk,
        "staff_membership": world.practice_staff.membership.pk,
        "invitation": invitation.pk,
        "integration_token": world.integration_token.pk,
        "personal_token": personal_token.pk,
        "assignment": world.engagement.assignments.get().pk,
    }


UI_CASES = [
    ("get", "/engagements/{engagement}/", None, READ),
    ("get", "/engagements/{engagement}/edit/", None, MANAGERS_WRITE),
    (
        "post",
        "/engagements/{engagement}/edit/",
        {"name": "Renamed"},
        {**MANAGERS_WRITE, "practice_manager": FORM_OK, "provider_manager": FORM_OK, "admin": FORM_OK},
    ),
    (
        "post",
        "/engagements/{engagement}/status/",
        {"status": "contracting"},
        {**MANAGERS_WRITE, "practice_manager": FORM_OK, "provider_manager": FORM_OK, "admin": FORM_OK},
    ),
    ("get", "/engagements/{engagement}/contract/", None, READ),
    ("get", "/engagements/{engagement}/contract/edit/", None, expect(FORBIDDEN, practice_manager=OK)),
    (
        "post",
        "/engagements/{engagement}/contract/edit/",
        {
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-01",
            "evaluation_months": 6,
            "notice_days": 30,
            "checkpoint_interval_months": 3,
            "termination_breach_count": 3,
            "termination_window_months": 6,
        },
        expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK),
    ),
    (
        "post",
        "/engagements/{engagement}/agents/",
        {"agent": "{spare_agent}"},
        expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK),
    ),
    (
        "post",
        "/engagements/{engagement}/agents/{assignment}/remove/",
        None,
        expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK),
    ),
    ("get", "/practices/{practice}/", None, READ),
    ("get", "/practices/{practice}/edit/", None, PRACTICE_MANAGERS),
    ("get", "/practices/{practice}/locations/new/", None, PRACTICE_MANAGERS),
    ("get", "/locations/{location}/edit/", None, PRACTICE_MANAGERS),
    ("post", "/locations/{location}/delete/", None, expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)),
    ("get", "/providers/{provider}/", None, DIRECTORY),
    ("get", "/providers/{provider}/edit/", None, OWN_PROVIDER_EDIT),
    ("get", "/agents/{agent}/", None, READ),
    ("get", "/agents/{agent}/edit/", None, PROVIDER_MANAGERS),
    # People and tokens belong to one side: the other side cannot see them at all.
    (
        "post",
        "/people/{staff_membership}/role/",
        {"role": "manager"},
        expect(HIDDEN, practice_manager=FORM_OK, practice_staff=FORBIDDEN, admin=FORM_OK),
    ),
    (
        "post",
        "/people/{staff_membership}/deactivate/",
        None,
        expect(HIDDEN, practice_manager=FORM_OK, practice_staff=FORBIDDEN, admin=FORM_OK),
    ),
    ("post", "/invitations/{invitation}/revoke/", None, expect(HIDDEN, practice_manager=FORM_OK, admin=FORM_OK)),
    ("post", "/tokens/{integration_token}/revoke/", None, expect(HIDDEN, provider_manager=FORM_OK, admin=FORM_OK)),
    ("post", "/tokens/{personal_token}/revoke/", None, expect(HIDDEN, practice_manager=FORM_OK, admin=FORM_OK)),
]

API_CASES = [
    ("get", "/api/v1/engagements/{engagement}/", None, READ),
    ("patch", "/api/v1/engagements/{engagement}/", {"summary": "Changed"}, MANAGERS_WRITE),
    ("post", "/api/v1/engagements/{engagement}/status/", {"status": "contracting"}, MANAGERS_WRITE),
    ("get", "/api/v1/engagements/{engagement}/history/", None, READ),
    ("get", "/api/v1/engagements/{engagement}/contract/", None, READ),
    ("patch", "/api/v1/engagements/{engagement}/contract/", {"notice_days": 45}, PRACTICE_MANAGERS),
    ("get", "/api/v1/engagements/{engagement}/agents/", None, READ),
    ("post", "/api/v1/engagements/{engagement}/agents/", {"agent": "{spare_agent}"}, PROVIDER_MANAGERS),
    ("delete", "/api/v1/engagements/{engagement}/agents/{agent}/", None, PROVIDER_MANAGERS),
    ("get", "/api/v1/practices/{practice}/", None, READ),
    ("patch", "/api/v1/practices/{practice}/", {"website": "https://riverside.example"}, PRACTICE_MANAGERS),
    ("get", "/api/v1/providers/{provider}/", None, {**DIRECTORY, "integration": OK}),
    (
        "patch",
        "/api/v1/providers/{provider}/",
        {"languages": "English"},
        {**OWN_PROVIDER_EDIT, "integration": FORBIDDEN},
    ),
    ("get", "/api/v1/agents/{agent}/", None, READ),
    ("patch", "/api/v1/agents/{agent}/", {"languages": "English, Tagalog"}, PROVIDER_MANAGERS),
    # The spare agent is on no engagement, so the practice side cannot see it at all.
    (
        "delete",
        "/api/v1/agents/{spare_agent}/",
        None,
        {**PROVIDER_MANAGERS, "practice_manager": HIDDEN, "practice_staff": HIDDEN},
    ),
]


def fill(template, objects):
    return template.format(**objects) if isinstance(template, str) else template


def persona_user(world, persona):
    """The user behind a persona name (`agent` is the agent's login; `world.agent` is their Agent record)."""
    return world.agent_user if persona == "agent" else getattr(world, persona)


def ui_client(world, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(persona_user(world, persona))
    return client


def api_client(world, persona):
    client = APIClient()
    if persona == "integration":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.integration_raw_token}")
    elif persona != "anonymous":
        _, raw = services.create_api_token(name="matrix", kind=TokenKind.PERSONAL, by=persona_user(world, persona))
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def check(response, expected, *, api):
    status = response.status_code
    if expected == "login":
        if api:
            assert status == 401, status
        else:
            assert status == 302 and "/accounts/login/" in response.url, status
    elif expected == OK:
        assert 200 <= status < 300 or (not api and status == 302 and "/accounts/login/" not in response.url), status
    elif expected == FORM_OK:
        assert status == 302 and "/accounts/login/" not in response.url, status
    else:
        assert status == expected, status


class _Undo(Exception):
    """Raised to roll a persona's request back, so that every persona meets the same rows."""


def each_persona(personas, attempt) -> None:
    """Try `attempt(persona)` for every persona on rows built once for the case (the world and the case's objects
    are the costly part of a matrix test), each attempt in a savepoint rolled back after it, so no persona sees what
    another one's request wrote. Every persona is tried; the failures are reported together, each with its persona."""
    failures = []
    for persona in personas:
        try:
            with transaction.atomic():
                attempt(persona)
                raise _Undo
        except _Undo:
            pass
        except AssertionError as failed:
            failures.append(f"{persona}: {failed}")
    assert not failures, "\n".join(failures)


def fill_form(data, objects):
    """A case's body with its placeholders filled from the case's objects (no body stays None)."""
    return {key: fill(value, objects) for key, value in data.items()} if data else data


def try_as(world, persona, method, url, body, expected, *, api, state=None, must_write=False):
    """One persona's request as the matrices check it: it answers `expected[persona]`; a refused one leaves `state()`
    (by default the audit log's size) as it was, and with `must_write` an allowed one changes it."""
    state = state or LogEntry.objects.count
    client = api_client(world, persona) if api else ui_client(world, persona)  # a token is logged: before the state
    before = state()
    response = run(client, method, url, body, api=api)
    check(response, expected[persona], api=api)
    if expected[persona] not in (OK, FORM_OK):
        assert state() == before, "a refused request wrote something"
    elif must_write:
        assert state() != before, "an allowed request changed nothing"
    return response


def try_each(personas, world, method, url, body, expected, **options) -> None:
    """`try_as` for every persona, each on the case's rows in its own savepoint (`each_persona`)."""
    each_persona(personas, lambda persona: try_as(world, persona, method, url, body, expected, **options))


def run(client, method, url, data, *, api):
    if api:
        return getattr(client, method)(url, data, format="json") if data is not None else getattr(client, method)(url)
    return getattr(client, method)(url, data or {})


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), fill_form(data, objects), expected, api=False)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        client = api_client(world, persona)
        before = LogEntry.objects.count()
        data = {k: int(fill(v, objects)) if v == "{spare_agent}" else v for k, v in data.items()} if data else data
        response = run(client, method, fill(url, objects), data, api=True)
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, "a refused request wrote something"

    each_persona(API_PERSONAS, attempt)


LIST_ENDPOINTS = ["/api/v1/engagements/", "/api/v1/practices/", "/api/v1/agents/"]
UI_LISTS = [
    "/engagements/",
    "/practices/",
    "/agents/",
    "/engagements/?_export=csv",
    "/agents/?_export=csv",
    "/practices/?_export=csv",
    "/",
]


@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_api_lists_never_show_another_tenants_rows(world, url):
    outsider = api_client(world, "outsider").get(url).json()["results"]
    names = {row.get("name") or row.get("full_name") for row in outsider}
    assert not names & {"Front desk", "Riverside Eye Care", "Ana Reyes"}, names
    home = api_client(world, "practice_manager").get(url).json()["results"]
    names = {row.get("name") or row.get("full_name") for row in home}
    assert not names & {"Other front desk", "Summit Vision Center", "Omar Other"}, names


@pytest.mark.parametrize("url", UI_LISTS)
def test_ui_lists_and_exports_never_show_another_tenants_rows(world, url):
    outsider = ui_client(world, "outsider").get(url).content.decode()
    assert "Front desk</a>" not in outsider and "Ana Reyes" not in outsider and "Riverside Eye Care" not in outsider
    home = ui_client(world, "practice_manager").get(url).content.decode()
    assert "Other front desk" not in home and "Omar Other" not in home and "Summit Vision Center" not in home
