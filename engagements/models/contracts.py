"""The contract behind an engagement: its terms and dates, its scope and its pricing."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from engagements import contract_dates
from engagements.access import EngagementScopedQuerySet
from engagements.choices import FeeKind, PricingBasis, PricingModel
from engagements.models.diligence import MAX_EVIDENCE_BYTES, validate_evidence

NOTICE_WARNING_DAYS = contract_dates.NOTICE_WARNING_DAYS


def validate_contract_document(file) -> None:
    """The signed contract as a PDF (checked by its first bytes, as certificate evidence is), up to 10 MB."""
    if not file or getattr(file, "_committed", False):
        return
    if Path(file.name or "").suffix.lower() != ".pdf":
        raise ValidationError("Upload the signed contract as a PDF file.", code="file_type")
    validate_evidence(file)


def contract_document_path(contract, filename: str) -> str:
    """Stored under a random name, never served as public media: the document view checks who asks."""
    return f"contracts/{contract.engagement_id}/{uuid.uuid4().hex}.pdf"


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
    checkpoint_interval_months = models.PositiveSmallIntegerField(
        "Checkpoint every (months)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="How often the evaluation period is reviewed; checkpoints are generated over it.",
    )
    termination_breach_count = models.PositiveSmallIntegerField(
        "Breaches that allow termination (N)",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="After the evaluation period, N SLA breaches within M months let the practice end the "
        "contract without penalty.",
    )
    termination_window_months = models.PositiveSmallIntegerField(
        "Within months (M)", default=6, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    pricing_model = models.CharField(max_length=10, choices=PricingModel.choices, default=PricingModel.HOURLY)
    hourly_rate = models.DecimalField(
        "Rate per FTE hour",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="For service lines charged by the hour.",
    )
    fte_hours_per_month = models.DecimalField(
        "Hours per FTE per month",
        max_digits=6,
        decimal_places=2,
        default=Decimal("160"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("744"))],
    )
    account_management_fee = models.DecimalField(
        "Monthly account-management fee",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    document = models.FileField(
        "Signed contract (PDF)",
        upload_to=contract_document_path,
        blank=True,
        validators=[validate_contract_document],
        help_text=f"The signed contract as a PDF, up to {MAX_EVIDENCE_BYTES // 1_048_576} MB. Both sides can open it.",
    )
    document_name = models.CharField(max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by one each time an approved change request amends the terms."
    )
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

    # --- Dates (the arithmetic lives in engagements.contract_dates; these apply it to this contract) -------------

    def local_today(self):
        """Today in the practice's own calendar: the date every contract deadline is counted from."""
        return contract_dates.local_today(self.engagement.practice.timezone)

    @property
    def evaluation_ends_on(self):
        return contract_dates.evaluation_end(self.starts_on, self.evaluation_months)

    def checkpoint_dates(self) -> list:
        return contract_dates.checkpoint_dates(self.starts_on, self.evaluation_months, self.checkpoint_interval_months)

    def current_term(self, today=None) -> contract_dates.Term:
        """The term `today` (default: the practice's today) falls in, across automatic renewals."""
        return contract_dates.current_term(
            self.starts_on, self.ends_on, self.auto_renew, self.renewal_term_months, today or self.local_today()
        )

    def current_term_ends_on(self, today=None):
        return self.current_term(today).ends_on

    def notice_deadline_on(self, today=None):
        """The last day to give notice for the contract to end with the term `today` falls in."""
        return contract_dates.notice_deadline(self.current_term_ends_on(today), self.notice_days)

    @property
    def notice_deadline(self):
        """The last day to give notice for the contract to end with its current term (renewals included)."""
        return self.notice_deadline_on()

    def days_to_notice_deadline(self, today=None) -> int:
        today = today or self.local_today()
        return (self.notice_deadline_on(today) - today).days

    def notice_deadline_near(self, today=None) -> bool:
        today = today or self.local_today()
        term = self.current_term(today)
        return term.state != "ended" and contract_dates.is_near(self.notice_deadline_on(today), today)

    @property
    def notice_deadline_is_near(self) -> bool:
        return self.notice_deadline_near()

    @property
    def has_long_renewal(self) -> bool:
        """A silent renewal for more than two years is a trap the portal calls out."""
        return contract_dates.is_long_renewal(self.auto_renew, self.renewal_term_months)


class ContractScopeQuerySet(EngagementScopedQuerySet):
    engagement_path = "contract__engagement"


class ContractScope(models.Model):
    """One service line the contract covers: the monthly volume both sides expect and how it is charged."""

    contract = models.ForeignKey("engagements.Contract", on_delete=models.CASCADE, related_name="scope")
    service_line = models.ForeignKey("engagements.ServiceLine", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=10, choices=PricingBasis.choices, default=PricingBasis.HOURLY)
    expected_monthly_volume = models.PositiveIntegerField(
        default=0, help_text="Units of work a month (calls, appointments, claims, …) both sides expect."
    )
    fte = models.DecimalField(
        "FTEs",
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Full-time staff on this line, for lines charged by the hour.",
    )
    unit_rate = models.DecimalField(
        "Rate per unit",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="For lines charged per unit; volume tiers, if any, replace it above their threshold.",
    )

    objects = ContractScopeQuerySet.as_manager()

    class Meta:
        ordering = ["service_line__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "service_line"],
                name="%(app_label)s_%(class)s_unique_line_per_contract",
                violation_error_message="This service line is already in the contract's scope.",
            ),
            models.CheckConstraint(
                condition=Q(basis=PricingBasis.HOURLY) | Q(unit_rate__isnull=False),
                name="%(app_label)s_%(class)s_per_unit_needs_rate",
                violation_error_message="A line charged per unit needs a rate per unit.",
            ),
        ]

    def __str__(self):
        return f"{self.service_line} ({self.get_basis_display()})"

    def get_absolute_url(self):
        return self.contract.get_absolute_url()


class VolumeTierQuerySet(EngagementScopedQuerySet):
    engagement_path = "scope__contract__engagement"


class VolumeTier(models.Model):
    """A lower rate per unit for a per-unit line once its monthly volume reaches a threshold."""

    scope = models.ForeignKey("engagements.ContractScope", on_delete=models.CASCADE, related_name="tiers")
    from_volume = models.PositiveIntegerField(help_text="The tier applies from this many units in a month.")
    unit_rate = models.DecimalField(
        "Rate per unit", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    objects = VolumeTierQuerySet.as_manager()

    class Meta:
        ordering = ["scope", "from_volume"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "from_volume"],
                name="%(app_label)s_%(class)s_unique_threshold_per_line",
                violation_error_message="This line already has a tier starting at that volume.",
            ),
        ]

    def __str__(self):
        return f"{self.scope.service_line}: from {self.from_volume} units at {self.unit_rate}"


class OneOffFeeQuerySet(EngagementScopedQuerySet):
    engagement_path = "contract__engagement"


class OneOffFee(models.Model):
    """A fee charged once (implementation, training, integrations), not every month."""

    contract = models.ForeignKey("engagements.Contract", on_delete=models.CASCADE, related_name="one_off_fees")
    kind = models.CharField(max_length=20, choices=FeeKind.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    due_on = models.DateField(null=True, blank=True)

    objects = OneOffFeeQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} fee: {self.amount}"

    def get_absolute_url(self):
        return self.contract.get_absolute_url()
