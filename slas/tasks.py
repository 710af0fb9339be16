"""Thin Celery tasks over the rollup engine. Each is idempotent: running it twice, or again after it was killed
midway (its work is one transaction), leaves the same KPIs and breaches."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from slas import rollups
from slas.models import IngestBatch, SLATarget
from slas.webhooks import emit

RETRY = {"autoretry_for": (OperationalError, ConnectionError), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def recompute_batch(batch_id: int) -> dict:
    """Recompute the periods one ingest batch touched, and flag or resolve their breaches."""
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return {"status": "missing"}
    result = rollups.recompute_touched(batch.touched_pairs())
    IngestBatch.objects.filter(pk=batch_id).update(recomputed_at=timezone.now())
    for engagement in batch.engagements.all():  # webhooks: one batch.recomputed per engagement it touched
        emit("batch.recomputed", engagement, {"batch": batch.pk, "kpi_values": result.kpi_values})
    return {"status": "done", "kpi_values": result.kpi_values, "breaches_opened": len(result.breaches_opened)}


@shared_task(**RETRY)
def recompute_target(target_id: int) -> dict:
    """Recompute a target's whole history after it was created or changed (its threshold judges every period)."""
    target = SLATarget.objects.filter(pk=target_id).first()
    if target is None:
        return {"status": "missing"}
    # From its first computed period too, so values from before a moved start date are dropped.
    first_value = target.kpi_values.order_by("period_start").values_list("period_start", flat=True).first()
    since = min(filter(None, [target.effective_from, first_value]))
    result = rollups.recompute_since(since, targets=SLATarget.objects.filter(pk=target_id))
    return {"status": "done", "kpi_values": result.kpi_values, "breaches_opened": len(result.breaches_opened)}


@shared_task(**RETRY)
def recompute_recent() -> dict:
    """The nightly safety net: recompute every target's recent periods (late data, changed targets, lost tasks)."""
    result = rollups.recompute_since(rollups.recent_since())
    return {"status": "done", "kpi_values": result.kpi_values, "breaches_opened": len(result.breaches_opened)}
