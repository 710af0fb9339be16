"""Recompute work owed, kept in the database: what makes the SLA engine's results right whatever the broker does.

A change that needs a recompute (an ingest batch, a correction, a target change) writes an `OwedRecompute` row in
its own transaction and, after it commits, asks Celery to do the work. The task, the sweeper and the nightly job
all do that work through `run`, which takes the owed row with `SELECT … FOR UPDATE SKIP LOCKED`, recomputes,
sets the batch's `recomputed_at` and deletes the row, in one transaction. So:

- a worker killed mid-task rolls its transaction back; the row stays, and the sweeper does it once it is older
  than `SLA_OWED_GRACE_SECONDS` (the broker would only redeliver after its visibility timeout);
- a message lost, or never published because the broker was down at commit, leaves the row for the sweeper;
- two sweepers, or a sweeper and a late task, never do the same work at once: the second one skips the locked
  row, and a task that finds the batch already recomputed returns.

Publishing is bounded (short timeouts, one retry, no wait for a result) and, after a failure, not tried again for
`SLA_PUBLISH_BACKOFF_SECONDS`: a broker outage costs a request at most one short failed attempt, never 20 s.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from slas import retention, rollups
from slas.models import IngestBatch, OwedRecompute, SLATarget
from slas.webhooks import emit

logger = logging.getLogger(__name__)

# What a publish that cannot reach the broker raises: kombu wraps most, a socket error can come through as is.
BROKER_ERRORS = (OperationalError, KombuError, ConnectionError, TimeoutError, OSError)


# --- Owing ------------------------------------------------------------------------------------------------------------


def owe_batch(batch: IngestBatch) -> None:
    """Record, inside the batch's transaction, that its periods are owed a recompute."""
    OwedRecompute.objects.create(batch=batch)


def owe_target(target: SLATarget) -> None:
    """Record, inside the target change's transaction, that its history is owed a recompute (once per target)."""
    OwedRecompute.objects.update_or_create(target=target, defaults={"owed_since": timezone.now()})


# --- Doing the work -----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # "done", "already-done", "busy" (another process holds it), "missing"
    kpi_values: int = 0
    breaches_opened: int = 0

    def as_dict(self) -> dict:
        return {"status": self.status, "kpi_values": self.kpi_values, "breaches_opened": self.breaches_opened}


def run_batch(batch_id: int) -> Outcome:
    """Recompute what one batch touched, once, whichever path (task, sweeper, nightly job) gets there first."""
    with transaction.atomic():
        owed = OwedRecompute.objects.select_for_update(skip_locked=True).filter(batch_id=batch_id).first()
        if owed is None and OwedRecompute.objects.filter(batch_id=batch_id).exists():
            return Outcome("busy")  # the sweeper or another worker is doing it right now
        # Read after the owed row: a process that just finished the work has committed `recomputed_at` by now.
        batch = IngestBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            return Outcome("missing")
        if owed is None and batch.recomputed_at is not None:
            return Outcome("already-done")  # a redelivered message after the sweeper did the work
        from slas.backfill import announcements  # a backfill's breaches: one digest per engagement

        with announcements(batch):
            result = rollups.recompute_touched(batch.touched_pairs())
        IngestBatch.objects.filter(pk=batch_id).update(recomputed_at=timezone.now())
        if owed is not None:
            owed.delete()
        for engagement in batch.engagements.all():  # webhooks, sent after commit: one per engagement it touched
            emit("batch.recomputed", engagement, {"batch": batch.pk, "kpi_values": result.kpi_values})
    return Outcome("done", result.kpi_values, len(result.breaches_opened))


def run_target(target_id: int) -> Outcome:
    """Recompute a target's whole history after it was created or changed (its threshold judges every period)."""
    with transaction.atomic():
        owed = OwedRecompute.objects.select_for_update(skip_locked=True).filter(target_id=target_id).first()
        target = SLATarget.objects.filter(pk=target_id).first()
        if target is None:
            return Outcome("missing")
        if owed is None and OwedRecompute.objects.filter(target_id=target_id).exists():
            return Outcome("busy")
        # From its first computed period too, so values from before a moved start date are dropped.
        first_value = target.kpi_values.order_by("period_start").values_list("period_start", flat=True).first()
        since = min(filter(None, [target.effective_from, first_value]))
        kept_from = retention.horizon()
        if kept_from is not None:  # never recompute a week or month whose measurements retention dropped
            since = max(since, kept_from + timedelta(days=6))
        result = rollups.recompute_since(since, targets=SLATarget.objects.filter(pk=target_id))
        if owed is not None:
            owed.delete()
    return Outcome("done", result.kpi_values, len(result.breaches_opened))


def run(owed: OwedRecompute) -> Outcome:
    return run_batch(owed.batch_id) if owed.batch_id else run_target(owed.target_id)


def sweep(*, older_than: timedelta | None = None, limit: int = 500) -> dict:
    """Do the owed work that no task has done: rows older than the grace period, oldest first, each in its own
    transaction. A row that fails is counted and kept for the next sweep; the others go on."""
    if older_than is None:
        older_than = timedelta(seconds=settings.SLA_OWED_GRACE_SECONDS)
    cutoff = timezone.now() - older_than
    candidates = list(
        OwedRecompute.objects.filter(owed_since__lte=cutoff).order_by("owed_since", "pk").values_list("pk", flat=True)
    )[:limit]
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for pk in candidates:
        owed = OwedRecompute.objects.filter(pk=pk).first()
        if owed is None:
            counts["skipped"] += 1  # done meanwhile by its task
            continue
        try:
            outcome = run(owed)
        except Exception as error:  # noqa: BLE001 - one bad row must not stop the others; it is kept and logged
            counts["failed"] += 1
            OwedRecompute.objects.filter(pk=pk).update(
                attempts=owed.attempts + 1, last_error=f"{error.__class__.__name__}: {error}"[:500]
            )
            logger.exception("The sweeper could not recompute %s; it stays owed.", owed)
            continue
        counts["done" if outcome.status == "done" else "skipped"] += 1
    if counts["done"] or counts["failed"]:
        logger.info("Owed recomputes swept: %(done)d done, %(skipped)d skipped, %(failed)d failed.", counts)
    return counts


# --- Publishing -----------------------------------------------------------------------------------------------------

_breaker = threading.Lock()
_broker_down_until = 0.0


def publish_after_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction commits, without ever making the request wait on a broker
    that is down: the owed row written in the same transaction is the guarantee, the message only the fast path."""
    transaction.on_commit(lambda: publish(task, *args), robust=True)


def publish(task, *args) -> bool:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False  # the broker failed moments ago; the sweeper will do this work
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        with _breaker:
            _broker_down_until = time.monotonic() + settings.SLA_PUBLISH_BACKOFF_SECONDS
        logger.warning(
            "Could not queue %s%s (%s: %s); the work is owed in the database and the sweeper will do it.",
            task.name,
            args,
            error.__class__.__name__,
            error,
        )
        return False
    return True


def reset_publish_backoff() -> None:
    """Forget a broker failure (tests, and a worker that has just seen the broker come back)."""
    global _broker_down_until
    _broker_down_until = 0.0
