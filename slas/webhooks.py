"""What the SLA engine's webhook events carry. The services call `engagements.services.webhooks.emit` with these
payloads, one line each; ids let a receiver fetch the full object from the API."""

from engagements.services.webhooks import emit
from slas.choices import BreachStatus


def breach_payload(breach, **changes) -> dict:
    payload = {
        "breach": breach.pk,
        "target": breach.target_id,
        "metric": breach.target.metric.code,
        "period_start": breach.period_start.isoformat(),
        "period_end": breach.period_end.isoformat(),
        "severity": breach.severity,
        "status": breach.status,
        "value": str(breach.value) if breach.value is not None else None,
        "threshold": str(breach.threshold) if breach.threshold is not None else None,
    }
    return {**payload, **changes}


def plan_payload(plan) -> dict:
    return {
        "remediation_plan": plan.pk,
        "breach": plan.breach_id,
        "status": plan.status,
        "due_on": plan.due_on.isoformat(),
        "decision_note": plan.decision_note,
    }


def announce_resolved(now) -> None:
    """`breach.resolved` for every breach the recompute that ran at `now` resolved by data (it stamps
    `resolved_at` with its own `now`, so those and only those match)."""
    from slas.models import Breach

    resolved = Breach.objects.filter(status=BreachStatus.RESOLVED_BY_DATA, resolved_at=now)
    for breach in resolved.select_related("target__metric", "target__engagement"):
        emit("breach.resolved", breach.target.engagement, breach_payload(breach))
