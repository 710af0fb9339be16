"""The training API: the module library (its owners' managers write), each engagement's curriculum (its managers add
modules), and completions — listed for whoever may see the agent (an agent: their own), created by the agent's
provider's managers (a trainer's record) or pushed by its LMS with an integration token, idempotent on
`external_id` per module."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bpo_portal.api.idempotency import IdempotentCreateMixin
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from onboarding.api.serializers import training as serializers
from onboarding.filters.training import CurriculumFilterSet, TrainingCompletionFilterSet, TrainingModuleFilterSet
from onboarding.models import Choice, Curriculum, CurriculumItem, Question, TrainingCompletion, TrainingModule
from onboarding.models.training_content import completions_for
from onboarding.services import training as services


def _modules():
    questions = Question.objects.prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
    return TrainingModule.objects.select_related("assessment").prefetch_related(Prefetch("questions", questions))


@extend_schema_view(
    list=extend_schema(summary="Training modules you can see (providers' libraries and practices' own)"),
    retrieve=extend_schema(
        summary="One training module", responses={200: serializers.TrainingModuleSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Add a module to your side's library (managers)",
        responses={201: serializers.TrainingModuleSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "A HIPAA module renewed yearly",
                request_only=True,
                value={
                    "title": "HIPAA essentials",
                    "kind": "privacy_law",
                    "privacy_law": "hipaa",
                    "pass_mark": 80,
                    "max_attempts": 3,
                    "renewal_months": 12,
                    "method": "quiz",
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a module (its owner's managers)",
        responses={200: serializers.TrainingModuleSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    update=extend_schema(
        summary="Replace a module's settings (its owner's managers)",
        responses={200: serializers.TrainingModuleSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class TrainingModuleViewSet(ScopedModelViewSet):
    """Training modules: a provider's library or a practice's own (cultural, language, optometry, SOPs, HIPAA or
    GDPR), each with its assessment method, pass mark and renewal interval. Their owners' managers write them."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = _modules()
    serializer_class = serializers.TrainingModuleSerializer
    filterset_class = TrainingModuleFilterSet
    ordering_fields = ["title", "kind", "created_at"]
    ordering = ["title", "pk"]

    def can_create(self) -> bool:
        from engagements.access import membership_of
        from engagements.choices import Role

        membership = membership_of(self.request.user)
        return bool(membership and membership.role == Role.MANAGER)

    def perform_create(self, serializer):
        serializer.instance = serializer.save()

    def perform_update(self, serializer):
        serializer.instance = serializer.save()

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if response.status_code == status.HTTP_201_CREATED:
            response.data = self.get_serializer(_modules().get(pk=response.data["id"])).data
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Curricula of the engagements you can see",
        description="One curriculum per engagement: the training modules its agents take, in order, each required "
        "or optional. Filter with `engagement`.",
    ),
    retrieve=extend_schema(
        summary="One curriculum, its modules in order",
        description="The engagement's curriculum with its items (module, position, whether it is required).",
        responses={200: serializers.CurriculumSerializer, 404: NOT_FOUND},
    ),
)
class CurriculumViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Curriculum.objects.prefetch_related(
        Prefetch("items", queryset=CurriculumItem.objects.select_related("module").order_by("position", "pk"))
    )
    serializer_class = serializers.CurriculumSerializer
    filterset_class = CurriculumFilterSet
    ordering_fields = ["updated_at"]
    ordering = ["pk"]

    def get_queryset(self):
        return self.queryset.for_user(self.request.user, "view")

    @extend_schema(
        summary="Add a module to the curriculum (the engagement's managers)",
        description="Appends the module at the end. A module already in the curriculum is refused (400), so a retry "
        "adds nothing twice. A practice's privacy-law training must teach the law the practice works under. "
        "Answers the whole curriculum.",
        request=serializers.CurriculumItemCreateSerializer,
        responses={201: serializers.CurriculumSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[OpenApiExample("A required module", request_only=True, value={"module": 3, "required": True})],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def items(self, request, pk=None):
        curriculum = self.get_object()
        if not engagements_for(request.user, "change").filter(pk=curriculum.engagement_id).exists():
            self.permission_denied(request, message="Only the engagement's managers change its curriculum.")
        body = serializers.CurriculumItemCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.add_to_curriculum(
            curriculum.engagement,
            body.validated_data["module"],
            by=request.user,
            required=body.validated_data["required"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=curriculum.pk)).data, status=201)


COMPLETION_EXAMPLES = [
    OpenApiExample(
        "An LMS push",
        request_only=True,
        value={"module": 3, "agent": 12, "passed_on": "2026-11-20", "score": "92.50", "external_id": "lms-88231"},
    ),
    OpenApiExample(
        "A trainer's record", request_only=True, value={"module": 3, "agent": 12, "passed_on": "2026-11-20"}
    ),
    OpenApiExample(
        "Recorded",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 41,
            "module": 3,
            "module_title": "HIPAA essentials",
            "agent": 12,
            "person": None,
            "passed_on": "2026-11-20",
            "expires_on": "2027-11-20",
            "status": "current",
            "score": "92.50",
            "source": "lms",
            "external_id": "lms-88231",
            "recorded_at": "2026-11-20T09:14:03Z",
        },
    ),
]


@extend_schema_view(
    list=extend_schema(summary="Training completions of the agents you can see (an agent: their own)"),
    retrieve=extend_schema(
        summary="One completion", responses={200: serializers.TrainingCompletionSerializer, 404: NOT_FOUND}
    ),
)
class TrainingCompletionViewSet(
    IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = TrainingCompletion.objects.select_related("module")
    serializer_class = serializers.TrainingCompletionSerializer
    filterset_class = TrainingCompletionFilterSet
    ordering_fields = ["passed_on", "expires_on", "recorded_at"]
    ordering = ["-passed_on", "-pk"]

    def get_queryset(self):
        return completions_for(self.request.user).select_related("module")

    @extend_schema(
        summary="Record a completion (the agent's provider's managers) or push one from the LMS",
        description="With `external_id` it is an LMS push: sent again with the same id for the same module, the "
        "completion already recorded answers (200) and nothing is written. Without it, a trainer's record. "
        "The expiry follows from the module's renewal interval.",
        request=serializers.CompletionCreateSerializer,
        responses={
            201: serializers.TrainingCompletionSerializer,
            200: serializers.TrainingCompletionSerializer,
            400: INVALID,
            403: FORBIDDEN,
        },
        examples=COMPLETION_EXAMPLES,
    )
    def create(self, request, *args, **kwargs):
        if not services.may_record_anywhere(request.user):
            self.permission_denied(request, message="Only a provider's managers or its LMS record completions.")
        body = serializers.CompletionCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["external_id"]:
            completion, created = services.push_lms_completion(
                data["module"],
                data["agent"],
                by=request.user,
                passed_on=data["passed_on"],
                external_id=data["external_id"],
                score=data.get("score"),
            )
        else:
            completion, created = (
                services.record_by_trainer(
                    data["module"],
                    by=request.user,
                    passed_on=data["passed_on"],
                    agent=data["agent"],
                    score=data.get("score"),
                ),
                True,
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(completion).data, status=code)
