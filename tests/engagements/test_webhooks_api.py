"""Webhook endpoints and deliveries through the API and the pages: registration with the secret shown once,
the owner-only scope, the delivery log, redelivery, and refusals that change nothing."""

# ruff: noqa: F811 - the receiver fixture is imported from its module and used as an argument

import pytest
from django.urls import reverse

from engagements.choices import DeliveryStatus
from engagements.models import WebhookDelivery, WebhookEndpoint
from engagements.services import webhooks
from tests.engagements.webhook_receiver import receiver  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def register(api, user, url, events=("breach.opened",)):
    return api.as_user(user).post("/api/v1/webhook-endpoints/", {"url": url, "events": list(events)}, format="json")


def test_registering_answers_the_secret_once(world, api, debug, receiver):
    created = register(api, world.provider_manager, receiver.url)
    assert created.status_code == 201, created.content
    endpoint = WebhookEndpoint.objects.get()
    assert created.json()["secret"] == endpoint.secret and endpoint.secret.startswith("whsec_")
    assert created["Location"].endswith(f"/api/v1/webhook-endpoints/{endpoint.pk}/")
    shown = api.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").json()
    assert "secret" not in shown and shown["events"] == ["breach.opened"]
    assert "secret" not in api.get("/api/v1/webhook-endpoints/").json()["results"][0]


def test_an_integration_token_registers_its_own_endpoint(world, api, debug, receiver):
    client = api.as_token(world.integration_raw_token)
    body = {"url": receiver.url, "events": ["gate.decided"]}
    created = client.post("/api/v1/webhook-endpoints/", body, format="json")
    assert created.status_code == 201
    assert WebhookEndpoint.objects.get().owner == world.integration_token.user


def test_refused_registrations_change_nothing(world, api, settings):
    settings.DEBUG = False
    cases = [
        (world.practice_manager, {"url": "https://127.0.0.1/hook", "events": ["breach.opened"]}, 400, "url"),
        (world.practice_manager, {"url": "http://10.0.0.1/hook", "events": ["breach.opened"]}, 400, "url"),
        (world.practice_manager, {"url": "https://127.0.0.1/", "events": ["no.such.event"]}, 400, "events"),
        (world.practice_manager, {"url": "https://127.0.0.1/", "events": []}, 400, "events"),
        (world.practice_staff, {"url": "https://127.0.0.1/", "events": ["breach.opened"]}, 403, None),
    ]
    for user, body, code, field in cases:
        response = api.as_user(user).post("/api/v1/webhook-endpoints/", body, format="json")
        assert response.status_code == code, (body, response.content)
        if field:
            assert field in str(response.json())
    assert not WebhookEndpoint.objects.exists()


def test_endpoints_are_their_owners_alone(world, api, debug, receiver):
    register(api, world.provider_manager, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    for someone in (world.provider_staff, world.practice_manager, world.outsider):
        client = api.as_user(someone)
        assert client.get("/api/v1/webhook-endpoints/").json()["results"] == []
        assert client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 404
        assert client.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 404
        assert client.patch(f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"is_active": False}).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert api.as_user(world.admin).get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 200


