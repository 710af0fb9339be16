"""Shapes of the training API. Serializers check shape and what the caller can see; the rules live in
onboarding.services.training."""

from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.models import Agent
from onboarding.choices import AssessmentMethod, CompletionSource, ModuleKind, PrivacyLaw
from onboarding.models import Choice, Curriculum, CurriculumItem, Question, TrainingCompletion, TrainingModule
from onboarding.services import training as services


def _user(serializer):
    return getattr(serializer.context.get("request"), "user", None)


class VisibleField(serializers.PrimaryKeyRelatedField):
    """An id among the rows of `model` the caller can see: unknown and out of sight read alike."""

    def __init__(self, model, noun: str, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."

    def get_queryset(self):
        user = _user(self.parent) if self.parent is not None else None
        return self.model.objects.for_user(user) if user is not None else self.model.objects.none()


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text", "is_correct"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "text", "position", "choices"]


class TrainingModuleSerializer(serializers.ModelSerializer):
    """A module; its quiz questions with the correct choices (for the trainers who see the module: an agent's
    login never reads modules through the API)."""

    kind = EnumChoiceField(ModuleKind)
    method = EnumChoiceField(AssessmentMethod, source="assessment.method", required=False)
    privacy_law = serializers.ChoiceField(
        choices=[("", ""), *PrivacyLaw.choices], source="assessment.privacy_law", required=False, allow_blank=True
    )
    owner = serializers.SerializerMethodField()
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingModule
        fields = [
            "id",
            "title",
            "kind",
            "material",
            "pass_mark",
            "max_attempts",
            "renewal_months",
            "method",
            "privacy_law",
            "owner",
            "provider",
            "practice",
            "questions",
            "created_at",
        ]
        read_only_fields = ["provider", "practice", "created_at"]

    def get_owner(self, module) -> str:
        return "provider" if module.provider_id else "practice"

    def _fields(self):
        data = dict(self.validated_data)
        assessment = data.pop("assessment", {})
        data.update(assessment)
        return data

    def create(self, validated_data):
        return services.create_module(by=_user(self), **self._fields())

    def update(self, instance, validated_data):
        return services.update_module(instance, by=_user(self), **self._fields())


class CurriculumItemSerializer(serializers.ModelSerializer):
    module_title = serializers.CharField(source="module.title", read_only=True)
    module_kind = EnumChoiceField(ModuleKind, source="module.kind", read_only=True)

    class Meta:
        model = CurriculumItem
        fields = ["id", "position", "module", "module_title", "module_kind", "required", "scorecard"]


class CurriculumSerializer(serializers.ModelSerializer):
    items = CurriculumItemSerializer(many=True, read_only=True)

    class Meta:
        model = Curriculum
        fields = ["id", "engagement", "items", "updated_at"]


class CurriculumItemCreateSerializer(serializers.Serializer):
    module = VisibleField(TrainingModule, "module")
    required = serializers.BooleanField(default=True)


class TrainingCompletionSerializer(serializers.ModelSerializer):
    source = EnumChoiceField(CompletionSource, read_only=True)
    status = serializers.SerializerMethodField()
    module_title = serializers.CharField(source="module.title", read_only=True)

    class Meta:
        model = TrainingCompletion
        fields = [
            "id",
            "module",
            "module_title",
            "agent",
            "person",
            "passed_on",
            "expires_on",
            "status",
            "score",
            "source",
            "external_id",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_status(self, completion) -> str:
        from django.utils import timezone

        return services.completion_status(completion, timezone.localdate())


class CompletionCreateSerializer(serializers.Serializer):
    """A trainer's record (no `external_id`) or an LMS push (with it: sent again, the same completion answers)."""

    module = VisibleField(TrainingModule, "module")
    agent = VisibleField(Agent, "agent")
    passed_on = serializers.DateField()
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
