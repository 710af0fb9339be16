"""The live gates (documents signed, a BAA on record), the reminder source, and what the area shows elsewhere: the
timeline, the onboarding page's section, the readiness column and the engagement card."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from engagements.choices import AgentStatus, Role
from engagements.models import Notification, Reminder
from engagements.reminders import due_items, send_due_reminders
from onboarding import readiness, timeline
from onboarding.gates import missing_for
from onboarding.services import acknowledgements as services
from tests import factories
from tests.onboarding.acknowledgements.conftest import pdf, sign
from tests.onboarding.factories import make_onboarding

pytestmark = pytest.mark.django_db


def _ours(items):
    return [item for item in items if item.kind == "document_unsigned"]


# --- Gates ------------------------------------------------------------------------------------------------------------


def test_live_needs_every_version_in_force_signed_and_a_baa(world, docs):
    missing = missing_for(docs.onboarding, AgentStatus.LIVE)
    assert any("Non-disclosure agreement" in reason for reason in missing)
    assert any("Acceptable use" in reason for reason in missing)
    assert any("business associate agreement" in reason for reason in missing)
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    services.record_baa(world.engagement, signed_on=timezone.localdate(), file=pdf(), by=world.practice_manager)
    assert [r for r in missing_for(docs.onboarding, AgentStatus.LIVE) if "sign" in r or "associate" in r] == []


def test_a_new_version_closes_the_gate_again_until_it_is_signed(world, docs):
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    assert services.documents_gate(docs.onboarding) == []
    v2 = services.publish_version(docs.nda, effective_on=docs.today, text="Second.", by=world.practice_manager)
    assert services.documents_gate(docs.onboarding) == [
        "Ana Reyes has not signed “Non-disclosure agreement” (version 2)."
    ]
    sign(v2, world.agent_user)
    assert services.documents_gate(docs.onboarding) == []


def test_another_engagements_documents_do_not_hold_this_one(world, docs):
    other = make_onboarding(world.other_engagement, agent=world.other_agent, stage=AgentStatus.RAMP)
    reasons = services.documents_gate(other)
    assert reasons == []  # the home engagement's NDA and the home provider's AUP are not the other's


# --- Reminders --------------------------------------------------------------------------------------------------------


def test_a_reminder_goes_to_the_agent_and_the_providers_managers_once_a_day(world, docs):
    today = timezone.localdate()
    items = _ours(due_items(world.engagement.__class__.objects.filter(pk=world.engagement.pk), today))
    assert len(items) == 1
    due = items[0]
    assert due.item == docs.onboarding and due.due_on == today
    assert set(due.recipients) == {world.agent_user, world.provider_manager}
    assert "2 document(s) to sign" in due.title
    engagements = world.engagement.__class__.objects.filter(pk=world.engagement.pk)
    send_due_reminders(today=today, engagements=engagements)
    send_due_reminders(today=today, engagements=engagements)
    sent = Reminder.objects.filter(kind="document_unsigned")
    assert sent.count() == 1
    assert set(sent.get().recipients.all()) == {world.agent_user, world.provider_manager}
    send_due_reminders(today=today + timedelta(days=1), engagements=engagements)
    assert sent.count() == 2  # it reminds until they sign


def test_the_agent_is_linked_to_their_documents_and_the_managers_to_the_onboarding(world, docs, client):
    engagements = world.engagement.__class__.objects.filter(pk=world.engagement.pk)
    send_due_reminders(today=timezone.localdate(), engagements=engagements)
    links = dict(Notification.objects.values_list("user_id", "url"))
    assert links[world.agent_user.pk] == "/me/documents/"
    assert links[world.provider_manager.pk] == docs.onboarding.get_absolute_url()
    for user in (world.agent_user, world.provider_manager):
        client.force_login(user)
        assert client.get(links[user.pk]).status_code == 200, user


def test_no_reminder_once_signed_nor_for_an_offboarded_agent(world, docs):
    engagements = world.engagement.__class__.objects.filter(pk=world.engagement.pk)
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    assert _ours(due_items(engagements, docs.today)) == []
    services.publish_version(docs.aup, effective_on=docs.today, text="v2", by=world.provider_manager)
    assert len(_ours(due_items(engagements, docs.today))) == 1  # a new version asks again
    docs.onboarding.stage = AgentStatus.OFFBOARDED
    docs.onboarding.save()
    assert _ours(due_items(engagements, docs.today)) == []


def test_a_future_version_reminds_from_its_day(world, docs):
    engagements = world.engagement.__class__.objects.filter(pk=world.engagement.pk)
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    later = docs.today + timedelta(days=5)
    services.publish_version(docs.nda, effective_on=later, text="v2", by=world.practice_manager)
    assert _ours(due_items(engagements, later - timedelta(days=1))) == []
    assert len(_ours(due_items(engagements, later))) == 1


# --- Elsewhere --------------------------------------------------------------------------------------------------------


def test_signatures_are_on_the_timeline_and_the_section_shows_signed_and_missing(world, docs):
    sign(docs.nda_v1, world.agent_user)
    events = [e for e in timeline.events_for(docs.onboarding) if e.area == "documents"]
    assert [e.title for e in events] == ["Signed “Non-disclosure agreement” (version 1)"]
    client = Client()
    client.force_login(world.practice_manager)
    page = client.get(docs.onboarding.get_absolute_url()).content.decode()
    assert 'data-testid="documents-section"' in page and "Missing" in page and "Signed " in page


def test_the_readiness_column_counts_what_is_signed(world, docs):
    cell = readiness.cells_for([docs.onboarding])["documents"][docs.onboarding.pk]
    assert (cell.text, cell.tone) == ("0/2 signed", "warning")
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    cell = readiness.cells_for([docs.onboarding])["documents"][docs.onboarding.pk]
    assert (cell.text, cell.tone) == ("2/2 signed", "success")


def test_the_readiness_column_answers_many_agents_in_a_fixed_number_of_queries(
    world, docs, django_assert_max_num_queries
):
    few = [docs.onboarding]
    many = few + [make_onboarding(world.engagement, stage=AgentStatus.RAMP) for _ in range(8)]
    for onboardings in (few, many):
        with django_assert_max_num_queries(6):
            services.unsigned_by_onboarding(onboardings)


def test_the_engagement_card_shows_the_baa_and_what_is_unsigned(world, docs):
    client = Client()
    client.force_login(world.practice_manager)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert "BAA missing" in page and 'data-testid="agents-unsigned">1<' in page
    services.record_baa(world.engagement, signed_on=timezone.localdate(), file=pdf(), by=world.provider_manager)
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert "BAA on record" in page and 'data-testid="agents-unsigned">0<' in page


def test_the_my_documents_entry_is_in_the_menu_of_agents_only(world, docs):
    for user, shown in ((world.agent_user, True), (world.practice_manager, False), (world.provider_manager, False)):
        client = Client()
        client.force_login(user)
        page = client.get("/me/documents/" if user == world.agent_user else "/documents/").content.decode()
        assert ('data-testid="nav-my-documents"' in page) is shown


def test_a_new_manager_gets_the_reminder_too(world, docs):
    second = factories.make_member(world.provider, Role.MANAGER)
    engagements = world.engagement.__class__.objects.filter(pk=world.engagement.pk)
    (due,) = _ours(due_items(engagements, docs.today))
    assert second in due.recipients
