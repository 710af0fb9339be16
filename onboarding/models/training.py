"""Training modules (a provider's library, reusable across engagements, and a practice's own) and their
completions. The curriculum, quizzes and attempts are in this area too."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from onboarding.access import OwnedByASideQuerySet, SeenThroughAgentQuerySet
from onboarding.choices import CompletionSource, ModuleKind

__all__ = ["TrainingCompletion", "TrainingModule"]


class TrainingModule(models.Model):
    """A unit of training: material, an assessment with a pass mark and a number of attempts, and optionally a
    renewal interval after which a completion expires. Owned by a provider (its library) or by a practice."""

    provider = models.ForeignKey(
        "engagements.Provider", on_delete=models.CASCADE, null=True, blank=True, related_name="training_modules"
    )
    practice = models.ForeignKey(
        "engagements.Practice", on_delete=models.CASCADE, null=True, blank=True, related_name="training_modules"
    )
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=30, choices=ModuleKind.choices)
    material = models.TextField(blank=True, help_text="What the trainee reads (plain text; files are attached).")
    pass_mark = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percent correct to pass."
    )
    max_attempts = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    renewal_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A completion expires after this many months; empty: it never does."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OwnedByASideQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False, practice__isnull=True)
                | Q(provider__isnull=True, practice__isnull=False),
                name="%(app_label)s_%(class)s_owned_by_one_side",
                violation_error_message="A module belongs to a provider's library or to a practice, not both.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("onboarding:module_detail", args=[self.pk])


class TrainingCompletion(models.Model):
    """A module passed by an agent (or by a member of the practice's staff, for the practice's own modules), with
    where the result came from and, for a module with a renewal interval, when it expires."""

    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.PROTECT, related_name="completions")
    agent = models.ForeignKey(
        "engagements.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="training_completions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_completions",
        help_text="A practice's staff member, for a module assigned to practice staff.",
    )
    passed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=20, choices=CompletionSource.choices)
    external_id = models.CharField(max_length=100, blank=True, help_text="The LMS's own id for the completion.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SeenThroughAgentQuerySet.as_manager()

    class Meta:
        ordering = ["-passed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agent__isnull=False, person__isnull=True) | Q(agent__isnull=True, person__isnull=False),
                name="%(app_label)s_%(class)s_one_trainee",
                violation_error_message="A completion is an agent's or a staff member's, not both.",
            ),
            models.UniqueConstraint(
                fields=["module", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id_per_module",
                violation_error_message="That LMS completion is already recorded.",
            ),
        ]
        indexes = [
            # current_modules(): an agent's completions that have not expired
            models.Index(fields=["agent", "module", "expires_on"], name="onboarding_completion_current"),
        ]

    def __str__(self):
        return f"{self.agent or self.person}: {self.module} on {self.passed_on}"
