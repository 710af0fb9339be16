"""What the SLA engine's results count for, in one place: the only door `engagements` reads SLA results through
(DESIGN §2) — counted breaches, KPI values of closed periods, measured volumes.

The rules, written once:
- A period is **closed** once its last day has passed in the practice's calendar plus the engagement's grace for
  late data (`Engagement.sla_grace_days`, default 2). Breaches and warnings open only for closed periods (the
  rollup enforces it), so every breach row is a closed period's.
- A breach **counts** as evidence against the provider (service credits, termination without penalty) when its
  severity is *breach* (not a warning) and later data has not resolved it. A closed breach (remediated) still
  counts: the period was missed.
- The period under way is **provisional**: it has a KPI value "so far", never a breach, a credit or a count.

This module imports only the SLA engine's models and calendar, never `engagements`' services, so `engagements`
may import it at the top of any service or view module.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from engagements.models import ServiceLine
from slas.choices import Aggregation, BreachStatus, KPIStatus, RemediationStatus, Severity
from slas.models import Breach, KPIValue, Measurement, MeasurementDay, Metric, SLATarget
from slas.periods import closed_before, engagement_closed_before, label, local_today, period_end, period_start, shift

# --- Breaches -------------------------------------------------------------------------------------------------------


def breaches():
    """Every breach and warning on record (each one a closed period's), for callers to narrow."""
    return Breach.objects.all()


def counted_breaches(queryset=None):
    """The breaches that count against the provider: severity *breach*, not resolved by later data."""
    queryset = Breach.objects.all() if queryset is None else queryset
    return queryset.filter(severity=Severity.BREACH).exclude(status=BreachStatus.RESOLVED_BY_DATA)


def open_breaches(engagements):
    """Breaches and warnings still open on these engagements: what escalation paths follow."""
    return Breach.objects.filter(target__engagement__in=engagements, status=BreachStatus.OPEN)


@dataclass(frozen=True)
class Remediation:
    """Where the provider's answer to a breach stands, as escalation needs it."""

    waiting: bool  # the breach is open and no plan has been reported done
    live_plan_due_on: date | None  # the due date of its submitted or accepted plan, if it has one


def remediation_of(breach) -> Remediation:
    """From the breach's (prefetched) remediation plans."""
    if breach.status != BreachStatus.OPEN:
        return Remediation(False, None)
    plans = list(breach.remediation_plans.all())
    if any(plan.status == RemediationStatus.DONE for plan in plans):
        return Remediation(False, None)
    live = [plan for plan in plans if plan.status in (RemediationStatus.SUBMITTED, RemediationStatus.ACCEPTED)]
    return Remediation(True, live[0].due_on if live else None)


# --- KPI values of closed periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def last_closed_periods(engagement, grain: str, count: int, today: date | None = None) -> list[Period]:
    """The `count` most recent closed periods of `grain` for this engagement, oldest first."""
    cutoff = engagement_closed_before(engagement, today)
    last_day = cutoff - timedelta(days=1)
    latest = period_start(last_day, grain)
    if period_end(latest, grain) != last_day:  # the period holding that day has not ended by the cutoff
        latest = shift(latest, grain, -1)
    starts = [shift(latest, grain, -offset) for offset in range(count - 1, -1, -1)]
    return [Period(start, period_end(start, grain), label(start, grain)) for start in starts]


def closed_kpi_values(wanted: dict[int, list[Period]]) -> dict[tuple[int, date], KPIValue]:
    """{(target id, period start): KPI value} for the given targets' closed periods, in one query."""
    condition = Q(pk__in=[])
    for target_id, periods in wanted.items():
        condition |= Q(target_id=target_id, period_start__in=[period.start for period in periods])
    return {(kpi.target_id, kpi.period_start): kpi for kpi in KPIValue.objects.filter(condition)}


def judge(target, kpi) -> str:
    """A closed period's status as the target stands now, or "missing" without a KPI value (no evidence)."""
    return str(target.judge(kpi.value, kpi.sample_size)) if kpi is not None else "missing"


def met(status: str) -> bool:
    return status == KPIStatus.MET


# --- Measured volumes -----------------------------------------------------------------------------------------------


def monthly_volumes(engagement_ids, since: date, until: date, metric_lines: dict[str, str]) -> dict:
    """{(engagement id, month): {service-line code: units}}: the numerators of count metrics aggregated by sum, per
    calendar month, attributed to the measurement's service line or else to `metric_lines[metric code]`. One
    GROUP BY over the measurement days (at most 31 rows a month and line, whatever the rows per day)."""
    counted = Metric.objects.filter(unit="count", aggregation=Aggregation.SUM)
    mapped = Case(
        *[When(metric_code=code, then=Value(line)) for code, line in metric_lines.items()],
        default=Value(None),
        output_field=CharField(),
    )
    rows = (
        MeasurementDay.objects.filter(
            engagement_id__in=list(engagement_ids),
            date__gte=since.replace(day=1),
            date__lte=until,
            metric_id__in=counted.values("pk"),
        )
        .annotate(
            metric_code=Subquery(Metric.objects.filter(pk=OuterRef("metric_id")).values("code")),
            line_code=Coalesce(Subquery(ServiceLine.objects.filter(pk=OuterRef("line")).values("code")), mapped),
            month=TruncMonth("date"),
        )
        .filter(line_code__isnull=False)
        .values("engagement_id", "month", "line_code")
        .annotate(units=Sum("numerator"))
        .order_by()
    )
    volumes: dict[tuple[int, date], dict[str, int]] = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        volumes.setdefault((row["engagement_id"], month), {})[row["line_code"]] = int(row["units"])
    return volumes


# --- Catalogue and targets, for forms and filters -------------------------------------------------------------------


def metric_choices() -> list[tuple[str, str]]:
    return list(Metric.objects.values_list("code", "name"))


def targets_for(user):
    """The SLA targets `user` may see (a gate criterion's choices)."""
    return SLATarget.objects.for_user(user)


# --- The period under way -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A KPI value read against the engagement's calendar: closed (judged) or provisional (so far)."""

    closed: bool
    days_elapsed: int  # of the period, counting today; the whole period once it has ended
    days_in_period: int
    projection: Decimal | None  # sum metrics, provisional: the total so far extended in a straight line
    outlook: str | None  # provisional only: "on_track" or "at_risk"; None when too few samples to tell


ON_TRACK, AT_RISK = "on_track", "at_risk"


def progress(kpi: KPIValue, today: date | None = None) -> Progress:
    """Closed or provisional, and for the period under way how far in it is and whether it is on track.

    At risk: the value so far (for sum metrics, its straight-line projection to the period's end) would be a
    warning or a breach if the period ended like this."""
    target = kpi.target
    engagement = target.engagement
    today = today or local_today(engagement.practice.timezone)
    closed = kpi.period_end < closed_before(today, engagement.sla_grace_days)
    length = (kpi.period_end - kpi.period_start).days + 1
    elapsed = max(0, min(length, (today - kpi.period_start).days + 1))
    if closed:
        return Progress(True, length, length, None, None)
    projection = None
    judged_value = kpi.value
    if target.metric.aggregation == Aggregation.SUM and elapsed:
        projection = (kpi.numerator * length / elapsed).quantize(Decimal("0.01"))
        judged_value = projection
    status = target.judge(judged_value, kpi.sample_size)
    outlook = None if status == KPIStatus.INSUFFICIENT else (ON_TRACK if status == KPIStatus.MET else AT_RISK)
    return Progress(False, elapsed, length, projection, outlook)


__all__ = [
    "AT_RISK",
    "ON_TRACK",
    "Period",
    "Progress",
    "Remediation",
    "breaches",
    "closed_kpi_values",
    "counted_breaches",
    "judge",
    "last_closed_periods",
    "met",
    "metric_choices",
    "monthly_volumes",
    "open_breaches",
    "progress",
    "remediation_of",
    "targets_for",
]


# --- One agent's weeks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyValue:
    week_start: date
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None  # None: no measurement that week


def agent_weekly_values(agent, engagement, metrics, weeks: int = 12, today: date | None = None) -> dict:
    """{metric code: [WeeklyValue, oldest first]} for one agent on one engagement over the `weeks` ISO weeks
    ending with the current one in the practice's calendar (the current week is "so far"): what a ramp page and
    an agent's QA trend read. The same rule as a KPI — the ratio of the week's summed numerator to its summed
    denominator (never an average of daily ratios), percent for ratios, rounded to 2 decimals half to even — in
    one GROUP BY over measurement_agent_date_idx, whatever the table's size. A week with no data reads None."""
    today = today or local_today(engagement.practice.timezone)
    starts = [shift(period_start(today, "week"), "week", -offset) for offset in range(weeks - 1, -1, -1)]
    catalogue = {m.code: m for m in Metric.objects.filter(code__in=list(metrics))}
    rows = (
        Measurement.objects.filter(
            agent_id=getattr(agent, "pk", agent),
            engagement_id=getattr(engagement, "pk", engagement),
            metric__code__in=list(catalogue),
            date__gte=starts[0],
            date__lte=period_end(starts[-1], "week"),
        )
        .annotate(week=TruncWeek("date"))
        .values("metric__code", "week")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    )
    sums = {}
    for row in rows:
        week = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        sums[(row["metric__code"], week)] = (row["numerator"], row["denominator"])
    result = {}
    for code in metrics:
        metric = catalogue.get(code)
        series = []
        for start in starts:
            numerator, denominator = sums.get((code, start), (Decimal(0), Decimal(0)))
            value = metric.kpi_value(numerator, denominator) if metric and (code, start) in sums else None
            series.append(WeeklyValue(start, numerator, denominator, None if value is None else value.quantize(_CENT)))
        result[code] = series
    return result


_CENT = Decimal("0.01")
