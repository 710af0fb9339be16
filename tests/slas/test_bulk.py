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
from slas.ingest import IngestConflict, IngestRejected, Row
from slas.models import IngestBatch, Measurement, Metric
from tests import factories

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's")
lookup_on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's lookup")
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
    """A resent batch (one row stored already) is classified row by row; another request commits one of its new
    external ids between that duplicate check and the COPY."""
    record = {"engagement": world.engagement.pk, "metric": "csat", "date": "2025-01-02", "external_id": "x", "value": 4}
    resent = {**record, "external_id": "stored"}
    services.ingest_measurements([resent], by=world.provider_manager)
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
        services.ingest_measurements([resent, record], by=world.provider_manager)
    assert raced
    stored = Measurement.objects.get(external_id="x")
    assert stored.numerator == 5
    assert Measurement.objects.count() == 2 and IngestBatch.objects.count() == 2
    assert IngestBatch.objects.latest("pk") == stored.batch


def _ingest_in_own_connection(records, world):
    try:
        services.ingest_measurements(records, by=world.provider_manager)
    finally:
        connections.close_all()


# --- Looking stored external ids up (ingest's duplicate check) ---------------------------------------------------

LOOKUPS = [
    pytest.param(bulk._stored_on_postgresql, id="postgresql", marks=lookup_on_postgresql),
    pytest.param(bulk._stored_by_orm, id="orm"),
]
EVERY_COLUMN = ("pk", *STORED, "batch_id")


def _columns(measurements):
    return {tuple(getattr(m, name) for name in EVERY_COLUMN) for m in measurements}


@pytest.mark.parametrize("lookup", LOOKUPS)
@pytest.mark.parametrize("per_query", [1, 100], ids=["one engagement a query", "a hundred a query"])
def test_the_lookup_finds_exactly_the_stored_external_ids_of_each_engagement(
    lookup, per_query, world, batch, monkeypatch
):
    monkeypatch.setattr(bulk, "LOOKUP_ENGAGEMENTS", per_query)
    monkeypatch.setattr(bulk, "LOOKUP_CHUNK", 3)
    rows = _rows(world)
    elsewhere = Row(1, world.other_engagement.pk, rows[0].metric, None, None, date(2025, 1, 2), 1, 1, "plain-0")
    bulk.insert_measurements([*rows, elsewhere], batch)
    asked = [row.external_id for row in rows[::2]]
    found = list(
        lookup(
            {
                world.engagement.pk: [*asked, "absent", "PLAIN-0", "plain-0 "],
                world.other_engagement.pk: ["plain-0", "plain-1"],
                999999: ["plain-0"],
            }
        )
    )
    assert {(m.engagement_id, m.external_id) for m in found} == {
        *((world.engagement.pk, external_id) for external_id in asked),
        (world.other_engagement.pk, "plain-0"),
    }
    assert all(isinstance(m, Measurement) for m in found)
    assert _columns(found) == _columns(Measurement.objects.filter(pk__in=[m.pk for m in found]))


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_an_empty_lookup_finds_nothing(lookup, world):
    assert list(lookup({})) == []


@lookup_on_postgresql
def test_on_postgresql_the_lookup_asks_once_per_hundred_engagements_however_many_ids(world, monkeypatch):
    monkeypatch.setattr(bulk, "LOOKUP_ENGAGEMENTS", 2)
    wanted = {pk: [f"x-{n}" for n in range(4000)] for pk in (world.engagement.pk, world.other_engagement.pk, 999999)}
    with CaptureQueriesContext(connection) as queries:
        assert list(bulk.stored_measurements(wanted)) == []
    assert len(queries.captured_queries) == 2


def test_a_batch_across_engagements_finds_its_duplicates_and_changes_in_each(sla, world):
    back_office = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
    day = date(2026, 3, 2)
    first = [
        sla.row("calls_handled", day, engagement=engagement, external_id=f"r-{n}", value=n)
        for engagement in (world.engagement, back_office)
        for n in range(3)
    ]
    sla.push(first)
    resent = [*first[:4], {**first[4], "value": 40}, first[5]]  # the same external id in two engagements, one changed
    with pytest.raises(IngestRejected) as rejected:
        sla.push(resent)
    assert [(e["row"], e["code"]) for e in rejected.value.errors] == [(5, "changed")]
    result = sla.push(resent, allow_corrections=True)
    assert (result.created, result.duplicates, result.corrected) == (0, 5, 1)
    assert Measurement.objects.get(engagement=back_office, external_id="r-1").numerator == 40
    assert Measurement.objects.get(engagement=world.engagement, external_id="r-1").numerator == 1
