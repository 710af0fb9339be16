"""Provider due diligence: a provider's security and compliance certifications, and the practice's review of the
provider for one engagement (a weighted checklist and a decision) that must approve it before vetting ends."""

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import (
    EngagementScopedQuerySet,
    SideScopedQuerySet,
    engagements_for,
    is_portal_admin,
    membership_of,
)

# A certificate is flagged this many days before it expires, on the provider page and in reminders.
EXPIRY_WARNING_DAYS = 60
# Evidence is a scanned certificate or an auditor's letter: 10 MB is ample and keeps the disk and the upload sane.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# What evidence may be, recognised by its first bytes rather than by the name or type the browser claims.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
# Markup or script inside a file whose first bytes say PDF, PNG or JPEG: a polyglot that a browser (or a PDF
# reader's JavaScript) could run. No scanned certificate needs any of these.
ACTIVE_CONTENT = re.compile(
    rb"<\s*(script|html|body|iframe|svg|object|embed)\b|<!doctype\s+html|javascript:|/JavaScript\b|/JS\s*[(<]",
    re.IGNORECASE,
)
_SCAN_CHUNK = 1024 * 1024
MAX_RATING = 5


def sniff_evidence_type(head: bytes) -> str | None:
    """The content type that the file's first bytes prove (PDF, PNG or JPEG), whatever its name says."""
    for signature, content_type in EVIDENCE_SIGNATURES.values():
        if head.startswith(signature):
            return content_type
    return None


def holds_active_content(file) -> bool:
    """Scan the whole file, in overlapping chunks, for markup or script."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    tail = b""
    try:
        while chunk := file.read(_SCAN_CHUNK):
            if ACTIVE_CONTENT.search(tail + chunk):
                return True
            tail = chunk[-64:]
        return False
    finally:
        file.seek(position)


# --- Choices --------------------------------------------------------------------------------------------------------


class CertificationKind(models.TextChoices):
    SOC2_TYPE2 = "soc2_type2", "SOC 2 Type II"
    ISO27001 = "iso27001", "ISO 27001"
    HITRUST = "hitrust", "HITRUST"
    HIPAA = "hipaa", "HIPAA attestation"
    OTHER = "other", "Other"


class CertificationStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRING = "expiring", f"Expiring within {EXPIRY_WARNING_DAYS} days"
    EXPIRED = "expired", "Expired"


class DiligenceItemKey(models.TextChoices):
    """The checklist a practice works through before it trusts a provider with its patients' calls and claims."""

    EYE_CARE_EXPERIENCE = "eye_care_experience", "Eye-care experience"
    REFERENCES = "references", "References and testimonials checked"
    FINANCIAL_STABILITY = "financial_stability", "Financial stability"
    ENCRYPTION = "encryption", "Encryption in transit and at rest"
    ACCESS_LIMITED = "access_limited", "Access limited to staff on the account"
    EMPLOYEE_SCREENING = "employee_screening", "Employee screening"
    PENETRATION_TEST = "penetration_test", "Last penetration test"
    CONTINUITY_PLANS = "continuity_plans", "Disaster recovery and incident response plans"
    BREACH_NOTIFICATION = "breach_notification", "Breach-notification time"
    SLA_REPORTING = "sla_reporting", "SLA and reporting capability"
    CULTURAL_FIT = "cultural_fit", "Cultural fit"


# Default weights: the security controls that protect patient data weigh most, fit least.
DEFAULT_WEIGHTS = {
    DiligenceItemKey.EYE_CARE_EXPERIENCE: 3,
    DiligenceItemKey.REFERENCES: 2,
    DiligenceItemKey.FINANCIAL_STABILITY: 2,
    DiligenceItemKey.ENCRYPTION: 3,
    DiligenceItemKey.ACCESS_LIMITED: 3,
    DiligenceItemKey.EMPLOYEE_SCREENING: 2,
    DiligenceItemKey.PENETRATION_TEST: 2,
    DiligenceItemKey.CONTINUITY_PLANS: 2,
    DiligenceItemKey.BREACH_NOTIFICATION: 2,
    DiligenceItemKey.SLA_REPORTING: 2,
    DiligenceItemKey.CULTURAL_FIT: 1,
}
# The items that carry a value besides their rating: which one, and what it is called on the form.
DATE_ITEMS = {DiligenceItemKey.PENETRATION_TEST: "Date of the last penetration test"}
NUMBER_ITEMS = {DiligenceItemKey.BREACH_NOTIFICATION: "Hours to notify the practice of a breach"}


