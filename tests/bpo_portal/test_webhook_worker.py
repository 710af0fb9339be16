# ruff: noqa: F811 - the receiver fixture is imported from its module and used as an argument
"""A webhook delivered by a real Celery worker (a separate process, through Redis) to a local receiver."""

import hashlib
import hmac
from unittest import mock

import pytest
from celery.result import EagerResult

from engagements.models import WebhookDelivery
from engagements.services import webhooks
from engagements.tasks import deliver_webhook
from tests.engagements.webhook_receiver import receiver  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_delivers_a_signed_event_once(world, settings, receiver, celery_worker):
    settings.DEBUG = True  # the worker runs with the embedded default, DEBUG on: loopback is allowed there too
    endpoint, secret = webhooks.create_endpoint(by=world.practice_manager, url=receiver.url, events=["gate.decided"])
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        webhooks.record_event("gate.decided", world.engagement.pk, {"outcome": "go"})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    result = deliver_webhook.delay(delivery.pk)
    assert not isinstance(result, EagerResult), "the task ran in the test process, not on the worker"
    assert result.get(timeout=30) == "delivered"
    assert deliver_webhook.delay(delivery.pk).get(timeout=30) == "not-due"  # a second run sends nothing

    [received] = receiver.requests
    t, v1 = (part.split("=", 1)[1] for part in received.headers["X-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{t}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(v1, expected)
