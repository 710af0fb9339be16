"""Recompute work owed is kept in the database: every batch ends recomputed, whatever became of its task message."""

import logging
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from engagements.models import Notification
from slas import owed, rollups, tasks
from slas.models import Breach, IngestBatch, KPIValue, OwedRecompute

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)
NOW = timedelta(0)


@pytest.fixture(autouse=True)
def _broker_never_failed():
    owed.reset_publish_backoff()
    yield
    owed.reset_publish_backoff()


@pytest.fixture
def lost_messages(monkeypatch):
    """The broker takes nothing: every recompute message is lost (a dead worker, a broker down at commit)."""
    monkeypatch.setattr(tasks.recompute_batch, "delay", lambda *args: None)
    monkeypatch.setattr(tasks.recompute_target, "delay", lambda *args: None)


def test_a_batch_commits_with_its_recompute_owed_and_the_task_clears_it(sla):
    target = sla.target("service_level", 80)
    result = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    batch = IngestBatch.objects.get(pk=result.batch.pk)
    assert batch.recomputed_at is not None
    assert not OwedRecompute.objects.exists()
    assert sla.kpi(target, MARCH).value == 50


def test_a_lost_message_leaves_the_batch_owed_and_the_sweeper_does_it_once(sla, lost_messages, world):
    sla.target("service_level", 80)  # owed too: its message was lost as well
    result = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    assert OwedRecompute.objects.filter(batch=result.batch).exists()
    assert not KPIValue.objects.exists()

    assert owed.sweep(older_than=NOW) == {"done": 2, "skipped": 0, "failed": 0}

    batch = IngestBatch.objects.get(pk=result.batch.pk)
    assert batch.recomputed_at is not None
    assert KPIValue.objects.get().value == 50
    assert Breach.objects.count() == 1
    assert not OwedRecompute.objects.exists()
    assert owed.sweep(older_than=NOW) == {"done": 0, "skipped": 0, "failed": 0}


def test_the_sweeper_leaves_fresh_work_to_its_task(sla, lost_messages, settings):
    settings.SLA_OWED_GRACE_SECONDS = 120
    sla.target("service_level", 80)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    assert owed.sweep()["done"] == 0
    OwedRecompute.objects.update(owed_since=timezone.now() - timedelta(seconds=121))
    assert owed.sweep()["done"] == 2


def test_a_message_redelivered_after_the_sweeper_did_the_work_changes_nothing(sla, lost_messages):
    sla.target("service_level", 80)
    result = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    owed.sweep(older_than=NOW)
    recomputed_at = IngestBatch.objects.get(pk=result.batch.pk).recomputed_at
    notified = Notification.objects.count()

    assert tasks.recompute_batch(result.batch.pk)["status"] == "already-done"

    assert IngestBatch.objects.get(pk=result.batch.pk).recomputed_at == recomputed_at
    assert Notification.objects.count() == notified


def test_a_target_change_is_owed_until_its_history_is_recomputed(sla, lost_messages, world):
    from slas import services

    target = sla.target("service_level", 80)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    owed.sweep(older_than=NOW)
    assert KPIValue.objects.get().status == "breach"

    target.threshold = 40
    services.save_target(target, by=world.practice_manager)
    assert OwedRecompute.objects.filter(target=target).count() == 1
    services.save_target(target, by=world.practice_manager)
    assert OwedRecompute.objects.filter(target=target).count() == 1  # owed once however often it changes

    owed.sweep(older_than=NOW)
    assert KPIValue.objects.get().status == "met"
    assert not OwedRecompute.objects.exists()


def test_a_recompute_that_fails_stays_owed_with_its_error_and_the_others_go_on(sla, lost_messages, monkeypatch):
    sla.target("service_level", 80)
    OwedRecompute.objects.all().delete()
    first = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)]).batch
    second = sla.push([sla.row("service_level", date(2026, 4, 2), numerator=9, denominator=10)]).batch
    real = rollups.recompute_touched

    def fails_for_march(touched):
        if any(day.startswith("2026-03") for days in touched.values() for day in days):
            raise RuntimeError("disk full")
        return real(touched)

    monkeypatch.setattr(rollups, "recompute_touched", fails_for_march)
    assert owed.sweep(older_than=NOW) == {"done": 1, "skipped": 0, "failed": 1}

    left = OwedRecompute.objects.get()
    assert (left.batch_id, left.attempts, left.last_error) == (first.pk, 1, "RuntimeError: disk full")
    assert IngestBatch.objects.get(pk=first.pk).recomputed_at is None
    assert IngestBatch.objects.get(pk=second.pk).recomputed_at is not None
    monkeypatch.setattr(rollups, "recompute_touched", real)
    assert owed.sweep(older_than=NOW)["done"] == 1
    assert IngestBatch.objects.get(pk=first.pk).recomputed_at is not None