class DiligenceDecision(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    REJECT = "reject", "Reject"

    @classmethod
    def approving(cls):
        return [cls.APPROVE, cls.APPROVE_WITH_CONDITIONS]


# --- Certifications -------------------------------------------------------------------------------------------------


def validate_evidence(file) -> None:
    """A PDF, PNG or JPEG of at most MAX_EVIDENCE_BYTES, whose content matches its extension."""
    if not file or getattr(file, "_committed", False):
        return  # no file, or one already stored (checked when it was uploaded)
    if file.size is not None and file.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"The file is {file.size / 1_048_576:.1f} MB; evidence may be at most "
            f"{MAX_EVIDENCE_BYTES // 1_048_576} MB.",
            code="too_large",
        )
    extension = Path(file.name or "").suffix.lower()
    if extension not in EVIDENCE_SIGNATURES:
        raise ValidationError("Upload the evidence as a PDF, PNG or JPEG file.", code="file_type")
    signature, _ = EVIDENCE_SIGNATURES[extension]
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(len(signature))
    file.seek(position)
    if head != signature:
        raise ValidationError(
            f"This file is not a real {extension[1:].upper()} file. Upload a PDF, PNG or JPEG.", code="file_type"
        )
    if holds_active_content(file):
        raise ValidationError(
            "This file holds web page markup or script, which evidence never needs. Upload a plain scan or export.",
            code="active_content",
        )


def evidence_path(certification, filename: str) -> str:
    """Stored under a random name, so a path never reveals or collides with another provider's file."""
    return f"certifications/{certification.provider_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def certification_status(expires_on: date, today: date) -> str:
    """Valid, expiring (its last EXPIRY_WARNING_DAYS days) or expired (from its expiry date on)."""
    if today >= expires_on:
        return CertificationStatus.EXPIRED
    if today >= expires_on - timedelta(days=EXPIRY_WARNING_DAYS):
        return CertificationStatus.EXPIRING
    return CertificationStatus.VALID


class CertificationQuerySet(SideScopedQuerySet):
    def agent_scope(self, user, membership, action: str):
        """Agents browse the directory's certifications as any signed-in user does, and change nothing."""
        return self if action == "view" else self.none()

    def scope_for(self, user, membership, action: str):
        """Everybody who may browse the provider directory sees the certifications; its own managers change them."""
        if action == "view":
            return self
        if membership.manages_provider:
            return self.filter(provider_id=membership.provider_id)
        return self.none()

    def with_evidence_for(self, user):
        """Those whose evidence file `user` may open: the provider's own people, the practices that have an
        engagement with the provider, and portal admins. A certificate is a public claim; the auditor's report
        behind it is shared only with those the provider works with."""
        if is_portal_admin(user):
            return self
        membership = membership_of(user)
        if membership is None or not user.is_active or membership.is_agent:
            return self.none()  # an agent is not the provider's management: no auditors' reports
        counterparts = engagements_for(user).values("provider_id")
        return self.filter(Q(provider_id=membership.provider_id) | Q(provider_id__in=counterparts))

    def with_status(self, status: str, today: date):
        warn_from = today + timedelta(days=EXPIRY_WARNING_DAYS)
        if status == CertificationStatus.EXPIRED:
            return self.filter(expires_on__lte=today)
        if status == CertificationStatus.EXPIRING:
            return self.filter(expires_on__gt=today, expires_on__lte=warn_from)
        if status == CertificationStatus.VALID:
            return self.filter(expires_on__gt=warn_from)
        return self.none()

    def flagged(self, today: date):
        """Expired, or expiring within EXPIRY_WARNING_DAYS."""
        return self.filter(expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS))


