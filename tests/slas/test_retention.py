"""Retention (issue 14): old measurements dropped or archived; KPI values and breaches, the record, untouched."""

import csv
import gzip
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from slas import backfill, retention, services
from slas.models import Breach, KPIValue, Measurement

pytestmark = pytest.mark.django_db
OLD = date(2026, 1, 5)  # more than 6 months before today (2026-12)


@pytest.fixture
def aged(sla, world, settings):
    settings.SLA_MEASUREMENT_RETENTION_MONTHS = 6
    target = sla.target("service_level", 80, period="month")
    recent = retention.horizon() + timedelta(days=40)
    rows = [sla.row("service_level", OLD + timedelta(days=d), numerator=5, denominator=10) for d in range(3)]
    rows += [sla.row("calls_handled", OLD, value=12)]
    rows += [sla.row("service_level", recent, numerator=9, denominator=10)]
    sla.push(rows)
    return target


def record():
    return (
        sorted(KPIValue.objects.values_list("target_id", "period_start", "numerator", "denominator", "value")),
        sorted(Breach.objects.values_list("pk", "period_start", "severity", "status", "value")),
    )


def test_old_measurements_go_and_kpi_values_and_breaches_stay(aged, capsys):
    before = record()
    assert Breach.objects.filter(period_start=OLD.replace(day=1)).exists()
    call_command("prune_measurements")
    assert "4 measurements before" in capsys.readouterr().out
    assert Measurement.objects.count() == 1
    assert not Measurement.objects.filter(date__lt=retention.horizon()).exists()
    assert record() == before


def test_a_dry_run_counts_and_changes_nothing(aged, capsys):
    before = (Measurement.objects.count(), record())
    call_command("prune_measurements", "--dry-run")
    out = capsys.readouterr().out
    assert "2026-01: 4 measurements" in out and "would be dropped" in out
    assert (Measurement.objects.count(), record()) == before


def test_the_archive_holds_the_rows_and_reads_back_through_the_backfill(aged, world, tmp_path):
    path = tmp_path / "old.csv.gz"
    stored = sorted(Measurement.objects.filter(date__lt=retention.horizon()).values_list("external_id", flat=True))
    call_command("prune_measurements", "--archive", str(path))
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["external_id"] for r in rows) == stored
    counts = {r["external_id"]: r for r in rows if r["metric"] == "calls_handled"}
    assert [r["value"] for r in counts.values()] == ["12.0000"]
    before = record()
    with gzip.open(path, "rt", newline="") as handle:
        result = backfill.backfill(backfill.read_csv(handle), by=world.provider_manager)
    assert result.created == 4
    assert record() == before  # the same rows give the same record


def test_a_target_change_after_pruning_keeps_the_dropped_periods(aged, sla, world, django_capture_on_commit_callbacks):
    before = KPIValue.objects.get(target=aged, period_start=OLD.replace(day=1))
    call_command("prune_measurements")
    aged.threshold = Decimal("70")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(aged, by=world.practice_manager)
    after = KPIValue.objects.get(target=aged, period_start=OLD.replace(day=1))
    assert (after.numerator, after.denominator, after.value) == (before.numerator, before.denominator, before.value)


def test_the_default_keeps_everything(aged, settings, capsys):
    settings.SLA_MEASUREMENT_RETENTION_MONTHS = 0
    call_command("prune_measurements")
    assert "every measurement is kept" in capsys.readouterr().out
    assert Measurement.objects.count() == 5


def test_keeping_fewer_months_than_the_setting_or_the_minimum_is_refused(aged, settings):
    with pytest.raises(CommandError, match="cannot be below"):
        call_command("prune_measurements", "--keep-months", "2")
    settings.SLA_MEASUREMENT_RETENTION_MONTHS = 1
    with pytest.raises(CommandError, match="at least 3"):
        call_command("prune_measurements")
    assert Measurement.objects.count() == 5


def test_keeping_more_months_than_the_setting_drops_less(aged, capsys):
    call_command("prune_measurements", "--keep-months", "24")
    assert Measurement.objects.count() == 5
