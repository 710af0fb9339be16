"""Quality audits: one auditor's ratings of one agent's interaction against a published scorecard version."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits import access
from audits.choices import AuditStatus, InteractionType, RescoreReason
from audits.validators import validate_interaction_ref
from engagements.access import EngagementScopedQuerySet, is_portal_admin, membership_of
from engagements.choices import Side

PATIENT_HELP = "Do not enter patient details."


class QualitySettingsQuerySet(EngagementScopedQuerySet):
    pass


class QualitySettings(models.Model):
    """An engagement's quality-audit rules that its two sides may tune: how long a disputed audit stays open."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="quality_settings"
    )
    dispute_window_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days after an audit is submitted during which it may be disputed.",
    )
    dispute_decision_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days the deciding side has to decide a dispute before it becomes a reminder.",
    )

    objects = QualitySettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "quality settings"

    def __str__(self):
        return f"Quality settings of {self.engagement}"

    @classmethod
    def of(cls, engagement) -> "QualitySettings":
        """The engagement's settings, or the defaults (unsaved) when nobody has changed them."""
        return cls.objects.filter(engagement=engagement).first() or cls(engagement=engagement)


class QualityAuditQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """view: see access.visible_audits_filter. Other actions: the engagements where the user may take them
        (audit, act_for_agent, change); an agent may act ("acknowledge", "dispute") on their own audits only."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_portal_admin(user):
            return self
        membership = membership_of(user)
        if action == "view":
            return self.filter(access.visible_audits_filter(user))
        if membership is not None and membership.is_agent:
            if action in ("acknowledge", "dispute"):
                return self.filter(access.visible_audits_filter(user))
            return self.none()
        if action in ("acknowledge", "dispute"):
            action = access.ACT_FOR_AGENT
        scoped = self.filter(engagement__in=access.engagements_for_action(user, action))
        if action == access.AUDIT and membership is not None:
            scoped = scoped.filter(auditor_side=membership.side)  # one side never edits the other's audits
        return scoped

    def scored(self):
        return self.filter(status__in=AuditStatus.scored(), is_calibration=False)


class QualityAudit(models.Model):
    """One audit of one agent's interaction (a call, a chat, a claim …) against a published scorecard version,
    by an auditor from either side. Its score reaches the SLA engine as a quality_score measurement."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="quality_audits")
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="quality_audits")
    # PROTECT (and the database triggers): audits keep the version they were scored on, forever.
    version = models.ForeignKey("audits.ScorecardVersion", on_delete=models.PROTECT, related_name="audits")
    interaction_type = models.CharField(max_length=15, choices=InteractionType.choices, default=InteractionType.CALL)
    interaction_ref = models.CharField(
        "Interaction reference",
        max_length=100,
        validators=[validate_interaction_ref],
        help_text="The interaction's id in the provider's or practice's system (call, ticket or claim number). "
        "Never a patient's name, phone, e-mail, date of birth or SSN.",
    )
    interaction_date = models.DateField(help_text="The practice's local date of the interaction.")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_audits")
    auditor_side = models.CharField(max_length=10, choices=Side.choices)
    is_calibration = models.BooleanField(
        default=False, help_text="Scored in a calibration session: never counts towards the agent's quality score."
    )
    feedback = models.TextField("Overall feedback", blank=True, help_text=PATIENT_HELP)
    status = models.CharField(max_length=15, choices=AuditStatus.choices, default=AuditStatus.DRAFT)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_before_critical = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    critical_failed = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_on_behalf = models.BooleanField(
        default=False, help_text="Recorded by the provider's manager for an agent (who may have no login)."
    )

    objects = QualityAuditQuerySet.as_manager()

    class Meta:
        ordering = ["-interaction_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AuditStatus.DRAFT)
                | Q(score__isnull=False, score_before_critical__isnull=False, submitted_at__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_a_score",
                violation_error_message="A submitted audit has its score.",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="%(app_label)s_%(class)s_score_0_to_100",
                violation_error_message="A score is between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=~Q(status=AuditStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="%(app_label)s_%(class)s_acknowledged_has_a_date",
                violation_error_message="An acknowledged audit records when it was acknowledged.",
            ),
        ]
        indexes = [
            # The QA page and trends: an engagement's scored audits by date.
            models.Index(fields=["engagement", "status", "interaction_date"], name="audit_eng_status_date_idx"),
            # An agent's page and home: their audits, newest first.
            models.Index(fields=["agent", "-interaction_date"], name="audit_agent_date_idx"),
        ]

    def __str__(self):
        return f"Audit #{self.pk} of {self.agent} ({self.interaction_date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == AuditStatus.DRAFT

    @property
    def is_scored(self) -> bool:
        return self.status in AuditStatus.scored()

    @property
    def external_id(self) -> str:
        """The id of this audit's quality_score measurement in the SLA engine (unique per engagement)."""
        return f"quality-audit-{self.pk}"


class CriterionRatingQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(audit__in=QualityAudit.objects.for_user(user, action))


class CriterionRating(models.Model):
    """An audit's rating of one criterion: a value on its scale (yes = 1, no = 0), or N/A, and a comment."""

    audit = models.ForeignKey("audits.QualityAudit", on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey("audits.Criterion", on_delete=models.PROTECT, related_name="ratings")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    na = models.BooleanField("N/A", default=False)
    comment = models.TextField(blank=True, help_text=PATIENT_HELP)

    objects = CriterionRatingQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "criterion__section__position", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "criterion"],
                name="%(app_label)s_%(class)s_one_per_criterion",
                violation_error_message="An audit rates each criterion once.",
            ),
            models.CheckConstraint(
                condition=Q(na=False) | Q(value__isnull=True),
                name="%(app_label)s_%(class)s_rated_or_na",
                violation_error_message="A criterion is either rated or N/A, not both.",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {'N/A' if self.na else self.value}"


class AuditScoreHistoryQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(audit__in=QualityAudit.objects.for_user(user, "view"))


class AuditScoreHistory(models.Model):
    """An audit's earlier score, kept when it is rescored (after a dispute): what it was, and why it changed."""

    audit = models.ForeignKey("audits.QualityAudit", on_delete=models.CASCADE, related_name="score_history")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    score_before_critical = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    critical_failed = models.BooleanField()
    # {"<criterion id>": {"value": 1, "na": false}, …}: the ratings that gave this score
    ratings = models.JSONField(default=dict)
    reason = models.CharField(max_length=20, choices=RescoreReason.choices, default=RescoreReason.DISPUTE)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField()

    objects = AuditScoreHistoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit score history"
        ordering = ["audit", "-replaced_at", "-pk"]

    def __str__(self):
        return f"{self.audit}: was {self.score}"
