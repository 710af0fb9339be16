"""The pipeline API: onboardings (list, retrieve, start one) and an agent's stage moves."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bpo_portal.api.exceptions import error_response
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for, is_portal_admin
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.choices import AgentStatus
from engagements.models import Agent
from onboarding.api.serializers.pipeline import MissingSerializer, OnboardingSerializer, StageMoveSerializer
from onboarding.filters.pipeline import OnboardingFilterSet
from onboarding.models import Onboarding
from onboarding.services import pipeline

MISSING = OpenApiResponse(
    MissingSerializer,
    description="The stage's gate is not met: `errors` lists what is missing, one entry each. Nothing changed.",
    examples=[
        OpenApiExample(
            "Vetting not passed",
            value={
                "code": "conflict",
                "detail": "Cannot move to Interviewing yet: Typing (net WPM and accuracy): no result yet.",
                "errors": [
                    {
                        "field": "to_stage",
                        "code": "missing",
                        "message": "Typing (net WPM and accuracy): no result yet (needs net WPM ≥ 35, accuracy ≥ 95%)",
                    }
                ],
            },
        )
    ],
)


@extend_schema_view(
    list=extend_schema(summary="Onboardings you may see (agents on engagements' pipelines)"),
    retrieve=extend_schema(summary="One onboarding", responses={200: OnboardingSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Start an onboarding: put one of the provider's agents on an engagement's pipeline as a candidate",
        description="The engagement's provider's managers only.",
        responses={201: OnboardingSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "A referral",
                value={"agent": 12, "engagement": 3, "sourcing_channel": "referral", "time_zone": "Asia/Manila"},
                request_only=True,
            )
        ],
    ),
)
class OnboardingViewSet(ScopedModelViewSet):
    """Onboardings: one agent onto one engagement, with the stage it has reached (candidate, vetting, interviewing,
    training, ramp, live, offboarded). Stages move with `POST /api/v1/agents/{id}/stage/`."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Onboarding.objects.select_related("agent", "engagement")
    serializer_class = OnboardingSerializer
    filterset_class = OnboardingFilterSet
    ordering_fields = ["stage_entered_at", "created_at"]
    ordering = ["agent__full_name", "pk"]
    write_scope = "assign_agents"

    def scope(self, action: str):
        if action == "assign_agents":
            return Onboarding.objects.filter(engagement__in=engagements_for(self.request.user, action))
        return super().scope(action)

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or engagements_for(self.request.user, "assign_agents").exists()


class AgentStageView(APIView):
    """Move an agent's onboarding onto one engagement: forward one stage, or offboard with a reason."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="agents_stage_create",
        summary="Move an agent one stage forward on an engagement, or offboard them",
        description="The engagement's provider's managers. Forward moves go one stage at a time along candidate → "
        "vetting → interviewing → training → ramp → live, each only when its gate is met; `offboarded` needs "
        "`offboard_reason`.",
        request=StageMoveSerializer,
        responses={200: OnboardingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: MISSING},
        examples=[
            OpenApiExample(
                "Forward",
                value={"engagement": 3, "to_stage": "interviewing", "note": "All tests passed"},
                request_only=True,
            ),
            OpenApiExample(
                "Offboard",
                value={"engagement": 3, "to_stage": "offboarded", "offboard_reason": "withdrew"},
                request_only=True,
            ),
        ],
    )
    def post(self, request, pk):
        agent = get_object_or_404(Agent.objects.for_user(request.user), pk=pk)
        body = StageMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        onboarding = get_object_or_404(
            Onboarding.objects.for_user(request.user).select_related("agent", "engagement"),
            agent=agent,
            engagement_id=data["engagement"],
        )
        if not pipeline.may_move(request.user, onboarding.engagement):
            self.permission_denied(request, message="Only the provider's managers move candidates.")
        try:
            if data["to_stage"] == AgentStatus.OFFBOARDED:
                pipeline.offboard(onboarding, data.get("offboard_reason", ""), by=request.user, note=data["note"])
            else:
                pipeline.move(onboarding, data["to_stage"], by=request.user, note=data["note"])
        except pipeline.StageRefused as refused:
            errors = [{"field": "to_stage", "code": "missing", "message": reason} for reason in refused.missing]
            return error_response("conflict", refused.message, errors=errors, status_code=status.HTTP_409_CONFLICT)
        onboarding = Onboarding.objects.select_related("agent", "engagement").get(pk=onboarding.pk)
        return Response(OnboardingSerializer(onboarding, context={"request": request}).data)
