"""Every change to engagement data that has a rule. Views, the API, tasks and commands call these."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import grant_engagement_access, is_portal_admin, membership_of
from engagements.choices import ALLOWED_TRANSITIONS, AgentStatus, EngagementStatus, Role, Side, TokenKind, TokenScope
from engagements.locking import lock_contract, lock_engagement
from engagements.models import (
    AgentAssignment,
    ApiToken,
    Contract,
    Engagement,
    EngagementStatusChange,
    Invitation,
    Membership,
    Practice,
    Provider,
)
from engagements.models.people import hash_secret
from engagements.services.diligence import require_approved_review

User = get_user_model()


# --- Engagements ----------------------------------------------------------------------------------------------------


def can_create_engagement(user) -> bool:
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.is_manager and user.is_active)


@transaction.atomic
def create_engagement(*, practice: Practice, provider: Provider, name: str, by, service_lines=(), **fields):
    """Open an engagement in vetting and give both sides' groups their permissions on it."""
    if not can_create_engagement(by):
        raise DomainError("Only a practice manager or a BPO account manager can start an engagement.")
    if not is_portal_admin(by):
        membership = membership_of(by)
        if membership.organization != (practice if membership.side == Side.PRACTICE else provider):
            raise DomainError("You can only start engagements for your own practice or provider.")
    if Engagement.objects.filter(practice=practice, provider=provider, name=name).exists():
        raise DomainError("This practice and provider already have an engagement with that name.", field="name")
    engagement = Engagement.objects.create(practice=practice, provider=provider, name=name, created_by=by, **fields)
    engagement.service_lines.set(service_lines)
    grant_engagement_access(engagement)
    EngagementStatusChange.objects.create(
        engagement=engagement, from_status="", to_status=engagement.status, changed_by=by, note="Engagement opened."
    )
    return engagement


@transaction.atomic
def change_engagement_status(engagement: Engagement, to_status: str, *, by, note: str = "") -> Engagement:
    """Move an engagement along its lifecycle, refusing steps the lifecycle does not allow."""
    engagement = lock_engagement(engagement)
    current = EngagementStatus(engagement.status)
    try:
        target = EngagementStatus(to_status)
    except ValueError:
        raise DomainError(f"“{to_status}” is not an engagement status.", field="status") from None
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(s.label for s in engagement.allowed_next_statuses()) or "none (the engagement has ended)"
        raise DomainError(f"An engagement in {current.label} cannot move to {target.label}. Allowed: {allowed}.")
    if current == EngagementStatus.VETTING and target != EngagementStatus.ENDED:
        require_approved_review(engagement)  # due diligence gates the way out of vetting; walking away does not
    if target == EngagementStatus.TRANSITIONING and not Contract.objects.filter(engagement=engagement).exists():
        raise DomainError("Record the contract before the transition starts.")
    engagement.status = target
    engagement.save(update_fields=["status", "updated_at"])
    EngagementStatusChange.objects.create(
        engagement=engagement, from_status=current, to_status=target, changed_by=by, note=note
    )
    return engagement


@transaction.atomic
def save_contract(engagement: Engagement, *, by, **terms) -> Contract:
    """Record or amend the basic contract terms. An ended engagement's contract is history and stays as it was."""
    engagement = lock_engagement(engagement)  # the status as it is now; then the contract (engagements.locking)
    if engagement.is_ended:
        raise DomainError("The engagement has ended; its contract can no longer be changed.")
    existing = Contract.objects.filter(engagement=engagement).values_list("pk", flat=True).first()
    contract = lock_contract(existing) if existing else Contract(engagement=engagement)
    if contract.signed_on and any(getattr(contract, field) != value for field, value in terms.items()):
        # Both sides signed these terms: only an approved change request amends them, and leaves a version.
        raise DomainError(
            "This contract is signed: its terms change only through a change request, which the practice approves."
        )
    for field, value in terms.items():
        setattr(contract, field, value)
    if not contract.auto_renew:
        contract.renewal_term_months = None
    try:
        contract.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    contract.save()
    return contract


