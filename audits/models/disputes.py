"""Disputes: the audited agent (or the provider's managers for them) contests some of an audit's ratings; the
auditor's side decides each one, and the audit is rescored with its earlier score kept in its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits.choices import DisputeDecision, DisputeStatus
from audits.models.audits import QualityAudit

PATIENT_HELP = "Do not enter patient details."


class DisputeQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """Visible with its audit. "decide" is narrowed by the rule in audits.services.disputes."""
        return self.filter(audit__in=QualityAudit.objects.for_user(user, "view"))

    def open(self):
        return self.filter(status=DisputeStatus.OPEN)


class Dispute(models.Model):
    """A request to change some of an audit's ratings, with the reasons, and (once decided) the decision."""

    audit = models.OneToOneField("audits.QualityAudit", on_delete=models.CASCADE, related_name="dispute")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on_behalf = models.BooleanField(default=False, help_text="Raised by the provider's manager for the agent.")
    raised_at = models.DateTimeField()
    reason = models.TextField(help_text="Why the audit should change. " + PATIENT_HELP)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    decide_by = models.DateField(help_text="After this date an open dispute is a reminder to the deciding side.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text=PATIENT_HELP)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DisputeStatus.OPEN) | (Q(decided_at__isnull=False) & ~Q(decision_note="")),
                name="%(app_label)s_%(class)s_decided_has_a_note",
                violation_error_message="A decided dispute records when, and a note saying why.",
            ),
        ]
        indexes = [
            # The reminder source and the inbox: open disputes past their deadline.
            models.Index(fields=["status", "decide_by"], name="dispute_status_due_idx"),
        ]

    def __str__(self):
        return f"Dispute of {self.audit}"

    def get_absolute_url(self):
        return reverse("audits:dispute_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


class DisputeItemQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(dispute__in=Dispute.objects.for_user(user, action))


class DisputeItem(models.Model):
    """One disputed criterion: the rating proposed instead, why, and what was decided."""

    dispute = models.ForeignKey("audits.Dispute", on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("audits.Criterion", on_delete=models.PROTECT, related_name="+")
    proposed_value = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_na = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text=PATIENT_HELP)
    decision = models.CharField(max_length=10, choices=DisputeDecision.choices, blank=True)
    decided_value = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_na = models.BooleanField(default=False)

    objects = DisputeItemQuerySet.as_manager()

    class Meta:
        ordering = ["dispute", "criterion__section__position", "criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "criterion"],
                name="%(app_label)s_%(class)s_one_per_criterion",
                violation_error_message="A dispute names each criterion once.",
            ),
        ]

    def __str__(self):
        return f"{self.dispute}: {self.criterion}"
