"""A phased transition: the plan by which a practice hands work to its provider, one phase at a time.

TransitionPhase (ordered, with the service lines it hands over) → Milestone (what has to be done, by whom, by when)
and GateCriterion (an SLA target that must be met for K consecutive periods before the next phase may start) →
GateDecision (the practice's go / no-go, kept as history). Gate evaluation and the decisions live in
engagements.services.transition.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet


class PracticeDecidesQuerySet(EngagementScopedQuerySet):
    """Phases, their gate criteria and gate decisions are the practice's to set: "change" means manage_contract."""

    def for_user(self, user, action: str = "view"):
        return super().for_user(user, "manage_contract" if action == "change" else action)


class TransitionPhaseQuerySet(PracticeDecidesQuerySet):
    pass


class TransitionPhase(models.Model):
    """One step of the hand-over: which service lines move to the provider, when, and whether it is under way."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        DONE = "done", "Done"

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="transition_phases")
    name = models.CharField(max_length=120, help_text="E.g. “Scheduling and phone overflow”.")
    order = models.PositiveSmallIntegerField(help_text="Phases run in this order, lowest first.")
    service_lines = models.ManyToManyField(
        "engagements.ServiceLine",
        related_name="transition_phases",
        blank=True,
        help_text="The work this phase hands over; it joins the live scope when the phase starts.",
    )
    planned_start = models.DateField()
    planned_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TransitionPhaseQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message="Another phase of this engagement already has that position.",
            ),
            models.UniqueConstraint(
                fields=["engagement"],
                condition=Q(status="active"),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message="An engagement has one active phase at a time.",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="A phase cannot end before it starts.",
            ),
        ]
        # The unique (engagement, order) index serves "an engagement's phases in order".

    def __str__(self):
        return f"{self.order}. {self.name}"

    def get_absolute_url(self):
        return reverse("engagements:transition", args=[self.engagement_id]) + f"#phase-{self.pk}"

    def get_gate_url(self):
        return reverse("engagements:phase_gate", args=[self.pk])

    def clean(self):
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": "A phase cannot end before it starts."})

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class MilestoneQuerySet(EngagementScopedQuerySet):
    # Both sides' managers keep milestones up to date ("change" is change_engagement).
    engagement_path = "phase__engagement"

    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today: date):
        return self.open().filter(due_on__lt=today)


class Milestone(models.Model):
    """Something that has to be done for a phase to go well — a script signed off, a system access granted — with
    who owns it and when it is due."""

    phase = models.ForeignKey("engagements.TransitionPhase", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200, help_text="What has to be done. Do not enter patient details.")
    owner_name = models.CharField(
        "Owner", max_length=150, blank=True, help_text="Who answers for it, if not a portal user."
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_milestones",
        verbose_name="Owner (portal user)",
        help_text="Someone on either side of the engagement.",
    )
    due_on = models.DateField("Due date")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The overdue-milestone reminder looks for open milestones due before today.
            models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="milestone_open_due_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagements:transition", args=[self.phase.engagement_id]) + f"#milestone-{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def owner(self) -> str:
        from engagements.models.people import display_name

        if self.owner_user_id:
            return display_name(self.owner_user)
        return self.owner_name

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on < today


class GateCriterionQuerySet(PracticeDecidesQuerySet):
    engagement_path = "phase__engagement"


class GateCriterion(models.Model):
    """What the gate at the end of a phase asks for: one SLA target met for K consecutive closed periods."""

    phase = models.ForeignKey("engagements.TransitionPhase", on_delete=models.CASCADE, related_name="gate_criteria")
    # PROTECT: a target a gate depends on is ended (effective_to), not deleted from under the gate.
    target = models.ForeignKey("slas.SLATarget", on_delete=models.PROTECT, related_name="gate_criteria")
    consecutive_periods = models.PositiveSmallIntegerField(
        "Consecutive periods (K)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="How many closed periods in a row, up to the last one, the target must be met.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GateCriterionQuerySet.as_manager()

    class Meta:
        verbose_name = "gate criterion"
        verbose_name_plural = "gate criteria"
        ordering = ["phase", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "target"],
                name="%(app_label)s_%(class)s_unique_target_per_phase",
                violation_error_message="This gate already asks for that target.",
            ),
            models.CheckConstraint(
                condition=Q(consecutive_periods__gte=1),
                name="%(app_label)s_%(class)s_at_least_one_period",
                violation_error_message="A gate needs at least one period.",
            ),
        ]

    def __str__(self):
        periods = "period" if self.consecutive_periods == 1 else f"{self.consecutive_periods} consecutive periods"
        return f"{self.target} for {periods}"

    def get_absolute_url(self):
        return reverse("engagements:phase_gate", args=[self.phase_id])

    def clean(self):
        if self.phase_id and self.target_id and self.target.engagement_id != self.phase.engagement_id:
            raise ValidationError({"target": "Choose a target of this engagement."})


class GateDecisionQuerySet(PracticeDecidesQuerySet):
    engagement_path = "phase__engagement"


class GateDecision(models.Model):
    """The practice's go or no-go at a phase's gate, with its reason and the evidence it was taken on."""

    class Outcome(models.TextChoices):
        GO = "go", "Go"
        NO_GO = "no_go", "No-go"

    phase = models.ForeignKey("engagements.TransitionPhase", on_delete=models.CASCADE, related_name="gate_decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField(blank=True, help_text="Why. Do not enter patient details.")
    evidence = models.JSONField(default=dict, blank=True, help_text="The gate evaluation the decision was taken on.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = GateDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.phase}"

    def get_absolute_url(self):
        return reverse("engagements:phase_gate", args=[self.phase_id])

    @property
    def is_go(self) -> bool:
        return self.outcome == self.Outcome.GO
