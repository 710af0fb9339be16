"""`manage.py backfill_measurements FILE --as USERNAME`: a provider's history, in bounded batches, rolled up once.

The file is CSV with the same columns as the ingest API (engagement, metric, service_line, agent, date, value,
numerator, denominator, external_id). It is read and stored `--batch-size` rows at a time (default and maximum
10,000), each in its own transaction, with the same rules as the API; the recompute runs once at the end and the
breaches it opens in old periods are announced as one digest per engagement. Killed midway, the rows stored so
far are owed a recompute that the sweeper does; run it again and stored rows count as duplicates.
"""

import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from slas import backfill, ingest


class Command(BaseCommand):
    help = "Ingest a large history of measurements from a CSV file in bounded batches, recomputing once at the end."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the ingest columns, or - for standard input")
        parser.add_argument("--as", dest="username", required=True, help="the user the rows are submitted as")
        parser.add_argument("--batch-size", type=int, default=ingest.MAX_ROWS, help="rows per transaction")
        parser.add_argument(
            "--no-recompute", action="store_true", help="store only; the sweeper or nightly job recomputes"
        )

    def handle(self, *args, file, username, batch_size, no_recompute, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user “{username}”.")
        started = time.monotonic()

        def progress(result):
            rate = result.rows / max(time.monotonic() - started, 1e-9)
            self.stdout.write(
                f"{result.rows:,} rows read: {result.created:,} new, {result.duplicates:,} duplicates "
                f"({result.chunks} batches, {rate:,.0f} rows/s)"
            )

        stream = sys.stdin if file == "-" else open(file, newline="", encoding="utf-8-sig")  # noqa: SIM115
        try:
            result = backfill.backfill(
                backfill.read_csv(stream),
                by=user,
                batch_size=batch_size,
                recompute=not no_recompute,
                progress=progress,
            )
        except (ingest.IngestRejected, ingest.IngestConflict, ingest.TooManyRows) as error:
            details = "".join(
                f"\n  row {p['row']}, {p['field'] or '-'}: {p['message']}" for p in getattr(error, "errors", [])[:50]
            )
            hint = "Rows before the failing batch are stored; rerun to resume."
            raise CommandError(f"{error}{details}\n{hint}") from None
        finally:
            if stream is not sys.stdin:
                stream.close()
        if result.batch is None:
            self.stdout.write("Nothing new to store: every row was already ingested.")
            return
        outcome = result.recompute.as_dict() if result.recompute else {"status": "owed (the sweeper will do it)"}
        self.stdout.write(
            self.style.SUCCESS(
                f"Backfill batch {result.batch.pk}: {result.created:,} rows stored, {result.duplicates:,} duplicates; "
                f"recompute {outcome['status']}, {outcome.get('kpi_values', 0):,} KPI values, "
                f"{outcome.get('breaches_opened', 0):,} breaches announced in one digest per engagement "
                f"({time.monotonic() - started:,.1f} s)."
            )
        )
