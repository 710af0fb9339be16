"""Vetting: what a hiring profile requires of a candidate (English, typing, cognitive, behavioural, a trial audit),
the results a candidate got, and the one-time links to the portal's own typing test."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from engagements.access import EngagementScopedQuerySet
from onboarding.choices import AssessmentKind, CEFRLevel, ResultSource

__all__ = ["AssessmentRequirement", "AssessmentResult", "TypingTestLink"]


class AssessmentRequirementQuerySet(EngagementScopedQuerySet):
    engagement_path = "profile__engagement"


class AssessmentRequirement(models.Model):
    """One assessment a hiring profile asks for, with its pass mark: a CEFR level for English, net WPM and
    accuracy for typing, a minimum score (0–100) for the cognitive test, the behavioural match and the trial audit
    (scored on the named scorecard)."""

    profile = models.ForeignKey(
        "onboarding.HiringProfile", on_delete=models.CASCADE, related_name="assessment_requirements"
    )
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    required = models.BooleanField(default=True, help_text="Must be passed before the candidate is interviewed.")
    min_cefr = models.CharField(
        "minimum CEFR level", max_length=2, choices=CEFRLevel.choices, blank=True, help_text="English only."
    )
    min_score = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Typing: net WPM. Cognitive, behavioural match, trial audit: the pass mark (0–100).",
    )
    min_accuracy = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Typing only: accuracy in per cent."
    )
    scorecard = models.ForeignKey(
        "audits.Scorecard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Trial audit only: the scorecard the mock call is scored with.",
    )

    objects = AssessmentRequirementQuerySet.as_manager()

    class Meta:
        ordering = ["profile", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind"],
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message="The hiring profile already requires this assessment.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AssessmentKind.ENGLISH) | ~Q(min_cefr=""),
                name="%(app_label)s_%(class)s_english_has_a_level",
                violation_error_message="Say which CEFR level English must reach.",
            ),
            models.CheckConstraint(
                condition=Q(kind=AssessmentKind.ENGLISH) | Q(min_score__isnull=False),
                name="%(app_label)s_%(class)s_scored_kinds_have_a_pass_mark",
                violation_error_message="Give the pass mark.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.pass_mark}"

    def get_absolute_url(self):
        return reverse("onboarding:hiring_profile", args=[self.profile.engagement_id])

    @property
    def pass_mark(self) -> str:
        if self.kind == AssessmentKind.ENGLISH:
            return f"CEFR {self.min_cefr} or better"
        if self.kind == AssessmentKind.TYPING:
            accuracy = f", accuracy ≥ {self.min_accuracy:g}%" if self.min_accuracy is not None else ""
            return f"net WPM ≥ {self.min_score:g}{accuracy}"
        return f"score ≥ {self.min_score:g}"


class AssessmentResultQuerySet(EngagementScopedQuerySet):
    engagement_path = "onboarding__engagement"


class AssessmentResult(models.Model):
    """A candidate's result in one assessment: the test's name and date, the raw score, the CEFR level it maps to
    (a named test's bands) and whether it met the hiring profile's pass mark when it was recorded."""

    onboarding = models.ForeignKey("onboarding.Onboarding", on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    test_name = models.CharField(max_length=100)
    taken_on = models.DateField()
    raw_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    cefr_level = models.CharField("CEFR level", max_length=2, choices=CEFRLevel.choices, blank=True)
    gross_wpm = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    net_wpm = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    accuracy = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField()
    source = models.CharField(max_length=20, choices=ResultSource.choices, default=ResultSource.PROVIDER)
    external_id = models.CharField(max_length=100, blank=True, help_text="The result's id in the testing system.")
    audit = models.ForeignKey("audits.QualityAudit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scorecard_version = models.ForeignKey(
        "audits.ScorecardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Trial audit: the scorecard version the mock call was scored on.",
    )
    keystroke_log = models.JSONField(default=list, blank=True, help_text="Typing test in the portal: keys and times.")
    note = models.TextField(blank=True, help_text="No patient details.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AssessmentResultQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["onboarding", "source", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
                violation_error_message="A result with this external id was already recorded for the candidate.",
            )
        ]
        indexes = [
            # the vetting gate and the onboarding page: a candidate's latest result of each kind
            models.Index(fields=["onboarding", "kind", "-taken_on"], name="onboarding_result_latest"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.test_name} ({'passed' if self.passed else 'failed'})"

    def get_absolute_url(self):
        return self.onboarding.get_absolute_url()

    @property
    def summary(self) -> str:
        if self.kind == AssessmentKind.TYPING and self.net_wpm is not None:
            return f"{self.net_wpm:g} net WPM, {self.accuracy:g}% accuracy"
        if self.cefr_level:
            score = f"{self.raw_score:g} → " if self.raw_score is not None else ""
            return f"{score}CEFR {self.cefr_level}"
        return f"{self.raw_score:g}" if self.raw_score is not None else ""


class TypingTestLinkQuerySet(EngagementScopedQuerySet):
    engagement_path = "onboarding__engagement"

    def usable(self):
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class TypingTestLink(models.Model):
    """A one-time, expiring link to the portal's typing test, sent to a candidate who has no account. Only a
    SHA-256 of the token is kept (like an invitation); the link works once, until it expires."""

    onboarding = models.ForeignKey("onboarding.Onboarding", on_delete=models.CASCADE, related_name="typing_links")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    passage = models.TextField()
    duration_seconds = models.PositiveIntegerField(default=60)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    result = models.OneToOneField(
        "onboarding.AssessmentResult", on_delete=models.SET_NULL, null=True, blank=True, related_name="typing_link"
    )

    objects = TypingTestLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Typing test for {self.email} ({self.status})"

    def get_absolute_url(self):
        return self.onboarding.get_absolute_url()

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"
