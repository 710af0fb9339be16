"""Backfill: a provider's history (hundreds of thousands of measurements) ingested in bounded batches.

The same validation and duplicate rules as the API (slas.ingest), but:

- rows are read and written `batch_size` at a time (at most 10,000), each chunk in its own transaction, so
  memory stays bounded whatever the file's size and a failure keeps what was already stored (a rerun counts it
  as duplicates);
- every chunk goes into ONE IngestBatch (source "backfill") whose owed recompute (slas.owed) is written with the
  first chunk and refreshed by every later one; nothing is recomputed per chunk. The recompute runs ONCE at the
  end, through `owed.run_batch`. A backfill killed midway leaves its owed row: once it is older than the grace
  period the sweeper finishes the work (the same `run_batch`), so the stored rows are never left un-rolled-up;
- the breaches of old periods that recompute opens are announced as one digest per engagement (`announcements`,
  used by `owed.run_batch` for backfill batches, so the sweeper digests too) instead of one notification each.
"""

import contextlib
import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from engagements import notifications
from slas import bulk, ingest, owed
from slas.choices import IngestSource
from slas.models import IngestBatch, OwedRecompute

DIGEST_LINES = 20  # breaches listed by name in a digest; the rest are counted


@dataclass
class BackfillResult:
    batch: IngestBatch | None = None
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    chunks: int = 0
    recompute: owed.Outcome | None = None
    errors: list[dict] = field(default_factory=list)


def read_csv(stream) -> Iterator[dict]:
    """Rows of a CSV file with the ingest columns, one at a time (never the whole file in memory)."""
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    unknown = [name for name in header if name not in ingest.COLUMNS]
    missing = [name for name in ingest.REQUIRED if name not in header]
    if not header or unknown or missing:
        problems = [{"row": None, "field": name, "message": f"Unknown column “{name}”."} for name in unknown]
        problems += [{"row": None, "field": name, "message": f"The header has no “{name}” column."} for name in missing]
        raise ingest.IngestRejected(problems or [{"row": None, "field": None, "message": "The file has no header."}])
    reader.fieldnames = header
    for record in reader:
        if None in record:
            yield {"__extra__": record.pop(None)}
            continue
        yield {key: value.strip() for key, value in record.items() if value is not None and value.strip() != ""}


def _chunks(records: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def backfill(
    records: Iterable[dict],
    *,
    by,
    batch_size: int = ingest.MAX_ROWS,
    recompute: bool = True,
    progress: Callable[[BackfillResult], None] | None = None,
) -> BackfillResult:
    """Ingest `records` (dicts with the ingest columns) in chunks of `batch_size`, then recompute once.

    A chunk with a bad row raises IngestRejected (row numbers counted from the start of the input); the chunks
    before it stay stored and owed, and the sweeper rolls them up if nobody reruns.
    """
    if not 1 <= batch_size <= ingest.MAX_ROWS:
        raise ingest.TooManyRows(f"A backfill batch holds 1 to {ingest.MAX_ROWS:,} rows.")
    result = BackfillResult()
    for chunk in _chunks(records, batch_size):
        offset = result.rows
        try:
            rows = ingest.Validator(chunk, by).run()
        except ingest.IngestRejected as error:
            for problem in error.errors:
                if problem["row"] is not None:
                    problem["row"] += offset
            raise
        try:
            with transaction.atomic():
                work = ingest.plan(rows, allow_corrections=False)
                if work.new:
                    result.batch = _write_chunk(result.batch, work, by)
        except IntegrityError:
            raise ingest.IngestConflict(
                f"Another request stored some external ids of rows {offset + 1}–{offset + len(chunk)} at the same "
                "moment; that chunk was not saved. Run the backfill again: stored rows count as duplicates."
            ) from None
        result.rows += len(chunk)
        result.created += len(work.new)
        result.duplicates += work.duplicates
        result.chunks += 1
        if progress:
            progress(result)
    if recompute and result.batch is not None:
        result.recompute = owed.run_batch(result.batch.pk)
    return result


def _write_chunk(batch: IngestBatch | None, work: ingest.Plan, by) -> IngestBatch:
    """Store one chunk's new rows in the backfill's batch and keep its recompute owed (refreshing `owed_since`,
    so the sweeper leaves a running backfill alone and finishes only one that stopped)."""
    if batch is None:
        batch = IngestBatch.objects.create(source=IngestSource.BACKFILL, submitted_by=by)
    bulk.insert_measurements(work.new, batch)
    touched = {key: set(days) for key, days in batch.touched.items()}
    for row in work.new:
        touched.setdefault(f"{row.engagement_id}:{row.metric.pk}", set()).add(row.date.isoformat())
    batch.touched = {key: sorted(days) for key, days in touched.items()}
    batch.first_date = date.fromisoformat(min(min(days) for days in batch.touched.values()))
    batch.last_date = date.fromisoformat(max(max(days) for days in batch.touched.values()))
    batch.row_count += work.rows
    batch.created_count += len(work.new)
    batch.duplicate_count += work.duplicates
    batch.recomputed_at = None
    batch.save()
    batch.engagements.add(*work.engagement_ids)
    OwedRecompute.objects.update_or_create(batch=batch, defaults={"owed_since": timezone.now()})
    return batch


# --- Announcing a backfill's breaches ---------------------------------------------------------------------------


@contextlib.contextmanager
def announcements(batch: IngestBatch):
    """Around a batch's recompute: a backfill's breach announcements become one digest per engagement, written
    in the same transaction; any other batch announces each breach as usual."""
    if batch.source != IngestSource.BACKFILL:
        yield
        return
    with notifications.held() as calls:
        yield
    send_digests(batch, calls)


def send_digests(batch: IngestBatch, calls: list[dict]) -> int:
    """One notification per person and engagement listing the breaches found; keyed by batch and engagement, so
    running it again notifies nobody twice. Returns how many notifications were created."""
    by_engagement = defaultdict(list)
    for call in calls:
        by_engagement[call["engagement"].pk if call["engagement"] else None].append(call)
    created = 0
    for calls_of in by_engagement.values():
        engagement = calls_of[0]["engagement"]
        users = {user.pk: user for call in calls_of for user in call["users"]}
        count = len(calls_of)
        lines = [f"• {call['title']}" for call in calls_of[:DIGEST_LINES]]
        if count > DIGEST_LINES:
            lines.append(f"… and {count - DIGEST_LINES} more.")
        name = engagement.name if engagement else "your engagements"
        created += notifications.notify(
            list(users.values()),
            key=f"sla-backfill-digest:{batch.pk}:{engagement.pk if engagement else 0}",
            title=f"SLA digest: {count} breached or warned period(s) in backfilled history — {name}",
            body=f"A backfill of past measurements (batch {batch.pk}) found {count} breached or warned periods:\n"
            + "\n".join(lines),
            url=reverse("slas:breach_list"),
            engagement=engagement,
        )
    return created
