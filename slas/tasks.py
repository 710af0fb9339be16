"""Thin Celery tasks over the rollup engine. Each is idempotent: running it twice, or again after it was killed
midway (its work is one transaction), leaves the same KPIs and breaches. The work they do is owed in the database
(`slas.owed`): a task that never runs, or dies, is made good by the sweeper."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

from slas import owed, rollups

RETRY = {"autoretry_for": (OperationalError, ConnectionError), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def recompute_batch(batch_id: int) -> dict:
    """Recompute the periods one ingest batch touched, and flag or resolve their breaches."""
    return owed.run_batch(batch_id).as_dict()


@shared_task(**RETRY)
def recompute_target(target_id: int) -> dict:
    """Recompute a target's whole history after it was created or changed (its threshold judges every period)."""
    return owed.run_target(target_id).as_dict()


@shared_task(**RETRY)
def sweep_owed_recomputes(older_than_seconds: int | None = None) -> dict:
    """Every minute: do the recomputes owed for longer than the grace period (dead worker, lost message, broker
    down at commit). Two sweepers at once skip each other's rows."""
    return owed.sweep(older_than=None if older_than_seconds is None else timedelta(seconds=older_than_seconds))


@shared_task(**RETRY)
def recompute_recent() -> dict:
    """The nightly job: everything still owed, whatever its age (so every stored sum is up to date), then every
    target's recent periods judged again from those sums: periods that closed since yesterday open their
    breaches (`rollups.rejudge_since`; it does not sum the measurements again)."""
    swept = owed.sweep(older_than=timedelta(0))
    result = rollups.rejudge_since(rollups.recent_since())
    return {
        "status": "done",
        "swept": swept["done"],
        "kpi_values": result.kpi_values,
        "breaches_opened": len(result.breaches_opened),
    }
