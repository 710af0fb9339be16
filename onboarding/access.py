"""Who sees onboarding's rows that belong to a side rather than to one engagement (a provider's module library, a
provider's policy documents) or to an agent (completions, signatures). Rows of one engagement use
engagements.access.EngagementScopedQuerySet like everything else."""

from django.db.models import Q

from engagements.access import SideScopedQuerySet, engagements_for
from engagements.choices import Role


def agents_in_sight(user):
    """Agent ids a signed-in side member may see onboarding records of: their provider's own agents, and the
    agents onboarding onto (or assigned to) the engagements they see."""
    from engagements.models import Agent

    # Two subqueries OR-ed rather than a UNION: SQLite refuses a compound SELECT inside IN (…).
    in_sight = Q(pk__in=Agent.objects.for_user(user).values("pk")) | Q(
        onboardings__engagement__in=engagements_for(user)
    )
    return Agent.objects.filter(in_sight).values("pk")


class OwnedByASideQuerySet(SideScopedQuerySet):
    """Rows owned by a provider, a practice or one engagement (whichever of `provider`, `practice`, `engagement`
    the model has): the owner's people see them, and so does the other side of an engagement they share; only the
    owner's managers (for an engagement's rows, those who may change the engagement) change them."""

    def _has(self, field: str) -> bool:
        return any(f.name == field for f in self.model._meta.get_fields())

    def scope_for(self, user, membership, action: str):
        if action == "view":
            seen = engagements_for(user)
            scope = Q(pk__in=[])
            if self._has("provider"):
                scope |= Q(provider_id=membership.provider_id) if membership.provider_id else Q(pk__in=[])
                scope |= Q(provider_id__in=seen.values("provider_id"))
            if self._has("practice"):
                scope |= Q(practice_id=membership.practice_id) if membership.practice_id else Q(pk__in=[])
                scope |= Q(practice_id__in=seen.values("practice_id"))
            if self._has("engagement"):
                scope |= Q(engagement__in=seen)
            return self.filter(scope)
        if membership.role != Role.MANAGER:
            return self.none()
        scope = Q(pk__in=[])
        if self._has("provider") and membership.provider_id:
            scope |= Q(provider_id=membership.provider_id)
        if self._has("practice") and membership.practice_id:
            scope |= Q(practice_id=membership.practice_id)
        if self._has("engagement"):
            scope |= Q(engagement__in=engagements_for(user, action))
        return self.filter(scope)


class SeenThroughAgentQuerySet(SideScopedQuerySet):
    """An agent's own rows (completions, signatures): seen by whoever may see the agent's onboarding, and by the
    agent themselves; changed only through services, which check their own rules."""

    def scope_for(self, user, membership, action: str):
        return self.filter(agent_id__in=agents_in_sight(user))

    def agent_scope(self, user, membership, action: str):
        return self.filter(agent_id=membership.agent_id) if membership.agent_id else self.none()
