"""slas_measurementday: the measurements summed per engagement, metric, service line and day, kept by the
database's triggers (migration 0011) whatever writes the measurements. Run on both databases (CI runs the suite
on SQLite and on PostgreSQL): the triggers differ (per row and per statement) and must agree with a GROUP BY."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from engagements.models import ServiceLine
from slas import rollups, services
from slas.models import IngestBatch, KPIValue, Measurement, MeasurementDay, Metric, SLATarget

DAY = date(2026, 9, 1)


def stored_days() -> dict:
    return {
        (d.engagement_id, d.metric_id, d.line, d.date): (d.numerator, d.denominator, d.row_count)
        for d in MeasurementDay.objects.all()
    }


def summed_measurements() -> dict:
    rows = (
        Measurement.objects.annotate(line=Coalesce("service_line_id", 0))
        .values("engagement_id", "metric_id", "line", "date")
        .annotate(n=Sum("numerator"), d=Sum("denominator"), c=Count("pk"))
        .order_by()
    )
    return {(r["engagement_id"], r["metric_id"], r["line"], r["date"]): (r["n"], r["d"], r["c"]) for r in rows}


@pytest.fixture
def setting(world):
    return {
        "batch": IngestBatch.objects.create(submitted_by=world.provider_manager),
        "metric": Metric.objects.get(code="service_level"),
        "other_metric": Metric.objects.get(code="first_call_resolution"),
        "line": ServiceLine.objects.order_by("pk").first(),
    }


def make(world, setting, n, *, day=DAY, line=None, metric=None, numerator="0.1000", denominator="1", agent=None):
    return Measurement(
        engagement=world.engagement,
        metric=metric or setting["metric"],
        service_line=line,
        agent=agent,
        date=day,
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        external_id=f"day-{n}",
        batch=setting["batch"],
    )


def test_inserts_updates_and_deletes_keep_the_days_equal_to_the_measurements(world, setting):
    line = setting["line"]
    Measurement.objects.bulk_create(
        [make(world, setting, n, day=DAY + timedelta(days=n % 3), line=line if n % 2 else None) for n in range(12)]
        + [make(world, setting, 100, metric=setting["other_metric"], numerator="0.3333", denominator="0.5")]
    )
    assert stored_days() == summed_measurements()
    assert len(stored_days()) == 7  # 3 days × (no line, the line) + the other metric's day
    assert stored_days()[(world.engagement.pk, setting["metric"].pk, 0, DAY)] == (Decimal("0.2000"), 2, 2)

    # Values change in place (a correction), a row moves to another day, another to no service line.
    Measurement.objects.filter(external_id__in=["day-0", "day-3"]).update(numerator=Decimal("0.7500"))
    Measurement.objects.filter(external_id="day-1").update(date=DAY + timedelta(days=10))
    Measurement.objects.filter(external_id="day-5").update(service_line=None)
    one = Measurement.objects.get(external_id="day-7")
    one.denominator = Decimal("3")
    one.save()
    assert stored_days() == summed_measurements()
    assert (world.engagement.pk, setting["metric"].pk, line.pk, DAY + timedelta(days=10)) in stored_days()

    # An update that changes nothing a day holds leaves the days alone.
    Measurement.objects.filter(external_id="day-2").update(external_id="day-2-renamed")
    assert stored_days() == summed_measurements()

    # Deleting some rows takes them away; deleting a day's last row deletes the day.
    Measurement.objects.filter(external_id__in=["day-0", "day-6"]).delete()
    assert stored_days() == summed_measurements()
    Measurement.objects.filter(external_id="day-100").delete()
    assert (world.engagement.pk, setting["other_metric"].pk, 0, DAY) not in stored_days()
    Measurement.objects.all().delete()
    assert stored_days() == {}


def test_sums_stay_exact_to_four_decimals_after_many_changes(world, setting):
    """SQLite keeps a decimal as a double; the day row reads back at the field's 4 decimals, as the sums of the
    measurements do, after additions and subtractions that a double cannot hold exactly."""
    Measurement.objects.bulk_create(make(world, setting, n, numerator="0.1000") for n in range(30))
    for n in range(0, 30, 3):
        Measurement.objects.filter(external_id=f"day-{n}").delete()
    Measurement.objects.filter(external_id="day-1").update(numerator=Decimal("0.2001"))
    (numerator, denominator, count) = stored_days()[(world.engagement.pk, setting["metric"].pk, 0, DAY)]
    assert (numerator, denominator, count) == (Decimal("2.1001"), Decimal("20"), 20)
    assert stored_days() == summed_measurements()


def test_the_ingest_service_and_its_corrections_keep_the_days(world, setting):
    record = {
        "engagement": world.engagement.pk,
        "metric": "service_level",
        "date": DAY.isoformat(),
        "numerator": "40",
        "denominator": "50",
    }
    services.ingest_measurements(
        [{**record, "external_id": f"svc-{n}", "agent": world.agent.pk} for n in range(5)], by=world.provider_manager
    )
    assert (
        stored_days()
        == summed_measurements()
        == {(world.engagement.pk, setting["metric"].pk, 0, DAY): (Decimal("200"), Decimal("250"), 5)}
    )
    services.ingest_measurements(
        [{**record, "external_id": "svc-0", "numerator": "45"}], by=world.provider_manager, allow_corrections=True
    )
    assert stored_days()[(world.engagement.pk, setting["metric"].pk, 0, DAY)] == (Decimal("205"), Decimal("250"), 5)


def test_the_rollups_sum_the_days_not_the_measurements(world, setting):
    """What makes a period's recompute cost its days, not its rows: change a day row behind the triggers' back
    and the recompute follows it."""
    target = SLATarget.objects.create(
        engagement=world.engagement, metric=setting["metric"], threshold=Decimal("80"), period="month",
        effective_from=DAY,
    )  # fmt: skip
    Measurement.objects.bulk_create(
        make(world, setting, n, numerator="0.9", day=DAY + timedelta(days=n)) for n in range(4)
    )
    rollups.recompute_touched({(world.engagement.pk, setting["metric"].pk): [DAY.isoformat()]})
    assert KPIValue.objects.get(target=target).value == Decimal("90.00")
    MeasurementDay.objects.filter(date=DAY).update(numerator=Decimal("0.5"))
    rollups.recompute_touched({(world.engagement.pk, setting["metric"].pk): [DAY.isoformat()]})
    assert KPIValue.objects.get(target=target).value == Decimal("80.00")  # (0.5 + 3 × 0.9) / 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and TRUNCATE are PostgreSQL's")
def test_copy_and_truncate_keep_the_days_on_postgresql(world, setting):
    import io

    lines = "".join(
        f"{world.engagement.pk}\t{setting['metric'].pk}\t\\N\t\\N\t{DAY + timedelta(days=n % 2)}\t0.5\t1\tcopy-{n}\t"
        f"{setting['batch'].pk}\n"
        for n in range(10)
    )
    columns = "engagement_id, metric_id, service_line_id, agent_id, date, numerator, denominator, external_id, batch_id"
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY slas_measurement ({columns}) FROM STDIN", io.StringIO(lines))
    assert stored_days() == summed_measurements()
    assert stored_days()[(world.engagement.pk, setting["metric"].pk, 0, DAY)] == (Decimal("2.5"), Decimal("5"), 5)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred foreign-key checks
        cursor.execute("TRUNCATE slas_measurement CASCADE")
    assert stored_days() == {}
