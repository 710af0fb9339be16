"""The nightly job judges recent periods from their stored sums (issue 14): the same KPI values and breaches as
summing the measurements again, without reading one measurement, whatever the rows per period."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Notification
from slas import rollups, tasks
from slas.models import Breach, KPIValue

pytestmark = pytest.mark.django_db


def kpis():
    fields = ("target_id", "period_start", "period_end", "numerator", "denominator", "value", "status")
    return sorted(KPIValue.objects.values_list(*fields))


def breaches():
    fields = ("target_id", "period_start", "period_end", "severity", "status", "value", "threshold")
    fields += ("notified_severity",)
    return sorted(Breach.objects.values_list(*fields))


@pytest.fixture
def recent(sla, world):
    """Targets of each grain (one on a service line) with data over the last 40 days, some periods missed."""
    today = timezone.localdate()
    sla.target("service_level", 80, period="day", warning_threshold=85)
    sla.target("first_call_resolution", 70, period="week")
    sla.target("calls_handled", 500, period="month")
    rows = []
    for n in range(1, 41):
        day = today - timedelta(days=n)
        rows.append(sla.row("service_level", day, numerator=70 + n % 25, denominator=100))
        rows.append(sla.row("first_call_resolution", day, numerator=60 + n % 20, denominator=100))
        rows.append(sla.row("calls_handled", day, value=10 + n))
    sla.push(rows)
    return today


def test_the_nightly_job_writes_what_summing_the_measurements_again_writes(recent, sla, world):
    tasks.recompute_recent()
    judged = (kpis(), breaches(), Notification.objects.count())
    rollups.recompute_since(rollups.recent_since())
    assert (kpis(), breaches(), Notification.objects.count()) == judged
    assert judged[0] and judged[1]  # there was something to compare


def test_the_nightly_job_opens_the_breaches_of_periods_that_closed_since(recent, sla, world):
    before = breaches()
    world.engagement.sla_grace_days = 0  # as if the grace had passed: yesterday's period is closed now
    world.engagement.save(update_fields=["sla_grace_days"])
    tasks.recompute_recent()
    opened = set(breaches()) - set(before)
    # only periods the default 2-day grace still held open: they ended yesterday or the day before
    assert opened and all(row[2] >= recent - timedelta(days=2) for row in opened)
    expected = breaches()
    rollups.recompute_since(rollups.recent_since())
    assert breaches() == expected


def test_the_nightly_job_reads_no_measurement_and_its_queries_do_not_grow_with_them(recent, sla, world):
    with CaptureQueriesContext(connection) as first:
        tasks.recompute_recent()
    day = recent - timedelta(days=5)
    sla.push([sla.row("service_level", day, numerator=90, denominator=100) for _ in range(30)])  # 30 more rows
    with CaptureQueriesContext(connection) as second:
        tasks.recompute_recent()
    assert not [q for q in first.captured_queries + second.captured_queries if "slas_measurement" in q["sql"]]
    assert len(first.captured_queries) == len(second.captured_queries)


def test_a_batch_whose_recompute_was_lost_is_summed_before_the_nightly_judges(sla, world, monkeypatch):
    target = sla.target("service_level", 80, period="day")
    monkeypatch.setattr(tasks.recompute_batch, "delay", lambda *args: None)  # the broker lost the message
    day = timezone.localdate() - timedelta(days=4)
    sla.push([sla.row("service_level", day, numerator=9, denominator=10)])
    sla.push([sla.row("service_level", day, numerator=0, denominator=90)])  # a second batch, also lost
    assert not KPIValue.objects.exists()
    summary = tasks.recompute_recent()
    assert summary["swept"] == 2
    assert KPIValue.objects.get(target=target).value == 9  # 9 / 100: both batches summed
    assert Breach.objects.get().severity == "breach"
