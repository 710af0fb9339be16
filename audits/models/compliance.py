"""Provider compliance audits: the practice's periodic audit of how its provider handles the practice's data,
against a checklist of requirements, with findings and the corrective actions that answer them.

Who does what (one place: `ComplianceQuerySet.for_user`): the practice's managers run the audits and set how often
they fall due; the provider's managers read them, respond to findings and own and close corrective actions; each
side's staff read; nobody else sees any of it (404).
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits.choices import (
    ComplianceAuditStatus,
    ComplianceFrequency,
    CorrectiveActionStatus,
    FindingSeverity,
    FindingStatus,
    RequirementResult,
)
from engagements.access import engagements_for
from engagements.choices import Side
from engagements.models.diligence import EVIDENCE_SIGNATURES, MAX_EVIDENCE_BYTES, validate_evidence

NO_PATIENT_DETAILS = "Do not enter patient details."

# The engagement permissions (granted per side and role, engagements/access.py) that carry each compliance action:
# the practice's managers hold "manage_contract", the provider's managers "answer_breaches".
RUN_AUDITS = "manage_contract"
ANSWER_FINDINGS = "answer_breaches"
MANAGE_ACTIONS = "manage_actions"  # either of the two: both sides' managers agree corrective actions


def engagements_allowing(user, action: str):
    """The engagements on which `user` may do `action` to compliance audits ("view", "change"/"run",
    "respond", "manage_actions")."""
    if action == "view":
        return engagements_for(user, "view")
    if action in ("change", "run"):
        return engagements_for(user, RUN_AUDITS)
    if action == "respond":
        return engagements_for(user, ANSWER_FINDINGS)
    if action == MANAGE_ACTIONS:
        return engagements_for(user, RUN_AUDITS) | engagements_for(user, ANSWER_FINDINGS)
    raise ValueError(f"Unknown compliance action {action!r}")


class ComplianceQuerySet(models.QuerySet):
    engagement_path = "engagement"

    def for_user(self, user, action: str = "view"):
        return self.filter(**{f"{self.engagement_path}__in": engagements_allowing(user, action)})


def compliance_evidence_path(instance, filename: str) -> str:
    """Stored under a random name, so a path never reveals or collides with another engagement's file."""
    return f"compliance/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def evidence_content_type(field_file) -> str:
    extension = Path(field_file.name or "").suffix.lower()
    return EVIDENCE_SIGNATURES.get(extension, (b"", "application/octet-stream"))[1]


EVIDENCE_HELP = f"PDF, PNG or JPEG, up to {MAX_EVIDENCE_BYTES // 1_048_576} MB. No patient details."


class ComplianceSchedule(models.Model):
    """How often the practice audits the provider's data handling on this engagement, and when the first is due."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="compliance_schedule"
    )
    frequency = models.CharField(max_length=20, choices=ComplianceFrequency.choices)
    first_due_on = models.DateField(help_text="When the first audit is due; later ones follow the frequency.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplianceQuerySet.as_manager()

    def __str__(self):
        return f"{self.get_frequency_display()} compliance audits of {self.engagement}"

    def get_absolute_url(self):
        return reverse("audits:engagement_compliance", args=[self.engagement_id])


class ComplianceAudit(models.Model):
    """One audit of the provider's data handling for a period, requirement by requirement, with a score."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="compliance_audits")
    period_start = models.DateField()
    period_end = models.DateField()
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="compliance_audits")
    side = models.CharField(max_length=10, choices=Side.choices, help_text="The auditor's side.")
    status = models.CharField(max_length=20, choices=ComplianceAuditStatus.choices, default=ComplianceAuditStatus.DRAFT)
    baseline = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
        help_text="The earlier audit whose results this one started from.",
    )
    summary = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    # Kept in step by the service whenever a result changes, so lists sort and filter on it in the database.
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ComplianceQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="%(app_label)s_%(class)s_period_ends_after_start",
                violation_error_message="The period must end on or after its start.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ComplianceAuditStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="%(app_label)s_%(class)s_completed_has_date",
                violation_error_message="A completed audit records when it was completed.",
            ),
        ]
        indexes = [
            # The next audit due: an engagement's latest completed audit; and the engagement's audit list.
            models.Index(fields=["engagement", "status", "-period_end"], name="compliance_audit_latest_idx"),
        ]

    def __str__(self):
        return f"Compliance audit {self.period_start:%d %b %Y} – {self.period_end:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("audits:compliance_audit_detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == ComplianceAuditStatus.COMPLETED


class RequirementQuerySet(ComplianceQuerySet):
    engagement_path = "audit__engagement"


