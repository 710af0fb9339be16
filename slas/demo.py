"""SLA demo data, added when `seed_demo` runs: targets, a few months of measurements with a bad patch that
breached, and remediation plans in different states. Measurements go through the same ingestion service as
the API, so the demo shows exactly what an integration would produce."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Sum
from django.dispatch import receiver

from engagements.signals import demo_seeded
from slas import rollups, services
from slas.choices import IngestSource, RemediationStatus
from slas.models import Breach, Measurement, Metric, RemediationPlan, SLATarget
from slas.periods import local_today, period_start, shift


@dataclass(frozen=True)
class TargetSpec:
    metric: str
    threshold: str
    warning: str | None = None
    period: str = "month"
    min_sample: int = 1


@dataclass(frozen=True)
class DemoSpec:
    engagement: str
    days: int
    targets: tuple[TargetSpec, ...]
    # Daily figures per agent: metric → (typical, spread, denominator range or None for a plain value)
    figures: dict
    # A bad patch: days ago (from, to) and the figures that slip in it
    slump: tuple[int, int] = (0, 0)
    slump_figures: dict | None = None


FRONT_DESK = DemoSpec(
    engagement="Front desk 2026",
    days=120,
    targets=(
        TargetSpec("service_level", "80", "85", "week", 100),
        TargetSpec("abandonment_rate", "5", "4", "month", 100),
        TargetSpec("csat", "4.2", "4.4", "month", 20),
        TargetSpec("first_call_resolution", "75", "80"),
        TargetSpec("average_talk_time", "300", "270"),
        TargetSpec("appointment_adherence", "85", "88"),
        TargetSpec("calls_handled", "2500"),
    ),
    figures={
        "service_level": (0.88, 0.05, (40, 70)),
        "abandonment_rate": (0.03, 0.01, (40, 70)),
        "csat": (4.5, 0.3, (2, 6)),
        "first_call_resolution": (0.82, 0.05, (40, 70)),
        "average_talk_time": (250, 30, (40, 70)),
        "appointment_adherence": (0.9, 0.03, (20, 35)),
        "calls_handled": (55, 10, None),
    },
    slump=(24, 10),
    slump_figures={"service_level": (0.7, 0.05, (60, 90)), "abandonment_rate": (0.07, 0.02, (60, 90))},
)

# Metrics whose values have a scale (their Metric.min_value/max_value): the demo's figures stay on it.
SCALES = {"csat": (1, 5), "quality_score": (0, 100)}

CLAIMS = DemoSpec(
    engagement="Claims and A/R",
    days=30,
    targets=(
        TargetSpec("claim_accuracy", "95", "97", "week", 50),
        TargetSpec("claims_within_48h", "90", "93", "week", 50),
        TargetSpec("denial_rate", "8", "6"),
        TargetSpec("claims_processed", "1200"),
    ),
    figures={
        "claim_accuracy": (0.965, 0.015, (25, 45)),
        "claims_within_48h": (0.94, 0.03, (25, 45)),
        "denial_rate": (0.06, 0.015, (20, 40)),
        "claims_processed": (35, 8, None),
    },
    slump=(14, 8),
    slump_figures={"claim_accuracy": (0.9, 0.02, (25, 45))},
)

RECORDS = DemoSpec(
    engagement="Records and data entry",
    days=60,
    targets=(TargetSpec("quality_score", "90", "93", "month", 10),),
    figures={"quality_score": (96, 2, None)},
)

DEMOS = (FRONT_DESK, CLAIMS, RECORDS)

# What the engagement workspace's demo reads from the SLA engine: credits on targets (the cost pages), calls
# logged against a line outside the contract's scope (unagreed scope), and a late remediation (escalation).
CREDITS = {
    "Front desk 2026": {"service_level": Decimal("5"), "abandonment_rate": Decimal("3")},
    "Claims and A/R": {"claim_accuracy": Decimal("4")},
}
UNAGREED = {"Claims and A/R": ("calls_handled", "accounts_receivable", 21, 18)}  # metric, line, days back, a day
LATE_OWNER = "Scheduling supervisor"
# A target at risk in the period under way: so far below its warning, provisional, so no breach.
AT_RISK = {"Front desk 2026": "first_call_resolution"}


@receiver(demo_seeded, dispatch_uid="slas.demo")
def seed_sla_demo(sender, engagements, managers, today, **kwargs) -> str | None:
    made = 0
    for spec in DEMOS:
        engagement = engagements.get(spec.engagement)
        if engagement is None or engagement.sla_targets.exists():
            continue  # already seeded, or changed by hand: leave it alone
        practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
        start = today - timedelta(days=spec.days)
        for target in spec.targets:
            services.save_target(
                SLATarget(
                    engagement=engagement,
                    metric=Metric.objects.get(code=target.metric),
                    threshold=Decimal(target.threshold),
                    warning_threshold=Decimal(target.warning) if target.warning else None,
                    period=target.period,
                    min_sample_size=target.min_sample,
                    # From the first whole period: a week or month the provider only half worked is no fair test.
                    effective_from=_first_whole_period(start, target.period),
                ),
                by=practice_manager,
            )
        rows = list(_measurements(spec, engagement, today))
        for chunk in range(0, len(rows), 5000):
            result = services.ingest_measurements(
                rows[chunk : chunk + 5000], by=provider_manager, source=IngestSource.UPLOAD
            )
            # Computed now rather than after commit, so the remediation plans below have breaches to answer.
            rollups.recompute_touched(result.batch.touched_pairs())
        _answer_breaches(engagement, practice_manager, provider_manager, today)
        for code, percent in CREDITS.get(spec.engagement, {}).items():
            SLATarget.objects.filter(engagement=engagement, metric__code=code).update(service_credit_percent=percent)
        if spec.engagement in UNAGREED:
            _unagreed_volume(engagement, provider_manager, today, *UNAGREED[spec.engagement])
        if spec.engagement in AT_RISK:
            _at_risk_so_far(engagement, provider_manager, AT_RISK[spec.engagement])
        made += 1
    _overdue_remediation(engagements.get(FRONT_DESK.engagement), today)
    return f"SLA demo data added to {made} engagement(s)." if made else None


def _first_whole_period(start: date, grain: str) -> date:
    first = period_start(start, grain)
    return first if first == start else shift(first, grain, 1)


def _measurements(spec: DemoSpec, engagement, today: date):
    rng = random.Random(spec.engagement)  # the same demo every time
    agents = list(engagement.assignments.values_list("agent_id", flat=True)) or [None]
    for days_ago in range(spec.days, 0, -1):  # up to yesterday: today may not have started in the practice's zone
        day = today - timedelta(days=days_ago)
        slumping = spec.slump[1] <= days_ago <= spec.slump[0]
        for agent in agents:
            for code, normal in spec.figures.items():
                typical, spread, volume = (spec.slump_figures or {}).get(code, normal) if slumping else normal
                row = {
                    "engagement": engagement.pk,
                    "metric": code,
                    "agent": agent,
                    "date": day.isoformat(),
                    "external_id": f"demo-{code}-{agent}-{day.isoformat()}",
                }
                low, high = SCALES.get(code, (0, None))
                figure = max(rng.gauss(typical, spread), low)
                figure = figure if high is None else min(figure, high)  # a survey answers 1-5, never 5.1
                if volume is None:
                    row["value"] = round(figure, 2) if figure < 10 else round(figure)
                else:
                    calls = rng.randint(*volume)
                    if typical <= 1:  # a ratio: how many of the calls
                        row["numerator"], row["denominator"] = min(round(figure * calls), calls), calls
                    else:  # a mean: the sum over the calls
                        row["numerator"], row["denominator"] = round(figure * calls, 2), calls
                yield {key: value for key, value in row.items() if value is not None}


def _answer_breaches(engagement, practice_manager, provider_manager, today: date) -> None:
    """The oldest breach got an accepted plan, already done; the newest has a plan waiting for the practice."""
    breaches = list(Breach.objects.filter(target__engagement=engagement, severity="breach").order_by("period_start"))
    if not breaches:
        return
    oldest = services.submit_remediation_plan(
        breaches[0],
        by=provider_manager,
        actions="Move two agents from the afternoon to the morning peak; add a queue alert at 60 s wait.",
        owner="Team lead, morning shift",
        due_on=today + relativedelta(days=3),
    )
    oldest = services.decide_remediation_plan(oldest, by=practice_manager, accept=True, note="Agreed. Report weekly.")
    if len(breaches) > 1:
        services.submit_remediation_plan(
            breaches[-1],
            by=provider_manager,
            actions="Refresher training on the payer rules behind last week's rejections; second check before submit.",
            owner="Quality lead",
            due_on=today + relativedelta(days=10),
        )
    assert oldest.status == RemediationStatus.ACCEPTED


def _unagreed_volume(engagement, provider_manager, today, metric, line, days, per_day) -> None:
    """Calls the provider logged against a service line that is not in the contract's scope."""
    rows = [
        {
            "engagement": engagement.pk,
            "metric": metric,
            "service_line": line,
            "date": (today - timedelta(days=back)).isoformat(),
            "value": per_day + back % 5,
            "external_id": f"demo-{metric}-{line}-{back}",
        }
        for back in range(days, 0, -1)
    ]
    services.ingest_measurements(rows, by=provider_manager)


