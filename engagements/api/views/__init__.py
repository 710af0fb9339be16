"""The engagements REST API: the UI's querysets, FilterSets and services behind DRF viewsets."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements import services
from engagements.access import is_portal_admin, manages_a_provider
from engagements.access_log import AccessKind, record_access
from engagements.api import serializers
from engagements.api.serializers.money import CostReportSerializer
from engagements.api.serializers.terms import TerminationEligibilitySerializer
from engagements.costs import cost_report
from engagements.filters import AgentFilterSet, EngagementFilterSet, PracticeFilterSet, ProviderFilterSet
from engagements.models import Agent, AgentAssignment, Contract, Engagement, Practice, Provider, ServiceLine
from engagements.services.terms import termination_eligibility

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see.")

COSTS_DESCRIPTION = (
    "Projected (from the scope) and actual (from measured volumes) monthly cost since the contract started, "
    "service credits, net cost, and — for the practice and portal admins only — the practice's in-house monthly "
    "cost and the savings (null for the provider). Lists volume measured for service lines outside the contract's "
    "scope as possible unagreed scope. 404 (`not_found`) when the engagement has no contract yet."
)
TERMINATION_DESCRIPTION = (
    "After the evaluation period, a practice may end the contract without penalty when the SLAs were missed; "
    "this says whether that holds today and lists the breaches it rests on. 404 (`not_found`) when the "
    "engagement has no contract yet."
)


def contract_of(engagement) -> Contract:
    contract = Contract.objects.filter(engagement=engagement).select_related("engagement__practice").first()
    if contract is None:
        raise NotFound("No contract has been recorded for this engagement yet.")
    return contract


def cost_report_of(engagement, request):
    """The engagement's cost report, its reading recorded in the access log (both of its API paths)."""
    contract = contract_of(engagement)
    record_access(request, AccessKind.COST_PAGE, contract, engagement=engagement)
    return cost_report(contract, request.user)


def termination_eligibility_of(contract, context) -> dict:
    eligibility = termination_eligibility(contract)
    data = {**eligibility.__dict__, "found": eligibility.found}
    return TerminationEligibilitySerializer(data, context=context).data


FORBIDDEN = OpenApiResponse(description="You can see this but not do that.")
INVALID = OpenApiResponse(description="The request breaks a rule; the body says which and why.")


