"""Template helpers for the contract terms shown outside the contract page (the engagement page's card)."""

from django import template

from engagements.models import Contract
from engagements.services.terms import termination_eligibility

register = template.Library()


@register.simple_tag
def contract_terms_summary(engagement):
    """The next pending checkpoint and the termination eligibility of the engagement's contract, if any."""
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        return None
    contract.engagement = engagement
    today = contract.local_today()
    return {
        "contract": contract,
        "today": today,
        "next_checkpoint": contract.checkpoints.pending().order_by("due_on").first(),
        "eligibility": termination_eligibility(contract, today),
    }
