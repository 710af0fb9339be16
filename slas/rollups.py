"""KPI rollups and breach flags: the SLA engine's computation, run by Celery tasks.

A KPI value is a target's summed numerator and denominator over one period, computed by one `GROUP BY` per
period grain in the database (never by looping over measurements in Python), then written back with one
upsert. Breaches follow from the KPI values: one per target and period, enforced by a unique constraint, so a
retried or concurrent recompute finds the row the other one made instead of opening a second.

The sums are read from `MeasurementDay` (slas_measurementday: the measurements summed per engagement, metric,
service line and day, kept by the database's triggers), so a period costs its days, not its rows: at 50 agents a
cell, a month is 31 rows instead of about 1,550.

Everything a recompute writes happens in one transaction: a worker killed midway leaves the previous,
consistent state, and running it again gives the same result.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone

from bpo_portal.formatting import number
from engagements.choices import Role
from engagements.notifications import notify_many
from slas.choices import BreachStatus, Grain, KPIStatus, Severity
from slas.models import Breach, KPIValue, MeasurementDay, SLATarget
from slas.periods import engagement_closed_before, label, period_end, period_start
from slas.webhooks import announce_resolved, breach_payload, emit

# The contract's precision: a KPI is stored, shown and judged at 2 decimals, rounded half to even, so what a user
# reads is what was judged. The exact numerator and denominator are kept beside it.
QUANTUM = Decimal("0.01")
PERIOD_EXPRESSIONS = {Grain.DAY: F("date"), Grain.WEEK: TruncWeek("date"), Grain.MONTH: TruncMonth("date")}
JUDGED = (KPIStatus.WARNING, KPIStatus.BREACH)


@dataclass
class RecomputeResult:
    kpi_values: int = 0
    removed: int = 0
    breaches_opened: list[int] = field(default_factory=list)
    breaches_resolved: int = 0


# --- Entry points ---------------------------------------------------------------------------------------------------


def recompute_touched(touched: dict[tuple[int, int], list[str]]) -> RecomputeResult:
    """Recompute only the periods an ingest batch touched: {(engagement id, metric id): [ISO dates]}."""
    if not touched:
        return RecomputeResult()
    if connection.vendor == "postgresql":
        return _recompute_touched_in_database(touched)
    pairs = Q()
    for engagement_id, metric_id in touched:
        pairs |= Q(engagement_id=engagement_id, metric_id=metric_id)
    targets = list(SLATarget.objects.filter(pairs).select_related("metric", "engagement__practice"))
    periods = {}
    for target in targets:
        days = {date.fromisoformat(d) for d in touched[(target.engagement_id, target.metric_id)]}
        periods[target.pk] = {period_start(day, target.period) for day in days}
    return _recompute(targets, periods=periods)


def recompute_since(since: date, targets=None) -> RecomputeResult:
    """Recompute every period that ends on or after `since`, for all targets (the nightly job) or `targets`."""
    queryset = SLATarget.objects.all() if targets is None else targets
    queryset = queryset.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=since))
    if connection.vendor == "postgresql":
        return _recompute_since_in_database(list(queryset.values_list("pk", flat=True)), since)
    targets = list(queryset.select_related("metric", "engagement__practice"))
    return _recompute(targets, since=since)


def rejudge_since(since: date) -> RecomputeResult:
    """The nightly job: every target's periods that end on or after `since`, judged again from the sums their KPI
    values hold, with breaches opened, updated or resolved and announced as `recompute_since` would.

    What changes a period's outcome without a recompute being owed is the calendar (a period closes once its
    last day and the grace have passed, in the practice's timezone) and the engagement's grace days: neither
    needs the measurements summed again. Every change to the measurements or a target owes a recompute
    (`slas.owed`), which `tasks.recompute_recent` sweeps first, so each stored sum is already the sum of the
    measurements. Reading the KPI values instead of the measurements keeps the nightly job's cost to the number
    of recent periods, not the rows in them (per agent, 50 rows a cell: bench/README.md, scale mode).
    """
    queryset = SLATarget.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=since))
    if connection.vendor == "postgresql":
        return _recompute_since_in_database(list(queryset.values_list("pk", flat=True)), since, sums=_STORED_SUMS)
    targets = list(queryset.select_related("metric", "engagement__practice"))
    return _recompute(targets, since=since, stored=True)


# --- The computation in one statement (PostgreSQL) ------------------------------------------------------------------
#
# The same KPI values and breach flags as `_recompute` below, computed and written by the database: no row of the
# result passes through Python, so a full recompute costs about what the aggregation itself costs. The Python
# path stays for SQLite (the embedded default); tests run both.

_PERIOD_START = "CASE t.period WHEN 'day' THEN {day} ELSE date_trunc(t.period, {day}::timestamp)::date END"
_PERIOD_END = (
    "CASE t.period WHEN 'day' THEN {start} WHEN 'week' THEN {start} + 6 "
    "ELSE ({start} + interval '1 month' - interval '1 day')::date END"
)
# The periods an ingest batch touched: its (engagement, metric, day) triples, as three parallel arrays.
_TOUCHED_SCOPE = f"""scope AS (
    SELECT DISTINCT t.id AS target_id, t.engagement_id, t.metric_id, t.service_line_id, p.start,
           {_PERIOD_END.format(start="p.start")} AS stop
    FROM unnest(%(engagements)s::bigint[], %(metrics)s::bigint[], %(days)s::date[]) AS d(engagement_id, metric_id, day)
    JOIN slas_slatarget t ON t.engagement_id = d.engagement_id AND t.metric_id = d.metric_id
    CROSS JOIN LATERAL (SELECT {_PERIOD_START.format(day="d.day")} AS start) p
),"""
_TOUCHED_SUMS = """
    SELECT s.target_id, s.start AS period_start, sums.numerator, sums.denominator
    FROM scope s
    CROSS JOIN LATERAL (  -- one range scan of the days' unique index per period: at most 31 days × lines
        SELECT sum(m.numerator) AS numerator, sum(m.denominator) AS denominator FROM slas_measurementday m
        WHERE m.engagement_id = s.engagement_id AND m.metric_id = s.metric_id AND m.date BETWEEN s.start AND s.stop
          AND (s.service_line_id IS NULL OR m.line = s.service_line_id)
    ) sums
    WHERE sums.denominator IS NOT NULL
