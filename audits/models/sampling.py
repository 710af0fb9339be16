"""Audit frequency that follows performance: an engagement's sampling policy says how many audits a week each
band of agents gets; the weekly job turns it into assignments, each done by the audit that names it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits.choices import AssignmentKind, Band
from engagements.access import EngagementScopedQuerySet, membership_of

WEEKLY = [MinValueValidator(0), MaxValueValidator(50)]


class SamplingPolicyQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        membership = membership_of(user)
        if membership is not None and membership.is_agent:
            return self.none()
        return super().for_user(user, action)


class SamplingPolicy(models.Model):
    """How many audits a week an engagement's agents get, by band."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="sampling_policy"
    )
    on_target_per_week = models.PositiveSmallIntegerField(
        default=2, validators=WEEKLY, help_text="Agents at or above the pass mark over the trailing weeks."
    )
    below_per_week = models.PositiveSmallIntegerField(
        default=5, validators=WEEKLY, help_text="Agents below the pass mark (or with no recent audit)."
    )
    ramp_per_week = models.PositiveSmallIntegerField(default=8, validators=WEEKLY, help_text="Ramping agents.")
    critical_per_week = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=WEEKLY,
        help_text="After a critical fail, until the clean weeks have passed. Empty: the highest of the others.",
    )
    trailing_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Weeks of audits the trailing score averages.",
    )
    clean_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Weeks without a critical fail before an agent leaves the critical band.",
    )
    recognition_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Recognition: agents who passed every audit over this many weeks.",
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Who the weekly assignments are spread over. Empty: the provider's managers.",
    )
    active = models.BooleanField(default=True, help_text="The weekly job schedules audits for this engagement.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SamplingPolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "sampling policies"
        ordering = ["engagement", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trailing_weeks__gte=1, clean_weeks__gte=1, recognition_weeks__gte=1),
                name="%(app_label)s_%(class)s_windows_at_least_a_week",
                violation_error_message="Every window is at least one week.",
            ),
        ]

    def __str__(self):
        return f"Sampling policy of {self.engagement}"

    def get_absolute_url(self):
        return reverse("audits:sampling", args=[self.engagement_id])

    @property
    def critical_count(self) -> int:
        return self.per_week(Band.CRITICAL)

    def per_week(self, band: str) -> int:
        counts = {
            Band.ON_TARGET: self.on_target_per_week,
            Band.BELOW: self.below_per_week,
            Band.RAMP: self.ramp_per_week,
        }
        if band == Band.CRITICAL:
            return self.critical_per_week if self.critical_per_week is not None else max(counts.values())
        return counts[band]


class AuditAssignmentQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        membership = membership_of(user)
        if membership is not None and membership.is_agent:
            return self.none()  # an agent is not told when they will be audited
        return super().for_user(user, action)

    def open(self):
        return self.filter(audit__isnull=True)


class AuditAssignment(models.Model):
    """One audit due: an agent, a week, a slot in that week, and the auditor whose queue it is in."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="audit_assignments")
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="audit_assignments")
    week_start = models.DateField(help_text="The Monday of the week the audit is due in.")
    slot = models.PositiveSmallIntegerField(help_text="1, 2, … within the agent's week.")
    kind = models.CharField(max_length=10, choices=AssignmentKind.choices, default=AssignmentKind.SAMPLING)
    band = models.CharField(max_length=10, choices=Band.choices, blank=True, help_text="The band that set it.")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_assignments"
    )
    plan = models.OneToOneField(
        "audits.ActionPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up_assignment"
    )
    audit = models.OneToOneField(
        "audits.QualityAudit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment",
        help_text="The audit that did it.",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["week_start", "agent__full_name", "slot", "pk"]
        constraints = [
            # The weekly job's idempotence: once per agent, week and slot, however often it runs.
            models.UniqueConstraint(
                fields=["engagement", "agent", "week_start", "slot"],
                condition=Q(kind=AssignmentKind.SAMPLING),
                name="%(app_label)s_%(class)s_once_per_agent_week_slot",
                violation_error_message="This agent already has that slot this week.",
            ),
            models.CheckConstraint(
                condition=Q(kind=AssignmentKind.SAMPLING, plan__isnull=True)
                | Q(kind=AssignmentKind.FOLLOW_UP, plan__isnull=False),
                name="%(app_label)s_%(class)s_follow_up_has_its_plan",
                violation_error_message="A follow-up assignment belongs to an action plan; a weekly one does not.",
            ),
            models.CheckConstraint(
                condition=Q(audit__isnull=True) | Q(done_at__isnull=False),
                name="%(app_label)s_%(class)s_done_has_a_date",
                violation_error_message="A done assignment records when.",
            ),
        ]
        indexes = [
            # Coverage: an engagement's assignments of a week; the queue: an auditor's open ones.
            models.Index(fields=["engagement", "week_start"], name="assign_eng_week_idx"),
            models.Index(fields=["auditor", "audit"], name="assign_auditor_open_idx"),
        ]

    def __str__(self):
        return f"{self.agent}, week of {self.week_start:%Y-%m-%d}, #{self.slot}"

    def get_absolute_url(self):
        return reverse("audits:assignment_list") + f"?engagement={self.engagement_id}"

    @property
    def is_done(self) -> bool:
        return self.audit_id is not None
