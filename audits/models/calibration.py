"""Calibration: several auditors (from either side) score the same interaction on the same scorecard version,
blind, against an expert's reference scoring; the report shows how far each one is from the expert.

Calibration scores live in their own rows (not QualityAudit), so they can never reach an agent's record, the
audit lists or the quality-score KPI, and the blind rule is enforced by one queryset here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audits.choices import CalibrationStatus, InteractionType
from audits.validators import validate_interaction_ref
from engagements.access import EngagementScopedQuerySet, engagements_for, is_portal_admin, membership_of
from engagements.choices import Side

PATIENT_HELP = "Do not enter patient details."


class CalibrationSessionQuerySet(EngagementScopedQuerySet):
    """Both sides' members of the engagement read its sessions (agents never: see for_user); either side's
    managers ("change") create them."""

    def for_user(self, user, action: str = "view"):
        membership = membership_of(user)
        if membership is not None and membership.is_agent:
            return self.none()  # calibration is for auditors
        return super().for_user(user, action)

    def due_to_close(self, now=None):
        return self.filter(status=CalibrationStatus.OPEN, deadline__lte=now or timezone.now())


class CalibrationSession(models.Model):
    """One interaction scored blind by a panel of auditors against an expert's reference scoring."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="calibration_sessions"
    )
    version = models.ForeignKey("audits.ScorecardVersion", on_delete=models.PROTECT, related_name="calibrations")
    title = models.CharField(max_length=150)
    agent = models.ForeignKey(
        "engagements.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent whose interaction is scored (for context; calibration never counts on their record).",
    )
    interaction_type = models.CharField(max_length=15, choices=InteractionType.choices, default=InteractionType.CALL)
    interaction_ref = models.CharField(
        "Interaction reference",
        max_length=100,
        validators=[validate_interaction_ref],
        help_text="The interaction's id in the provider's or practice's system. Never a patient's details.",
    )
    interaction_date = models.DateField()
    notes = models.TextField(blank=True, help_text=PATIENT_HELP)
    deadline = models.DateTimeField(help_text="The session closes at this time, or when everyone has scored.")
    status = models.CharField(max_length=10, choices=CalibrationStatus.choices, default=CalibrationStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CalibrationSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CalibrationStatus.OPEN) | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_a_date",
                violation_error_message="A closed session records when it closed.",
            ),
        ]
        indexes = [
            # The beat job: open sessions past their deadline.
            models.Index(fields=["status", "deadline"], name="calib_status_deadline_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:calibration_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == CalibrationStatus.OPEN and self.deadline > timezone.now()

    @property
    def is_closed(self) -> bool:
        return not self.is_open


class CalibrationParticipantQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(session__in=CalibrationSession.objects.for_user(user, "view"))


class CalibrationParticipant(models.Model):
    """One auditor on a session's panel (the expert is one too, marked so), with their score once submitted."""

    session = models.ForeignKey("audits.CalibrationSession", on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibrations")
    side = models.CharField(max_length=10, choices=Side.choices)
    is_expert = models.BooleanField(default=False, help_text="The reference auditor the others are compared with.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_before_critical = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    critical_failed = models.BooleanField(null=True, blank=True)

    objects = CalibrationParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["session", "-is_expert", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                name="%(app_label)s_%(class)s_once_per_session",
                violation_error_message="This auditor is already on the panel.",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(is_expert=True),
                name="%(app_label)s_%(class)s_one_expert",
                violation_error_message="A session has one expert.",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(score__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_a_score",
                violation_error_message="A submitted calibration score has its score.",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.session}"

    @property
    def has_submitted(self) -> bool:
        return self.submitted_at is not None


def may_see_scores_filter(user) -> Q:
    """Blind scoring, in one place: which participants' scores `user` may read. Everyone sees their own; a
    participant sees the others' only once they have submitted; anyone else on the engagement once the session
    has closed. Admins read everything."""
    if is_portal_admin(user):
        return Q()
    own = Q(user=user)
    now = timezone.now()
    closed = Q(session__status=CalibrationStatus.CLOSED) | Q(session__deadline__lte=now)
    scored_by_user = CalibrationParticipant.objects.filter(user=user, submitted_at__isnull=False)
    submitted_self = Q(session__in=scored_by_user.values("session"))
    on_engagement = Q(session__engagement__in=engagements_for(user))
    return own | (on_engagement & (closed | submitted_self))


class CalibrationRatingQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        visible = CalibrationParticipant.objects.for_user(user).filter(may_see_scores_filter(user))
        return self.filter(participant__in=visible)


class CalibrationRating(models.Model):
    """A panel member's rating of one criterion in a session (a value on its scale, or N/A)."""

    participant = models.ForeignKey("audits.CalibrationParticipant", on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey("audits.Criterion", on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    na = models.BooleanField("N/A", default=False)
    comment = models.TextField(blank=True, help_text=PATIENT_HELP)

    objects = CalibrationRatingQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "criterion__section__position", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "criterion"],
                name="%(app_label)s_%(class)s_one_per_criterion",
                violation_error_message="A panel member rates each criterion once.",
            ),
            models.CheckConstraint(
                condition=Q(na=False) | Q(value__isnull=True),
                name="%(app_label)s_%(class)s_rated_or_na",
                violation_error_message="A criterion is either rated or N/A, not both.",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {'N/A' if self.na else self.value}"
