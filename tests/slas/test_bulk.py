"""Bulk insertion stores exactly the rows it is given, on PostgreSQL's COPY path and on bulk_create.

Run under the default SQLite settings only bulk_create is exercised; with DATABASE_URL=postgres://… both are.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from engagements.models import ServiceLine
from slas import bulk, ingest, services
from slas.ingest import IngestConflict, Row
from slas.models import IngestBatch, Measurement, Metric

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")
WRITERS = [
    pytest.param(bulk._copy, id="copy", marks=on_postgresql),
    pytest.param(bulk._bulk_create, id="bulk_create"),
]
STORED = (
    "engagement_id",
    "metric_id",
    "service_line_id",
    "agent_id",
    "date",
    "numerator",
    "denominator",
    "external_id",
)
ODD_EXTERNAL_IDS = [
    "tab\there",
    "back\\slash",
    "\\N",  # COPY's NULL marker, as text: must stay text
    "\\t not a tab",
    "line\nbreak and carriage\rreturn",
    "\"double\" and 'single' quotes",
    "comma,semicolon;pipe|",
    "üñíçødé — 日本語 🎉",
    "x" * 100,
]


@pytest.fixture
def batch(world):
    return IngestBatch.objects.create(submitted_by=world.provider_manager)


def _rows(world):
    ratio, mean, volume = (Metric.objects.get(code=code) for code in ("service_level", "csat", "calls_handled"))
    line = ServiceLine.objects.get(code="claims")
    values = [
        (ratio, line.pk, world.agent.pk, date(2024, 2, 29), Decimal("8.0000"), Decimal("10.0000")),
        (mean, None, None, date(2024, 12, 31), Decimal("4.3333"), Decimal("3.0000")),
        (volume, None, world.agent.pk, date(2025, 1, 1), Decimal("0.0000"), Decimal("1")),
        (ratio, line.pk, None, date(2025, 6, 30), Decimal("0.0001"), Decimal("12345678901.2345")),
        (mean, None, None, date(2025, 7, 1), Decimal("1234.5678"), Decimal("1E+2")),
    ]
    if connection.vendor == "postgresql":  # SQLite stores decimals as 15-digit floats; PostgreSQL keeps all 18
        values.append(
            (mean, None, None, date(2025, 7, 2), Decimal("12345678901234.5678"), Decimal("99999999999999.9999"))
        )
    external_ids = ODD_EXTERNAL_IDS + [f"plain-{n}" for n in range(len(values))]
    return [
        Row(n, world.engagement.pk, *values[n % len(values)], external_id)
        for n, external_id in enumerate(external_ids, start=1)
    ]


def _stored():
    return set(Measurement.objects.values_list(*STORED))


def _expected(rows):
    return {
        (r.engagement_id, r.metric.pk, r.service_line_id, r.agent_id, r.date, r.numerator, r.denominator, r.external_id)
        for r in rows
    }


@pytest.mark.parametrize("write", WRITERS)
def test_it_stores_exactly_the_rows_given(write, world, batch):
    rows = _rows(world)
    write(rows, batch)
    assert _stored() == _expected(rows)
    assert Measurement.objects.filter(batch=batch).count() == len(rows)
    assert Measurement.objects.filter(external_id="\\N").exists()


@pytest.mark.parametrize("write", WRITERS)
def test_a_duplicate_external_id_raises_integrity_error(write, world, batch):
    first, second = _rows(world)[:2]
    write([first], batch)
    second.external_id = first.external_id
    with pytest.raises(IntegrityError), transaction.atomic():
        write([second], batch)
    assert _stored() == _expected([first])


@pytest.mark.parametrize("write", WRITERS)
def test_a_duplicate_inside_one_call_raises_integrity_error_and_writes_nothing(write, world, batch):
    first, second = _rows(world)[:2]
    second.external_id = first.external_id
    with pytest.raises(IntegrityError), transaction.atomic():
        write([first, second], batch)
    assert not Measurement.objects.exists()


@on_postgresql
def test_on_postgresql_rows_are_streamed_with_copy_not_inserted(world, batch):
    rows = _rows(world)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_measurements(rows, batch)
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert _stored() == _expected(rows)


def test_nothing_to_insert_touches_nothing(world, batch):
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_measurements([], batch)
    assert queries.captured_queries == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_external_id_stored_by_a_concurrent_request_is_a_conflict_and_nothing_is_saved(world, monkeypatch):
    """Another request commits the same external id between this one's duplicate check and its COPY."""
    record = {"engagement": world.engagement.pk, "metric": "csat", "date": "2025-01-02", "external_id": "x", "value": 4}
    real_plan, raced = ingest.plan, []

    def plan_then_lose_the_race(rows, **options):
        work = real_plan(rows, **options)
        if raced:  # the rival's own call
            return work
        raced.append(True)
        rival = threading.Thread(target=_ingest_in_own_connection, args=([{**record, "value": 5}], world))
        rival.start()
        rival.join(timeout=30)
        return work

    monkeypatch.setattr(ingest, "plan", plan_then_lose_the_race)
    with pytest.raises(IngestConflict):
        services.ingest_measurements([record], by=world.provider_manager)
    assert raced
    stored = Measurement.objects.get()
    assert stored.numerator == 5
    assert IngestBatch.objects.get() == stored.batch


def _ingest_in_own_connection(records, world):
    try:
        services.ingest_measurements(records, by=world.provider_manager)
    finally:
        connections.close_all()
