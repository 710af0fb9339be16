# ruff: noqa: F811 - the receiver fixture is imported from its module and used as an argument
"""Tasks sent through Redis to a separate worker process, against the same database the tests write to."""

import hashlib
import hmac
from datetime import timedelta
from unittest import mock

import pytest
from celery.result import EagerResult
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from bpo_portal.tasks import clear_expired_sessions
from engagements.choices import Role
from engagements.models import Invitation, WebhookDelivery
from engagements.models.people import hash_secret
from engagements.services import webhooks
from engagements.tasks import deliver_webhook, send_invitation_email
from tests import factories
from tests.engagements.webhook_receiver import receiver  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RESULT_TIMEOUT = 30


def make_invitation() -> Invitation:
    practice = factories.make_practice("Riverside Eye Care")
    manager = factories.make_member(practice, Role.MANAGER)
    return Invitation.objects.create(
        email="new.colleague@riverside.example",
        practice=practice,
        role=Role.STAFF,
        token_hash=hash_secret("inv_worker-test"),
        expires_at=timezone.now() + timedelta(days=7),
        invited_by=manager,
    )


def run_on_worker(task, *args):
    result = task.apply_async(args=args, ignore_result=False)  # tasks ignore results unless a caller reads them
    assert not isinstance(result, EagerResult), "the task ran in the test process, not on the worker"
    return result.get(timeout=RESULT_TIMEOUT)


def make_session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["note"] = "worker test"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_the_worker_sends_an_invitation_and_records_when(celery_worker):
    invitation = make_invitation()

    assert run_on_worker(send_invitation_email, invitation.pk, "http://x/link") == "sent"

    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_sending_the_same_invitation_again_changes_nothing(celery_worker):
    invitation = make_invitation()
    run_on_worker(send_invitation_email, invitation.pk, "http://x/link")
    invitation.refresh_from_db()
    first_sent_at = invitation.sent_at

    assert run_on_worker(send_invitation_email, invitation.pk, "http://x/link") == "already-sent"

    invitation.refresh_from_db()
    assert invitation.sent_at == first_sent_at


def test_the_worker_clears_expired_sessions_and_keeps_live_ones(celery_worker):
    expired = make_session(timedelta(hours=-1))
    live = make_session(timedelta(hours=1))

    assert run_on_worker(clear_expired_sessions) == 1

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_a_committed_batch_is_rolled_up_by_the_worker_and_its_breach_opened_once(celery_worker):
    """The web process commits; the worker recomputes what the batch touched; a resend opens nothing new."""
    import time
    from datetime import date

    from engagements.models import Notification
    from slas import services as sla_services
    from slas.models import Breach, IngestBatch, KPIValue, Metric, SLATarget

    practice, provider = factories.make_practice("Riverside Eye Care"), factories.make_provider("ClearView")
    practice_manager, provider_manager = factories.make_member(practice), factories.make_member(provider)
    engagement = factories.make_engagement(practice, provider, by=practice_manager)
    sla_services.save_target(
        SLATarget(
            engagement=engagement,
            metric=Metric.objects.get(code="service_level"),
            threshold=80,
            effective_from=date(2026, 1, 1),
        ),
        by=practice_manager,
    )
    row = {"engagement": engagement.pk, "metric": "service_level", "date": "2026-03-02", "external_id": "w-1"}
    result = sla_services.ingest_measurements([{**row, "numerator": 1, "denominator": 4}], by=provider_manager)

    deadline = time.monotonic() + RESULT_TIMEOUT
    while IngestBatch.objects.get(pk=result.batch.pk).recomputed_at is None:
        assert time.monotonic() < deadline, "the worker never recomputed the batch"
        time.sleep(0.1)
    assert KPIValue.objects.get(target__engagement=engagement).value == 25
    breach = Breach.objects.get(target__engagement=engagement)
    assert Notification.objects.filter(key__startswith=f"breach:{breach.pk}:").count() == 2  # one per side

    resent = sla_services.ingest_measurements([{**row, "numerator": 1, "denominator": 4}], by=provider_manager)
    run_on_worker(__import__("slas.tasks", fromlist=["recompute_batch"]).recompute_batch, resent.batch.pk)
    assert Breach.objects.count() == 1 and Notification.objects.filter(key__startswith="breach:").count() == 2


# A webhook delivered by the worker to a local receiver. In this file because every test that uses the session's
# worker must run in one pytest-xdist process: workers of two processes would take each other's messages.
def test_the_worker_delivers_a_signed_event_once(world, settings, receiver, celery_worker):
    settings.DEBUG = True  # the worker runs with the embedded default, DEBUG on: loopback is allowed there too
    endpoint, secret = webhooks.create_endpoint(by=world.practice_manager, url=receiver.url, events=["gate.decided"])
    with mock.patch("engagements.tasks.deliver_webhook.delay"):
        webhooks.record_event("gate.decided", world.engagement.pk, {"outcome": "go"})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    result = deliver_webhook.apply_async(args=[delivery.pk], ignore_result=False)  # tasks ignore results otherwise
    assert not isinstance(result, EagerResult), "the task ran in the test process, not on the worker"
    assert result.get(timeout=30) == "delivered"
    assert (
        deliver_webhook.apply_async(args=[delivery.pk], ignore_result=False).get(timeout=30) == "not-due"
    )  # a second run sends nothing

    [received] = receiver.requests
    t, v1 = (part.split("=", 1)[1] for part in received.headers["X-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{t}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(v1, expected)
