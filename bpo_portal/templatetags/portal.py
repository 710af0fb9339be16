"""The portal's shared template filters — `{% load portal %}`. Every page writes money, numbers and people the same way:

    {{ contract.account_management_fee|money }}   $1,250.00
    {{ delta|money:"signed" }}                    +$1,050.00  /  −$80.00
    {{ measured_units|number }}                   2,500
    {{ entry.actor|person }}                      Maria Lopez  (or “system”)

Periods read as people say them through slas.periods.label (“Week of 17 Nov 2026”), and a metric's value in its
unit through the `sla` library's `metric_value` (“2,500 calls”, “4.53 / 5”, “92.5%”).
"""

from django import template

from bpo_portal import formatting
from engagements.models.people import display_name

register = template.Library()


@register.filter
def person(user, fallback="system"):
    """A user's display name in a page; `fallback` when there is nobody (e.g. "system")."""
    return display_name(user, fallback)


@register.filter
def duration(value) -> str:
    """A timedelta in words: "15 minutes", "1 hour", "1 hour 30 minutes" (never ISO 8601's "PT15M")."""
    if not hasattr(value, "total_seconds"):
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def money(value, style=""):
    """An amount in dollars with thousands separators and two decimals; `money:"signed"` adds “+” above zero."""
    return formatting.money(value, signed=style == "signed")


@register.filter
def number(value, places=2):
    return formatting.number(value, int(places))
