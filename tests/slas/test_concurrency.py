"""Two workers recomputing the same batch at the same moment open one breach and tell each person once.

This needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there too); SQLite
serialises writers and would prove nothing.
"""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from engagements.models import Notification
from slas import bulk, rollups
from slas.ingest import Row
from slas.models import Breach, IngestBatch, KPIValue, Metric

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)"),
]
WORKERS = 4


def _store_missed_month(sla, world):
    """Measurements that miss the target, written without queuing the recompute the test runs by hand."""
    target = sla.target("service_level", 80)
    metric = Metric.objects.get(code="service_level")
    batch = IngestBatch.objects.create(submitted_by=world.provider_manager)
    rows = [Row(n, world.engagement.pk, metric, None, None, date(2026, 3, n), 1, 10, f"c-{n}") for n in range(1, 11)]
    bulk.insert_measurements(rows, batch)
    return target, {(world.engagement.pk, metric.pk): [f"2026-03-{n:02d}" for n in range(1, 11)]}


def _race(work):
    barrier, errors = threading.Barrier(WORKERS), []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported below with the failing assertion
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_recomputes_of_one_batch_open_exactly_one_breach(sla, world):
    target, touched = _store_missed_month(sla, world)
    errors = _race(lambda: rollups.recompute_touched(touched))
    assert errors == []
    assert connection.vendor == "postgresql"
    assert KPIValue.objects.get(target=target).value == 10
    assert Breach.objects.filter(target=target).count() == 1
    assert Notification.objects.filter(key=f"breach:{Breach.objects.get().pk}:breach").count() == 2


def test_concurrent_nightly_and_batch_recomputes_agree(sla, world):
    target, touched = _store_missed_month(sla, world)
    jobs = iter([lambda: rollups.recompute_touched(touched), lambda: rollups.recompute_since(date(2026, 1, 1))] * 2)
    lock = threading.Lock()

    def next_job():
        with lock:
            job = next(jobs)
        job()

    assert _race(next_job) == []
    assert Breach.objects.filter(target=target).count() == 1
    assert Notification.objects.count() == 2
