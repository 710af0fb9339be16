import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from engagements.access import SideScopedQuerySet
from engagements.choices import Role, Side, TokenKind, TokenScope

ONE_SIDE = (Q(practice__isnull=False) & Q(provider__isnull=True)) | (
    Q(practice__isnull=True) & Q(provider__isnull=False)
)


def display_name(user, fallback: str | None = None) -> str | None:
    """How the portal names a user: full name, else e-mail, else username (an integration's identity)."""
    if user is None:
        return fallback
    return user.get_full_name() or user.email or user.get_username()


def hash_secret(raw: str) -> str:
    """Tokens and invitation links are 256-bit random strings: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


class SideMixin:
    """Shared by rows that belong to exactly one practice or one provider."""

    @property
    def side(self) -> str:
        return Side.PRACTICE if self.practice_id else Side.PROVIDER

    @property
    def organization(self):
        return self.practice if self.practice_id else self.provider

    @property
    def organization_id(self) -> int:
        return self.practice_id or self.provider_id

    def same_side_filter(self) -> Q:
        return Q(practice_id=self.practice_id) if self.practice_id else Q(provider_id=self.provider_id)


class MembershipQuerySet(SideScopedQuerySet):
    def scope_for(self, user, membership, action: str):
        """Each side manages its own people: managers change them, everyone on the side sees them."""
        if action != "view" and membership.role != Role.MANAGER:
            return self.none()
        return self.filter(membership.same_side_filter())

    def people(self):
        return self.exclude(role=Role.INTEGRATION)


class Membership(SideMixin, models.Model):
    """A user's place on one side: a member of one practice or one provider, with a role there."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    practice = models.ForeignKey(
        "engagements.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    provider = models.ForeignKey(
        "engagements.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    # An agent's login is linked to their Agent record (one login per agent); nobody else's is.
    agent = models.OneToOneField(
        "engagements.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="login"
    )
    job_title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_SIDE,
                name="%(app_label)s_%(class)s_exactly_one_side",
                violation_error_message="A member belongs to exactly one practice or one provider.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.INTEGRATION) | Q(provider__isnull=False),
                name="%(app_label)s_%(class)s_integrations_belong_to_providers",
                violation_error_message="Only a provider can have integration identities.",
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.AGENT) & Q(agent__isnull=False) & Q(provider__isnull=False))
                | (~Q(role=Role.AGENT) & Q(agent__isnull=True)),
                name="%(app_label)s_%(class)s_agents_have_an_agent_record",
                violation_error_message="An agent's login belongs to a provider and is linked to one agent record.",
            ),
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.email} ({self.role_label}, {self.organization})"

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def manages_provider(self) -> bool:
        """A provider's account manager: runs its agents and its integration tokens."""
        return self.is_manager and bool(self.provider_id)

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def role_label(self) -> str:
        if self.role == Role.MANAGER:
            return "Practice manager" if self.practice_id else "BPO account manager"
        return Role(self.role).label


class InvitationQuerySet(SideScopedQuerySet):
    def scope_for(self, user, membership, action: str):
        """Only managers handle invitations, and only their own side's."""
        if membership.role != Role.MANAGER:
            return self.none()
        return self.filter(membership.same_side_filter())

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(SideMixin, models.Model):
    """A one-time link that lets a colleague set a password and join a practice or provider."""

    email = models.EmailField()
    practice = models.ForeignKey(
        "engagements.Practice", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    provider = models.ForeignKey(
        "engagements.Provider", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.for_invitations(), default=Role.STAFF)
    agent = models.ForeignKey(
        "engagements.Agent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="For an agent's invitation: the agent record the login will be linked to.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_SIDE,
                name="%(app_label)s_%(class)s_exactly_one_side",
                violation_error_message="An invitation is to exactly one practice or one provider.",
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.AGENT) & Q(agent__isnull=False) & Q(provider__isnull=False))
                | (~Q(role=Role.AGENT) & Q(agent__isnull=True)),
                name="%(app_label)s_%(class)s_agents_have_an_agent_record",
                violation_error_message="An agent is invited by their provider, linked to their agent record.",
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"


class ApiTokenQuerySet(SideScopedQuerySet):
    def agent_scope(self, user, membership, action: str):
        """An agent may hold personal tokens of their own (which read only what the agent may read)."""
        return self.filter(kind=TokenKind.PERSONAL, user=user)

    def scope_for(self, user, membership, action: str):
        """Your own personal tokens; a provider's managers also see and revoke its integration tokens."""
        mine = Q(kind=TokenKind.PERSONAL, user=user)
        if membership.manages_provider:
            return self.filter(mine | Q(kind=TokenKind.INTEGRATION, provider_id=membership.provider_id))
        return self.filter(mine)

    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A credential for the REST API. Only a SHA-256 of the secret is kept; the secret is shown once.

    A personal token acts as the person who made it. An integration token acts as its own service identity,
    a member of one provider with the integration role, so the provider's engagement scope applies to it and
    the audit log names the integration, not the manager who created it.
    """

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=TokenKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    provider = models.ForeignKey(
        "engagements.Provider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="The provider an integration token is scoped to.",
    )
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="api_tokens_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(
        default=list, blank=True, help_text="What an integration token may do (TokenScope values); fixed at creation."
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=TokenKind.PERSONAL, provider__isnull=True)
                | Q(kind=TokenKind.INTEGRATION, provider__isnull=False),
                name="%(app_label)s_%(class)s_integration_tokens_have_a_provider",
                violation_error_message="An integration token is scoped to one provider; a personal token to none.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        return [str(TokenScope(scope).label) for scope in self.scopes if scope in TokenScope.values]

    def allows(self, *scopes: str) -> bool:
        """May this token do something that needs any one of `scopes`? A personal token acts as its person."""
        return self.kind == TokenKind.PERSONAL or not scopes or any(scope in self.scopes for scope in scopes)

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """A new (prefix, full token, hash). The prefix finds the row; the hash proves the secret."""
        prefix = secrets.token_hex(4)
        raw = f"bpo_{prefix}_{secrets.token_urlsafe(32)}"
        return prefix, raw, hash_secret(raw)

    @staticmethod
    def prefix_of(raw: str) -> str | None:
        parts = raw.split("_", 2)
        if len(parts) != 3 or parts[0] != "bpo" or len(parts[1]) != 8:
            return None
        return parts[1]

    def matches(self, raw: str) -> bool:
        return secrets.compare_digest(self.secret_hash, hash_secret(raw))
