"""Evaluation checkpoints: the reviews over a contract's evaluation period, each with the practice's outcome."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet
from engagements.choices import CheckpointOutcome


class CheckpointQuerySet(EngagementScopedQuerySet):
    engagement_path = "contract__engagement"

    def pending(self):
        return self.filter(outcome=CheckpointOutcome.PENDING)


class Checkpoint(models.Model):
    """A review of the service during the evaluation period, when the practice decides whether to carry on.

    Generated from the contract (every `checkpoint_interval_months`, the last on the evaluation end) and
    regenerated when those terms change; an outcome once recorded is never thrown away by a regeneration."""

    contract = models.ForeignKey("engagements.Contract", on_delete=models.CASCADE, related_name="checkpoints")
    due_on = models.DateField()
    sequence = models.PositiveSmallIntegerField(help_text="1 for the first checkpoint of the contract, and so on.")
    outcome = models.CharField(max_length=12, choices=CheckpointOutcome.choices, default=CheckpointOutcome.PENDING)
    notes = models.TextField(
        blank=True, help_text="The conditions, or why. Required for “continue with conditions”. No patient details."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "due_on"],
                name="%(app_label)s_%(class)s_one_per_contract_day",
                violation_error_message="The contract already has a checkpoint on that day.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=CheckpointOutcome.CONTINUE_WITH_CONDITIONS) | ~Q(notes=""),
                name="%(app_label)s_%(class)s_conditions_are_written_down",
                violation_error_message="Write down the conditions of continuing.",
            ),
        ]
        indexes = [
            # The reminder source looks for pending checkpoints falling due, by date.
            models.Index(fields=["outcome", "due_on"], name="checkpoint_outcome_due_idx"),
        ]

    def __str__(self):
        return f"Checkpoint {self.sequence} ({self.due_on:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("engagements:contract_detail", args=[self.contract.engagement_id]) + f"#checkpoint-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == CheckpointOutcome.PENDING
