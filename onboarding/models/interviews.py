"""Interview rounds a hiring profile asks for, each candidate's interview in a round, and each interviewer's
feedback on it (Frappe HRMS's interview rounds with expected skills and per-interviewer feedback)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet
from onboarding.choices import InterviewStatus

__all__ = ["Interview", "InterviewFeedback", "InterviewRound"]

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class InterviewRoundQuerySet(EngagementScopedQuerySet):
    engagement_path = "hiring_profile__engagement"


class InterviewRound(models.Model):
    """One round of interviews the practice's account asks for (e.g. 1 — communication and fit), with the skills
    its interviewers rate 1–5 and the average rating a candidate needs to pass it."""

    hiring_profile = models.ForeignKey(
        "onboarding.HiringProfile", on_delete=models.CASCADE, related_name="interview_rounds"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=120)
    expected_skills = models.JSONField(default=list, help_text="The skills each interviewer rates 1–5, by name.")
    expected_average = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The interviewers' average rating (over all skills) the round needs, 1–5.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterviewRoundQuerySet.as_manager()

    class Meta:
        ordering = ["hiring_profile", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hiring_profile", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_profile",
                violation_error_message="The hiring profile already has a round with this number.",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_average__gte=1, expected_average__lte=5),
                name="%(app_label)s_%(class)s_expected_average_1_to_5",
                violation_error_message="The expected average is a rating from 1 to 5.",
            ),
        ]

    def __str__(self):
        return f"Round {self.number} — {self.name}"

    def get_absolute_url(self):
        return reverse("onboarding:interview_rounds", args=[self.hiring_profile.engagement_id])


class InterviewQuerySet(EngagementScopedQuerySet):
    engagement_path = "onboarding__engagement"

    def pending_feedback_of(self, user):
        """Interviews `user` is on the panel of and has not yet given feedback on, while the round is undecided."""
        return self.filter(status=InterviewStatus.SCHEDULED, interviewers=user).exclude(feedback__interviewer=user)


class Interview(models.Model):
    """One candidate's interview in one round: who interviews, when, and the round's result for them. Decided
    when every interviewer has given feedback; a provider manager may override a failed round, with a reason."""

    onboarding = models.ForeignKey("onboarding.Onboarding", on_delete=models.CASCADE, related_name="interviews")
    round = models.ForeignKey("onboarding.InterviewRound", on_delete=models.PROTECT, related_name="interviews")
    scheduled_at = models.DateTimeField()
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interviews_to_give")
    status = models.CharField(max_length=20, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED)
    average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["onboarding", "round"],
                name="%(app_label)s_%(class)s_unique_round_per_onboarding",
                violation_error_message="This candidate already has an interview in this round.",
            ),
            models.CheckConstraint(
                condition=models.Q(overridden_at__isnull=True) | ~models.Q(override_reason=""),
                name="%(app_label)s_%(class)s_override_has_reason",
                violation_error_message="An override needs a reason.",
            ),
        ]
        indexes = [
            # the Interviews list, newest first, per status
            models.Index(fields=["status", "scheduled_at"], name="onboarding_interview_status"),
        ]

    def __str__(self):
        return f"{self.onboarding.agent}: {self.round}"

    def get_absolute_url(self):
        return reverse("onboarding:interview_detail", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status != InterviewStatus.SCHEDULED

    @property
    def passed(self) -> bool:
        return self.status == InterviewStatus.PASSED

    @property
    def is_overridden(self) -> bool:
        return self.overridden_at is not None


class InterviewFeedbackQuerySet(EngagementScopedQuerySet):
    engagement_path = "interview__onboarding__engagement"


class InterviewFeedback(models.Model):
    """One interviewer's feedback on one interview: a 1–5 rating per expected skill, notes, and whether they
    clear the candidate. Each interviewer gives one, which they may revise until the round is decided."""

    interview = models.ForeignKey("onboarding.Interview", on_delete=models.CASCADE, related_name="feedback")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField(default=dict, help_text="Skill name → rating 1–5, one per expected skill.")
    average = models.DecimalField(max_digits=3, decimal_places=2)
    notes = models.TextField(blank=True, help_text="About the candidate's answers; no patient details.")
    cleared = models.BooleanField()
    submitted_at = models.DateTimeField()

    objects = InterviewFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name_plural = "interview feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"],
                name="%(app_label)s_%(class)s_once_per_interviewer",
                violation_error_message="This interviewer has already given feedback on this interview.",
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.interview} by {self.interviewer}"

    def get_absolute_url(self):
        return self.interview.get_absolute_url()