@transaction.atomic
def assign_agent(engagement: Engagement, agent, *, by) -> AgentAssignment:
    if agent.provider_id != engagement.provider_id:
        raise DomainError("Only the engagement's provider's own agents can be assigned to it.", field="agent")
    if agent.status == AgentStatus.OFFBOARDED:
        raise DomainError(f"{agent} has been offboarded and cannot be assigned.", field="agent")
    if engagement.is_ended:
        raise DomainError("The engagement has ended.")
    try:
        with transaction.atomic():
            return AgentAssignment.objects.create(agent=agent, engagement=engagement, assigned_by=by)
    except IntegrityError:
        raise DomainError(f"{agent} is already assigned to this engagement.", field="agent") from None


@transaction.atomic
def unassign_agent(assignment: AgentAssignment, *, by) -> None:
    if lock_engagement(assignment.engagement_id).is_ended:
        raise DomainError("The engagement has ended; who worked on it stays on record.")
    assignment.delete()


# --- People ---------------------------------------------------------------------------------------------------------


def _side_fields(organization) -> dict:
    return {"practice": organization} if isinstance(organization, Practice) else {"provider": organization}


def _require_manager_of(by, organization) -> None:
    if is_portal_admin(by):
        return
    membership = membership_of(by)
    if membership is None or not membership.is_manager or membership.organization != organization:
        raise DomainError("Only a manager of this practice or provider can manage its people.")


@transaction.atomic
def invite_member(*, organization, email: str, role: str, by, agent=None) -> tuple[Invitation, str]:
    """Create a one-time invitation link; the e-mail goes out after commit. Returns the link to show once.

    A provider's managers may also invite one of their agents, with the role `agent` and the agent record the
    login is linked to: the agent then sees only their own audits, feedback and disputes."""
    from engagements.tasks import send_invitation_email

    _require_manager_of(by, organization)
    email = User.objects.normalize_email(email).lower()
    if role not in (Role.MANAGER, Role.STAFF, Role.AGENT):
        raise DomainError("Invite a colleague as a manager, as staff or as an agent.", field="role")
    _check_agent_invitation(organization, role, agent)
    if User.objects.filter(username__iexact=email).exists():
        raise DomainError("Somebody with this e-mail address already has an account.", field="email")
    side = _side_fields(organization)
    # A new invitation to the same person replaces any earlier one that is still open.
    Invitation.objects.pending().filter(email__iexact=email, **side).update(revoked_at=timezone.now())
    raw = f"inv_{ApiToken.generate()[1]}"
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        agent=agent if role == Role.AGENT else None,
        token_hash=hash_secret(raw),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        **side,
    )
    link = settings.SITE_URL + reverse("accept_invitation", args=[raw])
    # robust: if the e-mail cannot be queued the invitation still stands, and the manager is shown the link.
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, link), robust=True)
    return invitation, link


def _check_agent_invitation(organization, role: str, agent) -> None:
    if role != Role.AGENT:
        return
    if not isinstance(organization, Provider):
        raise DomainError("Only a provider invites agents.", field="role")
    if agent is None:
        raise DomainError("Choose the agent this login is for.", field="agent")
    if agent.provider_id != organization.pk:
        raise DomainError("That agent does not work for your provider.", field="agent")
    if Membership.objects.filter(agent=agent).exists():
        raise DomainError(f"{agent} already has a login.", field="agent")


def find_invitation(raw: str) -> Invitation | None:
    return Invitation.objects.select_related("practice", "provider").filter(token_hash=hash_secret(raw)).first()


