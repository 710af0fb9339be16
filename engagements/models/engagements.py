from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet, engagements_for
from engagements.choices import ALLOWED_TRANSITIONS, EngagementStatus


class EngagementQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(pk__in=engagements_for(user, action))

    def active(self):
        return self.exclude(status=EngagementStatus.ENDED)


class Engagement(models.Model):
    """The working relationship between one practice and one provider, from vetting to the end."""

    practice = models.ForeignKey("engagements.Practice", on_delete=models.PROTECT, related_name="engagements")
    provider = models.ForeignKey("engagements.Provider", on_delete=models.PROTECT, related_name="engagements")
    name = models.CharField(max_length=150, help_text="A short name both sides recognise, e.g. “Front desk 2026”.")
    status = models.CharField(max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.VETTING)
    service_lines = models.ManyToManyField(
        "engagements.ServiceLine",
        related_name="engagements",
        blank=True,
        help_text="The work under discussion or handed over.",
    )
    target_go_live = models.DateField("Target go-live", null=True, blank=True)
    summary = models.TextField(blank=True, help_text="Goals and context. Do not enter patient details.")
    sla_grace_days = models.PositiveSmallIntegerField(
        "SLA grace period (days)",
        default=2,
        validators=[MaxValueValidator(31)],
        help_text="Days after a period's last day during which late data may still arrive. A period is judged "
        "(breaches, credits, termination evidence) only once its last day and this grace have passed.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]  # pk breaks ties so pages never repeat or skip a row
        permissions = [
            ("manage_contract", "Can agree the contract terms of the engagement"),
            ("assign_agents", "Can assign the provider's agents to the engagement"),
            ("submit_measurements", "Can submit SLA measurements for the engagement"),
            ("answer_breaches", "Can answer SLA breaches with remediation plans"),
            ("give_feedback", "Can leave staff feedback on the transition"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "provider", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_pair",
                violation_error_message="This practice and provider already have an engagement with that name.",
            )
        ]
        indexes = [
            # Home pages and lists filter a side's engagements by status.
            models.Index(fields=["status", "-updated_at"], name="engagement_status_idx"),
        ]

    def __str__(self):
        return f"{self.practice} × {self.provider}: {self.name}"

    def get_absolute_url(self):
        return reverse("engagements:engagement_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in (EngagementStatus.TRANSITIONING, EngagementStatus.STEADY)

    @property
    def is_ended(self) -> bool:
        return self.status == EngagementStatus.ENDED

    def allowed_next_statuses(self) -> list[EngagementStatus]:
        return [s for s in EngagementStatus if s in ALLOWED_TRANSITIONS[EngagementStatus(self.status)]]


class EngagementStatusChange(models.Model):
    """One step in an engagement's lifecycle, with who took it and when."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=EngagementStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EngagementStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    objects = EngagementScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.engagement}: {self.from_status or '—'} → {self.to_status}"


class AgentAssignmentQuerySet(EngagementScopedQuerySet):
    pass


class AgentAssignment(models.Model):
    """An agent working on an engagement."""

    # PROTECT: an agent who worked on an engagement stays on its record; offboard them instead of deleting.
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="assignments")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="assignments")
    assigned_on = models.DateField(default=timezone.localdate)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AgentAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["agent__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "engagement"],
                name="%(app_label)s_%(class)s_unique_agent_per_engagement",
                violation_error_message="This agent is already assigned to the engagement.",
            )
        ]

    def __str__(self):
        return f"{self.agent} on {self.engagement}"