def test_patch_switches_off_and_changes_events_through_the_rules(world, api, debug, receiver):
    register(api, world.provider_manager, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    client = api.as_user(world.provider_manager)
    path = f"/api/v1/webhook-endpoints/{endpoint.pk}/"
    off = client.patch(path, {"is_active": False, "events": ["gate.decided", "breach.opened"]}, format="json")
    assert off.status_code == 200
    assert off.json()["is_active"] is False and off.json()["events"] == ["breach.opened", "gate.decided"]
    assert off.json()["disabled_reason"]
    refused = client.patch(path, {"url": "https://10.0.0.9/"}, format="json")
    assert refused.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url


def test_the_delivery_log_and_redeliver(world, api, debug, receiver, django_capture_on_commit_callbacks):
    receiver.answers = [500]
    register(api, world.provider_manager, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit("breach.opened", world.engagement, {"breach": 3})
    client = api.as_user(world.provider_manager)
    [logged] = client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/").json()["results"]
    assert logged["status"] == "pending" and logged["response_code"] == 500 and logged["attempts"] == 1
    assert logged["event_type"] == "breach.opened" and logged["event_id"].startswith("evt_")
    assert client.get("/api/v1/webhook-deliveries/", {"status": "pending"}).json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/webhook-deliveries/{logged['id']}/redeliver/")
    assert again.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    assert len(receiver.requests) == 2

    outsider = api.as_user(world.outsider)
    assert outsider.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert outsider.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert len(receiver.requests) == 2


def test_the_event_types_are_listed(world, api):
    types = api.as_user(world.practice_staff).get("/api/v1/webhook-event-types/").json()
    assert {"type": "gate.decided", "description": webhooks.EVENT_TYPES["gate.decided"]} in types


def test_registering_honours_an_idempotency_key(world, api, debug, receiver):
    client = api.as_user(world.practice_manager)
    body = {"url": receiver.url, "events": ["breach.opened"]}
    first = client.post("/api/v1/webhook-endpoints/", body, format="json", headers={"Idempotency-Key": "hook-1"})
    again = client.post("/api/v1/webhook-endpoints/", body, format="json", headers={"Idempotency-Key": "hook-1"})
    assert first.status_code == 201 and again.content == first.content
    assert WebhookEndpoint.objects.count() == 1


# --- The pages ------------------------------------------------------------------------------------------------------


def test_a_manager_registers_an_endpoint_on_the_page_and_sees_the_secret_once(world, client, debug, receiver):
    client.force_login(world.practice_manager)
    page = client.get(reverse("engagements:webhook_list"))
    assert page.status_code == 200 and b"Register endpoint" in page.content
    created = client.post(
        reverse("engagements:webhook_create"), {"url": receiver.url, "events": ["breach.opened", "gate.decided"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert created.status_code == 200 and endpoint.secret.encode() in created.content
    assert "no-store" in created["Cache-Control"] or "max-age=0" in created["Cache-Control"]
    detail = client.get(endpoint.get_absolute_url())
    assert detail.status_code == 200 and endpoint.secret.encode() not in detail.content
    assert endpoint.secret_hint.encode() in detail.content


def test_a_refused_url_on_the_page_shows_why_and_saves_nothing(world, client, settings):
    settings.DEBUG = False
    client.force_login(world.practice_manager)
    body = {"url": "https://127.0.0.1/", "events": ["gate.decided"]}
    refused = client.post(reverse("engagements:webhook_create"), body)
    assert refused.status_code == 400 and b"private, loopback or reserved" in refused.content
    assert not WebhookEndpoint.objects.exists()


def test_staff_see_the_page_without_the_form_and_cannot_register(world, client, debug, receiver):
    client.force_login(world.practice_staff)
    assert b"Register endpoint" not in client.get(reverse("engagements:webhook_list")).content
    refused = client.post(reverse("engagements:webhook_create"), {"url": receiver.url, "events": ["gate.decided"]})
    assert refused.status_code == 400 and b"managers" in refused.content
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_page_redelivers_switches_and_deletes(
    world, client, debug, receiver, django_capture_on_commit_callbacks
):
    endpoint, _ = webhooks.create_endpoint(by=world.practice_manager, url=receiver.url, events=["breach.opened"])
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit("breach.opened", world.engagement, {"breach": 1})
    delivery = WebhookDelivery.objects.get()
    client.force_login(world.practice_manager)
    log = client.get(endpoint.get_absolute_url())
    assert b"breach.opened" in log.content and b"200" in log.content and b"ms" in log.content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engagements:webhook_redeliver", args=[delivery.pk]))
    assert len(receiver.requests) == 2

    client.post(reverse("engagements:webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    client.post(reverse("engagements:webhook_delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_another_persons_endpoint_pages_answer_404(world, client, debug, receiver):
    endpoint, _ = webhooks.create_endpoint(by=world.practice_manager, url=receiver.url, events=["breach.opened"])
    client.force_login(world.outsider)
    assert client.get(endpoint.get_absolute_url()).status_code == 404
    assert client.post(reverse("engagements:webhook_delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("engagements:webhook_toggle", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.get().is_active