class Certification(models.Model):
    """A provider's security or compliance certification (SOC 2 Type II, ISO 27001, HITRUST, a HIPAA
    attestation…), who issued it, when it lapses, and the evidence behind it."""

    provider = models.ForeignKey("engagements.Provider", on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(max_length=20, choices=CertificationKind.choices)
    other_name = models.CharField(
        "Name", max_length=120, blank=True, help_text="For “Other”: what the certification is, e.g. PCI DSS."
    )
    issuer = models.CharField(max_length=150, help_text="The auditor or body that issued it.")
    issued_on = models.DateField()
    expires_on = models.DateField()
    evidence = models.FileField(
        upload_to=evidence_path,
        max_length=200,
        blank=True,
        validators=[validate_evidence],
        help_text=f"The certificate or report: PDF, PNG or JPEG, up to {MAX_EVIDENCE_BYTES // 1_048_576} MB. "
        "Shown only to the practices you work with.",
    )
    evidence_name = models.CharField(max_length=200, blank=True, editable=False)  # the uploaded file's own name
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")),
                name="%(app_label)s_%(class)s_expires_after_issue",
                violation_error_message="A certification must expire after it was issued.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(other_name=""),
                name="%(app_label)s_%(class)s_other_needs_name",
                violation_error_message="Name a certification of kind “Other”.",
            ),
        ]
        indexes = [
            # Reminders and the expiring filter look for certificates by expiry date.
            models.Index(fields=["expires_on"], name="certification_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.name} — {self.provider}"

    def get_absolute_url(self):
        return self.provider.get_absolute_url()

    def clean(self):
        errors = {}
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = "A certification must expire after it was issued."
        if self.kind == CertificationKind.OTHER and not self.other_name.strip():
            errors["other_name"] = "Name a certification of kind “Other”."
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return self.other_name if self.kind == CertificationKind.OTHER else self.get_kind_display()

    def status_on(self, today: date | None = None) -> str:
        return certification_status(self.expires_on, today or timezone.localdate())

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def status_label(self) -> str:
        return CertificationStatus(self.status).label

    @property
    def warns_from(self) -> date:
        return self.expires_on - timedelta(days=EXPIRY_WARNING_DAYS)

    @property
    def evidence_url(self) -> str:
        return reverse("engagements:certification_evidence", args=[self.pk]) if self.evidence else ""

    @property
    def evidence_content_type(self) -> str:
        """What the stored file's first bytes are, not what its name says; anything else is opaque bytes."""
        try:
            with self.evidence.open("rb") as handle:
                head = handle.read(16)
        except (FileNotFoundError, ValueError):
            return "application/octet-stream"
        return sniff_evidence_type(head) or "application/octet-stream"


# --- Due-diligence reviews ------------------------------------------------------------------------------------------


class DueDiligenceReviewQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        # The review is the practice's judgement: "change" means the practice's contract permission.
        return super().for_user(user, "manage_contract" if action == "change" else action)


class DueDiligenceReview(models.Model):
    """The practice's due diligence on the provider for one engagement: a weighted checklist and a decision.
    An engagement leaves vetting only once its review approves the provider."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="due_diligence")
    decision = models.CharField(max_length=30, choices=DiligenceDecision.choices, blank=True)
    conditions = models.TextField(blank=True, help_text="What the provider must do or accept for the approval.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DueDiligenceReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="approve_with_conditions") | ~Q(conditions=""),
                name="%(app_label)s_%(class)s_conditions_stated",
                violation_error_message="State the conditions of the approval.",
            ),
        ]

    def __str__(self):
        return f"Due diligence for {self.engagement}"

    def get_absolute_url(self):
        return reverse("engagements:due_diligence", args=[self.engagement_id])

    @property
    def is_approved(self) -> bool:
        return self.decision in DiligenceDecision.approving()

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)

    def summary(self, items=None) -> "ReviewScore":
        return ReviewScore.of(list(self.items.all()) if items is None else items)


class ReviewScore:
    """The weighted score of the rated items (0–100) and how many are still unrated."""

    def __init__(self, score: int | None, rated: int, unrated: int):
        self.score, self.rated, self.unrated = score, rated, unrated

    @classmethod
    def of(cls, items) -> "ReviewScore":
        rated = [item for item in items if item.rating is not None]
        weight = sum(item.weight for item in rated)
        score = (
            round(100 * sum(item.rating * item.weight for item in rated) / (MAX_RATING * weight)) if weight else None
        )
        return cls(score, len(rated), len(items) - len(rated))

    @property
    def complete(self) -> bool:
        return self.unrated == 0 and self.rated > 0


class DueDiligenceItemQuerySet(EngagementScopedQuerySet):
    engagement_path = "review__engagement"


class DueDiligenceItem(models.Model):
    """One line of the checklist: what the practice found (evidence), how it rates it (0–5) and how much it
    weighs in the score. The penetration test carries its date, breach notification its hours."""

    review = models.ForeignKey("engagements.DueDiligenceReview", on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=40, choices=DiligenceItemKey.choices)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RATING)], help_text="0 (fails) to 5 (excellent)."
    )
    evidence = models.TextField(blank=True, help_text="What you saw or were told. No patient details.")
    date_value = models.DateField(null=True, blank=True)
    number_value = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DueDiligenceItemQuerySet.as_manager()

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "key"],
                name="%(app_label)s_%(class)s_unique_key_per_review",
                violation_error_message="This review already has that checklist item.",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=MAX_RATING),
                name="%(app_label)s_%(class)s_rating_0_to_5",
                violation_error_message="A rating is between 0 and 5.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10),
                name="%(app_label)s_%(class)s_weight_1_to_10",
                violation_error_message="A weight is between 1 and 10.",
            ),
        ]

    def __str__(self):
        return self.get_key_display()

    @property
    def value_kind(self) -> str:
        if self.key in DATE_ITEMS:
            return "date"
        if self.key in NUMBER_ITEMS:
            return "number"
        return ""


class DueDiligenceDecisionRecord(models.Model):
    """Every decision taken on a review, kept when a later one replaces it: who decided what, when, on what
    score."""

    review = models.ForeignKey("engagements.DueDiligenceReview", on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=30, choices=DiligenceDecision.choices)
    conditions = models.TextField(blank=True)
    score = models.PositiveSmallIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = DueDiligenceItemQuerySet.as_manager()  # reached the same way as the items: through the review

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return f"{self.get_decision_display()} ({self.score}/100)"
