from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet, engagements_for
from engagements.choices import ALLOWED_TRANSITIONS, EngagementStatus

NOTICE_WARNING_DAYS = 30


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


class ContractQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        # Contract terms are the practice's to agree: "change" means the manage_contract permission.
        return super().for_user(user, "manage_contract" if action == "change" else action)


class Contract(models.Model):
    """The agreement behind an engagement: its dates, evaluation period and renewal terms."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="contract")
    starts_on = models.DateField()
    ends_on = models.DateField()
    evaluation_months = models.PositiveSmallIntegerField(
        "Evaluation period (months)",
        default=6,
        validators=[MinValueValidator(6), MaxValueValidator(12)],
        help_text="6 to 12 months during which either side can judge the service before committing.",
    )
    notice_days = models.PositiveSmallIntegerField(
        "Notice period (days)", default=90, validators=[MaxValueValidator(365)]
    )
    auto_renew = models.BooleanField(default=False)
    renewal_term_months = models.PositiveSmallIntegerField(
        "Renewal term (months)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    signed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="The contract must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(evaluation_months__gte=6, evaluation_months__lte=12),
                name="%(app_label)s_%(class)s_evaluation_6_to_12_months",
                violation_error_message="The evaluation period must be between 6 and 12 months.",
            ),
            models.CheckConstraint(
                condition=Q(auto_renew=False) | Q(renewal_term_months__isnull=False),
                name="%(app_label)s_%(class)s_auto_renew_needs_term",
                violation_error_message="An auto-renewing contract needs a renewal term.",
            ),
        ]

    def __str__(self):
        return f"Contract for {self.engagement}"

    def get_absolute_url(self):
        return self.engagement.get_absolute_url()

    def clean(self):
        """The same rules as the constraints, but attached to the field a person has to fix."""
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The contract must end after it starts."
        if self.auto_renew and not self.renewal_term_months:
            errors["renewal_term_months"] = "An auto-renewing contract needs a renewal term."
        if errors:
            raise ValidationError(errors)

    @property
    def evaluation_ends_on(self):
        return self.starts_on + relativedelta(months=self.evaluation_months)

    @property
    def notice_deadline(self):
        """The last day on which notice can be given for the contract to end on its end date."""
        return self.ends_on - timedelta(days=self.notice_days)

    def days_to_notice_deadline(self, today=None) -> int:
        return (self.notice_deadline - (today or timezone.localdate())).days

    @property
    def notice_deadline_is_near(self) -> bool:
        return 0 <= self.days_to_notice_deadline() <= NOTICE_WARNING_DAYS

    @property
    def has_long_renewal(self) -> bool:
        """A silent renewal for more than two years is a trap the portal calls out."""
        return bool(self.auto_renew and self.renewal_term_months and self.renewal_term_months > 24)


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
