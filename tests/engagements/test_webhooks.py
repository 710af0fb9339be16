"""Webhooks: signed deliveries to a local receiver, retries with backoff, disabling after 24 hours of failures,
redelivery, the access rule, SSRF refusals and one delivery per endpoint and event. Time is moved by passing
`now`, never by sleeping."""

# ruff: noqa: F811 - the receiver fixtures are imported from their module and used as arguments

import hashlib
import hmac
import json
import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import DeliveryStatus, Role
from engagements.models import Notification, WebhookDelivery, WebhookEvent
from engagements.services import webhooks
from tests import factories
from tests.engagements.webhook_receiver import receiver, tls_receiver  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    """DEBUG on: the local receiver's loopback address is allowed, as on a developer's machine."""
    settings.DEBUG = True
    return settings


def register(user, url, events=("breach.opened",)):
    endpoint, secret = webhooks.create_endpoint(by=user, url=url, events=list(events))
    return endpoint


def fire(django_capture_on_commit_callbacks, engagement, event_type="breach.opened", payload=None):
    """Emit inside a transaction and let it commit (the test's own transaction never does)."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhooks.emit(event_type, engagement, payload or {"breach": 1})
    return WebhookEvent.objects.latest("pk")


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (the README's snippet)."""
    parts = dict(item.split("=", 1) for item in headers["X-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and parts["t"] == headers["X-Webhook-Timestamp"]


# --- Delivery and signature -----------------------------------------------------------------------------------------


def test_an_event_is_delivered_signed_with_the_endpoints_secret(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    endpoint = register(world.practice_manager, receiver.url)
    event = fire(django_capture_on_commit_callbacks, world.engagement, payload={"breach": 7})

    [received] = receiver.requests
    body = json.loads(received.body)
    assert body["id"] == event.event_id and body["id"].startswith("evt_")
    assert body["type"] == "breach.opened"
    assert body["engagement"] == {"id": world.engagement.pk, "name": world.engagement.name}
    assert body["data"] == {"breach": 7}
    assert received.headers["X-Webhook-Event"] == "breach.opened"
    assert received.headers["X-Webhook-Id"] == event.event_id
    assert received.path == "/hooks/bpo"
    assert verify(endpoint.secret, received.headers, received.body)
    assert not verify("whsec_someone-else", received.headers, received.body)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 200, 1)
    assert delivery.duration_ms is not None


def test_the_readmes_verification_snippet_accepts_a_real_delivery(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    readme = (settings.BASE_DIR / "README.md").read_text()
    snippet = readme.split("Verifying a delivery", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 - our own README's code
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    [received] = receiver.requests
    assert namespace["verify"](endpoint.secret, received.headers["X-Signature"], received.body)
    assert not namespace["verify"](endpoint.secret, received.headers["X-Signature"], received.body + b" ")


def test_a_tampered_body_fails_verification(world, debug, receiver, django_capture_on_commit_callbacks):
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    [received] = receiver.requests
    assert not verify(endpoint.secret, received.headers, received.body.replace(b'"breach":1', b'"breach":2'))


def test_https_delivery_verifies_the_hosts_certificate_at_the_checked_address(
    world, debug, tls_receiver, django_capture_on_commit_callbacks
):
    debug.WEBHOOK_CA_BUNDLE = tls_receiver.ca_bundle
    endpoint = register(world.practice_manager, tls_receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    [received] = tls_receiver.requests
    assert received.headers["Host"] == f"localhost:{tls_receiver.port}"
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == DeliveryStatus.SUCCEEDED


def test_a_certificate_the_portal_does_not_trust_is_a_failed_attempt(
    world, debug, tls_receiver, django_capture_on_commit_callbacks
):
    endpoint = register(world.practice_manager, tls_receiver.url)  # no CA bundle: self-signed is not trusted
    fire(django_capture_on_commit_callbacks, world.engagement)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert tls_receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING and "SSLError" in delivery.error


def test_only_subscribed_active_endpoints_receive_an_event(world, debug, receiver, django_capture_on_commit_callbacks):
    subscribed = register(world.practice_manager, receiver.url, events=["breach.opened"])
    register(world.practice_manager, receiver.url, events=["gate.decided"])
    switched_off = register(world.practice_manager, receiver.url)
    webhooks.update_endpoint(switched_off, by=world.practice_manager, is_active=False)
    fire(django_capture_on_commit_callbacks, world.engagement)
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [subscribed.pk]
    assert len(receiver.requests) == 1


def test_an_event_of_a_rolled_back_transaction_is_never_recorded(world, debug, receiver):
    register(world.practice_manager, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.emit("breach.opened", world.engagement, {"breach": 1})
        raise RuntimeError("the service failed")
    assert not WebhookEvent.objects.exists()
    assert receiver.requests == []


# --- The access rule ------------------------------------------------------------------------------------------------


def test_only_endpoints_whose_owner_sees_the_engagement_hear_of_it(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    mine = register(world.provider_manager, receiver.url)
    register(world.outsider, receiver.url)  # a manager of another practice
    register(world.other_provider_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [mine.pk]
    assert len(receiver.requests) == 1


def test_an_owner_who_lost_access_before_delivery_gets_nothing(world, debug, receiver):
    endpoint = register(world.provider_manager, receiver.url)
    with mock.patch("engagements.tasks.deliver_webhook.delay"):  # recorded, not yet sent
        webhooks.record_event("breach.opened", world.engagement.pk, {"breach": 1})
    world.provider_manager.is_active = False
    world.provider_manager.save()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhooks.attempt_delivery(delivery.pk) == "gave-up"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "can no longer see" in delivery.error


# --- Retries, backoff and disabling ---------------------------------------------------------------------------------


def test_failures_are_retried_with_exponential_backoff(world, debug, receiver, django_capture_on_commit_callbacks):
    receiver.always = 500
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    waits = []
    for _ in range(10):
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        early = delivery.next_attempt_at - timedelta(seconds=1)
        assert webhooks.attempt_delivery(delivery.pk, now=early) == "not-due"  # not before its time
        assert webhooks.deliver_due(now=delivery.next_attempt_at) == 1
    minutes = [wait / timedelta(minutes=1) for wait in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 240, 240]
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.error) == (11, 500, "HTTP 500")
    assert len(receiver.requests) == 11
    assert len({r.headers["X-Webhook-Id"] for r in receiver.requests}) == 1  # the same event every time


def test_a_redirect_is_not_followed_and_counts_as_a_failure(world, debug, receiver, django_capture_on_commit_callbacks):
    receiver.answers = [302]
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code, delivery.error) == (DeliveryStatus.PENDING, 302, "HTTP 302")
    assert len(receiver.requests) == 1


def test_a_success_after_failures_clears_the_endpoints_failure_clock(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [503, 500]
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert endpoint.failing_since is None and endpoint.is_active


def test_an_endpoint_failing_for_24_hours_is_disabled_and_its_owner_told(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    receiver.always = 500
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    endpoint.refresh_from_db()
    started = endpoint.failing_since
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    moments = []
    while delivery.status == DeliveryStatus.PENDING and len(moments) < 50:
        moments.append(delivery.next_attempt_at)
        webhooks.deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    endpoint.refresh_from_db()

    assert moments[-1] == started + timedelta(hours=24)  # the last retry comes exactly 24 hours on
    assert all(moment - started < timedelta(hours=24) for moment in moments[:-1])
    assert delivery.status == DeliveryStatus.FAILED
    assert not endpoint.is_active and "24 hours" in endpoint.disabled_reason
    note = Notification.objects.get(user=world.practice_manager, key__startswith="webhook-disabled:")
    assert endpoint.url in note.title and note.url == endpoint.get_absolute_url()
    # Nothing more goes to a disabled endpoint.
    sent = len(receiver.requests)
    fire(django_capture_on_commit_callbacks, world.engagement)
    assert len(receiver.requests) == sent


def test_switching_an_endpoint_back_on_gives_it_a_fresh_start(world, debug, receiver):
    endpoint = register(world.practice_manager, receiver.url)
    webhooks.update_endpoint(endpoint, by=world.practice_manager, is_active=False)
    endpoint = webhooks.update_endpoint(endpoint, by=world.practice_manager, is_active=True)
    assert endpoint.is_active and endpoint.failing_since is None and endpoint.disabled_at is None


# --- Redelivery and once per endpoint -------------------------------------------------------------------------------


def test_redeliver_sends_the_same_event_again_on_the_same_row(
    world, debug, receiver, django_capture_on_commit_callbacks
):
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(delivery, by=world.practice_manager)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["X-Webhook-Id"] == receiver.requests[1].headers["X-Webhook-Id"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.SUCCEEDED
    assert WebhookDelivery.objects.count() == 1


def test_a_disabled_endpoint_cannot_be_redelivered_to(world, debug, receiver, django_capture_on_commit_callbacks):
    endpoint = register(world.practice_manager, receiver.url)
    fire(django_capture_on_commit_callbacks, world.engagement)
    webhooks.update_endpoint(endpoint, by=world.practice_manager, is_active=False)
    with pytest.raises(DomainError, match="switched off"):
        webhooks.redeliver(WebhookDelivery.objects.get(), by=world.practice_manager)


def test_the_database_keeps_one_delivery_per_endpoint_and_event(world, debug, receiver):
    endpoint = register(world.practice_manager, receiver.url)
    event = WebhookEvent.objects.create(event_type="breach.opened", engagement=world.engagement, payload={})
    WebhookDelivery.objects.create(endpoint=endpoint, event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(endpoint=endpoint, event=event)


def test_an_attempt_in_flight_is_not_taken_by_a_second_worker(world, debug, receiver):
    endpoint = register(world.practice_manager, receiver.url)
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        webhooks.record_event("breach.opened", world.engagement.pk, {})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + webhooks.CLAIM_FOR)  # claimed
    assert webhooks.attempt_delivery(delivery.pk, now=now) == "not-due"
    assert receiver.requests == []


# --- The event registry ---------------------------------------------------------------------------------------------


def test_the_issue_events_are_registered_and_other_apps_can_add_theirs(world, debug, receiver):
    assert {
        "batch.recomputed", "breach.opened", "breach.resolved", "remediation.submitted", "remediation.decided",
        "remediation.overdue", "change_request.proposed", "change_request.decided", "gate.decided",
    } <= set(webhooks.EVENT_TYPES)  # fmt: skip
    with pytest.raises(ValueError, match="Unregistered"):
        webhooks.emit("audit.submitted.test", world.engagement, {})
    with pytest.raises(DomainError, match="Unknown event"):
        register(world.practice_manager, receiver.url, events=["audit.submitted.test"])
    webhooks.register_event("audit.submitted.test", "A test app's event.")
    try:
        assert register(world.practice_manager, receiver.url, events=["audit.submitted.test"]).events
    finally:
        webhooks.EVENT_TYPES.pop("audit.submitted.test")


# --- Who may register, and where webhooks may go (SSRF) -------------------------------------------------------------


def test_staff_cannot_register_webhooks(world, debug, receiver):
    with pytest.raises(DomainError, match="managers"):
        register(world.practice_staff, receiver.url)
    integration = factories.make_member(world.provider, Role.INTEGRATION)
    assert register(integration, receiver.url).owner == integration


def public(address="93.184.216.34"):
    """Pretend DNS: every host resolves to `address` (no packet leaves the machine)."""
    return mock.patch.object(
        socket, "getaddrinfo", return_value=[(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 443))]
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/hook",
        "http://127.0.0.1/hook",
        "ftp://example.test/hook",
        "https://user:pass@hooks.example.test/",
    ],
)
def test_in_production_private_loopback_and_plain_http_urls_are_refused(world, settings, url):
    settings.DEBUG = False
    with pytest.raises(DomainError):
        webhooks.check_url(url)
    with pytest.raises(DomainError):
        register(world.practice_manager, url)
    assert not world.practice_manager.webhook_endpoints.exists()


def test_a_host_that_resolves_to_a_private_address_is_refused(world, settings):
    settings.DEBUG = False
    with public("10.0.0.7"), pytest.raises(DomainError, match="private"):
        webhooks.check_url("https://innocent.example.test/hook")


def test_a_public_https_url_is_accepted(world, settings):
    settings.DEBUG = False
    with public():
        assert (
            register(world.practice_manager, "https://hooks.example.test/bpo").url == "https://hooks.example.test/bpo"
        )


def test_in_debug_plain_http_goes_only_to_loopback(world, debug):
    assert webhooks.check_url("http://127.0.0.1:9/hook")
    with public(), pytest.raises(DomainError, match="https"):
        webhooks.check_url("http://hooks.example.test/hook")
    with pytest.raises(DomainError, match="private"):
        webhooks.check_url("https://10.1.2.3/hook")


def test_an_unresolvable_host_is_refused(world, settings):
    with pytest.raises(DomainError, match="cannot be resolved"):
        webhooks.check_url("https://no-such-host.invalid/hook")


def test_dns_that_turns_private_after_registration_is_refused_at_delivery(world, settings):
    settings.DEBUG = False
    with public():
        endpoint = register(world.practice_manager, "https://hooks.example.test/bpo")
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        webhooks.record_event("breach.opened", world.engagement.pk, {})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    with public("127.0.0.1"), mock.patch("requests.Session.send") as sent:
        assert webhooks.attempt_delivery(delivery.pk) == "will-retry"
    sent.assert_not_called()
    delivery.refresh_from_db()
    assert "127.0.0.1" in delivery.error and delivery.response_code is None
