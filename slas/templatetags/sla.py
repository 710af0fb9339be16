"""Template helpers for SLA data shown on pages outside the SLA views (home, engagement page) and inside them."""

from django import template
from django.db.models import Count

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
