# ruff: noqa: F811 - pytest fixtures imported from their modules are parameters here
"""The engagement services tell webhooks about change requests, gate decisions and overdue remediations, once
their transaction committed, and only endpoints whose owner may see the engagement hear of them."""

from datetime import timedelta
from unittest import mock

import pytest

from bpo_portal.errors import DomainError
from engagements.models import WebhookDelivery, WebhookEvent
from engagements.reminders import send_due_reminders
from engagements.services import changes, transition, webhooks
from tests.engagements import transition_fixtures
from tests.engagements.changes_helpers import add_billing, signed_contract
from tests.engagements.communication_fixtures import TODAY, comms, make_breach, make_plan  # noqa: F401

pytestmark = pytest.mark.django_db
plan, started = transition_fixtures.plan, transition_fixtures.started


@pytest.fixture
def hooked(world, settings):
    settings.DEBUG = True
    everything = sorted(webhooks.EVENT_TYPES)
    mine, _ = webhooks.create_endpoint(by=world.provider_manager, url="http://127.0.0.1:9/", events=everything)
    webhooks.create_endpoint(by=world.other_provider_manager, url="http://127.0.0.1:9/", events=everything)
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        yield mine


def payloads(event_type):
    return [e.payload for e in WebhookEvent.objects.filter(event_type=event_type).order_by("pk")]


def test_a_change_request_emits_proposed_then_decided(world, hooked, django_capture_on_commit_callbacks):
    signed_contract(world.engagement, world.practice_manager)
    with django_capture_on_commit_callbacks(execute=True):
        request = add_billing(world.engagement, world.provider_manager)
        rejected = add_billing(world.engagement, world.provider_manager, expected_monthly_volume=7)
        changes.approve_change_request(request, by=world.practice_manager)
        changes.reject_change_request(rejected, by=world.practice_manager, note="Not now")

    assert [p["change_request"] for p in payloads("change_request.proposed")] == [request.pk, rejected.pk]
    assert [(p["change_request"], p["status"]) for p in payloads("change_request.decided")] == [
        (request.pk, "approved"),
        (rejected.pk, "rejected"),
    ]
    assert set(WebhookDelivery.objects.values_list("endpoint", flat=True)) == {hooked.pk}


def test_a_refused_decision_emits_nothing(world, hooked, django_capture_on_commit_callbacks):
    signed_contract(world.engagement, world.practice_manager)
    with django_capture_on_commit_callbacks(execute=True):
        request = add_billing(world.engagement, world.provider_manager)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        changes.approve_change_request(request, by=world.provider_manager)  # the provider cannot approve
    assert payloads("change_request.decided") == []


def test_a_gate_decision_emits_gate_decided(world, started, hooked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = transition.record_gate_decision(
            started.first, by=world.practice_manager, outcome="no_go", note="Abandonment still too high."
        )
    assert payloads("gate.decided") == [{"phase": started.first.pk, "gate_decision": decision.pk, "outcome": "no_go"}]


def test_an_overdue_remediation_emits_remediation_overdue_once_per_level(
    comms, hooked, django_capture_on_commit_callbacks
):
    breach = make_breach(comms.world.engagement)
    make_plan(breach, due_on=TODAY - timedelta(days=1))
    for day in (TODAY, TODAY, TODAY + timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):
            send_due_reminders(day)
    assert [p["escalation_level"] for p in payloads("remediation.overdue")] == [1, 2]
    assert {p["breach"] for p in payloads("remediation.overdue")} == {breach.pk}
