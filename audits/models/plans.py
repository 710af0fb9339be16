"""Coaching: an action plan for one agent on one engagement, caused by audits, with what to improve and a
follow-up audit that decides whether it worked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits.access import agent_of
from audits.choices import PlanStatus
from engagements.access import EngagementScopedQuerySet, membership_of

PATIENT_HELP = "Do not enter patient details."


class ActionPlanQuerySet(EngagementScopedQuerySet):
    """Both sides' members read an engagement's plans; either side's managers ("change") write them. A signed-in
    agent reads only their own plans, and writes none."""

    def for_user(self, user, action: str = "view"):
        membership = membership_of(user)
        if membership is not None and membership.is_agent:
            return self.filter(agent_id=membership.agent_id) if action == "view" else self.none()
        return super().for_user(user, action)

    def open(self):
        return self.filter(status=PlanStatus.OPEN)


class ActionPlan(models.Model):
    """What an agent will work on after failing audits, who coaches them, by when, and whether it worked."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="action_plans")
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="action_plans")
    title = models.CharField(max_length=150)
    causing_audits = models.ManyToManyField(
        "audits.QualityAudit", blank=True, related_name="action_plans", help_text="The audits that led to it."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_action_plans",
        help_text="Who coaches the agent through it.",
    )
    due_on = models.DateField(help_text="When the items should be done.")
    follow_up_on = models.DateField(help_text="From this date, the agent's next audit decides whether it worked.")
    status = models.CharField(max_length=15, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    follow_up_audit = models.ForeignKey(
        "audits.QualityAudit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The audit that closed the plan.",
    )
    previous_plan = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_plans",
        help_text="The plan that was not effective, which this one replaces.",
    )
    escalated = models.BooleanField(default=False, help_text="Escalated instead of (or as well as) a new plan.")
    outcome_note = models.TextField(blank=True, help_text=PATIENT_HELP)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=PlanStatus.OPEN) | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_a_date",
                violation_error_message="A closed plan records when it closed.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PlanStatus.EFFECTIVE, PlanStatus.NOT_EFFECTIVE])
                | Q(follow_up_audit__isnull=False),
                name="%(app_label)s_%(class)s_outcome_has_its_audit",
                violation_error_message="An effective or not effective plan names the follow-up audit.",
            ),
        ]
        indexes = [
            # The reminder source and the evaluation after each audit: open plans by due date / agent.
            models.Index(fields=["status", "due_on"], name="plan_status_due_idx"),
            models.Index(fields=["agent", "status"], name="plan_agent_status_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.agent})"

    def get_absolute_url(self):
        return reverse("audits:action_plan_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN

    def is_for(self, user) -> bool:
        agent = agent_of(user)
        return agent is not None and agent.pk == self.agent_id


class ActionPlanItemQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(plan__in=ActionPlan.objects.for_user(user, action))


class ActionPlanItem(models.Model):
    """One thing to improve, with the scorecard criteria it is about."""

    plan = models.ForeignKey("audits.ActionPlan", on_delete=models.CASCADE, related_name="items")
    description = models.TextField(help_text="What to improve and how. " + PATIENT_HELP)
    criteria = models.ManyToManyField("audits.Criterion", blank=True, related_name="+")
    done = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ActionPlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.description[:60]