@extend_schema_view(
    list=extend_schema(summary="The service-line catalogue"),
    retrieve=extend_schema(summary="One service line, by code"),
)
class ServiceLineViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of service lines a practice can outsource, in the order a transition usually takes them."""

    token_scopes = {"read": ()}  # the catalogue every integration needs

    queryset = ServiceLine.objects.all()
    serializer_class = serializers.ServiceLineSerializer
    lookup_field = "code"
    filterset_fields = ["category"]
    ordering_fields = ["sort_order", "name", "code"]


@extend_schema_view(
    create=extend_schema(description="Portal admins only."),
    destroy=extend_schema(description="Portal admins only."),
    update=extend_schema(description="The practice's own managers."),
    partial_update=extend_schema(description="The practice's own managers."),
)
class PracticeViewSet(ScopedModelViewSet):
    """Practices: your own, and those you have an engagement with."""

    queryset = Practice.objects.prefetch_related("locations")
    serializer_class = serializers.PracticeSerializer
    filterset_class = PracticeFilterSet
    ordering_fields = ["name", "kind", "monthly_patient_volume", "created_at", "updated_at"]


@extend_schema_view(
    create=extend_schema(description="Portal admins only."),
    destroy=extend_schema(description="Portal admins only."),
    update=extend_schema(description="The provider's own managers."),
    partial_update=extend_schema(description="The provider's own managers."),
)
class ProviderViewSet(ScopedModelViewSet):
    """The directory of providers, open to every signed-in user."""

    queryset = Provider.objects.all()
    serializer_class = serializers.ProviderSerializer
    filterset_class = ProviderFilterSet
    ordering_fields = ["name", "eye_care_experience_years", "eye_care_clients", "created_at", "updated_at"]


@extend_schema_view(
    create=extend_schema(
        description="A practice manager starts one for their own practice with any provider; a BPO account "
        "manager for their own provider with any practice. It opens in vetting."
    ),
    destroy=extend_schema(
        description="Portal admins only: an engagement is ended through its status, not deleted.",
        responses={204: None, 404: NOT_FOUND, 405: OpenApiResponse(description="Only a portal admin can delete.")},
    ),
)
class EngagementViewSet(ScopedModelViewSet):
    """Engagements you are a party to."""

    queryset = Engagement.objects.select_related("practice", "provider").prefetch_related("service_lines")
    serializer_class = serializers.EngagementSerializer
    filterset_class = EngagementFilterSet
    ordering_fields = ["name", "status", "target_go_live", "created_at", "updated_at"]
    ordering = ["-updated_at", "-pk"]
    creating_actions = ("agents",)  # POST engagements/{id}/agents/ assigns an agent: Idempotency-Key applies

    # Each extra action needs its own permission on the engagement; everything else needs "change".
    WRITE_SCOPES = {"contract": "manage_contract", "agents": "assign_agents", "unassign_agent": "assign_agents"}

    def get_write_scope(self) -> str:
        return self.WRITE_SCOPES.get(self.action, self.write_scope)

    def can_create(self) -> bool:
        return services.can_create_engagement(self.request.user)

    def destroy(self, request, *args, **kwargs):
        if not is_portal_admin(request.user):
            self.get_object()  # out of sight stays 404
            raise MethodNotAllowed(request.method, detail="Engagements are ended through their status, not deleted.")
        return super().destroy(request, *args, **kwargs)

    @extend_schema(
        summary="Change the engagement's status",
        request=serializers.StatusChangeSerializer,
        responses={200: serializers.EngagementSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request, pk=None):
        engagement = self.get_object()
        change = serializers.StatusChangeSerializer(data=request.data, context=self.get_serializer_context())
        change.is_valid(raise_exception=True)
        engagement = services.change_engagement_status(
            engagement, change.validated_data["status"], by=request.user, note=change.validated_data["note"]
        )
        return Response(self.get_serializer(engagement).data)

    @extend_schema(
        summary="The engagement's status history, newest first",
        responses={200: serializers.EngagementStatusChangeSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        changes = self.get_object().status_changes.select_related("changed_by")
        return Response(serializers.EngagementStatusChangeSerializer(changes, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The engagement's contract",
        responses={200: serializers.ContractSerializer, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="Record or amend the contract (the practice's managers)",
        description="PUT records the contract or replaces its terms; PATCH amends a recorded one.",
        request=serializers.ContractSerializer,
        responses={
            200: serializers.ContractSerializer,
            201: serializers.ContractSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get", "put", "patch"], pagination_class=None, filter_backends=[])
    def contract(self, request, pk=None):
        engagement = self.get_object()
        contract = Contract.objects.filter(engagement=engagement).first()
        if request.method == "GET" or (request.method == "PATCH" and contract is None):
            if contract is None:
                raise NotFound("No contract has been recorded for this engagement yet.")
            return Response(serializers.ContractSerializer(contract).data)
        serializer = serializers.ContractSerializer(
            contract,
            data=request.data,
            partial=request.method == "PATCH",
            context={**self.get_serializer_context(), "engagement": engagement},
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_200_OK if contract else status.HTTP_201_CREATED)

    @extend_schema(
        summary="The engagement's costs, month by month",
        description=COSTS_DESCRIPTION,
        responses={200: CostReportSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def costs(self, request, pk=None):
        return Response(CostReportSerializer(cost_report_of(self.get_object(), request)).data)

    @extend_schema(
        summary="Whether the practice may end the engagement's contract without penalty today",
        description=TERMINATION_DESCRIPTION,
        responses={200: TerminationEligibilitySerializer, 404: NOT_FOUND},
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
        return Response(termination_eligibility_of(contract_of(self.get_object()), self.get_serializer_context()))

    @extend_schema(
        methods=["GET"],
        summary="The agents working on the engagement",
        responses={200: serializers.AgentAssignmentSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Assign one of the provider's agents (the provider's managers)",
        request=serializers.AssignAgentSerializer,
        responses={201: serializers.AgentAssignmentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def agents(self, request, pk=None):
        engagement = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            assignments = engagement.assignments.select_related("agent", "assigned_by")
            return Response(serializers.AgentAssignmentSerializer(assignments, many=True, context=context).data)
        serializer = serializers.AssignAgentSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        assignment = services.assign_agent(engagement, serializer.validated_data["agent"], by=request.user)
        return Response(
            serializers.AgentAssignmentSerializer(assignment, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Take an agent off the engagement (the provider's managers)",
        parameters=[OpenApiParameter("agent_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An agent id.")],
        request=None,
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["delete"], url_path=r"agents/(?P<agent_id>\d+)", filter_backends=[])
    def unassign_agent(self, request, pk=None, agent_id=None):
        engagement = self.get_object()
        assignment = get_object_or_404(AgentAssignment, engagement=engagement, agent_id=agent_id)
        with transaction.atomic():
            services.unassign_agent(assignment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(description="A provider's managers add agents to their own provider."),
    update=extend_schema(description="The provider's own managers."),
    partial_update=extend_schema(description="The provider's own managers."),
    destroy=extend_schema(description="The provider's own managers."),
)
class AgentViewSet(ScopedModelViewSet):
    """Agents: your provider's own, or — for a practice — those working on your engagements."""

    queryset = Agent.objects.select_related("provider")
    serializer_class = serializers.AgentSerializer
    filterset_class = AgentFilterSet
    ordering_fields = ["full_name", "status", "hired_on", "created_at", "updated_at"]

    def can_create(self) -> bool:
        return manages_a_provider(self.request.user)

    def can_destroy(self, agent) -> bool:
        return True  # whoever may change the agent (their provider's managers) may remove them


@extend_schema_view(get=extend_schema(summary="Who you are: your side, organisation, role and token"))
class MeView(generics.RetrieveAPIView):
    """Who am I: the signed-in user or token identity, their side, organisation and role."""

    token_scopes = {"read": ()}  # who am I: any token

    serializer_class = serializers.MeSerializer
    pagination_class = None
    filter_backends = []

    def get_object(self):
        return self.request.user
