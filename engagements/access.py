"""Who may see and do what on an engagement: the one place that answers it.

An engagement grants object permissions (django-guardian) to groups of its practice and its provider, one
group per side and role. Every engagement-scoped queryset in the portal is built on `engagements_for`, so the
web UI, the API, CSV exports and background notifications all see the same rows. Nobody but a portal admin
holds a model-level permission on a tenant model; `accept_global_perms=False` makes sure one granted by
mistake could not widen anyone's view.
"""

from django.contrib.auth.models import Group
from django.db import models
from guardian.shortcuts import assign_perm, get_objects_for_user

from engagements.choices import Role, Side

# Object permissions on Engagement that each side's role receives when the engagement is created.
# "manage_contract": the practice agrees the contract terms, its SLA targets and remediation plans.
# "assign_agents": the provider staffs the account. "submit_measurements": the provider's people and systems
# push SLA data. "answer_breaches": the provider proposes remediation plans for missed SLAs. "give_feedback": the
# practice's people leave feedback on the transition (read by its managers, through manage_contract).
ENGAGEMENT_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (Side.PRACTICE, Role.MANAGER): ("view_engagement", "change_engagement", "manage_contract", "give_feedback"),
    (Side.PRACTICE, Role.STAFF): ("view_engagement", "give_feedback"),
    (Side.PROVIDER, Role.MANAGER): (
        "view_engagement",
        "change_engagement",
        "assign_agents",
        "submit_measurements",
        "answer_breaches",
    ),
    (Side.PROVIDER, Role.STAFF): ("view_engagement",),
    (Side.PROVIDER, Role.INTEGRATION): ("view_engagement", "submit_measurements"),
}

ACTION_PERMISSIONS = {"view": "view_engagement", "change": "change_engagement"}


def is_portal_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def membership_of(user):
    """The user's Membership, or None (anonymous users, admins without a side, integrations being set up)."""
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except AttributeError:
        return None
    except models.ObjectDoesNotExist:
        return None


def is_agent(user) -> bool:
    """Whether the user signs in as an agent (a provider's virtual assistant with a login of their own)."""
    membership = membership_of(user)
    return bool(membership and membership.is_agent)


def manages_a_provider(user) -> bool:
    """May add and edit a provider's agents: its account managers, and portal admins."""
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.manages_provider)


def group_name(side: str, organization_id: int, role: str) -> str:
    return f"{side}:{organization_id}:{role}"


def organization_group(side: str, organization_id: int, role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=group_name(side, organization_id, role))
    return group


def grant_engagement_access(engagement) -> None:
    """Give both sides' groups their object permissions on a new engagement."""
    for (side, role), codenames in ENGAGEMENT_PERMISSIONS.items():
        organization_id = engagement.practice_id if side == Side.PRACTICE else engagement.provider_id
        group = organization_group(side, organization_id, role)
        for codename in codenames:
            assign_perm(f"engagements.{codename}", group, engagement)


def engagement_managers(engagement):
    """The active managers of both sides of an engagement: who is told when something needs a decision."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        models.Q(membership__practice_id=engagement.practice_id)
        | models.Q(membership__provider_id=engagement.provider_id),
        membership__role=Role.MANAGER,
        is_active=True,
    )


def engagements_for(user, action: str = "view"):
    """Engagements on which `user` may perform `action` ("view", "change", or a permission codename)."""
    from engagements.models import Engagement

    if not user.is_authenticated or not user.is_active:
        return Engagement.objects.none()
    if is_portal_admin(user):
        return Engagement.objects.all()
    codename = ACTION_PERMISSIONS.get(action, action)
    return get_objects_for_user(
        user,
        f"engagements.{codename}",
        klass=Engagement.objects.all(),
        accept_global_perms=False,
        with_superuser=False,
    )


def can_act_on(user, engagement, action: str = "view") -> bool:
    """Whether `user` may perform `action` on this one engagement: the rule of `engagements_for`."""
    return engagements_for(user, action).filter(pk=engagement.pk).exists()


def can_act_anywhere(user, action: str) -> bool:
    """Whether `user` may perform `action` on at least one engagement (portal admins always may)."""
    return is_portal_admin(user) or engagements_for(user, action).exists()


class SideScopedQuerySet(models.QuerySet):
    """For rows a user reaches through their own side: portal admins see all, anyone without an active
    membership sees nothing, and `scope_for` says what the rest see."""

    def for_user(self, user, action: str = "view"):
        if is_portal_admin(user):
            return self
        membership = membership_of(user)
        if membership is None or not user.is_active:
            return self.none()
        if membership.is_agent:
            return self.agent_scope(user, membership, action)
        return self.scope_for(user, membership, action)

    def scope_for(self, user, membership, action: str):
        raise NotImplementedError

    def agent_scope(self, user, membership, action: str):
        """An agent's login reaches none of their side's rows (colleagues, other agents, the directory, the
        provider's records) unless a model says otherwise: agents see only their own things."""
        return self.none()


class EngagementScopedQuerySet(models.QuerySet):
    """For models that belong to one engagement: visible exactly when their engagement is."""

    engagement_path = "engagement"

    def for_user(self, user, action: str = "view"):
        return self.filter(**{f"{self.engagement_path}__in": engagements_for(user, action)})


def sync_member_groups(membership) -> None:
    """Put the member in exactly the group of their side and role, or in none once they are deactivated.

    Group membership is what carries the object permissions, so this is what makes a role change or a
    deactivation take effect on the very next request.
    """
    user = membership.user
    side_groups = user.groups.filter(name__regex=r"^(practice|provider):\d+:")
    user.groups.remove(*side_groups)
    if user.is_active:
        user.groups.add(organization_group(membership.side, membership.organization_id, membership.role))
