"""The due-diligence API: certifications (CRUD for the provider's managers, evidence as multipart) and reviews."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for, is_portal_admin, manages_a_provider
from engagements.api.serializers import diligence as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.filters.diligence import CertificationFilterSet, DueDiligenceReviewFilterSet
from engagements.models import Certification, DueDiligenceDecisionRecord, DueDiligenceReview
from engagements.services import diligence as services

CERTIFICATION = {200: serializers.CertificationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND}
# A certification carries a file, so creating and replacing one is documented as multipart (JSON without the file
# is accepted too); changing some of its fields is documented as JSON (multipart is accepted to replace the file).
MULTIPART = {"multipart/form-data": serializers.CertificationSerializer}
JSON = {"application/json": serializers.CertificationSerializer}


@extend_schema_view(
    list=extend_schema(summary="Providers' certifications (every signed-in user)"),
    retrieve=extend_schema(
        summary="One certification", responses={200: serializers.CertificationSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Record a certification (the provider's managers)",
        description="Send `multipart/form-data` to include the evidence file (PDF, PNG or JPEG, up to 10 MB); "
        "`application/json` without the file is accepted too.",
        request=MULTIPART,
        responses={201: serializers.CertificationSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Replace a certification (the provider's managers)",
        description="`multipart/form-data` (with or without a new evidence file), or `application/json` without one.",
        request=MULTIPART,
        responses=CERTIFICATION,
    ),
    partial_update=extend_schema(
        summary="Change a certification (the provider's managers)",
        description="JSON with the fields to change; send `multipart/form-data` instead to replace the evidence file.",
        request=JSON,
        responses=CERTIFICATION,
    ),
    destroy=extend_schema(
        summary="Delete a certification and its evidence (the provider's managers)",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class CertificationViewSet(ScopedModelViewSet):
    """A provider's SOC 2, ISO 27001, HITRUST, HIPAA and other certifications. Everyone who can browse the
    provider directory sees them; the evidence file only the provider's people and its practices can open."""

    queryset = Certification.objects.select_related("provider")
    serializer_class = serializers.CertificationSerializer
    filterset_class = CertificationFilterSet
    parser_classes = [JSONParser, MultiPartParser]
    ordering_fields = ["expires_on", "issued_on", "kind", "created_at", "updated_at"]
    ordering = ["provider__name", "expires_on", "pk"]
    denied_message = "Only the provider's own managers change its certifications."

    def can_create(self) -> bool:
        return manages_a_provider(self.request.user)

    def can_destroy(self, obj) -> bool:
        return True  # get_object has already required the write scope: the provider's managers or an admin

    def perform_destroy(self, instance):
        with transaction.atomic():
            services.delete_certification(instance, by=self.request.user)


def _reviews():
    return DueDiligenceReview.objects.select_related("engagement", "decided_by").prefetch_related(
        "items", Prefetch("decisions", queryset=DueDiligenceDecisionRecord.objects.select_related("decided_by"))
    )


@extend_schema_view(
    list=extend_schema(summary="Due-diligence reviews of your engagements"),
    retrieve=extend_schema(
        summary="One due-diligence review", responses={200: serializers.DueDiligenceReviewSerializer, 404: NOT_FOUND}
    ),
)
class DueDiligenceReviewViewSet(ScopedModelViewSet):
    """The practice's review of the provider, one per engagement: start it, rate its checklist, decide.
    The provider's side reads the decision, conditions and score; the ratings (`items`) are the practice's."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = _reviews()
    serializer_class = serializers.DueDiligenceReviewSerializer
    filterset_class = DueDiligenceReviewFilterSet
    ordering_fields = ["created_at", "updated_at", "decided_at"]
    ordering = ["-updated_at", "-pk"]
    denied_message = "Only the practice's managers run the due-diligence review."

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or engagements_for(self.request.user, "manage_contract").exists()

    def _respond(self, review, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(_reviews().get(pk=review.pk)).data, status=code)

    @extend_schema(
        summary="Start the review of an engagement (the practice's managers)",
        description="Creates the checklist with every item unrated at its default weight. One review per "
        "engagement, started while it is in vetting.",
        request=serializers.DueDiligenceStartSerializer,
        responses={201: serializers.DueDiligenceReviewSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message=self.denied_message)
        start = serializers.DueDiligenceStartSerializer(data=request.data, context=self.get_serializer_context())
        start.is_valid(raise_exception=True)
        engagement = start.validated_data["engagement"]
        if not engagements_for(request.user, "manage_contract").filter(pk=engagement.pk).exists():
            self.permission_denied(request, message=self.denied_message)
        return self._respond(services.start_due_diligence(engagement, by=request.user), status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rate checklist items (the practice's managers)",
        description="`items` lists the items to change by `key`; fields left out stay as they are. All or nothing. "
        "Changing a rating or a weight after a decision reopens the review: decide again.",
        request=serializers.DueDiligenceItemsSerializer,
        responses={200: serializers.DueDiligenceReviewSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        review = self.get_object()
        changes = serializers.DueDiligenceItemsSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        by_key = {item.pop("key"): item for item in changes.validated_data["items"]}
        return self._respond(services.update_due_diligence_items(review, by_key, by=request.user))

    @extend_schema(
        summary="Decide: approve, approve with conditions, or reject (the practice's managers)",
        description="Every item must be rated. Approving (with or without conditions) lets the engagement leave "
        "vetting.",
        request=serializers.DueDiligenceDecisionSerializer,
        responses={200: serializers.DueDiligenceReviewSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def decision(self, request, pk=None):
        review = self.get_object()
        decision = serializers.DueDiligenceDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        review = services.decide_due_diligence(
            review,
            decision.validated_data["decision"],
            by=request.user,
            conditions=decision.validated_data["conditions"],
        )
        return self._respond(review)
