"""Every communication page, action and endpoint, tried by every persona (the shared access matrix).

Both sides' managers write the communication plan and everyone on the engagement reads it; the practice's
managers and staff leave feedback and only its managers read it — the provider gets 403 on the page and sees
no feedback through the API. Outsiders get 404, anonymous visitors the login page or 401, and a refused request
writes nothing.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from engagements.choices import Side
from engagements.models import ActionItem, Contact, EscalationLevel, Feedback, Meeting, MeetingCadence, Reminder
from engagements.reminders import send_due_reminders
from engagements.services import communication
from tests.engagements.communication_fixtures import TODAY, make_action_item, make_contact, make_meeting
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
    fill_form,
    run,
    try_each,
)

pytestmark = pytest.mark.django_db

MANAGERS = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK)
MANAGER_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)
FEEDBACK_PAGE = expect(FORBIDDEN, practice_manager=OK, practice_staff=OK)
FEEDBACK_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, practice_staff=FORM_OK, admin=FORM_OK)
SIGNED_IN = expect(OK, outsider=OK, other_provider_manager=OK)

CONTACT_FORM = {"side": "practice", "role": "Owner", "name": "Olive Owner", "email": "olive@example.test"}
LEVEL_FORM = {"level": "3", "contact": "{contact}", "response_hours": "24"}
CADENCE_FORM = {"kind": "monthly_review", "interval": "1", "unit": "months", "starts_on": "2026-01-05"}
CADENCE_FORM["anchor"] = "last_meeting"
MEETING_FORM = {"kind": "custom", "held_on": "2026-03-10", "attendees": "Paula, Bea", "decisions": "Go on"}
ITEM_FORM = {"title": "Share the rota", "owner": "Bea", "side": "provider", "due_on": "2026-04-01"}


@pytest.fixture
def objects(world, django_capture_on_commit_callbacks):
    contact = make_contact(world.engagement, Side.PROVIDER, user=world.provider_manager, name="Bea Account")
    level = EscalationLevel.objects.create(engagement=world.engagement, level=1, contact=contact, response_hours=24)
    cadence = MeetingCadence.objects.create(
        engagement=world.engagement, kind="weekly_check_in", starts_on=TODAY - timedelta(days=70)
    )
    meeting = make_meeting(world.engagement, held_on=TODAY - timedelta(days=14), cadence=cadence)
    items = [make_action_item(meeting, due_on=TODAY - timedelta(days=n)) for n in (1, 2, 3)]
    feedback = communication.give_feedback(
        world.engagement, text="Calls go well", anonymous=False, by=world.practice_staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(TODAY)
    return {
        "engagement": world.engagement.pk,
        "contact": contact.pk,
        "level": level.pk,
        "cadence": cadence.pk,
        "meeting": meeting.pk,
        "item": items[0].pk,
        "item2": items[1].pk,
        "feedback": feedback.pk,
        "reminder": Reminder.objects.filter(side="provider").first().pk,
    }


UI_CASES = [
    ("get", "/engagements/{engagement}/communication/", None, READ),
    ("get", "/engagements/{engagement}/contacts/new/", None, MANAGERS),
    ("post", "/engagements/{engagement}/contacts/new/", CONTACT_FORM, MANAGER_WRITES),
    ("get", "/contacts/{contact}/edit/", None, MANAGERS),
    ("post", "/contacts/{contact}/edit/", {**CONTACT_FORM, "side": "provider"}, MANAGER_WRITES),
    ("get", "/engagements/{engagement}/escalation/new/", None, MANAGERS),
    ("post", "/engagements/{engagement}/escalation/new/", LEVEL_FORM, MANAGER_WRITES),
    ("post", "/escalation-levels/{level}/edit/", {**LEVEL_FORM, "response_hours": "8"}, MANAGER_WRITES),
    ("get", "/engagements/{engagement}/cadences/new/", None, MANAGERS),
    ("post", "/engagements/{engagement}/cadences/new/", CADENCE_FORM, MANAGER_WRITES),
    ("post", "/cadences/{cadence}/edit/", {**CADENCE_FORM, "interval": "2"}, MANAGER_WRITES),
    ("get", "/engagements/{engagement}/meetings/new/", None, MANAGERS),
    ("post", "/engagements/{engagement}/meetings/new/", MEETING_FORM, MANAGER_WRITES),
    ("get", "/meetings/{meeting}/", None, READ),
    ("get", "/meetings/{meeting}/edit/", None, MANAGERS),
    ("post", "/meetings/{meeting}/edit/", MEETING_FORM, MANAGER_WRITES),
    ("get", "/meetings/{meeting}/action-items/new/", None, MANAGERS),
    ("post", "/meetings/{meeting}/action-items/new/", ITEM_FORM, MANAGER_WRITES),
    ("post", "/action-items/{item}/edit/", ITEM_FORM, MANAGER_WRITES),
    ("post", "/action-items/{item}/done/", None, MANAGER_WRITES),
    ("get", "/engagements/{engagement}/feedback/", None, FEEDBACK_PAGE),
    ("post", "/engagements/{engagement}/feedback/", {"text": "More training please"}, FEEDBACK_WRITES),
    ("get", "/meetings/", None, SIGNED_IN),
    ("get", "/meetings/?_export=csv", None, SIGNED_IN),
    ("get", "/reminders/", None, SIGNED_IN),
    ("get", "/reminders/?_export=csv", None, SIGNED_IN),
]


def state():
    return (
        LogEntry.objects.count(),
        sorted(Contact.objects.values_list("pk", "name", "side")),
        sorted(EscalationLevel.objects.values_list("pk", "level", "response_hours")),
        sorted(MeetingCadence.objects.values_list("pk", "interval")),
        sorted(Meeting.objects.values_list("pk", "kind", "decisions")),
        sorted(ActionItem.objects.values_list("pk", "title", "done_at")),
        Feedback.objects.count(),
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
        must_write=method == "post",
    )


API_MANAGERS = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK)
# A create names its engagement (or meeting) by id: one the caller cannot see is unknown — 400, as in the SLA API.
API_CREATE = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK, outsider=400, other_provider_manager=400)
API_FEEDBACK_WRITE = expect(
    FORBIDDEN, practice_manager=OK, practice_staff=OK, outsider=400, other_provider_manager=FORBIDDEN
)
# Feedback the caller may not read does not exist for them: provider and practice staff get 404.
API_FEEDBACK_READ = expect(HIDDEN, practice_manager=OK)
API_SIGNED_IN = expect(OK, outsider=OK, other_provider_manager=OK, integration=OK)
API_ADMIN_ONLY = expect(FORBIDDEN)
API_LEVEL = {"engagement": "{engagement}", "level": 4, "contact": "{contact}", "response_hours": 12}

API_CASES = [
    ("get", "/api/v1/contacts/{contact}/", None, READ),
    ("post", "/api/v1/contacts/", {**CONTACT_FORM, "engagement": "{engagement}"}, API_CREATE),
    ("patch", "/api/v1/contacts/{contact}/", {"phone": "555-0100"}, API_MANAGERS),
    ("delete", "/api/v1/contacts/{contact}/", None, expect(FORBIDDEN, admin=409)),
    ("get", "/api/v1/escalation-levels/{level}/", None, READ),
    ("post", "/api/v1/escalation-levels/", API_LEVEL, API_CREATE),
    ("patch", "/api/v1/escalation-levels/{level}/", {"response_hours": 6}, API_MANAGERS),
    ("get", "/api/v1/meeting-cadences/{cadence}/", None, READ),
    ("post", "/api/v1/meeting-cadences/", {**CADENCE_FORM, "engagement": "{engagement}"}, API_CREATE),
    ("patch", "/api/v1/meeting-cadences/{cadence}/", {"interval": 2}, API_MANAGERS),
    ("get", "/api/v1/meetings/{meeting}/", None, READ),
    ("post", "/api/v1/meetings/", {**MEETING_FORM, "engagement": "{engagement}"}, API_CREATE),
    ("patch", "/api/v1/meetings/{meeting}/", {"decisions": "Hire two more"}, API_MANAGERS),
    ("delete", "/api/v1/meetings/{meeting}/", None, API_ADMIN_ONLY),
    ("get", "/api/v1/action-items/{item}/", None, READ),
    ("post", "/api/v1/action-items/", {**ITEM_FORM, "meeting": "{meeting}"}, API_CREATE),
    ("patch", "/api/v1/action-items/{item}/", {"owner": "Paula"}, API_MANAGERS),
    ("post", "/api/v1/action-items/{item2}/done/", None, API_MANAGERS),
    ("get", "/api/v1/feedback/{feedback}/", None, API_FEEDBACK_READ),
    (
        "post",
        "/api/v1/feedback/",
        {"engagement": "{engagement}", "text": "Fine", "anonymous": True},
        API_FEEDBACK_WRITE,
    ),
    (
        "get",
        "/api/v1/reminders/{reminder}/",
        None,
        expect(HIDDEN, provider_manager=OK, provider_staff=OK, integration=OK),
    ),
]
for resource in ("contacts", "escalation-levels", "meeting-cadences", "meetings", "action-items", "feedback"):
    API_CASES.append(("get", f"/api/v1/{resource}/", None, API_SIGNED_IN))
API_CASES.append(("get", "/api/v1/reminders/", None, API_SIGNED_IN))


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        if persona == "admin" and url.endswith("/api/v1/feedback/") and method == "post":
            expected = {**expected, "admin": OK}
        client = api_client(world, persona)  # its token is audit-logged: create it before taking the state
        before = state()
        data = {key: fill(value, objects) for key, value in data.items()} if data else data
        response = run(client, method, fill(url, objects), data, api=True)
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert state() == before, "a refused request wrote something"

    each_persona(API_PERSONAS, attempt)


def test_the_provider_sees_no_feedback_through_the_api(world, objects):
    for persona in ("provider_manager", "provider_staff", "practice_staff", "integration"):
        response = api_client(world, persona).get("/api/v1/feedback/")
        assert response.status_code == 200
        assert response.json()["count"] == 0, persona
    assert api_client(world, "practice_manager").get("/api/v1/feedback/").json()["count"] == 1


def test_a_side_sees_only_its_own_reminders(world, objects):
    practice = api_client(world, "practice_manager").get("/api/v1/reminders/").json()
    provider = api_client(world, "provider_manager").get("/api/v1/reminders/").json()
    assert {r["side"] for r in practice["results"]} <= {"practice", "both"}
    assert {r["kind"] for r in provider["results"]} >= {"action_item_overdue"}
    assert api_client(world, "outsider").get("/api/v1/reminders/").json()["count"] == 0