"""
# Every period of `targets` since a date: one pass over their days.
_SINCE_SUMS = f"""
    SELECT t.id AS target_id, p.start AS period_start, sum(m.numerator) AS numerator, sum(m.denominator) AS denominator
    FROM slas_slatarget t
    JOIN slas_measurementday m ON m.engagement_id = t.engagement_id AND m.metric_id = t.metric_id
     AND (t.service_line_id IS NULL OR m.line = t.service_line_id)
    CROSS JOIN LATERAL (SELECT {_PERIOD_START.format(day="m.date")} AS start) p
    WHERE t.id = ANY(%(targets)s::bigint[]) AND m.date >= {_PERIOD_START.format(day="%(since)s::date")}
    GROUP BY t.id, p.start
"""
# The same periods as _SINCE_SUMS (those ending on or after `since`), from the sums their KPI values hold.
_STORED_SUMS = """
    SELECT k.target_id, k.period_start, k.numerator, k.denominator FROM slas_kpivalue k
    WHERE k.target_id = ANY(%(targets)s::bigint[]) AND k.period_end >= %(since)s
"""
# Metric.kpi_value, Decimal.quantize (half to even) and SLATarget.judge in SQL; the upsert; the breaches it opens
# or brings up to date (as _update_breach); the open breaches of periods now met, resolved by data. Rows are taken
# in (target, period) order, so concurrent recomputes lock them in the same order and cannot deadlock.
_UPSERT = f"""
WITH {{scope}} sums AS ({{sums}}),
valued AS (
    SELECT s.*, {_PERIOD_END.format(start="s.period_start")} AS period_end, t.effective_from, t.effective_to,
           t.threshold, t.warning_threshold, t.min_sample_size, mt.direction = 'higher' AS higher,
           -- periods.closed_before: the practice's today less the engagement's grace
           (%(now)s AT TIME ZONE pr.timezone)::date - e.sla_grace_days AS closed_before,
           CASE WHEN mt.aggregation = 'sum' THEN s.numerator
                WHEN s.denominator = 0 THEN NULL
                WHEN mt.aggregation = 'ratio' THEN s.numerator::numeric(60, 30) * 100 / s.denominator
                ELSE s.numerator::numeric(60, 30) / s.denominator END AS exact
    FROM sums s JOIN slas_slatarget t ON t.id = s.target_id JOIN slas_metric mt ON mt.id = t.metric_id
    JOIN engagements_engagement e ON e.id = t.engagement_id JOIN engagements_practice pr ON pr.id = e.practice_id
), judged AS (
    SELECT v.*, CASE
        WHEN value IS NULL OR denominator < min_sample_size THEN 'insufficient'
        WHEN (higher AND value < threshold) OR (NOT higher AND value > threshold) THEN 'breach'
        WHEN warning_threshold IS NOT NULL
         AND ((higher AND value < warning_threshold) OR (NOT higher AND value > warning_threshold)) THEN 'warning'
        ELSE 'met' END AS status
    FROM (
        SELECT valued.*, CASE WHEN exact * 100 - floor(exact * 100) = 0.5 AND floor(exact * 100) %% 2 = 0
                              THEN floor(exact * 100) / 100 ELSE round(exact, 2) END AS value
        FROM valued
        WHERE effective_from <= period_end AND (effective_to IS NULL OR effective_to >= period_start)
    ) v
), upserted AS (
    INSERT INTO slas_kpivalue
        (target_id, period_start, period_end, numerator, denominator, value, sample_size, status, computed_at)
    SELECT target_id, period_start, period_end, numerator, denominator, value, denominator, status, %(now)s
    FROM judged ORDER BY target_id, period_start
    ON CONFLICT (target_id, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end, numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
        value = EXCLUDED.value, sample_size = EXCLUDED.sample_size, status = EXCLUDED.status,
        computed_at = EXCLUDED.computed_at
    RETURNING target_id, period_start, period_end, value, status
), flagged AS (
    INSERT INTO slas_breach
        (target_id, period_start, period_end, severity, status, value, threshold, opened_at, notified_severity)
    SELECT u.target_id, u.period_start, u.period_end, u.status, 'open', u.value,
           CASE u.status WHEN 'breach' THEN t.threshold ELSE t.warning_threshold END, %(now)s, ''
    FROM upserted u JOIN slas_slatarget t ON t.id = u.target_id
    JOIN judged j ON j.target_id = u.target_id AND j.period_start = u.period_start
    WHERE u.status IN ('warning', 'breach') AND j.period_end < j.closed_before  -- closed periods only
    ORDER BY u.target_id, u.period_start
    ON CONFLICT (target_id, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end, severity = EXCLUDED.severity, value = EXCLUDED.value,
        threshold = EXCLUDED.threshold,
        status = CASE WHEN slas_breach.status = 'resolved_by_data' THEN 'open' ELSE slas_breach.status END,
        resolved_at = CASE WHEN slas_breach.status = 'resolved_by_data' THEN NULL ELSE slas_breach.resolved_at END,
        notified_severity = CASE WHEN slas_breach.status = 'resolved_by_data' THEN ''
                                 ELSE slas_breach.notified_severity END
    WHERE (slas_breach.period_end, slas_breach.severity, slas_breach.value, slas_breach.threshold,
           slas_breach.status = 'resolved_by_data')
          IS DISTINCT FROM (EXCLUDED.period_end, EXCLUDED.severity, EXCLUDED.value, EXCLUDED.threshold, false)
    RETURNING 1
), resolved AS (
    UPDATE slas_breach b SET status = 'resolved_by_data', resolved_at = %(now)s
    FROM upserted u
    WHERE b.target_id = u.target_id AND b.period_start = u.period_start AND b.status = 'open'
      AND u.status NOT IN ('warning', 'breach')
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted), (SELECT count(*) FROM resolved), (SELECT count(*) FROM flagged)
"""
# KPI values in scope that the upsert did not rewrite have no data any more (a correction moved it away). Older
# than this run, not just different: a concurrent run that started later may have written a period this one could
# not see yet. A second statement, because only it sees the upsert's `computed_at`; an anti-join with the upsert's
# rows in the same statement is planned blind (a CTE has no statistics) and took seconds.
_TOUCHED_VANISHED = f"""
    WITH {_TOUCHED_SCOPE.rstrip(",")}
    DELETE FROM slas_kpivalue k USING scope s
    WHERE k.target_id = s.target_id AND k.period_start = s.start AND k.computed_at < %(now)s
    RETURNING k.target_id, k.period_start
"""
_SINCE_VANISHED = """
    DELETE FROM slas_kpivalue k
    WHERE k.target_id = ANY(%(targets)s::bigint[]) AND k.period_end >= %(since)s AND k.computed_at < %(now)s
    RETURNING k.target_id, k.period_start
"""
_RESOLVE_VANISHED = """
    UPDATE slas_breach b SET status = 'resolved_by_data', resolved_at = %(now)s
    FROM unnest(%(targets)s::bigint[], %(starts)s::date[]) AS v(target_id, start)
    WHERE b.target_id = v.target_id AND b.period_start = v.start AND b.status = 'open'
"""


@transaction.atomic
def _recompute_touched_in_database(touched: dict[tuple[int, int], list[str]]) -> RecomputeResult:
    triples = [(e, m, day) for (e, m), days in touched.items() for day in days]
    params = {name: _array(t[index] for t in triples) for index, name in enumerate(("engagements", "metrics", "days"))}
    result = _upsert_in_database(_TOUCHED_SCOPE, _TOUCHED_SUMS, _TOUCHED_VANISHED, params)
    # The touched pairs' targets by two IN lists, kept in Python: an OR of one Q per pair (about 1,000 for a
    # 1,000-row batch) took Django longer to compile than the recompute took to run.
    engagements, metrics = {e for e, _ in touched}, {m for _, m in touched}
    targets = SLATarget.objects.filter(engagement_id__in=engagements, metric_id__in=metrics)
    target_ids = [pk for pk, e, m in targets.values_list("pk", "engagement_id", "metric_id") if (e, m) in touched]
    announce_resolved(params["now"])
    result.breaches_opened = _notify(target_ids, params["now"])
    return result


@transaction.atomic
def _recompute_since_in_database(target_ids: list[int], since: date, sums: str = _SINCE_SUMS) -> RecomputeResult:
    if not target_ids:
        return RecomputeResult()
    params = {"targets": _array(target_ids), "since": since}
    result = _upsert_in_database("", sums, _SINCE_VANISHED, params)
    announce_resolved(params["now"])
    result.breaches_opened = _notify(target_ids, params["now"])
    return result


def _array(values) -> str:
    """An array parameter as one '{…}' literal (cast in the SQL). psycopg2 sends a list as ARRAY[…] with one
    constant per element, which PostgreSQL takes longer to parse and plan than to run an incremental recompute."""
    return "{" + ",".join(str(value) for value in values) + "}"


def _upsert_in_database(scope: str, sums: str, vanished_sql: str, params: dict) -> RecomputeResult:
    result = RecomputeResult()
    params["now"] = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(scope=scope, sums=sums), params)
        result.kpi_values, result.breaches_resolved, _ = cursor.fetchone()
        cursor.execute(vanished_sql, params)
        vanished = cursor.fetchall()
        if vanished:
            gone = {
                "now": params["now"],
                "targets": _array(v[0] for v in vanished),
                "starts": _array(v[1] for v in vanished),
            }
            cursor.execute(_RESOLVE_VANISHED, gone)
            result.removed, result.breaches_resolved = len(vanished), result.breaches_resolved + cursor.rowcount
    return result


# --- The computation ------------------------------------------------------------------------------------------------


@transaction.atomic
def _recompute(
    targets: list[SLATarget], *, periods=None, since: date | None = None, stored: bool = False
) -> RecomputeResult:
    """Exactly one of `periods` ({target id: {period starts}}) or `since` says which periods to recompute;
    `stored` (with `since`) takes each period's sums from its KPI value instead of the measurements."""
    result = RecomputeResult()
    if not targets:
        return result
    now = timezone.now()
    existing = _existing_kpis(targets, periods=periods, since=since)
    totals = _stored_totals(targets, since) if stored else _aggregate(targets, periods=periods, since=since)

    # Every (target, period) this run answers for: those with data now, and those that had a value before
    # (a correction may have moved its measurements away). None means "no data any more".
    judged: dict[tuple[int, date], KPIValue | None] = {}
    starts_with_data, existing_starts = defaultdict(list), defaultdict(set)
    for key in totals:
        starts_with_data[key[:4]].append(key[4])
    for target_id, start in existing:
        existing_starts[target_id].add(start)
    for target in targets:
        for start in _periods_in_scope(target, starts_with_data, existing_starts, periods=periods, since=since):
            sums = totals.get((target.engagement_id, target.metric_id, target.service_line_id, target.period, start))
            judged[(target.pk, start)] = _kpi(target, start, sums, now) if sums else None

    vanished = [pk for key, pk in existing.items() if judged.get(key) is None]
    for key in existing:  # out of the target's dates now, or without data: an open breach there resolves by data
        judged.setdefault(key, None)
    result.removed, _ = KPIValue.objects.filter(pk__in=vanished).delete()
    rows = [kpi for _, kpi in sorted(judged.items(), key=lambda item: item[0]) if kpi is not None]
    # Sorted, so concurrent upserts take row locks in the same order and cannot deadlock.
    KPIValue.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["target", "period_start"],
        update_fields=["period_end", "numerator", "denominator", "value", "sample_size", "status", "computed_at"],
    )
    result.kpi_values = len(rows)
    _flag_breaches(targets, judged, result, now)
    return result


def _kpi(target: SLATarget, start: date, sums: tuple[Decimal, Decimal], now) -> KPIValue:
    numerator, denominator = sums
    value = target.metric.kpi_value(numerator, denominator)
    value = value.quantize(QUANTUM) if value is not None else None
    return KPIValue(
        target=target,
        period_start=start,
        period_end=period_end(start, target.period),
        numerator=numerator,
        denominator=denominator,
        value=value,
        sample_size=denominator,
        status=target.judge(value, denominator),
        computed_at=now,
    )


def _existing_kpis(targets, *, periods, since) -> dict[tuple[int, date], int]:
    existing = KPIValue.objects.filter(target__in=[t.pk for t in targets])
    if since is not None:
        existing = existing.filter(period_end__gte=since)
    else:
        condition = Q()
        for target_id, starts in periods.items():
            if starts:
                condition |= Q(target_id=target_id, period_start__in=starts)
        existing = existing.filter(condition) if condition else existing.none()
    return {(target_id, start): pk for pk, target_id, start in existing.values_list("pk", "target_id", "period_start")}


def _stored_totals(targets, since) -> dict[tuple, tuple[Decimal, Decimal]]:
    """What `_aggregate` returns for `since`, read from the KPI values (one query)."""
    by_id = {t.pk: t for t in targets}
    rows = KPIValue.objects.filter(target__in=list(by_id), period_end__gte=since)
    totals = {}
    for target_id, start, numerator, denominator in rows.values_list(
        "target_id", "period_start", "numerator", "denominator"
    ):
        t = by_id[target_id]
        totals[(t.engagement_id, t.metric_id, t.service_line_id, t.period, start)] = (numerator, denominator)
    return totals


def _aggregate(targets, *, periods, since) -> dict[tuple, tuple[Decimal, Decimal]]:
    """{(engagement, metric, service line or None, grain, period start): (Σ numerator, Σ denominator)}.

    One GROUP BY per grain for targets over all service lines, and one per grain grouped by service line for
    targets on one line — at most six queries, whatever the number of targets or measurements. They sum the days
    (`MeasurementDay`), as the PostgreSQL statements do.
    """
    totals = {}
    for grain in Grain.values:
        for by_line in (False, True):
            group = [t for t in targets if t.period == grain and (t.service_line_id is not None) == by_line]
            if not group:
                continue
            measurements = MeasurementDay.objects.filter(_measurement_filter(group, periods=periods, since=since))
            if by_line:
                measurements = measurements.exclude(line=0)
            keys = ["engagement_id", "metric_id", *(["line"] if by_line else []), "period"]
            rows = (
                measurements.annotate(period=PERIOD_EXPRESSIONS[grain])
                .values(*keys)
                .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
                .order_by()
                .values_list(*keys, "numerator", "denominator")
            )
            for row in rows:
                if by_line:
                    engagement_id, metric_id, line_id, start, numerator, denominator = row
                else:
                    (engagement_id, metric_id, start, numerator, denominator), line_id = row, None
                start = start.date() if hasattr(start, "date") else start
                totals[(engagement_id, metric_id, line_id, grain, start)] = (Decimal(numerator), Decimal(denominator))
    return totals


def _measurement_filter(targets, *, periods, since) -> Q:
    if since is not None:
        grain = targets[0].period
        pairs = SLATarget.objects.filter(
            engagement_id=OuterRef("engagement_id"), metric_id=OuterRef("metric_id"), period=grain
        )
        return Q(Exists(pairs), date__gte=period_start(since, grain))
    condition = Q()
    for target in targets:
        starts = periods.get(target.pk)
        if not starts:
            continue
        first, last = min(starts), period_end(max(starts), target.period)
        condition |= Q(engagement_id=target.engagement_id, metric_id=target.metric_id, date__range=(first, last))
    return condition or Q(pk__in=[])


def _periods_in_scope(target, starts_with_data, existing_starts, *, periods, since) -> set[date]:
    if periods is not None:
        starts = set(periods.get(target.pk, ()))
    else:
        first = period_start(since, target.period)
        key = (target.engagement_id, target.metric_id, target.service_line_id, target.period)
        starts = {start for start in starts_with_data.get(key, ()) if start >= first}
        starts |= existing_starts.get(target.pk, set())
    return {s for s in starts if target.is_effective_during(s, period_end(s, target.period))}


def _flag_breaches(targets, judged, result: RecomputeResult, now) -> None:
    """Open, update or resolve the breach of every judged (target, period), then notify the new ones."""
    if not judged:
        return
    by_id = {t.pk: t for t in targets}
    closed_before = {t.pk: engagement_closed_before(t.engagement) for t in targets}
    first = min(start for _, start in judged)
    existing = {
        (b.target_id, b.period_start): b for b in Breach.objects.filter(target__in=list(by_id), period_start__gte=first)
    }
    new, changed = [], []
    for (target_id, start), kpi in sorted(judged.items(), key=lambda item: item[0]):
        breach, target = existing.get((target_id, start)), by_id[target_id]
        status = kpi.status if kpi is not None else KPIStatus.INSUFFICIENT
        if status in JUDGED and kpi.period_end >= closed_before[target_id]:
            continue  # the period under way (or in its grace) is provisional: no breach row, no notice
        if status in JUDGED:
            severity = Severity.BREACH if status == KPIStatus.BREACH else Severity.WARNING
            if breach is None:
                new.append(
                    Breach(
                        target=target,
                        period_start=start,
                        period_end=period_end(start, target.period),
                        severity=severity,
                        value=kpi.value,
                        threshold=target.threshold if severity == Severity.BREACH else target.warning_threshold,
                        opened_at=now,
                    )
                )
            elif _update_breach(breach, kpi, severity, target):
                changed.append(breach)
        elif breach is not None and breach.status == BreachStatus.OPEN:
            breach.status, breach.resolved_at = BreachStatus.RESOLVED_BY_DATA, now
            changed.append(breach)
            result.breaches_resolved += 1
    # ignore_conflicts: a concurrent recompute may have opened the same breach; the constraint keeps one.
    Breach.objects.bulk_create(new, ignore_conflicts=True)
    Breach.objects.bulk_update(
        changed,
        ["period_end", "severity", "status", "value", "threshold", "resolved_at", "notified_severity"],
        batch_size=500,
    )
    announce_resolved(now)
    result.breaches_opened = _notify(list(by_id), now)


def _update_breach(breach: Breach, kpi: KPIValue, severity: str, target: SLATarget) -> bool:
    """Bring an existing breach up to date with its period's latest value. Returns whether it changed."""
    before = (breach.period_end, breach.severity, breach.status, breach.value, breach.threshold)
    breach.period_end = kpi.period_end  # the target's grain may have changed since it opened
    breach.severity = severity
    breach.value = kpi.value
    breach.threshold = target.threshold if severity == Severity.BREACH else target.warning_threshold
    if breach.status == BreachStatus.RESOLVED_BY_DATA:  # later data made it bad again: announced anew
        breach.status, breach.resolved_at, breach.notified_severity = BreachStatus.OPEN, None, ""
    return before != (breach.period_end, breach.severity, breach.status, breach.value, breach.threshold)


# A breach is announced when it opens, when a warning worsens to a breach, and when a resolved breach reopens;
# a breach that improves to a warning is not announced again.
ANNOUNCE = Q(notified_severity="") | Q(severity=Severity.BREACH, notified_severity=Severity.WARNING)


def _notify(target_ids, now) -> list[int]:
    """Tell both sides' managers about each breach of these targets that is due an announcement, whatever its
    period, once per change of severity: only the run that stamps a breach announces it.

    In bulk, whatever the number of breaches: one query reads (and, on PostgreSQL, locks) the breaches due, one
    UPDATE stamps them, one query finds the engagements' managers and two write the notifications. The lock is
    what the old per-breach conditional UPDATE was: a concurrent run waits for this one to commit, then re-reads
    the row (PostgreSQL re-checks the WHERE on the new version), finds it announced, and skips it.
    """
    related = ("target__metric", "target__engagement__practice", "target__engagement__provider")
    due = list(
        Breach.objects.select_for_update(of=("self",))
        .filter(ANNOUNCE, target__in=target_ids, status=BreachStatus.OPEN)
        .select_related(*related)
        .order_by("pk")  # locks taken in pk order: two runs cannot deadlock on them
    )
    if not due:
        return []
    Breach.objects.filter(pk__in=[breach.pk for breach in due]).update(notified_at=now, notified_severity=F("severity"))
    managers = managers_of({breach.target.engagement for breach in due})
    # Key and body describe the breach as it was before this stamp (a reopening, a warning made a breach).
    notify_many(
        [
            {
                "users": managers[breach.target.engagement.pk],
                "key": _announcement_key(breach),
                "title": breach_title(breach),
                "body": _announcement_body(breach),
                "url": reverse("slas:breach_detail", args=[breach.pk]),
                "engagement": breach.target.engagement,
            }
            for breach in due
        ]
    )
    for breach in due:  # recorded after commit (engagements.services.webhooks.emit)
        emit("breach.opened", breach.target.engagement, breach_payload(breach, status=BreachStatus.OPEN))
    return [breach.pk for breach in due]


def managers_of(engagements) -> dict[int, list]:
    """{engagement id: its active managers of both sides}: `engagements.access.engagement_managers` for many
    engagements in one query (a user is a member of one practice or one provider)."""
    from django.contrib.auth import get_user_model

    engagements = list(engagements)
    result = {engagement.pk: [] for engagement in engagements}
    if not engagements:
        return result
    by_practice, by_provider = defaultdict(list), defaultdict(list)
    for engagement in engagements:
        by_practice[engagement.practice_id].append(engagement.pk)
        by_provider[engagement.provider_id].append(engagement.pk)
    users = (
        get_user_model()
        .objects.filter(
            Q(membership__practice_id__in=list(by_practice)) | Q(membership__provider_id__in=list(by_provider)),
            membership__role=Role.MANAGER,
            is_active=True,
        )
        .select_related("membership")
        .order_by("pk")
    )
    for user in users:
        member = user.membership
        for engagement_id in by_practice.get(member.practice_id, []) + by_provider.get(member.provider_id, []):
            result[engagement_id].append(user)
    return result


def _announcement_key(breach: Breach) -> str:
    """Unique per breach and severity; a reopening is a new event, told again (keyed by the last announcement)."""
    key = f"breach:{breach.pk}:{breach.severity}"
    if breach.notified_at is not None and not breach.notified_severity:
        key += f":reopened:{breach.notified_at:%Y%m%dT%H%M%S.%f}"
    return key


def _announcement_body(breach: Breach) -> str:
    metric, engagement = breach.target.metric, breach.target.engagement
    text = (
        f"{engagement}: {metric} was {format_value(breach.value, metric)} against a "
        f"{breach.get_severity_display().lower()} threshold of {format_value(breach.threshold, metric)} in "
        f"{breach.period_label}."
    )
    if breach.notified_severity == Severity.WARNING:
        text += " It was a warning before; later data made it a breach."
    elif breach.notified_at is not None and not breach.notified_severity:
        text += " It had been resolved by data; later data reopened it."
    return text


def breach_title(breach: Breach) -> str:
    kind = "SLA breach" if breach.severity == Severity.BREACH else "SLA warning"
    return f"{kind}: {breach.target.metric} {breach.period_label} — {breach.target.engagement.name}"


# A score is shown against the top of its scale: CSAT is asked 1-5, a quality audit scores 0-100.
SCORE_SCALES = {"csat": 5, "quality_score": 100}


def format_value(value: Decimal | None, metric) -> str:
    """A KPI or threshold in its metric's unit, as people write it: “92.5%”, “184 s”, “2,500 calls”, “4.53 / 5”."""
    if value is None:
        return "—"
    text = number(value)
    if metric.unit == "%":
        return f"{text}%"
    if metric.unit == "count":  # what is counted is the metric's first word: “Calls handled” → calls
        return f"{text} {metric.name.split()[0].lower()}"
    if metric.unit == "score":
        scale = SCORE_SCALES.get(metric.code)
        return f"{text} / {scale}" if scale else text
    return f"{text} {metric.unit}"


def recent_since(today: date | None = None, days: int = 62) -> date:
    """How far back the nightly job recomputes: enough for last month to settle late and corrected data."""
    return (today or timezone.localdate()) - timedelta(days=days)


__all__ = [
    "RecomputeResult",
    "recompute_touched",
    "recompute_since",
    "rejudge_since",
    "recent_since",
    "format_value",
    "label",
]