@transaction.atomic
def accept_invitation(raw: str, *, first_name: str, last_name: str, password: str):
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_secret(raw)).first()
    if invitation is None or not invitation.is_usable:
        raise DomainError("This invitation link has expired or has already been used. Ask for a new one.")
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise DomainError("An account with this e-mail address already exists. Sign in instead.")
    user = User(username=invitation.email, email=invitation.email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    if invitation.agent_id and Membership.objects.filter(agent_id=invitation.agent_id).exists():
        raise DomainError("This agent already has a login. Sign in with it instead.")
    Membership.objects.create(
        user=user,
        role=invitation.role,
        practice=invitation.practice,
        provider=invitation.provider,
        agent_id=invitation.agent_id,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def revoke_invitation(invitation: Invitation, *, by) -> None:
    _require_manager_of(by, invitation.organization)
    if invitation.accepted_at:
        raise DomainError("This invitation has already been accepted.")
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])


def _active_managers(organization):
    return Membership.objects.filter(**_side_fields(organization), role=Role.MANAGER, user__is_active=True)


def _guard_last_manager(membership: Membership, by) -> None:
    if membership.user_id == by.pk:
        raise DomainError("You cannot change your own role or deactivate yourself; ask another manager.")
    if membership.is_manager and _active_managers(membership.organization).exclude(pk=membership.pk).count() == 0:
        raise DomainError("This is the last active manager; make someone else a manager first.")


@transaction.atomic
def change_member_role(membership: Membership, role: str, *, by) -> Membership:
    _require_manager_of(by, membership.organization)
    if role not in (Role.MANAGER, Role.STAFF):
        raise DomainError("A person is either a manager or staff.", field="role")
    if membership.role == Role.INTEGRATION:
        raise DomainError("Integration identities are managed through their tokens.")
    if membership.role == Role.AGENT:
        raise DomainError("An agent's login stays an agent's; invite them separately for another role.")
    if role != membership.role:
        _guard_last_manager(membership, by)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def deactivate_member(membership: Membership, *, by) -> Membership:
    """Someone left: they cannot sign in, their tokens stop working and their engagement access goes now."""
    _require_manager_of(by, membership.organization)
    _guard_last_manager(membership, by)
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])  # the post_save signal drops the groups that carry their access
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return membership


@transaction.atomic
def reactivate_member(membership: Membership, *, by) -> Membership:
    _require_manager_of(by, membership.organization)
    if membership.role == Role.INTEGRATION:
        raise DomainError("Integration identities are managed through their tokens.")
    user = membership.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    return membership


# --- API tokens -----------------------------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(
    *, name: str, kind: str, by, provider: Provider | None = None, scopes=None
) -> tuple[ApiToken, str]:
    """Make a token and return it with its secret, which is never stored and cannot be shown again.

    An integration token may do what its `scopes` (TokenScope values) name; a caller that names none gives it every
    scope, as tokens made before scopes existed have."""
    name = name.strip()
    if not name:
        raise DomainError("Give the token a name that says what uses it.", field="name")
    scopes = list(TokenScope.values) if scopes is None else sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in TokenScope.values]
    if unknown:
        raise DomainError(f"“{unknown[0]}” is not a token scope.", field="scopes")
    if kind == TokenKind.INTEGRATION and not scopes:
        raise DomainError("Choose what the integration may do.", field="scopes")
    prefix, raw, secret_hash = ApiToken.generate()
    if kind == TokenKind.PERSONAL:
        if provider is not None:
            raise DomainError("A personal token acts as you; it has no provider scope.")
        identity = by
    elif kind == TokenKind.INTEGRATION:
        if provider is None:
            raise DomainError("An integration token must be scoped to a provider.", field="provider")
        _require_manager_of(by, provider)
        identity = User.objects.create(
            username=f"integration-{prefix}", first_name=name[:150], last_name="(integration)", email=""
        )
        identity.set_unusable_password()
        identity.save(update_fields=["password"])
        Membership.objects.create(user=identity, provider=provider, role=Role.INTEGRATION)
    else:
        raise DomainError("A token is either personal or for an integration.", field="kind")
    token = ApiToken.objects.create(
        name=name,
        kind=kind,
        user=identity,
        provider=provider,
        prefix=prefix,
        secret_hash=secret_hash,
        created_by=by,
        scopes=scopes if kind == TokenKind.INTEGRATION else [],
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    if token.kind == TokenKind.INTEGRATION and token.user.is_active:
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
    return token
