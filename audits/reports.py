"""Quality figures for the QA pages, computed in the database: weekly trend, pass and auto-fail rates, the
criteria most often failed (Pareto), and each agent's last audit and trend. Reports on criteria read each
rating, so a critical fail does not hide how the rest of the audit went (score_before_critical is kept)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from audits.choices import Scale
from audits.models import CriterionRating, QualityAudit

# A rating below its scale's maximum: what "failed" means for a criterion, on any scale.
BELOW_MAXIMUM = (
    Q(criterion__scale=Scale.YES_NO, value__lt=1)
    | Q(criterion__scale=Scale.ONE_TO_FIVE, value__lt=5)
    | Q(criterion__scale=Scale.POINTS, value__lt=F("criterion__max_points"))
)


def _rounded(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    return None if not whole else _rounded(Decimal(100) * part / whole)


@dataclass
class Summary:
    audits: int
    average: Decimal | None
    pass_rate: Decimal | None
    auto_fail_rate: Decimal | None


def summary(audits) -> Summary:
    row = audits.order_by().aggregate(
        n=Count("pk"),
        average=Avg("score"),
        passed=Count("pk", filter=Q(passed=True)),
        critical=Count("pk", filter=Q(critical_failed=True)),
    )
    return Summary(
        row["n"], _rounded(row["average"]), _percent(row["passed"], row["n"]), _percent(row["critical"], row["n"])
    )


def weekly_trend(audits, weeks: int = 12) -> dict:
    """Average score, pass rate and audit count per ISO week (Monday) for the last `weeks` weeks, for a chart."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = (
        audits.filter(interaction_date__gte=first)
        .annotate(week=TruncWeek("interaction_date"))
        .order_by()
        .values("week")
        .annotate(average=Avg("score"), n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    )
    by_week = {(row["week"].date() if hasattr(row["week"], "date") else row["week"]): row for row in rows}
    labels, averages, pass_rates, counts = [], [], [], []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        row = by_week.get(week)
        labels.append(week.strftime("%d %b"))
        averages.append(float(_rounded(row["average"])) if row else None)
        pass_rates.append(float(_percent(row["passed"], row["n"])) if row else None)
        counts.append(row["n"] if row else 0)
    return {"labels": labels, "averages": averages, "pass_rates": pass_rates, "counts": counts}


def pareto(audits, limit: int = 10) -> list[dict]:
    """The criteria most often rated below their maximum (by name, across versions), with the cumulative share."""
    rows = list(
        CriterionRating.objects.filter(audit__in=audits.order_by().values("pk"), na=False)
        .filter(BELOW_MAXIMUM)
        .order_by()
        .values("criterion__name")
        .annotate(failures=Count("pk"), critical=Count("pk", filter=Q(criterion__critical=True)))
        .order_by("-failures", "criterion__name")
    )
    total = sum(row["failures"] for row in rows)
    running, result = 0, []
    for row in rows[:limit]:
        running += row["failures"]
        result.append(
            {
                "name": row["criterion__name"],
                "failures": row["failures"],
                "critical": row["critical"] > 0,
                "share": _percent(row["failures"], total),
                "cumulative": _percent(running, total),
            }
        )
    return result


def agent_rows(audits, agents) -> list[dict]:
    """Each agent with their audit count, average, last audit and the trend (last 4 weeks against the 4 before)."""
    today = timezone.localdate()
    recent, earlier = today - timedelta(weeks=4), today - timedelta(weeks=8)
    last = audits.filter(agent=OuterRef("pk")).order_by("-interaction_date", "-pk")
    annotated = agents.annotate(
        last_audit_id=Subquery(last.values("pk")[:1]),
        last_audit_date=Subquery(last.values("interaction_date")[:1]),
        last_score=Subquery(last.values("score")[:1]),
    )
    stats = {
        row["agent"]: row
        for row in audits.order_by()
        .values("agent")
        .annotate(
            n=Count("pk"),
            average=Avg("score"),
            recent=Avg("score", filter=Q(interaction_date__gt=recent)),
            earlier=Avg("score", filter=Q(interaction_date__gt=earlier, interaction_date__lte=recent)),
            critical=Count("pk", filter=Q(critical_failed=True)),
        )
    }
    result = []
    for agent in annotated:
        row = stats.get(agent.pk, {})
        recent_avg, earlier_avg = _rounded(row.get("recent")), _rounded(row.get("earlier"))
        trend = None if recent_avg is None or earlier_avg is None else recent_avg - earlier_avg
        result.append(
            {
                "agent": agent,
                "audits": row.get("n", 0),
                "average": _rounded(row.get("average")),
                "recent": recent_avg,
                "trend": trend,
                "critical": row.get("critical", 0),
                "last_audit_id": agent.last_audit_id,
                "last_audit_date": agent.last_audit_date,
                "last_score": agent.last_score,
            }
        )
    return result


def scored(queryset=None):
    """Audits whose score counts in reports: submitted, acknowledged or disputed, and not calibration."""
    return (queryset if queryset is not None else QualityAudit.objects.all()).scored()
