"""Every training page and endpoint, tried by every persona (the shared access matrix's helpers).

Both sides of an engagement read its curriculum, the provider's modules and the completions of its agents; a
module's owner's managers change it; the engagement's managers change its curriculum; the agent's provider's
managers (and its LMS token) record completions. The agent reaches only their own training: /me/training/, their
modules' files, their own attempts and completions — never another agent's, never the workspace. Out of scope is
404; a refused request writes nothing (the audit log does not grow)."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.choices import ModuleKind
from onboarding.models import TrainingCompletion
from onboarding.services import training
from tests.onboarding.training.conftest import right_answers
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    READ,
    expect,
    fill,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK, agent=OK)
MANAGERS_ANYWHERE = expect(
    OK,
    practice_staff=FORBIDDEN,
    provider_staff=FORBIDDEN,
    outsider=OK,
    other_provider_manager=OK,
    integration=FORBIDDEN,
    admin=FORBIDDEN,
    agent=FORBIDDEN,
)
MODULE_OWNER = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
OWN_AGENT_READS = {**READ, "agent": OK}
AGENT_ONLY = expect(
    HIDDEN,
    agent=OK,
    admin=HIDDEN,
    practice_staff=HIDDEN,
    practice_manager=HIDDEN,
    provider_manager=HIDDEN,
    provider_staff=HIDDEN,
)
ENGAGEMENT_MANAGERS = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)


@pytest.fixture
def objects(world, trained):
    module = trained.module
    practice_module = training.create_module(by=world.practice_manager, title="Our front desk", kind=ModuleKind.SOP)
    upload = SimpleUploadedFile("sop.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
    attachment = training.add_attachment(module, upload, by=world.provider_manager)
    attempt = training.start_attempt(module, by=world.agent_user)
    training.submit_attempt(attempt, right_answers(module), by=world.agent_user)
    completion = TrainingCompletion.objects.get()
    return {
        "engagement": world.engagement.pk,
        "module": module.pk,
        "practice_module": practice_module.pk,
        "attachment": attachment.pk,
        "question": module.questions.first().pk,
        "attempt": attempt.pk,
        "completion": completion.pk,
        "curriculum": trained.item.curriculum_id,
        "item": trained.item.pk,
        "agent": world.agent.pk,
    }


UI_CASES = [
    ("get", "/training/modules/", None, EVERYONE),
    ("get", "/training/modules/new/", None, MANAGERS_ANYWHERE),
    ("get", "/training/modules/{module}/", None, READ),
    ("get", "/training/modules/{module}/edit/", None, expect(FORBIDDEN, provider_manager=OK)),
    (
        "post",
        "/training/modules/{module}/questions/",
        {"text": "Who may read a chart?", "choice_1": "The care team", "correct_1": "on", "choice_2": "Anyone"},
        MODULE_OWNER,
    ),
    ("get", "/training/attachments/{attachment}/", None, OWN_AGENT_READS),
    ("post", "/training/attachments/{attachment}/delete/", None, {**MODULE_OWNER, "agent": FORBIDDEN}),
    ("post", "/training/questions/{question}/delete/", None, {**MODULE_OWNER, "agent": FORBIDDEN}),
    ("get", "/training/curricula/", None, EVERYONE),
    ("get", "/engagements/{engagement}/curriculum/", None, READ),
    ("post", "/engagements/{engagement}/curriculum/add/", {"module": "{practice_module}"}, ENGAGEMENT_MANAGERS),
    ("post", "/training/curriculum-items/{item}/required/", None, ENGAGEMENT_MANAGERS),
    ("get", "/training/completions/", None, EVERYONE),
    ("get", "/training/completions/new/", None, {**MANAGERS_ANYWHERE, "admin": OK}),
    (
        "post",
        "/training/completions/new/",
        {"module": "{module}", "agent": "{agent}", "passed_on": "2026-11-30"},
        expect(
            200,
            provider_manager=FORM_OK,
            practice_staff=FORBIDDEN,
            provider_staff=FORBIDDEN,
            outsider=200,
            other_provider_manager=200,
            admin=FORM_OK,
            agent=FORBIDDEN,
        ),
    ),
    (
        "get",
        "/training/staff/",
        None,
        expect(HIDDEN, practice_manager=OK, practice_staff=OK, outsider=OK, agent=HIDDEN, admin=HIDDEN),
    ),
    ("get", "/me/training/", None, AGENT_ONLY),
    ("get", "/me/training/modules/{module}/", None, AGENT_ONLY),
    ("get", "/training/attempts/{attempt}/", None, OWN_AGENT_READS),
]

API_CASES = [
    ("get", "/api/v1/training-modules/", None, EVERYONE),
    ("get", "/api/v1/training-modules/{module}/", None, READ),
    (
        "post",
        "/api/v1/training-modules/",
        {"title": "Scheduling in our PMS", "kind": "systems"},
        {**MANAGERS_ANYWHERE, "agent": FORBIDDEN},
    ),
    ("patch", "/api/v1/training-modules/{module}/", {"pass_mark": 70}, expect(FORBIDDEN, provider_manager=OK)),
    ("get", "/api/v1/curricula/", None, EVERYONE),
    ("get", "/api/v1/curricula/{curriculum}/", None, READ),
    (
        "post",
        "/api/v1/curricula/{curriculum}/items/",
        {"module": "{practice_module}"},
        expect(FORBIDDEN, practice_manager=OK, provider_manager=OK),
    ),
    ("get", "/api/v1/training-completions/", None, EVERYONE),
    ("get", "/api/v1/training-completions/{completion}/", None, OWN_AGENT_READS),
    (
        "post",
        "/api/v1/training-completions/",
        {"module": "{module}", "agent": "{agent}", "passed_on": "2026-11-30", "external_id": "lms-9"},
        expect(FORBIDDEN, provider_manager=OK, integration=OK, outsider=400, other_provider_manager=400),
    ),
]


def fill_data(data, objects):
    if not data:
        return data
    return {
        key: objects[value[1:-1]] if isinstance(value, str) and value[1:-1] in objects else value
        for key, value in data.items()
    }


def state():
    return LogEntry.objects.count(), TrainingCompletion.objects.count()


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), fill_data(data, objects), expected, api=False, state=state)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), fill_data(data, objects), expected, api=True, state=state)


def test_an_agent_never_sees_another_agents_training(world, trained, api):
    from tests import factories

    colleague = factories.make_agent(world.provider, full_name="Carl Colleague")
    training.record_by_trainer(trained.module, by=world.provider_manager, passed_on=date(2026, 11, 1), agent=colleague)
    own = training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=date(2026, 11, 2), agent=world.agent
    )
    body = api.as_user(world.agent_user).get("/api/v1/training-completions/").json()
    assert [row["id"] for row in body["results"]] == [own.pk]
    page = ui_client(world, "agent").get("/training/completions/").content.decode()
    assert "Ana Reyes" in page and "Carl Colleague" not in page
