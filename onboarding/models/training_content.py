"""What a training module holds besides its own fields (attached files, how it is assessed, its quiz questions and
their choices), the agents' quiz attempts, an engagement's curriculum, and modules assigned to practice staff."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet, SideScopedQuerySet
from engagements.models.diligence import EVIDENCE_SIGNATURES, MAX_EVIDENCE_BYTES, validate_evidence
from onboarding.access import SeenThroughAgentQuerySet, agents_in_sight
from onboarding.choices import AssessmentMethod, PrivacyLaw

__all__ = [
    "Choice",
    "Curriculum",
    "CurriculumItem",
    "ModuleAssessment",
    "ModuleAttachment",
    "Question",
    "QuizAttempt",
    "StaffTrainingAssignment",
]

ATTACHMENT_HELP = f"PDF, PNG or JPEG, up to {MAX_EVIDENCE_BYTES // 1_048_576} MB. No patient details."


def engagements_of_agent(agent_id):
    """Engagements the agent is onboarding onto or assigned to: whose curricula the agent works through."""
    from engagements.models import Engagement

    return Engagement.objects.filter(Q(onboardings__agent_id=agent_id) | Q(assignments__agent_id=agent_id))


def modules_of_agent(agent_id):
    """Module ids in the curricula of the agent's engagements: what an agent's own login may read (material,
    attachments, the quiz)."""
    engagements = engagements_of_agent(agent_id).values("pk")
    return CurriculumItem.objects.filter(curriculum__engagement_id__in=engagements).values("module_id")


class AgentRowsQuerySet(SeenThroughAgentQuerySet):
    """An agent's own rows (attempts, completions): seen by whoever may see the agent's onboarding and by the agent;
    a completion of a practice's staff member by that person and by the practice's managers."""

    def scope_for(self, user, membership, action: str):
        scope = Q(agent_id__in=agents_in_sight(user))
        if any(f.name == "person" for f in self.model._meta.get_fields()):
            if membership.practice_id and membership.is_manager:
                scope |= Q(person__membership__practice_id=membership.practice_id)
            else:
                scope |= Q(person=user)
        return self.filter(scope)


def completions_for(user, action: str = "view"):
    """Training completions `user` may see: TrainingCompletion's own scope, with practice staff's completions and the
    agents in sight (onboarding.access.agents_in_sight)."""
    from onboarding.models import TrainingCompletion

    return AgentRowsQuerySet(model=TrainingCompletion).for_user(user, action)


class ThroughModuleQuerySet(models.QuerySet):
    """Rows of a module (its attachments, its assessment, its questions): seen and changed with the module; an
    agent sees those of the modules in their own curricula."""

    module_path = "module"

    def for_user(self, user, action: str = "view"):
        from engagements.access import is_agent, membership_of
        from onboarding.models import TrainingModule

        if is_agent(user) and user.is_active:
            if action != "view":
                return self.none()
            return self.filter(**{f"{self.module_path}_id__in": modules_of_agent(membership_of(user).agent_id)})
        return self.filter(**{f"{self.module_path}__in": TrainingModule.objects.for_user(user, action)})


def attachment_path(instance, filename: str) -> str:
    """Stored under a random name, never served as public media: the download view checks who asks."""
    return f"training/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ModuleAttachment(models.Model):
    """A file of a module's material (an SOP, a slide deck, a screenshot of the practice's system)."""

    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, validators=[validate_evidence], help_text=ATTACHMENT_HELP)
    name = models.CharField(max_length=200, editable=False)  # the uploaded file's own name
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ThroughModuleQuerySet.as_manager()

    class Meta:
        ordering = ["module", "uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("onboarding:training_attachment", args=[self.pk])

    @property
    def content_type(self) -> str:
        extension = Path(self.file.name or "").suffix.lower()
        return EVIDENCE_SIGNATURES.get(extension, (b"", "application/octet-stream"))[1]


class ModuleAssessment(models.Model):
    """How a module is passed, and for a privacy-law module which law it teaches (HIPAA for a practice in the
    United States, GDPR for one in the European Union)."""

    module = models.OneToOneField(
        "onboarding.TrainingModule", on_delete=models.CASCADE, primary_key=True, related_name="assessment"
    )
    method = models.CharField(max_length=20, choices=AssessmentMethod.choices, default=AssessmentMethod.QUIZ)
    privacy_law = models.CharField(max_length=10, choices=PrivacyLaw.choices, blank=True)

    objects = ThroughModuleQuerySet.as_manager()

    def __str__(self):
        return f"{self.module}: {self.get_method_display()}"

    def get_absolute_url(self):
        return self.module.get_absolute_url()


class Question(models.Model):
    """A multiple-choice question of a module's quiz; one or more of its choices are correct."""

    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = ThroughModuleQuerySet.as_manager()

    class Meta:
        ordering = ["module", "position", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return self.module.get_absolute_url()


class ChoiceQuerySet(ThroughModuleQuerySet):
    module_path = "question__module"


class Choice(models.Model):
    """One answer offered to a question. Whether it is correct never leaves the server before submission."""

    question = models.ForeignKey("onboarding.Question", on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.question.module.get_absolute_url()


class QuizAttempt(models.Model):
    """One go at a module's quiz by an agent: started, submitted with the choices picked, graded by the server."""

    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="quiz_attempts")
    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.PROTECT, related_name="attempts")
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text="{question id: [choice ids picked]}")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    completion = models.OneToOneField(
        "onboarding.TrainingCompletion", on_delete=models.SET_NULL, null=True, blank=True, related_name="attempt"
    )

    objects = AgentRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "module"],
                condition=Q(submitted_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_attempt",
                violation_error_message="This quiz is already under way.",
            )
        ]
        indexes = [
            # attempts used: an agent's submitted attempts at one module
            models.Index(fields=["agent", "module", "submitted_at"], name="onboarding_attempt_used"),
        ]

    def __str__(self):
        return f"{self.agent}: {self.module} ({self.started_at:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("onboarding:training_attempt", args=[self.pk])