def _at_risk_so_far(engagement, provider_manager, code: str) -> None:
    """A bad day today, as many calls as the rest of the period so far at 40%: whatever the day of the month, the
    period so far is below the warning — at risk, and provisional, so no breach."""
    target = SLATarget.objects.get(engagement=engagement, metric__code=code, service_line=None)
    today = local_today(engagement.practice.timezone)
    start = period_start(today, target.period)
    so_far = Measurement.objects.filter(engagement=engagement, metric=target.metric, date__gte=start).aggregate(
        calls=Sum("denominator")
    )["calls"] or Decimal(0)
    calls = max(int(so_far), 100)
    row = {
        "engagement": engagement.pk,
        "metric": code,
        "date": today.isoformat(),
        "numerator": calls * 2 // 5,
        "denominator": calls,
        "external_id": f"demo-{code}-at-risk-{today.isoformat()}",
    }
    result = services.ingest_measurements([row], by=provider_manager, source=IngestSource.UPLOAD)
    rollups.recompute_touched(result.batch.touched_pairs())


def _overdue_remediation(engagement, today) -> None:
    """One open breach whose accepted plan is two days late, so the demo shows an escalation to level 1."""
    if engagement is None:
        return
    breach = (
        Breach.objects.filter(target__engagement=engagement, status="open", remediation_plans__isnull=True)
        .order_by("period_start")
        .first()
    )
    late = RemediationPlan.objects.filter(breach__target__engagement=engagement, owner=LATE_OWNER)
    if breach is None or late.exists():
        return
    RemediationPlan.objects.create(
        breach=breach,
        actions="Cover the lunch hour with a floating agent; daily queue report to the practice.",
        owner=LATE_OWNER,
        due_on=today - timedelta(days=2),
        status="accepted",
        submitted_by=None,
    )