def test_the_nightly_job_does_owed_work_older_than_its_window(sla, lost_messages):
    """Before the owed record, the nightly job recomputed the last 62 days only: a lost recompute of a backfill
    stayed wrong, and its batch said 'not recomputed' forever."""
    target = sla.target("service_level", 80)
    old_day = timezone.localdate() - timedelta(days=200)
    result = sla.push([sla.row("service_level", old_day, numerator=5, denominator=10)])

    summary = tasks.recompute_recent()

    assert summary["swept"] == 2
    assert KPIValue.objects.get(target=target).value == 50
    assert IngestBatch.objects.get(pk=result.batch.pk).recomputed_at is not None


def test_an_owed_row_is_for_a_batch_or_a_target_not_both(sla):
    from django.db import IntegrityError, transaction

    target = sla.target("service_level", 80)
    batch = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)]).batch
    with pytest.raises(IntegrityError), transaction.atomic():
        OwedRecompute.objects.create(batch=batch, target=target)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwedRecompute.objects.create()


# --- Publishing with the broker down ----------------------------------------------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    attempts = []

    def refuse(*args):
        attempts.append(args)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.recompute_batch, "delay", refuse)
    monkeypatch.setattr(tasks.recompute_target, "delay", refuse)
    return attempts


def test_with_the_broker_down_an_ingest_is_saved_owed_and_logged_once(sla, broker_down, caplog, world):
    caplog.set_level(logging.WARNING, logger="slas.owed")
    sla.target("service_level", 80)  # the first failed publish
    first = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)])
    second = sla.push([sla.row("service_level", date(2026, 3, 3), numerator=5, denominator=10)])

    assert len(broker_down) == 1  # after one failure, requests stop trying for SLA_PUBLISH_BACKOFF_SECONDS
    assert len([r for r in caplog.records if r.name == "slas.owed"]) == 1
    assert "the sweeper will do it" in caplog.records[0].getMessage()
    assert OwedRecompute.objects.filter(batch__in=[first.batch, second.batch]).count() == 2
    assert owed.sweep(older_than=NOW)["done"] == 3
    assert KPIValue.objects.get().value == 50


def test_the_api_answers_201_with_the_broker_down(world, api, broker_down, django_capture_on_commit_callbacks):
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2026-03-02", "value": 40}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(world.provider_manager).post(
            "/api/v1/measurements/", [{**row, "external_id": "down-1"}], format="json"
        )
    assert response.status_code == 201, response.content
    assert len(broker_down) == 1
    assert OwedRecompute.objects.filter(batch_id=response.data["batch"]).exists()


def test_publishing_works_again_once_the_backoff_has_passed(sla, monkeypatch, settings):
    settings.SLA_PUBLISH_BACKOFF_SECONDS = 0
    sent = []

    def flaky(*args):
        sent.append(args)
        if len(sent) == 1:
            raise BrokerError("down")

    monkeypatch.setattr(tasks.recompute_batch, "delay", flaky)
    assert owed.publish(tasks.recompute_batch, 1) is False
    assert owed.publish(tasks.recompute_batch, 2) is True
    assert sent == [(1,), (2,)]


def test_a_publish_to_an_unreachable_broker_fails_fast_instead_of_retrying_for_seconds(settings):
    """The settings bound a publish: one retry, a one-second connect timeout, no result subscription."""
    from celery import Celery

    app = Celery("broker-down-check", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.conf.task_always_eager = False
    assert app.conf.task_ignore_result is True
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert app.conf.broker_connection_timeout <= 1
    with pytest.raises(BrokerError):
        app.send_task("slas.tasks.recompute_batch", args=[1])


# --- Two sweepers at once (PostgreSQL) ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_two_sweepers_at_once_do_each_owed_batch_once(sla, lost_messages, monkeypatch):
    sla.target("service_level", 80)
    for day in range(1, 9):
        sla.push([sla.row("service_level", date(2026, 3, day), numerator=5, denominator=10)])
    real, calls, lock = rollups.recompute_touched, [], threading.Lock()

    def counted(touched):
        with lock:
            calls.append(touched)
        return real(touched)

    monkeypatch.setattr(rollups, "recompute_touched", counted)
    barrier, results = threading.Barrier(2), []

    def sweeper():
        try:
            barrier.wait(timeout=10)
            results.append(owed.sweep(older_than=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(calls) == 8  # each batch recomputed once, by one sweeper or the other
    assert sum(r["done"] for r in results) == 9  # eight batches and the target
    assert not OwedRecompute.objects.exists()
    assert not IngestBatch.objects.filter(recomputed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_the_sweeper_skips_work_another_process_holds(sla, lost_messages):
    import psycopg2

    sla.target("service_level", 80)
    batch = sla.push([sla.row("service_level", date(2026, 3, 2), numerator=5, denominator=10)]).batch
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM slas_owedrecompute WHERE batch_id = %s FOR UPDATE", [batch.pk])
        assert owed.sweep(older_than=NOW) == {"done": 1, "skipped": 1, "failed": 0}  # the target only
        assert tasks.recompute_batch(batch.pk)["status"] == "busy"
    finally:
        other.rollback()
        other.close()
    assert owed.sweep(older_than=NOW)["done"] == 1
