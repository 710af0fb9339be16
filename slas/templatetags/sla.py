"""Template helpers for SLA data shown on pages outside the SLA views (home, engagement page) and inside them."""

from datetime import timedelta

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from slas.choices import BreachStatus, KPIStatus, Severity
from slas.models import Breach
from slas.rollups import format_value

register = template.Library()

STATUS_LABELS = {**dict(KPIStatus.choices), "none": "No data yet"}


@register.filter
def metric_value(value, metric):
    """A KPI or threshold in its metric's unit: “92.5%”, “184 s”, “4.6 score”."""
    return format_value(value, metric)


@register.filter
def kpi_status_label(status):
    return STATUS_LABELS.get(status, status)


@register.simple_tag
def open_breaches(user, limit=5):
    """The user's open breaches and warnings, worst and newest first, and how many of each there are (two queries),
    named as the SLA portfolio names them."""
    breaches = Breach.objects.for_user(user).unresolved()
    items = breaches.select_related("target__metric", "target__engagement").order_by(
        "severity", "-period_start", "-pk"
    )[:limit]
    counts = dict(breaches.values_list("severity").annotate(n=Count("pk")).order_by())
    return {
        "count": sum(counts.values()),
        "breaches": counts.get(Severity.BREACH, 0),
        "warnings": counts.get(Severity.WARNING, 0),
        "items": list(items),
    }


@register.simple_tag
def sla_summary(engagement):
    """For an engagement's page: how many targets it has and how many breaches and warnings are open."""
    counts = dict(
        Breach.objects.filter(target__engagement=engagement, status=BreachStatus.OPEN)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "targets": engagement.sla_targets.count(),
        "breaches": counts.get(Severity.BREACH, 0),
        "warnings": counts.get(Severity.WARNING, 0),
    }


@register.filter
def plain(value):
    """A decimal without trailing zeros or exponent: 120.0000 → “120”, 0.5000 → “0.5”."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


@register.filter
def add_days(day, days):
    """A date `days` later: a period's end plus the engagement's grace is the last day late data may arrive."""
    from datetime import timedelta

    return day + timedelta(days=int(days)) if day else day


@register.simple_tag
def breach_trend(user, weeks=12, most=6):
    """For the home chart: how many breaches each engagement had open at the end of each of the last `weeks`
    weeks (a breach counts from the day after its period closed until it was resolved), for the `most` engagements
    with any; one query. Something the stage counters above the chart do not say."""
    today = timezone.localdate()
    ends = [today - timedelta(days=today.weekday() + 1 + 7 * back) for back in range(weeks - 1, -1, -1)]
    ends[-1] = today  # the week under way counts up to today
    since = timezone.make_aware(timezone.datetime.combine(ends[0], timezone.datetime.min.time()))
    rows = list(
        Breach.objects.for_user(user)
        .filter(severity=Severity.BREACH, period_end__lt=today)
        .filter(Q(resolved_at=None) | Q(resolved_at__gte=since))
        .values_list("target__engagement__name", "period_end", "resolved_at")
    )
    series: dict[str, list[int]] = {}
    for name, period_end, resolved_at in rows:
        counts = series.setdefault(name, [0] * len(ends))
        resolved_on = timezone.localdate(resolved_at) if resolved_at else None
        for index, end in enumerate(ends):
            if period_end < end and (resolved_on is None or resolved_on > end):
                counts[index] += 1
    busiest = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0]))[:most]
    return {
        "labels": [f"{end:%-d %b}" for end in ends],
        "series": [{"label": name, "values": counts} for name, counts in busiest if any(counts)],
    }
