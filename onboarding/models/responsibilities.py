"""Responsibilities: the service lines an agent may work on an engagement, widened rung by rung along the
engagement's ladder as the agent proves themselves, and narrowed again (suspended) the moment a prerequisite
lapses or an audit finds a critical fail. The routing API reads these rows to answer who may take work now."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet
from onboarding.choices import ResponsibilityAction, ResponsibilityStatus, RungMetric, SuspensionCause

__all__ = ["Ladder", "Responsibility", "ResponsibilityEvent", "Rung"]


class Ladder(models.Model):
    """The order in which an engagement widens an agent's work, one service line (rung) at a time: by default
    appointment scheduling → customer service → insurance verification → claims → billing."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="ladder")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EngagementScopedQuerySet.as_manager()

    def __str__(self):
        return f"Ladder of {self.engagement}"

    def get_absolute_url(self):
        return reverse("onboarding:responsibilities_ladder", args=[self.engagement_id])


class RungQuerySet(EngagementScopedQuerySet):
    engagement_path = "ladder__engagement"


class Rung(models.Model):
    """One service line on the ladder and what an agent needs to be granted it: modules passed and current,
    documents signed, the previous rung held for some weeks, and a target met on the previous rung's audits."""

    ladder = models.ForeignKey("onboarding.Ladder", on_delete=models.CASCADE, related_name="rungs")
    service_line = models.ForeignKey("engagements.ServiceLine", on_delete=models.PROTECT, related_name="rungs")
    position = models.PositiveSmallIntegerField(help_text="1 is the first line an agent is granted.")
    modules = models.ManyToManyField(
        "onboarding.TrainingModule", blank=True, related_name="rungs", help_text="Passed, and not expired."
    )
    documents = models.ManyToManyField(
        "onboarding.PolicyDocument", blank=True, related_name="rungs", help_text="Their versions in force signed."
    )
    hold_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(52)],
        help_text="Weeks the previous rung must have been held (ignored on the first rung).",
    )
    target_metric = models.CharField(max_length=20, choices=RungMetric.choices, blank=True)
    target_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="At least this, over the agent's audits of the previous rung's line.",
    )
    target_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(1), MaxValueValidator(365)], help_text="Over the last N days."
    )

    objects = RungQuerySet.as_manager()

    class Meta:
        ordering = ["ladder", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "service_line"],
                name="%(app_label)s_%(class)s_unique_line_per_ladder",
                violation_error_message="This service line is already on the ladder.",
            ),
            models.CheckConstraint(
                condition=Q(target_metric="") | Q(target_threshold__isnull=False),
                name="%(app_label)s_%(class)s_target_has_threshold",
                violation_error_message="A target needs its threshold.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.service_line}"

    @property
    def has_target(self) -> bool:
        return bool(self.target_metric)


class ResponsibilityQuerySet(EngagementScopedQuerySet):
    def in_force(self):
        """Grants an agent works under now, or whose suspension may be lifted: held or suspended."""
        return self.exclude(status=ResponsibilityStatus.REVOKED)


class Responsibility(models.Model):
    """An agent's grant of one rung (service line) on one engagement: held, suspended (a lapsed prerequisite
    or a critical fail, and why) or revoked. One row per agent and rung; a grant after a revocation reuses it and
    the history keeps every step."""

    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="responsibilities")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="responsibilities")
    rung = models.ForeignKey("onboarding.Rung", on_delete=models.PROTECT, related_name="responsibilities")
    status = models.CharField(max_length=12, choices=ResponsibilityStatus.choices, default=ResponsibilityStatus.HELD)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_cause = models.CharField(max_length=20, choices=SuspensionCause.choices, blank=True)
    suspension_reason = models.TextField(blank=True)
    suspended_audit = models.ForeignKey(
        "audits.QualityAudit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reinstated_at = models.DateTimeField(null=True, blank=True)
    reinstated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "responsibilities"
        ordering = ["engagement", "agent__full_name", "rung__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "rung"],
                name="%(app_label)s_%(class)s_one_per_agent_and_rung",
                violation_error_message="The agent already has a grant of this rung.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ResponsibilityStatus.SUSPENDED)
                | (Q(suspended_at__isnull=False) & ~Q(suspension_cause="")),
                name="%(app_label)s_%(class)s_suspended_says_why",
                violation_error_message="A suspension records when and why.",
            ),
        ]
        indexes = [
            # The routing API and the nightly recheck: an engagement's grants by status.
            models.Index(fields=["engagement", "status"], name="onboarding_resp_eng_status"),
        ]

    def __str__(self):
        return f"{self.agent}: {self.rung.service_line} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("onboarding:responsibilities_grant_detail", args=[self.pk])

    @property
    def is_held(self) -> bool:
        return self.status == ResponsibilityStatus.HELD

    @property
    def is_suspended(self) -> bool:
        return self.status == ResponsibilityStatus.SUSPENDED

    @property
    def needs_reinstatement(self) -> bool:
        return self.is_suspended and self.suspension_cause == SuspensionCause.CRITICAL_FAIL


class ResponsibilityEventQuerySet(EngagementScopedQuerySet):
    engagement_path = "responsibility__engagement"


class ResponsibilityEvent(models.Model):
    """One step in a grant's history: granted, suspended, lifted, reinstated or revoked — who (nobody for the
    automatic steps), when and why."""

    responsibility = models.ForeignKey("onboarding.Responsibility", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=ResponsibilityAction.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    audit = models.ForeignKey("audits.QualityAudit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ResponsibilityEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.responsibility}: {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
