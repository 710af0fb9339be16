"""The vetting API: hiring profiles (read) and assessment results (list, retrieve, record or push)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for, is_portal_admin
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from onboarding.api.serializers.vetting import AssessmentResultSerializer, HiringProfileSerializer
from onboarding.filters.vetting import AssessmentResultFilterSet, HiringProfileFilterSet
from onboarding.models import AssessmentResult, HiringProfile
from onboarding.services import vetting


@extend_schema_view(
    list=extend_schema(summary="Hiring profiles of the engagements you may see, with their required assessments"),
    retrieve=extend_schema(summary="One hiring profile", responses={200: HiringProfileSerializer, 404: NOT_FOUND}),
)
class HiringProfileViewSet(ScopedModelViewSet):
    """Each engagement's hiring profile: the assessments a candidate must pass (English at a CEFR level, typing at a
    net WPM and accuracy, a cognitive test, a behavioural match, a trial audit) and the interview rounds. Read-only
    here; the engagement's managers edit it in the portal."""

    http_method_names = ["get", "head", "options"]
    queryset = HiringProfile.objects.select_related("engagement").prefetch_related("assessment_requirements")
    serializer_class = HiringProfileSerializer
    filterset_class = HiringProfileFilterSet
    ordering = ["engagement__name", "pk"]


@extend_schema_view(
    list=extend_schema(summary="Assessment results of candidates you may see"),
    retrieve=extend_schema(
        summary="One assessment result", responses={200: AssessmentResultSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Record or push a candidate's assessment result (the provider's managers and integrations)",
        description="Judged by the server against the hiring profile's pass mark. English: an EF SET score (0–100) "
        "maps to CEFR (0–20 A0, 21–30 A1, 31–40 A2, 41–50 B1, 51–60 B2, 61–70 C1, 71–100 C2); another test gives "
        "`cefr_level`. Typing: `net_wpm` and `accuracy`. Trial audit: `audit` (a scored audit of the candidate) or "
        "`raw_score` with `scorecard_version`. `external_id` makes a push idempotent per source.",
        responses={201: AssessmentResultSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "EF SET",
                value={
                    "onboarding": 7,
                    "kind": "english",
                    "test_name": "EF SET",
                    "taken_on": "2026-11-20",
                    "raw_score": "66",
                    "external_id": "efset-991",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Cognitive",
                value={
                    "onboarding": 7,
                    "kind": "cognitive",
                    "test_name": "Wonderlic",
                    "taken_on": "2026-11-21",
                    "raw_score": "72",
                },
                request_only=True,
            ),
        ],
    ),
)
class AssessmentResultViewSet(ScopedModelViewSet):
    """Candidates' assessment results (English, typing, cognitive, behavioural, trial audit), judged against the
    engagement's hiring profile when recorded: `passed` is the portal's verdict, not the sender's."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = AssessmentResult.objects.select_related("onboarding")
    serializer_class = AssessmentResultSerializer
    filterset_class = AssessmentResultFilterSet
    ordering_fields = ["taken_on", "recorded_at"]
    ordering = ["-taken_on", "-recorded_at", "-pk"]

    def can_create(self) -> bool:
        user = self.request.user
        return (
            is_portal_admin(user)
            or (engagements_for(user, "assign_agents") | engagements_for(user, "submit_measurements")).exists()
        )

    def perform_create(self, serializer):
        onboarding = serializer.validated_data["onboarding"]
        if not vetting.may_record(self.request.user, onboarding.engagement):
            self.permission_denied(
                self.request,
                message="Only the provider's managers and integrations record results.",
            )
        serializer.save()
