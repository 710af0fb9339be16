"""Simultaneous requests with one idempotency key: the work is done once, and every request gets its answer.

Needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there too).
"""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from bpo_portal.api.idempotency import HEADER
from engagements import services
from engagements.api.views.communication import ContactViewSet
from engagements.choices import TokenKind
from engagements.models import Contact, IdempotencyKey
from engagements.services import communication

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)"),
]
WORKERS = 4


def body(world):
    return {"engagement": world.engagement.pk, "side": "practice", "role": "Lead", "name": "Lead", "email": "l@x.test"}


def client_for(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_simultaneous_requests_with_one_key_create_once_and_all_answer_the_same(world):
    _, raw = services.create_api_token(name="feed", kind=TokenKind.PERSONAL, by=world.practice_manager)
    barrier, answers = threading.Barrier(WORKERS), []

    def send():
        try:
            client = client_for(raw)
            barrier.wait()
            response = client.post("/api/v1/contacts/", body(world), format="json", headers={HEADER: "same"})
            answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert connection.vendor == "postgresql"
    assert len(answers) == WORKERS
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1  # the replays are the first answer, byte for byte
    assert Contact.objects.filter(name="Lead").count() == 1
    assert IdempotencyKey.objects.filter(key="same").count() == 1


def test_a_retry_arriving_mid_request_waits_for_the_first_and_replays_it(world):
    """The first request is held inside its work; the retry blocks on the key (seen in pg_locks) rather than
    doing the work again, and answers the first response once that commits."""
    _, raw = services.create_api_token(name="feed", kind=TokenKind.PERSONAL, by=world.practice_manager)
    in_work, release, answers = threading.Event(), threading.Event(), {}
    real_save = communication.save_contact

    def slow_save(contact, *, by):
        saved = real_save(contact, by=by)
        in_work.set()
        release.wait(timeout=30)
        return saved

    def send(name):
        try:
            response = client_for(raw).post("/api/v1/contacts/", body(world), format="json", headers={HEADER: "k"})
            answers[name] = response
        finally:
            connections.close_all()

    with mock.patch.object(ContactViewSet, "save", staticmethod(slow_save)):
        first = threading.Thread(target=send, args=("first",))
        first.start()
        assert in_work.wait(timeout=30)
        retry = threading.Thread(target=send, args=("retry",))
        retry.start()
        _wait_until_a_backend_waits_on_a_lock()
        assert "retry" not in answers
        release.set()
        first.join(timeout=60)
        retry.join(timeout=60)

    assert answers["first"].status_code == answers["retry"].status_code == 201
    assert answers["retry"].content == answers["first"].content
    assert answers["retry"]["Idempotent-Replayed"] == "true"
    assert Contact.objects.filter(name="Lead").count() == 1


def _wait_until_a_backend_waits_on_a_lock(attempts=3000):
    """Poll (bounded) until another session of this database is blocked on a lock: the retry on the key."""
    import time

    with connection.cursor() as cursor:
        for _ in range(attempts):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the retry never waited on the first request's key")
