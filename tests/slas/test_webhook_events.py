"""The SLA engine tells webhooks what integrators used to poll for: a batch recomputed, a breach opened and
resolved, a remediation plan submitted and decided. Each event is recorded only after its change committed, for
endpoints whose owner may see the engagement."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from engagements.models import WebhookDelivery, WebhookEvent
from engagements.services import webhooks
from slas import services
from slas.choices import BreachStatus
from slas.models import Breach

pytestmark = pytest.mark.django_db

MARCH_3 = date(2025, 3, 3)


@pytest.fixture
def hooked(world, settings):
    """A practice manager's endpoint for every event, and an outsider's; deliveries are recorded, not sent."""
    settings.DEBUG = True
    everything = sorted(webhooks.EVENT_TYPES)
    mine, _ = webhooks.create_endpoint(by=world.practice_manager, url="http://127.0.0.1:9/", events=everything)
    webhooks.create_endpoint(by=world.outsider, url="http://127.0.0.1:9/", events=everything)
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        yield mine


def events(event_type=None):
    found = WebhookEvent.objects.order_by("pk")
    return list(found.filter(event_type=event_type) if event_type else found)


def test_a_missed_target_emits_batch_recomputed_and_breach_opened_once(world, sla, hooked):
    sla.target("service_level", 90)
    sla.push([sla.row("service_level", MARCH_3, numerator=5, denominator=10)])
    breach = Breach.objects.get()

    [recomputed] = events("batch.recomputed")
    [opened] = events("breach.opened")
    assert recomputed.engagement == world.engagement and recomputed.payload["batch"]
    assert opened.payload["breach"] == breach.pk and opened.payload["status"] == "open"
    assert opened.payload["metric"] == "service_level" and opened.payload["value"] == str(breach.value)
    # Only the endpoint whose owner sees the engagement gets the deliveries.
    assert set(WebhookDelivery.objects.values_list("endpoint", flat=True)) == {hooked.pk}

    sla.push([sla.row("service_level", MARCH_3 + timedelta(days=1), numerator=5, denominator=10)])
    assert len(events("breach.opened")) == 1  # the same breach, updated, is not opened again
    assert len(events("batch.recomputed")) == 2


def test_data_that_brings_a_period_back_within_target_emits_breach_resolved(world, sla, hooked):
    sla.target("service_level", 90)
    sla.push([sla.row("service_level", MARCH_3, external_id="m-1", numerator=5, denominator=10)])
    corrected = sla.row("service_level", MARCH_3, external_id="m-1", numerator=10, denominator=10)
    sla.push([corrected], allow_corrections=True)

    breach = Breach.objects.get()
    assert breach.status == BreachStatus.RESOLVED_BY_DATA
    [resolved] = events("breach.resolved")
    assert resolved.payload["breach"] == breach.pk and resolved.payload["status"] == BreachStatus.RESOLVED_BY_DATA


def test_the_remediation_flow_emits_submitted_decided_and_the_closing_resolves_the_breach(
    world, sla, hooked, django_capture_on_commit_callbacks
):
    sla.target("service_level", 90)
    sla.push([sla.row("service_level", MARCH_3, numerator=5, denominator=10)])
    breach = Breach.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.submit_remediation_plan(
            breach, by=world.provider_manager, actions="Two more agents", owner="Bea", due_on=timezone.localdate()
        )
        services.decide_remediation_plan(plan, by=world.practice_manager, accept=True)
        services.complete_remediation_plan(plan, by=world.provider_manager)
        services.close_remediation_plan(plan, by=world.practice_manager)

    [submitted] = events("remediation.submitted")
    [decided] = events("remediation.decided")
    assert submitted.payload == {**submitted.payload, "remediation_plan": plan.pk, "status": "submitted"}
    assert decided.payload["status"] == "accepted"
    [closed] = events("breach.resolved")
    assert closed.payload["breach"] == breach.pk and closed.payload["status"] == BreachStatus.CLOSED


def test_a_refused_remediation_emits_nothing(world, sla, hooked, django_capture_on_commit_callbacks):
    sla.target("service_level", 90)
    sla.push([sla.row("service_level", MARCH_3, numerator=5, denominator=10)])
    breach = Breach.objects.get()
    before = len(events())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="managers"):
        services.submit_remediation_plan(
            breach, by=world.practice_staff, actions="x", owner="y", due_on=timezone.localdate()
        )
    assert len(events()) == before
