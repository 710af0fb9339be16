"""Backfill (issue 14): a large history in bounded batches, one recompute at the end, one digest per engagement,
finished by the sweeper when killed, and a rerun that changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from engagements.models import Notification
from slas import backfill, ingest, owed, rollups
from slas.models import Breach, IngestBatch, KPIValue, Measurement, OwedRecompute

pytestmark = pytest.mark.django_db
FEB = date(2026, 2, 2)  # a Monday, long closed


def history(sla, days=12, engagement=None, tag="h"):
    """Two rows a day of service level at 50% (a daily breach of an 80% target)."""
    rows = []
    for offset in range(days):
        for part in range(2):
            rows.append(
                sla.row(
                    "service_level",
                    FEB + timedelta(days=offset),
                    engagement=engagement,
                    external_id=f"{tag}-{offset}-{part}",
                    numerator=5,
                    denominator=10,
                )
            )
    return rows


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = rollups.recompute_touched

    def spy(touched):
        calls.append(touched)
        return real(touched)

    monkeypatch.setattr(rollups, "recompute_touched", spy)
    return calls


def snapshot():
    return (
        sorted(Measurement.objects.values_list("external_id", "numerator", "denominator")),
        sorted(KPIValue.objects.values_list("target_id", "period_start", "value", "status")),
        sorted(Breach.objects.values_list("target_id", "period_start", "severity", "status", "notified_severity")),
        sorted(Notification.objects.values_list("user_id", "key")),
        IngestBatch.objects.count(),
    )


def test_bounded_batches_one_recompute_and_one_digest_per_engagement(sla, world, counted):
    target = sla.target("service_level", 80, period="day")
    seen = []
    result = backfill.backfill(history(sla), by=world.provider_manager, batch_size=5, progress=seen.append)

    assert (result.chunks, result.rows, result.created) == (5, 24, 24)
    assert len(counted) == 1  # one recompute, at the end
    assert IngestBatch.objects.get().source == "backfill"
    assert not OwedRecompute.objects.exists()
    assert KPIValue.objects.filter(target=target).count() == 12
    assert Breach.objects.filter(target=target).count() == 12
    # Every breach is stamped announced, but announced once, in a digest, to each manager of the engagement.
    assert not Breach.objects.filter(notified_severity="").exists()
    notes = Notification.objects.all()
    assert sorted(n.user_id for n in notes) == sorted([world.practice_manager.pk, world.provider_manager.pk])
    assert all(n.key == f"sla-backfill-digest:{result.batch.pk}:{world.engagement.pk}" for n in notes)
    assert "12 breached or warned" in notes[0].title
    assert not Notification.objects.filter(key__startswith="breach:").exists()
    # The nightly job finds nothing more to announce.
    rollups.recompute_since(FEB)
    assert Notification.objects.count() == 2


def test_two_engagements_get_one_digest_each(sla, world):
    from tests import factories

    second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    sla.target("service_level", 80, period="day")
    sla.target("service_level", 80, period="day", engagement=second)
    rows = history(sla, days=3) + history(sla, days=3, engagement=second, tag="b")
    backfill.backfill(rows, by=world.provider_manager, batch_size=4)
    keys = list(Notification.objects.values_list("user_id", "engagement_id"))
    assert len(keys) == len(set(keys)) == 4  # two managers × two engagements, one each


def test_a_rerun_changes_nothing(sla, world):
    sla.target("service_level", 80, period="day")
    backfill.backfill(history(sla), by=world.provider_manager, batch_size=7)
    before = snapshot()
    again = backfill.backfill(history(sla), by=world.provider_manager, batch_size=7)
    assert again.batch is None and again.created == 0 and again.duplicates == 24
    assert snapshot() == before


def test_digests_are_not_sent_twice(sla, world):
    sla.target("service_level", 80, period="day")
    result = backfill.backfill(history(sla, days=2), by=world.provider_manager)
    calls = [
        {
            "users": [world.practice_manager, world.provider_manager],
            "engagement": world.engagement,
            "title": "t",
        }
    ]
    assert backfill.send_digests(result.batch, calls) == 0  # the same batch and engagement: already told
    assert Notification.objects.count() == 2


class Killed(Exception):
    pass


def test_a_killed_backfill_is_finished_by_the_sweeper_with_a_digest(sla, world, counted, settings):
    target = sla.target("service_level", 80, period="day")

    def dies_after_ten(records):
        for number, record in enumerate(records):
            if number == 10:
                raise Killed
            yield record

    with pytest.raises(Killed):
        backfill.backfill(dies_after_ten(history(sla)), by=world.provider_manager, batch_size=5)
    assert Measurement.objects.count() == 10  # two chunks committed
    assert not KPIValue.objects.exists() and not counted
    batch = IngestBatch.objects.get()
    assert OwedRecompute.objects.filter(batch=batch).exists()
    # Fresh (the backfill may still be running): the sweeper leaves it alone.
    settings.SLA_OWED_GRACE_SECONDS = 3600
    assert owed.sweep()["done"] == 0

    assert owed.sweep(older_than=timedelta(0))["done"] == 1
    assert KPIValue.objects.filter(target=target).count() == 5
    assert Breach.objects.filter(target=target).count() == 5
    assert set(Notification.objects.values_list("key", flat=True)) == {
        f"sla-backfill-digest:{batch.pk}:{world.engagement.pk}"
    }
    # Resumed: the stored rows are duplicates, the rest is stored and rolled up, announced in its own digest.
    result = backfill.backfill(history(sla), by=world.provider_manager, batch_size=5)
    assert (result.created, result.duplicates) == (14, 10)
    assert Breach.objects.filter(target=target).count() == 12
    assert Notification.objects.count() == 4
    assert not Notification.objects.filter(key__startswith="breach:").exists()


def test_a_bad_row_stops_at_its_batch_and_names_its_row(sla, world):
    sla.target("service_level", 80, period="day")
    rows = history(sla, days=5)
    rows[7]["numerator"] = 50  # more than the denominator
    with pytest.raises(ingest.IngestRejected) as error:
        backfill.backfill(rows, by=world.provider_manager, batch_size=5)
    assert [p["row"] for p in error.value.errors] == [8]  # counted from the start of the input
    assert Measurement.objects.count() == 5  # the first batch stays, owed
    assert OwedRecompute.objects.filter(batch__source="backfill").exists()


def test_a_backfill_refuses_what_the_api_refuses(sla, world):
    with pytest.raises(ingest.TooManyRows):
        backfill.backfill(history(sla, days=1), by=world.provider_manager, batch_size=10_001)
    other = history(sla, days=1, engagement=world.other_engagement)
    with pytest.raises(ingest.IngestRejected):
        backfill.backfill(other, by=world.provider_manager)
    assert not Measurement.objects.exists() and not IngestBatch.objects.exists()


def test_an_ordinary_batch_still_announces_each_breach(sla, world):
    sla.target("service_level", 80, period="day")
    sla.push(history(sla, days=2))
    assert Notification.objects.filter(key__startswith="breach:").count() == 4


def write_csv(path, rows):
    columns = ingest.COLUMNS
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(str(row.get(name, "")) for name in columns))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_command_reports_progress_and_recomputes_once(sla, world, tmp_path, counted):
    sla.target("service_level", 80, period="day")
    path = write_csv(tmp_path / "history.csv", history(sla))
    out = []

    class Out:
        def write(self, text, *a, **kw):
            out.append(text)

        def flush(self):
            pass

    call_command(
        "backfill_measurements", str(path), "--as", world.provider_manager.username, "--batch-size", "10", stdout=Out()
    )
    text = "".join(out)
    assert "10 rows read" in text and "20 rows read" in text and "24 rows read" in text
    assert "24 rows stored" in text
    assert len(counted) == 1
    assert Notification.objects.count() == 2


def test_the_command_refuses_an_unknown_user_and_a_bad_file(sla, world, tmp_path):
    path = write_csv(tmp_path / "history.csv", history(sla, days=1))
    with pytest.raises(CommandError, match="No active user"):
        call_command("backfill_measurements", str(path), "--as", "nobody@example.test")
    bad = tmp_path / "bad.csv"
    bad.write_text("engagement,metric,colour\n1,service_level,red\n")
    with pytest.raises(CommandError, match="colour"):
        call_command("backfill_measurements", str(bad), "--as", world.provider_manager.username)
    assert not Measurement.objects.exists()


def test_the_input_is_read_a_batch_at_a_time(sla, world, monkeypatch):
    """Memory is bounded by the batch, not the file: when a chunk is written, no more than one batch has been
    read from the input."""
    from slas import bulk

    sla.target("service_level", 80, period="day")
    pulled, seen_at_write = [0], []

    def lazily(records):
        for record in records:
            pulled[0] += 1
            yield record

    real = bulk.insert_measurements

    def spy(rows, batch):
        seen_at_write.append((pulled[0], len(rows)))
        return real(rows, batch)

    monkeypatch.setattr(bulk, "insert_measurements", spy)
    backfill.backfill(lazily(history(sla)), by=world.provider_manager, batch_size=5)
    assert seen_at_write == [(5, 5), (10, 5), (15, 5), (20, 5), (24, 4)]
