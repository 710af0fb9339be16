"""The engagement page's money card: projected monthly cost, service credits and unagreed scope."""

from django import template

from engagements import costs, pricing
from engagements.models import Contract

register = template.Library()


@register.simple_tag
def money_summary(engagement) -> dict:
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        return {"contract": None}
    terms = pricing.terms_of(contract)
    return {
        "contract": contract,
        "lines": len(terms.lines),
        "projected": pricing.monthly_cost(terms),
        "unagreed": costs.scope_flags(engagement),
    }