class ComplianceRequirement(models.Model):
    """One requirement of one audit's checklist and what the auditor found for it."""

    audit = models.ForeignKey("audits.ComplianceAudit", on_delete=models.CASCADE, related_name="requirements")
    key = models.SlugField(max_length=60)
    group = models.CharField(max_length=60)
    title = models.CharField(max_length=150)
    guidance = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=20, choices=RequirementResult.choices, blank=True)
    notes = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "key"],
                name="%(app_label)s_%(class)s_once_per_audit",
                violation_error_message="This requirement is already on the audit.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.audit.get_absolute_url()}#requirement-{self.key}"


class EvidenceQuerySet(ComplianceQuerySet):
    engagement_path = "requirement__audit__engagement"


class ComplianceEvidence(models.Model):
    """A file that shows a requirement is met (a policy, a screenshot of the MFA settings, a training log)."""

    requirement = models.ForeignKey("audits.ComplianceRequirement", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=compliance_evidence_path, validators=[validate_evidence], help_text=EVIDENCE_HELP)
    name = models.CharField(max_length=200, editable=False)  # the uploaded file's own name
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "compliance evidence"
        ordering = ["requirement", "uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("audits:compliance_evidence", args=[self.pk])

    @property
    def content_type(self) -> str:
        return evidence_content_type(self.file)


class FindingQuerySet(ComplianceQuerySet):
    engagement_path = "audit__engagement"


class Finding(models.Model):
    """Something the audit found wrong (or worth noting), how serious it is, and the provider's response."""

    audit = models.ForeignKey("audits.ComplianceAudit", on_delete=models.CASCADE, related_name="findings")
    requirement = models.ForeignKey(
        "audits.ComplianceRequirement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The requirement it is about, if any.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    severity = models.CharField(max_length=20, choices=FindingSeverity.choices)
    status = models.CharField(max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    response = models.TextField(blank=True, help_text="The provider's response. " + NO_PATIENT_DETAILS)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.CLOSED) | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_date",
                violation_error_message="A closed finding records when it was closed.",
            )
        ]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("audits:finding_detail", args=[self.pk])

    @property
    def needs_action(self) -> bool:
        return FindingSeverity(self.severity).needs_action


class CorrectiveActionQuerySet(ComplianceQuerySet):
    engagement_path = "finding__audit__engagement"

    def unfinished(self):
        return self.filter(status__in=CorrectiveActionStatus.unfinished())

    def overdue(self, today):
        return self.unfinished().filter(due_on__lt=today)


class CorrectiveAction(models.Model):
    """What will be done about a finding, by whom and by when, and the evidence that it was done."""

    finding = models.ForeignKey("audits.Finding", on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(help_text=NO_PATIENT_DETAILS)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions", help_text="Who does it."
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=CorrectiveActionStatus.choices, default=CorrectiveActionStatus.OPEN
    )
    closing_note = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    closing_evidence = models.FileField(
        upload_to=compliance_evidence_path, blank=True, validators=[validate_evidence], help_text=EVIDENCE_HELP
    )
    closing_evidence_name = models.CharField(max_length=200, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CorrectiveActionStatus.DONE)
                | (Q(closed_at__isnull=False) & ~Q(closing_evidence="")),
                name="%(app_label)s_%(class)s_done_has_evidence",
                violation_error_message="A corrective action is closed with its evidence.",
            )
        ]
        indexes = [
            # The reminder source: unfinished actions past their due date.
            models.Index(fields=["status", "due_on"], name="corrective_action_due_idx"),
        ]

    def __str__(self):
        return self.description if len(self.description) <= 60 else self.description[:57] + "…"

    def get_absolute_url(self):
        return reverse("audits:corrective_action_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status == CorrectiveActionStatus.DONE

    @property
    def closing_evidence_url(self) -> str:
        return reverse("audits:corrective_action_evidence", args=[self.pk]) if self.closing_evidence else ""

    @property
    def closing_evidence_content_type(self) -> str:
        return evidence_content_type(self.closing_evidence)


class EscalationQuerySet(ComplianceQuerySet):
    engagement_path = "action__finding__audit__engagement"


class CorrectiveActionEscalation(models.Model):
    """An overdue corrective action on a critical finding taken to one level of the engagement's escalation path.
    Each level is reached once per action (the database says so)."""

    action = models.ForeignKey("audits.CorrectiveAction", on_delete=models.CASCADE, related_name="escalations")
    level = models.ForeignKey(
        "engagements.EscalationLevel", on_delete=models.PROTECT, related_name="corrective_action_escalations"
    )
    level_number = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="The practice-local date this level became due.")
    reached_on = models.DateField(help_text="The practice-local date the job told this level (later if it ran late).")
    escalated_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["action", "level_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "level_number"],
                name="%(app_label)s_%(class)s_once_per_action_and_level",
                violation_error_message="This corrective action has already been escalated to that level.",
            )
        ]

    def __str__(self):
        return f"Corrective action #{self.action_id} escalated to level {self.level_number}"
