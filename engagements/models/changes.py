"""Scope-creep control: changes to a signed contract are proposed, priced, and approved by the practice, and every
approved change leaves the contract at a new, numbered version whose terms are kept for good."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet
from engagements.choices import PricingBasis, Side


class ChangeKind(models.TextChoices):
    """What a change request changes."""

    ADD_LINE = "add_line", "Add a service line"
    REMOVE_LINE = "remove_line", "Remove a service line"
    CHANGE_VOLUME = "change_volume", "Change a volume"
    CHANGE_RATE = "change_rate", "Change a rate"
    CHANGE_DATE = "change_date", "Change a date"


class ChangeStatus(models.TextChoices):
    """Proposed, then decided by the practice (approved or rejected) or taken back by its side (withdrawn)."""

    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeRequestQuerySet(EngagementScopedQuerySet):
    engagement_path = "contract__engagement"


class ChangeRequest(models.Model):
    """A proposed change to a signed contract's scope, pricing or dates, with its monthly cost delta and the
    practice's decision. Rejected and withdrawn requests stay on record."""

    Kind = ChangeKind
    Status = ChangeStatus

    # The payload fields each kind uses; the others stay empty (the service clears them).
    PAYLOAD_FIELDS = {
        Kind.ADD_LINE: ("service_line", "basis", "expected_monthly_volume", "fte", "unit_rate"),
        Kind.REMOVE_LINE: ("service_line",),
        Kind.CHANGE_VOLUME: ("service_line", "expected_monthly_volume"),
        Kind.CHANGE_RATE: ("service_line", "fte", "unit_rate", "hourly_rate"),
        Kind.CHANGE_DATE: ("ends_on", "notice_days", "renewal_term_months"),
    }

    PAYLOAD_FIELDS_ORDER = (
        "service_line",
        "basis",
        "expected_monthly_volume",
        "fte",
        "unit_rate",
        "hourly_rate",
        "ends_on",
        "notice_days",
        "renewal_term_months",
    )

    contract = models.ForeignKey("engagements.Contract", on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    service_line = models.ForeignKey(
        "engagements.ServiceLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The line to add, remove or change. For a rate change, leave it empty to change the rate per "
        "FTE hour of the whole contract.",
    )
    basis = models.CharField(max_length=10, choices=PricingBasis.choices, blank=True)
    expected_monthly_volume = models.PositiveIntegerField("Monthly volume", null=True, blank=True)
    fte = models.DecimalField(
        "FTEs", max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    unit_rate = models.DecimalField(
        "Rate per unit",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    hourly_rate = models.DecimalField(
        "Rate per FTE hour",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    ends_on = models.DateField("New end date", null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(
        "New notice period (days)", null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        "New renewal term (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    reason = models.TextField(help_text="Why the change is needed. No patient details.")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposing_side = models.CharField(
        max_length=10, choices=Side.choices, blank=True, help_text="Empty when a portal admin proposed it."
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    proposed_on_version = models.PositiveIntegerField(help_text="The contract version the request was written against.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Required to reject. No patient details.")
    monthly_cost_delta = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Frozen when the request is decided; computed from the current terms while it is proposed.",
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            # The engagement card's count of pending requests and the list filtered by status.
            models.Index(fields=["contract", "status"], name="engagements_cr_contract_status"),
        ]

    def __str__(self):
        return f"Change request #{self.pk}: {self.summary}"

    def get_absolute_url(self):
        return reverse("engagements:change_request_detail", args=[self.pk])

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def summary(self) -> str:
        """The change in one line, as a person would say it."""
        line = self.service_line.name if self.service_line_id else ""
        if self.kind == self.Kind.ADD_LINE:
            if self.basis == PricingBasis.PER_UNIT:
                return f"Add {line}: {self.expected_monthly_volume or 0} units a month at {self.unit_rate} per unit"
            return f"Add {line}: {self.fte} FTEs, charged by the hour"
        if self.kind == self.Kind.REMOVE_LINE:
            return f"Remove {line}"
        if self.kind == self.Kind.CHANGE_VOLUME:
            return f"{line}: monthly volume to {self.expected_monthly_volume}"
        if self.kind == self.Kind.CHANGE_RATE:
            if not self.service_line_id:
                return f"Rate per FTE hour to {self.hourly_rate}"
            if self.unit_rate is not None:
                return f"{line}: rate per unit to {self.unit_rate}"
            return f"{line}: FTEs to {self.fte}"
        parts = []
        if self.ends_on:
            parts.append(f"end date to {self.ends_on:%d %b %Y}")
        if self.notice_days is not None:
            parts.append(f"notice period to {self.notice_days} days")
        if self.renewal_term_months is not None:
            parts.append(f"renewal term to {self.renewal_term_months} months")
        return ("Change " + ", ".join(parts)) if parts else "Change a date"


class ContractVersionQuerySet(EngagementScopedQuerySet):
    engagement_path = "contract__engagement"


class ContractVersion(models.Model):
    """The terms of a contract as they stood at one version: version 1 as signed, each later one the result of
    an approved change request. Kept for good, so any two versions can be compared."""

    contract = models.ForeignKey("engagements.Contract", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    terms = models.JSONField(help_text="The terms at this version: ContractTerms.as_json().")
    summary = models.CharField(max_length=300, blank=True)
    change_request = models.OneToOneField(
        "engagements.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resulting_version",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ContractVersionQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_contract",
                violation_error_message="This contract already has a version with that number.",
            ),
        ]

    def __str__(self):
        return f"Version {self.number} of {self.contract}"

    def get_absolute_url(self):
        return reverse("engagements:contract_version_detail", args=[self.contract.engagement_id, self.number])
