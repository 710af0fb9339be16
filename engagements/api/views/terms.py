"""The contract terms API: contracts with their computed dates and termination eligibility, and checkpoints."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for, is_portal_admin
from engagements.api.serializers import terms as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND, termination_eligibility_of
from engagements.choices import TokenScope
from engagements.filters.terms import CheckpointFilterSet, ContractFilterSet
from engagements.models import Checkpoint, Contract
from engagements.services import terms

PRACTICE_ONLY = "Only the practice's managers agree the contract terms."


@extend_schema_view(
    list=extend_schema(summary="Contracts of your engagements, with their notice deadlines"),
    retrieve=extend_schema(
        summary="One contract", responses={200: serializers.ContractTermsSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Record an engagement's contract (the practice's managers)",
        description="One contract per engagement. An engagement you cannot see answers 400 “No engagement with id "
        "…”; one you can see but whose contract you may not agree answers 403. Checkpoints are generated over the "
        "evaluation period.",
        responses={201: serializers.ContractTermsSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Replace a contract's terms (the practice's managers)",
        description="Checkpoints follow a new start, evaluation length or interval; recorded outcomes are kept.",
        responses={200: serializers.ContractTermsSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Amend a contract's terms (the practice's managers)",
        responses={200: serializers.ContractTermsSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class ContractViewSet(ScopedModelViewSet):
    """The contract behind each engagement: dates, evaluation period, notice and renewal, and the clause that
    lets the practice end it without penalty. Computed dates count in the practice's own calendar."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Contract.objects.select_related("engagement__practice")
    serializer_class = serializers.ContractTermsSerializer
    filterset_class = ContractFilterSet
    ordering_fields = ["starts_on", "ends_on"]
    ordering = ["pk"]
    denied_message = PRACTICE_ONLY

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or engagements_for(self.request.user, "manage_contract").exists()

    def perform_create(self, serializer):
        engagement = serializer.validated_data["engagement"]
        if not engagements_for(self.request.user, "manage_contract").filter(pk=engagement.pk).exists():
            self.permission_denied(self.request, message=PRACTICE_ONLY)
        super().perform_create(serializer)

    @extend_schema(
        summary="Whether the practice may end the contract without penalty today, by contract id",
        description="The same answer as `GET /api/v1/engagements/{id}/termination-eligibility/` (the canonical "
        "path, by engagement id), here by **contract** id, as the contract's own sub-resource.",
        responses={200: serializers.TerminationEligibilitySerializer, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="termination-eligibility",
        url_name="termination-eligibility",
        pagination_class=None,
        filter_backends=[],
    )
    def termination_eligibility(self, request, pk=None):
        return Response(termination_eligibility_of(self.get_object(), self.get_serializer_context()))


@extend_schema_view(
    list=extend_schema(summary="Evaluation checkpoints of your engagements' contracts"),
    retrieve=extend_schema(summary="One checkpoint", responses={200: serializers.CheckpointSerializer, 404: NOT_FOUND}),
    create=extend_schema(exclude=True),
)
class CheckpointViewSet(ScopedModelViewSet):
    """Reviews over each contract's evaluation period, generated from its terms, and what the practice decided
    at each."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    http_method_names = ["get", "post", "head", "options"]
    queryset = Checkpoint.objects.select_related("contract", "recorded_by")
    serializer_class = serializers.CheckpointSerializer
    filterset_class = CheckpointFilterSet
    ordering_fields = ["due_on"]
    ordering = ["due_on", "pk"]
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers record checkpoint outcomes."

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="Checkpoints are generated from the contract's terms.")

    @extend_schema(
        summary="Record the outcome of a checkpoint (the practice's managers)",
        description="Refused before the checkpoint's day; `conditions` needs the conditions in `notes`.",
        request=serializers.CheckpointOutcomeSerializer,
        responses={200: serializers.CheckpointSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def outcome(self, request, pk=None):
        checkpoint = self.get_object()
        decision = serializers.CheckpointOutcomeSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        checkpoint = terms.record_checkpoint_outcome(checkpoint, by=request.user, **decision.validated_data)
        return Response(self.get_serializer(checkpoint).data)
