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
def money(value, style=""):
    """An amount in dollars with thousands separators and two decimals; `money:"signed"` adds “+” above zero."""
    return formatting.money(value, signed=style == "signed")


@register.filter
def number(value, places=2):
    return formatting.number(value, int(places))
