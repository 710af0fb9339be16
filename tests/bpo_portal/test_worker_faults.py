"""Faults with a real worker on the real broker: a worker killed with -9 mid-recompute, and a broker that is down when
a batch commits. Each is bounded in time, and each ends with every batch recomputed and nothing stored twice.

These tests run a worker of their own on a queue of their own (not the session's shared worker), because one of
them kills it.
"""

import os
import signal
import time
import uuid
from datetime import date

import psycopg2
import pytest
from django.db import connection

from bpo_portal.celery import app as celery_app
from engagements.models import Notification
from slas import owed, tasks
from slas import services as sla_services
from slas.models import Breach, IngestBatch, KPIValue, Metric, OwedRecompute, SLATarget
from tests import factories
from tests.bpo_portal.conftest import _stop, _why_no_worker, start_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BOUND = 30  # seconds any step may take before the test fails instead of hanging


@pytest.fixture
def own_worker(tmp_path, django_db_setup):
    reason = _why_no_worker()
    if reason:
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail(f"REQUIRE_WORKER is set but {reason}")
        pytest.skip(reason)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    process = start_worker(tmp_path / "worker.log", queue=queue)
    process.queue = queue
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    owed.reset_publish_backoff()
    yield process
    celery_app.conf.task_always_eager = previous
    if process.poll() is None:
        _stop(process)


@pytest.fixture
def account():
    practice, provider = factories.make_practice("Riverside Eye Care"), factories.make_provider("ClearView")
    practice_manager, provider_manager = factories.make_member(practice), factories.make_member(provider)
    engagement = factories.make_engagement(practice, provider, by=practice_manager)
    target = SLATarget(
        engagement=engagement,
        metric=Metric.objects.get(code="service_level"),
        threshold=80,
        effective_from=date(2026, 1, 1),
    )
    with _messages_lost():
        sla_services.save_target(target, by=practice_manager)
    owed.run_target(target.pk)
    return engagement, provider_manager


class _messages_lost:
    """Nothing reaches the broker while this is open: the message of each commit is lost."""

    def __enter__(self):
        self._saved = tasks.recompute_batch.delay, tasks.recompute_target.delay
        tasks.recompute_batch.delay = tasks.recompute_target.delay = lambda *args: None

    def __exit__(self, *exc):
        tasks.recompute_batch.delay, tasks.recompute_target.delay = self._saved


def _forget_broker_connections():
    """Make the app look up its connection pool for the current `broker_url` again (kombu keeps one per URL)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _push(engagement, by, external_id, numerator):
    row = {"engagement": engagement.pk, "metric": "service_level", "date": "2026-03-02", "external_id": external_id}
    return sla_services.ingest_measurements([{**row, "numerator": numerator, "denominator": 4}], by=by).batch


def _other_connection():
    settings_dict = connection.settings_dict
    return psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
    )


def _wait_for(condition, what: str):
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what} after {BOUND}s"
        time.sleep(0.1)


def test_a_worker_killed_mid_recompute_leaves_the_work_owed_and_the_sweeper_does_it(own_worker, account):
    engagement, provider_manager = account
    with _messages_lost():
        batch = _push(engagement, provider_manager, "kill-1", 1)
    blocker = _other_connection()
    try:
        with blocker.cursor() as cursor:  # the task's last write waits on this lock, after all its other work
            cursor.execute("SELECT id FROM slas_ingestbatch WHERE id = %s FOR UPDATE", [batch.pk])
            tasks.recompute_batch.apply_async(args=[batch.pk], queue=own_worker.queue)

            def worker_is_waiting():
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise read once per transaction
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                return cursor.fetchall()

            _wait_for(worker_is_waiting, "the worker to reach its last write")
            (backend_pid,) = worker_is_waiting()[0]
            os.kill(own_worker.pid, signal.SIGKILL)
            own_worker.wait(timeout=BOUND)
    finally:
        blocker.rollback()  # the killed worker's backend now finds its client gone and rolls back
    with blocker.cursor() as cursor:

        def backend_gone():
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            return cursor.fetchone()[0] == 0

        _wait_for(backend_gone, "PostgreSQL to end the killed worker's session")
    blocker.close()

    assert IngestBatch.objects.get(pk=batch.pk).recomputed_at is None  # the kill rolled the recompute back
    assert OwedRecompute.objects.filter(batch=batch).exists()  # and the work is still owed

    assert owed.sweep(older_than=__import__("datetime").timedelta(0))["done"] == 1

    assert IngestBatch.objects.get(pk=batch.pk).recomputed_at is not None
    assert KPIValue.objects.get(target__engagement=engagement).value == 25
    breach = Breach.objects.get(target__engagement=engagement)
    assert Notification.objects.filter(key__startswith=f"breach:{breach.pk}").count() == 2
    assert not OwedRecompute.objects.exists()


def test_a_batch_committed_while_the_broker_is_down_is_swept_by_the_worker_once_it_is_back(own_worker, account):
    engagement, provider_manager = account
    good_url = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the broker is down
    _forget_broker_connections()
    try:
        batch = _push(engagement, provider_manager, "down-1", 1)
        assert OwedRecompute.objects.filter(batch=batch).exists()
        assert IngestBatch.objects.get(pk=batch.pk).recomputed_at is None
    finally:
        celery_app.conf.broker_url = good_url
        _forget_broker_connections()

    # The broker is back: beat's next sweep (here sent at once, with no grace) does the work on the worker.
    tasks.sweep_owed_recomputes.apply_async(kwargs={"older_than_seconds": 0}, queue=own_worker.queue)
    _wait_for(lambda: IngestBatch.objects.get(pk=batch.pk).recomputed_at is not None, "the sweep to recompute")
    assert KPIValue.objects.get(target__engagement=engagement).value == 25
    assert not OwedRecompute.objects.exists()

    # And the web process publishes again without a restart once its back-off has passed.
    owed.reset_publish_backoff()
    second = _push(engagement, provider_manager, "down-2", 3)
    tasks.recompute_batch.apply_async(args=[second.pk], queue=own_worker.queue)
    _wait_for(lambda: IngestBatch.objects.get(pk=second.pk).recomputed_at is not None, "the second batch")
    assert KPIValue.objects.get(target__engagement=engagement).value == 50  # (1 + 3) / 8
