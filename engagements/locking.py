"""One lock order for every write to an engagement's data:

    the engagement → its contract → the contract's children (scope lines, tiers, fees, checkpoints, change
    requests) and the engagement's other rows (phases, milestones, action items, reviews) → SLA rows (targets,
    breaches, remediation plans).

Every service takes its row locks through `lock_engagement`, `lock_contract` or `lock_row`, which lock top-down
and each table on its own (`FOR UPDATE OF` the one row, never a join that locks parent and child at once in an
order PostgreSQL picks). Two transactions that both follow the order can wait for each other but never deadlock:
one took the engagement first, and the other queues behind it there. Taking a lock this transaction already holds
returns at once, so a service may call a helper for a row its caller locked.

SQLite has no row locks (a write locks the database), so there these are plain reads.
"""

from django.db import models

from engagements.models import Contract, Engagement


def lock_engagement(engagement) -> Engagement:
    """Lock the engagement row (first in the order) and return it as it is now."""
    pk = engagement.pk if isinstance(engagement, models.Model) else engagement
    return Engagement.objects.select_for_update(of=("self",)).get(pk=pk)


def lock_contract(contract) -> Contract:
    """Lock the contract's engagement, then the contract; the contract comes back with that engagement attached."""
    pk = contract.pk if isinstance(contract, models.Model) else contract
    engagement = lock_engagement(Contract.objects.values_list("engagement_id", flat=True).get(pk=pk))
    locked = Contract.objects.select_for_update(of=("self",)).get(pk=pk)
    locked.engagement = engagement
    return locked


def lock_row(model, pk, *, engagement: str, contract: str | None = None, related: tuple[str, ...] = ()):
    """Lock one row below the engagement: its engagement (`engagement` is the lookup to its id, e.g.
    "breach__target__engagement_id"), then its contract if it hangs off one (`contract`: the lookup to its id),
    then the row itself, read with `related` joined but not locked."""
    lookups = [engagement] + ([contract] if contract else [])
    ids = model._base_manager.filter(pk=pk).values_list(*lookups).get()
    lock_engagement(ids[0])
    if contract:
        Contract.objects.select_for_update(of=("self",)).only("pk").get(pk=ids[1])
    queryset = model._base_manager.select_for_update(of=("self",))
    return (queryset.select_related(*related) if related else queryset).get(pk=pk)
