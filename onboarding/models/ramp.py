"""Ramp plans: the weekly targets an agent meets in their first weeks on an engagement, and what the nightly
evaluation found for each agent in ramp (coaching flags, the week they finished)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet, membership_of

__all__ = ["RampFlag", "RampPlan", "RampResult", "RampTarget"]

MAX_WEEKS = 26


class RampPlan(models.Model):
    """The practice's ramp template for one engagement: targets for each of the first N weeks after an agent
    enters ramp. Meeting the final week's targets for K consecutive weeks ends the ramp."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="ramp_plan")
    weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS)], help_text="N: weeks of targets."
    )
    consecutive_weeks = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS)],
        help_text="K: consecutive weeks on the final week's targets that end the ramp.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EngagementScopedQuerySet.as_manager()

    class Meta:
        ordering = ["engagement__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(consecutive_weeks__gte=1),
                name="%(app_label)s_%(class)s_positive_weeks",
                violation_error_message="A ramp plan has at least one week, and K is at least one.",
            )
        ]

    def __str__(self):
        return f"Ramp plan for {self.engagement}"

    def get_absolute_url(self):
        return reverse("onboarding:ramp_plan", args=[self.engagement_id])


class RampTargetQuerySet(EngagementScopedQuerySet):
    engagement_path = "plan__engagement"


class RampTarget(models.Model):
    """One week's threshold on one metric of the SLA catalogue; the metric's direction says whether the actual
    must be at least (higher is better) or at most (lower is better) the threshold."""

    plan = models.ForeignKey("onboarding.RampPlan", on_delete=models.CASCADE, related_name="targets")
    week = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS)])
    metric = models.ForeignKey("slas.Metric", on_delete=models.PROTECT, related_name="+")
    threshold = models.DecimalField(max_digits=12, decimal_places=2)

    objects = RampTargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "week", "metric__sort_order", "metric__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "week", "metric"],
                name="%(app_label)s_%(class)s_unique_week_metric",
                violation_error_message="This week already has a target on that metric.",
            )
        ]

    def __str__(self):
        return f"Week {self.week}: {self.metric} {self.comparator} {self.threshold}"

    @property
    def comparator(self) -> str:
        return "≥" if self.metric.higher_is_better else "≤"

    def is_met_by(self, actual) -> bool:
        return actual >= self.threshold if self.metric.higher_is_better else actual <= self.threshold


class SeenByOwnAgentQuerySet(EngagementScopedQuerySet):
    """An onboarding's ramp rows: seen with the engagement, and by the agent themselves (their own ramp)."""

    engagement_path = "onboarding__engagement"

    def for_user(self, user, action: str = "view"):
        membership = membership_of(user)
        if membership is not None and membership.is_agent and user.is_active:
            if action != "view" or not membership.agent_id:
                return self.none()
            return self.filter(onboarding__agent_id=membership.agent_id)
        return super().for_user(user, action)


class RampFlag(models.Model):
    """Two weeks off target in a row: the agent is flagged for coaching (one flag per run of missed weeks)."""

    onboarding = models.ForeignKey("onboarding.Onboarding", on_delete=models.CASCADE, related_name="ramp_flags")
    week = models.PositiveSmallIntegerField(help_text="The ramp week that made it two in a row.")
    flagged_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)

    objects = SeenByOwnAgentQuerySet.as_manager()

    class Meta:
        ordering = ["onboarding", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["onboarding", "week"],
                name="%(app_label)s_%(class)s_unique_onboarding_week",
                violation_error_message="This ramp week has already flagged the agent.",
            )
        ]

    def __str__(self):
        return f"{self.onboarding}: flagged for coaching in ramp week {self.week}"


class RampResult(models.Model):
    """What the last evaluation found for one onboarding's ramp: the run of weeks on the final targets, the last
    closed week's status, and the week the ramp ended (weeks to proficiency), once it has."""

    onboarding = models.OneToOneField("onboarding.Onboarding", on_delete=models.CASCADE, related_name="ramp_result")
    started_on = models.DateField(help_text="Monday of ramp week 1, in the practice's calendar.")
    evaluated_at = models.DateTimeField(default=timezone.now)
    closed_weeks = models.PositiveSmallIntegerField(default=0)
    met_run = models.PositiveSmallIntegerField(default=0, help_text="Consecutive weeks on the final targets.")
    last_status = models.CharField(max_length=10, blank=True)
    finished_week = models.PositiveSmallIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SeenByOwnAgentQuerySet.as_manager()

    class Meta:
        ordering = ["onboarding"]
        indexes = [
            # the engagement's speed to proficiency: finished ramps
            models.Index(fields=["finished_week"], name="onboarding_ramp_finished_week"),
        ]

    def __str__(self):
        return f"Ramp of {self.onboarding}"

    @property
    def is_finished(self) -> bool:
        return self.finished_week is not None
