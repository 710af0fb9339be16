"""`manage.py prune_measurements`: drop (optionally archive) measurements older than the retention horizon.

The horizon is the first day of the month `SLA_MEASUREMENT_RETENTION_MONTHS` months back (0, the default, keeps
everything and this command does nothing). `--keep-months` may keep more than the setting, never less: the
setting is what stops a target change from recomputing the dropped periods. KPI values and breaches are never
touched. `--archive FILE.csv.gz` writes the rows first, in the ingest columns (`backfill_measurements` reads them
back); `--dry-run` only counts. Rows are deleted in bounded chunks, each in its own transaction.
"""

import csv
import gzip

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from slas import ingest, retention
from slas.choices import Aggregation
from slas.models import Measurement

CHUNK = 10_000


class Command(BaseCommand):
    help = "Drop or archive measurements older than the retention horizon; KPI values and breaches stay."

    def add_arguments(self, parser):
        parser.add_argument("--keep-months", type=int, help="whole months to keep (at least the setting's)")
        parser.add_argument("--archive", help="write the dropped rows to this .csv.gz file first")
        parser.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")

    def handle(self, *args, keep_months, archive, dry_run, **options):
        configured = settings.SLA_MEASUREMENT_RETENTION_MONTHS
        if not configured:
            self.stdout.write("SLA_MEASUREMENT_RETENTION_MONTHS is 0: every measurement is kept.")
            return
        months = configured if keep_months is None else keep_months
        if months < configured:
            raise CommandError(f"--keep-months cannot be below SLA_MEASUREMENT_RETENTION_MONTHS ({configured}).")
        if months < retention.MINIMUM_MONTHS:
            raise CommandError(f"Keep at least {retention.MINIMUM_MONTHS} months: the nightly recompute reads them.")
        cutoff = retention.horizon(months)
        old = Measurement.objects.filter(date__lt=cutoff)
        per_month = old.annotate(month=TruncMonth("date")).values("month").annotate(rows=Count("pk")).order_by("month")
        total = 0
        for row in per_month:
            month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
            self.stdout.write(f"{month:%Y-%m}: {row['rows']:,} measurements")
            total += row["rows"]
        if dry_run or not total:
            self.stdout.write(f"{total:,} measurements before {cutoff} {'would be' if total else 'to be'} dropped.")
            return
        if archive:
            self._archive(old, archive)
        dropped = 0
        while True:
            with transaction.atomic():
                chunk = list(old.order_by("pk").values_list("pk", flat=True)[:CHUNK])
                if not chunk:
                    break
                dropped += Measurement.objects.filter(pk__in=chunk).delete()[0]
        self.stdout.write(self.style.SUCCESS(f"{dropped:,} measurements before {cutoff} dropped."))

    def _archive(self, old, path):
        rows = old.order_by("pk").values_list(
            "engagement_id",
            "metric__code",
            "metric__aggregation",
            "service_line__code",
            "agent_id",
            "date",
            "numerator",
            "denominator",
            "external_id",
        )
        with gzip.open(path, "wt", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ingest.COLUMNS)
            for engagement, code, aggregation, line, agent, day, numerator, denominator, external_id in rows.iterator(
                chunk_size=CHUNK
            ):
                is_sum = aggregation == Aggregation.SUM
                writer.writerow(
                    [
                        engagement,
                        code,
                        line or "",
                        agent or "",
                        day.isoformat(),
                        f"{numerator:f}" if is_sum else "",
                        "" if is_sum else f"{numerator:f}",
                        "" if is_sum else f"{denominator:f}",
                        external_id,
                    ]
                )
        self.stdout.write(f"Archived to {path}.")
