"""An agent's onboarding onto one engagement (the practice's account), the moves between its stages, and the
hiring profile the practice sets for the account."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet
from engagements.choices import AgentStatus
from onboarding.choices import OffboardReason, SourcingChannel

__all__ = ["HiringProfile", "Onboarding", "StageChange"]


class OnboardingQuerySet(EngagementScopedQuerySet):
    def active(self):
        return self.exclude(stage=AgentStatus.OFFBOARDED)


class Onboarding(models.Model):
    """One agent's path onto one engagement: candidate → vetting → interviewing → training → ramp → live, or
    offboarded from any step. The stage moves only through `onboarding.services.pipeline.move`."""

    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="onboardings")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="onboardings")
    stage = models.CharField(max_length=20, choices=AgentStatus.choices, default=AgentStatus.CANDIDATE)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    sourcing_channel = models.CharField(max_length=20, choices=SourcingChannel.choices, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    offboard_reason = models.CharField(max_length=20, choices=OffboardReason.choices, blank=True)
    offboard_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OnboardingQuerySet.as_manager()

    class Meta:
        ordering = ["agent__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "engagement"],
                name="%(app_label)s_%(class)s_unique_agent_per_engagement",
                violation_error_message="This agent is already onboarding onto the engagement.",
            )
        ]
        indexes = [
            # the pipeline board: an engagement's onboardings by stage
            models.Index(fields=["engagement", "stage"], name="onboarding_engagement_stage"),
        ]

    def __str__(self):
        return f"{self.agent} on {self.engagement}"

    def get_absolute_url(self):
        return reverse("onboarding:onboarding_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.stage == AgentStatus.LIVE

    @property
    def is_offboarded(self) -> bool:
        return self.stage == AgentStatus.OFFBOARDED


class StageChangeQuerySet(EngagementScopedQuerySet):
    engagement_path = "onboarding__engagement"


class StageChange(models.Model):
    """One move of an onboarding between stages, with who made it and when: the pipeline's history, from which
    time in stage and drop-outs are read."""

    onboarding = models.ForeignKey("onboarding.Onboarding", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=AgentStatus.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=AgentStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.onboarding}: {self.from_stage or '—'} → {self.to_stage}"


class HiringProfile(models.Model):
    """What the practice asks of the assistants who will work its account: the assessments required and their
    pass marks, and the interview rounds (one profile per engagement)."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="hiring_profile")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EngagementScopedQuerySet.as_manager()

    def __str__(self):
        return f"Hiring profile for {self.engagement}"

    def get_absolute_url(self):
        return reverse("onboarding:hiring_profile", args=[self.engagement_id])
