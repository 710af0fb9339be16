# ruff: noqa: F811 - pytest fixtures imported from communication_fixtures are parameters here
"""The communication plan's rules, pages and API: what is refused writes nothing, anonymous feedback keeps no
author, the home page lists what the reminder sources say is due for the user's side, lists stay at a constant
number of queries."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import Side
from engagements.models import ActionItem, EscalationLevel, Feedback, Meeting, MeetingCadence
from engagements.services import communication
from tests import factories
from tests.api_errors import field_errors
from tests.engagements.communication_fixtures import (
    TODAY,
    cadence,  # noqa: F401 - a fixture
    comms,  # noqa: F401 - a fixture
    make_action_item,
    make_contact,
    make_meeting,
)

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Rules --------------------------------------------------------------------------------------------------------


def test_an_escalation_level_must_name_a_contact_of_its_engagement(comms):
    world = comms.world
    stranger = make_contact(world.other_engagement, Side.PRACTICE, name="Stranger")
    before = EscalationLevel.objects.count()
    with pytest.raises(DomainError, match="contact of this engagement"):
        communication.save_escalation_level(
            EscalationLevel(engagement=world.engagement, level=3, contact=stranger, response_hours=4),
            by=world.practice_manager,
        )
    assert EscalationLevel.objects.count() == before


def test_a_level_is_taken_once_per_engagement(comms):
    with pytest.raises(DomainError, match="Level 1 already has a contact"):
        communication.save_escalation_level(
            EscalationLevel(engagement=comms.world.engagement, level=1, contact=comms.second, response_hours=4),
            by=comms.world.provider_manager,
        )
    assert EscalationLevel.objects.count() == 2


def test_staff_cannot_change_the_communication_plan(world):
    with pytest.raises(DomainError, match="managers"):
        communication.save_meeting(
            Meeting(engagement=world.engagement, held_on=TODAY, attendees="Sam"), by=world.practice_staff
        )
    assert Meeting.objects.count() == 0


def test_a_custom_cadence_needs_a_name(world):
    cadence = MeetingCadence(engagement=world.engagement, kind="custom", starts_on=TODAY)
    with pytest.raises(DomainError, match="Name the meeting"):
        communication.save_cadence(cadence, by=world.practice_manager)
    assert MeetingCadence.objects.count() == 0


def test_a_meeting_takes_its_cadences_kind_and_records_who_wrote_it(world, cadence):
    meeting = communication.save_meeting(
        Meeting(engagement=world.engagement, cadence=cadence, kind="custom", held_on=TODAY, attendees="Paula, Bea"),
        by=world.provider_manager,
    )
    assert meeting.kind == "weekly_check_in"
    assert meeting.recorded_by == world.provider_manager


def test_an_action_item_is_done_once(world):
    item = make_action_item(make_meeting(world.engagement), due_on=TODAY)
    communication.complete_action_item(item, by=world.practice_manager)
    with pytest.raises(DomainError, match="already done"):
        communication.complete_action_item(item, by=world.provider_manager)
    item.refresh_from_db()
    assert item.done_by == world.practice_manager


def test_anonymous_feedback_stores_no_author_anywhere(world):
    log_before = LogEntry.objects.count()
    feedback = communication.give_feedback(
        world.engagement, text="  The new phone script is confusing.  ", anonymous=True, by=world.practice_staff
    )
    row = Feedback.objects.filter(pk=feedback.pk).values().get()
    assert row["author_id"] is None
    assert row["is_anonymous"] is True
    assert row["text"] == "The new phone script is confusing."
    # Not in the change history either, whose actor would name the author.
    assert LogEntry.objects.count() == log_before


def test_named_feedback_keeps_its_author(world):
    feedback = communication.give_feedback(
        world.engagement, text="Going well", anonymous=False, by=world.practice_staff
    )
    assert feedback.author == world.practice_staff


def test_the_database_refuses_an_anonymous_feedback_with_an_author(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(engagement=world.engagement, text="x", is_anonymous=True, author=world.practice_staff)


@pytest.mark.parametrize("persona", ["provider_manager", "provider_staff"])
def test_the_provider_cannot_leave_feedback(world, persona):
    with pytest.raises(DomainError):
        communication.give_feedback(world.engagement, text="Hi", anonymous=False, by=getattr(world, persona))
    assert Feedback.objects.count() == 0


def test_empty_feedback_is_refused(world):
    with pytest.raises(DomainError, match="Write your feedback"):
        communication.give_feedback(world.engagement, text="   ", anonymous=True, by=world.practice_staff)
    assert Feedback.objects.count() == 0


def test_a_contacts_account_must_see_the_engagement(world):
    before = world.engagement.contacts.count()
    with pytest.raises(DomainError, match="cannot see this engagement"):
        communication.save_contact(_unsaved_contact(world, world.outsider), by=world.practice_manager)
    assert world.engagement.contacts.count() == before


def _unsaved_contact(world, user):
    from engagements.models import Contact

    return Contact(engagement=world.engagement, side=Side.PRACTICE, role="Owner", name="O", email="o@x.test", user=user)


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_communication_page_shows_both_sides_and_the_path(comms, cadence):
    make_contact(comms.world.engagement, Side.PRACTICE, name="Paula Manager")
    page = signed_in(comms.world.practice_staff).get(
        reverse("engagements:communication", args=[comms.world.engagement.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Paula Manager" in html and "Dana Director" in html and "Weekly check-in" in html
    assert "Add contact" not in html  # staff read


def test_a_duplicate_level_is_shown_on_the_field(comms):
    url = reverse("engagements:escalation_level_create", args=[comms.world.engagement.pk])
    response = signed_in(comms.world.practice_manager).post(
        url, {"level": "1", "contact": comms.second.pk, "response_hours": "4"}
    )
    assert response.status_code == 200
    assert "Level 1 already has a contact" in response.context["form"].errors["level"][0]


def test_the_feedback_page_names_the_author_only_when_not_anonymous(world):
    url = reverse("engagements:feedback", args=[world.engagement.pk])
    staff = signed_in(world.practice_staff)
    assert staff.post(url, {"text": "Named note", "anonymous": ""}).status_code == 302
    assert staff.post(url, {"text": "Secret note", "anonymous": "on"}).status_code == 302
    assert "Secret note" not in staff.get(url).content.decode()  # staff write, managers read
    html = signed_in(world.practice_manager).get(url).content.decode()
    assert "Named note" in html and "Sam Staff" in html
    assert "Secret note" in html and "Anonymous" in html
    assert signed_in(world.provider_manager).get(url).status_code == 403


def test_the_engagement_page_has_a_communication_card(world):
    html = signed_in(world.provider_staff).get(world.engagement.get_absolute_url()).content.decode()
    assert 'data-testid="communication-summary"' in html
    assert reverse("engagements:communication", args=[world.engagement.pk]) in html
    assert reverse("engagements:feedback", args=[world.engagement.pk]) not in html  # not the provider's


# --- The home page's attention list --------------------------------------------------------------------------------


def attention(user):
    return [item.text for item in signed_in(user).get("/").context["attention"]]


def test_an_overdue_action_item_is_on_its_sides_home_page(world):
    today = timezone.localdate()
    make_action_item(make_meeting(world.engagement, held_on=today), due_on=today - timedelta(days=1), title="Send rota")
    assert any("Send rota" in text for text in attention(world.provider_manager))
    assert any("Send rota" in text for text in attention(world.provider_staff))
    assert not any("Send rota" in text for text in attention(world.practice_manager))
    assert not any("Send rota" in text for text in attention(world.outsider))


def test_a_meeting_due_is_on_both_sides_home_pages(world, cadence):
    for user in (world.practice_manager, world.provider_manager):
        assert any("weekly check-in was due" in text for text in attention(user))


def test_an_escalation_is_on_the_contacts_home_page(comms):
    from tests.engagements.communication_fixtures import make_breach, make_plan

    breach = make_breach(comms.world.engagement, opened_on=timezone.localdate() - timedelta(days=20))
    make_plan(breach, due_on=timezone.localdate() - timedelta(days=2))
    assert any("escalated to level 1" in text for text in attention(comms.world.provider_manager))
    assert not any("escalated" in text for text in attention(comms.world.practice_manager))


# --- API ----------------------------------------------------------------------------------------------------------


def test_recording_a_meeting_and_an_action_item_through_the_api(world, api, cadence):
    client = api.as_user(world.practice_manager)
    meeting = client.post(
        "/api/v1/meetings/",
        {"engagement": world.engagement.pk, "cadence": cadence.pk, "held_on": "2026-03-10", "attendees": "P, B"},
        format="json",
    )
    assert meeting.status_code == 201, meeting.json()
    assert meeting.json()["kind"] == "weekly_check_in"
    item = client.post(
        "/api/v1/action-items/",
        {"meeting": meeting.json()["id"], "title": "Rota", "owner": "Bea", "side": "provider", "due_on": "2026-03-20"},
        format="json",
    )
    assert item.status_code == 201, item.json()
    done = client.post(f"/api/v1/action-items/{item.json()['id']}/done/")
    assert done.status_code == 200 and done.json()["done_at"]
    again = client.post(f"/api/v1/action-items/{item.json()['id']}/done/")
    assert again.status_code == 400 and "already done" in str(again.json())
    cadence_row = client.get(f"/api/v1/meeting-cadences/{cadence.pk}/").json()
    assert cadence_row["next_due"] == "2026-03-17"


def test_a_rows_engagement_never_changes_through_the_api(world, api):
    contact = make_contact(world.engagement, Side.PRACTICE)
    factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Second")
    second = world.engagement.__class__.objects.get(name="Second")
    response = api.as_user(world.practice_manager).patch(
        f"/api/v1/contacts/{contact.pk}/", {"engagement": second.pk, "phone": "1"}, format="json"
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.engagement == world.engagement and contact.phone == "1"


def test_anonymous_feedback_through_the_api_has_no_author(world, api):
    response = api.as_user(world.practice_staff).post(
        "/api/v1/feedback/", {"engagement": world.engagement.pk, "text": "Too fast", "anonymous": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["author"] is None
    assert Feedback.objects.get().author_id is None
    listed = api.as_user(world.practice_manager).get("/api/v1/feedback/").json()["results"]
    assert listed[0]["anonymous"] is True and listed[0]["author"] is None


def test_an_escalation_level_with_another_engagements_contact_answers_400(comms, api):
    stranger = make_contact(comms.world.other_engagement, Side.PRACTICE, name="Stranger")
    response = api.as_user(comms.world.admin).post(
        "/api/v1/escalation-levels/",
        {"engagement": comms.world.engagement.pk, "level": 5, "contact": stranger.pk, "response_hours": 2},
        format="json",
    )
    assert response.status_code == 400 and "contact" in field_errors(response)
    assert EscalationLevel.objects.count() == 2


# --- Query counts --------------------------------------------------------------------------------------------------


def grow(world, meetings: int):
    for n in range(meetings):
        meeting = make_meeting(world.engagement, held_on=TODAY - timedelta(days=n))
        make_action_item(meeting, due_on=TODAY - timedelta(days=n))
        make_contact(world.engagement, Side.PROVIDER, name=f"Contact {meetings}-{n}")


LIST_URLS = (
    "/meetings/",
    "/reminders/",
    "/api/v1/meetings/",
    "/api/v1/action-items/",
    "/api/v1/contacts/",
    "/api/v1/meeting-cadences/",
    "/api/v1/escalation-levels/",
    "/api/v1/reminders/",
)


def query_counts(world, api) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(world.practice_manager)
    api_client = api.as_user(world.practice_manager)
    counts = {}
    for url in (*LIST_URLS, reverse("engagements:communication", args=[world.engagement.pk])):
        with CaptureQueriesContext(connection) as queries:
            response = (api_client if url.startswith("/api/") else client).get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_list_pages_and_endpoints_use_a_constant_number_of_queries(world, api, cadence):
    grow(world, 2)
    send_due_reminders_for(world)
    query_counts(world, api)  # warms the caches (content types, permissions) that only the first request fills
    small = query_counts(world, api)
    grow(world, 20)
    send_due_reminders_for(world)
    large = query_counts(world, api)
    assert large == small
    assert max(small.values()) <= 22
    assert ActionItem.objects.count() == 22


def send_due_reminders_for(world):
    from engagements.reminders import send_due_reminders

    send_due_reminders(timezone.localdate())


# --- Demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_shows_the_communication_plan_and_an_overdue_action_item(settings):
    from io import StringIO

    from django.core.management import call_command

    from engagements.models import Contact, Reminder

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    front_desk = Meeting.objects.filter(engagement__name="Front desk 2026")
    assert Contact.objects.filter(engagement__name="Front desk 2026").values("side").distinct().count() == 2
    assert EscalationLevel.objects.filter(engagement__name="Front desk 2026").count() == 3
    assert MeetingCadence.objects.filter(engagement__name="Front desk 2026").count() == 3
    assert ActionItem.objects.open().filter(meeting__in=front_desk, due_on__lt=timezone.localdate()).count() == 1
    assert Feedback.objects.filter(is_anonymous=True, author__isnull=True).exists()
    assert Feedback.objects.filter(is_anonymous=False, author__isnull=False).exists()
    assert Reminder.objects.filter(kind="action_item_overdue").count() == 1


# --- The data migration -------------------------------------------------------------------------------------------


def test_the_migration_grants_feedback_on_engagements_opened_before_it(world):
    import importlib

    from django.apps import apps

    from engagements.access import engagements_for
    from engagements.models import EngagementGroupObjectPermission

    EngagementGroupObjectPermission.objects.filter(permission__codename="give_feedback").delete()
    assert not engagements_for(world.practice_staff, "give_feedback").exists()

    migration = importlib.import_module("engagements.migrations.0011_communication")
    migration.grant_feedback(apps, None)

    assert engagements_for(world.practice_staff, "give_feedback").get() == world.engagement
    assert engagements_for(world.practice_manager, "give_feedback").get() == world.engagement
    assert not engagements_for(world.provider_manager, "give_feedback").exists()


def test_the_demo_escalates_one_late_remediation_once(settings):
    from io import StringIO

    from django.core.management import call_command

    from engagements.models import Escalation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    escalation = Escalation.objects.select_related("level__contact").get()
    assert escalation.level_number == 1
    assert escalation.level.contact.email == "manager@clearview.example"


def test_an_escalated_remediation_stays_on_the_home_page_until_it_is_answered(
    comms, django_capture_on_commit_callbacks
):
    from engagements.reminders import send_due_reminders
    from tests.engagements.communication_fixtures import make_breach, make_plan

    today = timezone.localdate()
    breach = make_breach(comms.world.engagement, opened_on=today - timedelta(days=20))
    plan = make_plan(breach, due_on=today - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(today) == 1
        assert send_due_reminders(today) == 0  # yielded again for the page, but already sent
    assert any("escalated to level 1" in text for text in attention(comms.world.provider_manager))
    plan.status = "done"
    plan.save()
    assert not any("escalated" in text for text in attention(comms.world.provider_manager))


def test_the_admin_lists_the_communication_models(comms):
    client = signed_in(comms.world.admin)
    for name in ("contact", "escalationlevel", "escalation", "reminder"):
        assert client.get(reverse(f"admin:engagements_{name}_changelist")).status_code == 200, name