class Curriculum(models.Model):
    """The modules an agent on an engagement works through, in order: the provider's library and the practice's
    own modules."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="curriculum")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EngagementScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "curricula"

    def __str__(self):
        return f"Curriculum of {self.engagement}"

    def get_absolute_url(self):
        return reverse("onboarding:training_curriculum", args=[self.engagement_id])


class CurriculumItemQuerySet(EngagementScopedQuerySet):
    engagement_path = "curriculum__engagement"


class CurriculumItem(models.Model):
    """One module in a curriculum, at its place; a required one must be passed and current to enter ramp."""

    curriculum = models.ForeignKey("onboarding.Curriculum", on_delete=models.CASCADE, related_name="items")
    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.PROTECT, related_name="curriculum_items")
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    scorecard = models.ForeignKey(
        "audits.Scorecard",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a mock-call module: the scorecard its audit is scored with (empty: any of the engagement's).",
    )

    objects = CurriculumItemQuerySet.as_manager()

    class Meta:
        ordering = ["curriculum", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["curriculum", "module"],
                name="%(app_label)s_%(class)s_unique_module_per_curriculum",
                violation_error_message="This module is already in the curriculum.",
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.module}"

    def get_absolute_url(self):
        return self.curriculum.get_absolute_url()


class StaffAssignmentQuerySet(SideScopedQuerySet):
    """A practice's own staff training: its people see it (each their own, its managers all); its managers assign."""

    def scope_for(self, user, membership, action: str):
        if not membership.practice_id:
            return self.none()
        own_practice = self.filter(module__practice_id=membership.practice_id)
        if membership.is_manager:
            return own_practice
        return own_practice.filter(person=user) if action == "view" else self.none()


class StaffTrainingAssignment(models.Model):
    """A module a practice assigns to one of its own staff (the change management of working with a provider);
    their completion is a TrainingCompletion with `person` set."""

    module = models.ForeignKey("onboarding.TrainingModule", on_delete=models.CASCADE, related_name="staff_assignments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assignments")
    due_on = models.DateField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = StaffAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "person"],
                name="%(app_label)s_%(class)s_unique_person_per_module",
                violation_error_message="This module is already assigned to that person.",
            )
        ]

    def __str__(self):
        return f"{self.module} → {self.person}"

    def get_absolute_url(self):
        return reverse("onboarding:training_staff_list")
