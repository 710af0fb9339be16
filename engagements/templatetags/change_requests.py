from django import template

from engagements.models import ChangeRequest, Contract

register = template.Library()


@register.simple_tag
def change_summary(engagement) -> dict:
    """The engagement page's change-request card: the contract's current version and pending requests (one query
    for the contract, one for the count)."""
    contract = Contract.objects.filter(engagement=engagement).only("pk", "version", "signed_on").first()
    if contract is None:
        return {"contract": None, "pending": 0}
    pending = ChangeRequest.objects.filter(contract=contract, status=ChangeRequest.Status.PROPOSED).count()
    return {"contract": contract, "pending": pending}
