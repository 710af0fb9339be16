"""The scope, pricing, fee, credit and cost API: the UI's querysets, FilterSets, services and figures.

Resource paths (registered in engagements/api/urls.py):
- /api/v1/contract-scope/ — scope lines (CRUD; the practice's managers write, both sides read)
- /api/v1/volume-tiers/ — volume tiers of per-unit lines (CRUD)
- /api/v1/one-off-fees/ — one-off fees (CRUD)
- /api/v1/contract-pricing/{contract id}/ — a contract's pricing terms (read, PUT, PATCH)
- /api/v1/service-credits/ — credits earned by breaches (read-only; `id` is the breach's id)
- /api/v1/costs/{engagement id}/ — an engagement's cost report (read-only)
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from bpo_portal.api.filters import strictly_filtered
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements import costs, pricing
from engagements.access import engagements_for, is_portal_admin
from engagements.access_log import AccessKind, AccessLoggedViewSetMixin
from engagements.api.serializers import money as serializers
from engagements.api.views import COSTS_DESCRIPTION, FORBIDDEN, INVALID, NOT_FOUND, cost_report_of
from engagements.choices import TokenScope
from engagements.filters.money import (
    ContractPricingFilterSet,
    ContractScopeFilterSet,
    OneOffFeeFilterSet,
    ServiceCreditFilterSet,
    VolumeTierFilterSet,
)
from engagements.models import Contract, ContractScope, Engagement, OneOffFee, VolumeTier
from engagements.services import money
from slas import evidence

PRACTICE_ONLY = "The practice's managers only, and only while the contract is unsigned: a signed contract's scope and "
PRACTICE_ONLY += "pricing change through an approved change request (400 otherwise)."


def _crud_schema(noun: str, serializer):
    return extend_schema_view(
        list=extend_schema(summary=f"{noun.capitalize()}s of your engagements' contracts"),
        retrieve=extend_schema(summary=f"One {noun}", responses={200: serializer, 404: NOT_FOUND}),
        create=extend_schema(
            summary=f"Add a {noun}",
            description=PRACTICE_ONLY,
            responses={201: serializer, 400: INVALID, 403: FORBIDDEN},
        ),
        update=extend_schema(
            summary=f"Change a {noun}",
            description=PRACTICE_ONLY,
            responses={200: serializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        partial_update=extend_schema(
            summary=f"Change part of a {noun}",
            description=PRACTICE_ONLY,
            responses={200: serializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        destroy=extend_schema(
            summary=f"Remove a {noun}",
            description=PRACTICE_ONLY,
            responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
    )


class ContractMoneyViewSet(ScopedModelViewSet):
    """Rows hanging off a contract: visible with the engagement, written by those who manage its contract."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    write_scope = "manage_contract"
    denied_message = "Only the practice's managers change a contract's scope and pricing."
    contract_path = "contract"

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or engagements_for(self.request.user, "manage_contract").exists()

    def can_destroy(self, obj) -> bool:
        return True  # whoever may change the row (the practice's managers) may remove it

    def perform_create(self, serializer):
        parent = serializer.validated_data[self.contract_path.split("__")[0]]
        engagement_id = parent.engagement_id if hasattr(parent, "engagement_id") else parent.contract.engagement_id
        if not engagements_for(self.request.user, "manage_contract").filter(pk=engagement_id).exists():
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)


@_crud_schema("scope line", serializers.ContractScopeSerializer)
class ContractScopeViewSet(ContractMoneyViewSet):
    """The service lines a contract covers, how each is charged, and its projected monthly cost."""

    queryset = ContractScope.objects.select_related("contract", "service_line").prefetch_related("tiers")
    serializer_class = serializers.ContractScopeSerializer
    filterset_class = ContractScopeFilterSet
    ordering_fields = ["expected_monthly_volume", "fte", "unit_rate"]

    def perform_destroy(self, instance):
        money.delete_scope_line(instance, by=self.request.user)


@_crud_schema("volume tier", serializers.VolumeTierSerializer)
class VolumeTierViewSet(ContractMoneyViewSet):
    """Volume tiers: from a monthly threshold, a per-unit line's further units cost the tier's rate."""

    queryset = VolumeTier.objects.select_related("scope__contract")
    serializer_class = serializers.VolumeTierSerializer
    filterset_class = VolumeTierFilterSet
    contract_path = "scope"
    ordering_fields = ["from_volume", "unit_rate"]

    def perform_destroy(self, instance):
        money.delete_tier(instance, by=self.request.user)


@_crud_schema("one-off fee", serializers.OneOffFeeSerializer)
class OneOffFeeViewSet(ContractMoneyViewSet):
    """Fees charged once: implementation, training, integrations."""

    queryset = OneOffFee.objects.select_related("contract")
    serializer_class = serializers.OneOffFeeSerializer
    filterset_class = OneOffFeeFilterSet
    ordering_fields = ["due_on", "amount"]

    def perform_destroy(self, instance):
        money.delete_fee(instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Pricing terms of your engagements' contracts"),
    retrieve=extend_schema(
        summary="A contract's pricing terms, by contract id",
        responses={200: serializers.ContractPricingSerializer, 404: NOT_FOUND},
    ),
    update=extend_schema(
        summary="Set a contract's pricing",
        description=PRACTICE_ONLY,
        responses={200: serializers.ContractPricingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change part of a contract's pricing",
        description=PRACTICE_ONLY,
        responses={200: serializers.ContractPricingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class ContractPricingViewSet(AccessLoggedViewSetMixin, ScopedModelViewSet):
    """The pricing model, rate per FTE hour, hours per FTE and account-management fee of each contract."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    queryset = Contract.objects.select_related("engagement").prefetch_related(*pricing.TERMS_PREFETCH).order_by("pk")
    serializer_class = serializers.ContractPricingSerializer
    access_kind = AccessKind.CONTRACT_PRICING
    filterset_class = ContractPricingFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]
    denied_message = "Only the practice's managers set a contract's pricing."
    ordering_fields = ["starts_on"]

    def perform_update(self, serializer):
        serializer.save()  # the service locks the row, checks the rules and saves in one transaction


CREDIT_FILTERS = [
    OpenApiParameter("engagement", OpenApiTypes.INT, description="An engagement id."),
    OpenApiParameter("metric", OpenApiTypes.STR, description="A metric code."),
    OpenApiParameter("service_line", OpenApiTypes.STR, description="A service line code."),
    OpenApiParameter("month_from", OpenApiTypes.DATE, description="Breached periods starting on or after."),
    OpenApiParameter("month_to", OpenApiTypes.DATE, description="Breached periods starting on or before."),
]


@extend_schema_view(
    list=extend_schema(summary="Service credits earned by your engagements' breaches", parameters=CREDIT_FILTERS),
    retrieve=extend_schema(
        summary="The credit one breach earned, by breach id",
        responses={200: serializers.ServiceCreditSerializer, 404: NOT_FOUND},
    ),
)
class ServiceCreditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each credit: percent × the fees of the calendar month the breached period starts in, a month's credits
    capped at its fees. Only breaches (not warnings) that were not resolved by later data earn one."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    serializer_class = serializers.ServiceCreditSerializer
    filter_backends = []  # the FilterSet is applied below, on breaches; its model is the SLA engine's

    def breaches(self):
        visible = costs.earning_breaches(evidence.breaches().for_user(self.request.user)).order_by(
            "-period_start", "-pk"
        )
        filterset = ServiceCreditFilterSet(self.request.query_params, queryset=visible, request=self.request)
        return strictly_filtered(filterset, self.request)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.breaches())
        credits = costs.service_credits_in_order(page)
        return self.get_paginated_response(self.get_serializer(credits, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A breach id.")]
    )
    def retrieve(self, request, *args, pk=None, **kwargs):
        breaches = self.breaches().filter(pk=pk) if str(pk).isdigit() else []
        credits = costs.service_credits_in_order(list(breaches))
        if not credits:
            raise NotFound("No service credit for that breach, or not yours to see.")
        return Response(self.get_serializer(credits[0]).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="An engagement's costs, by engagement id (alias of /engagements/{id}/costs/)",
        description="The same report as `GET /api/v1/engagements/{id}/costs/`, which is the canonical path; this "
        "one is kept for existing integrations. Takes an **engagement** id.\n\n" + COSTS_DESCRIPTION,
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An engagement id.")],
        responses={200: serializers.CostReportSerializer, 404: NOT_FOUND},
    ),
)
class CostViewSet(viewsets.GenericViewSet):
    """An engagement's cost report."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    serializer_class = serializers.CostReportSerializer
    filter_backends = []
    pagination_class = None
    queryset = Engagement.objects.none()  # for the schema; rows come from the caller's scope

    def retrieve(self, request, pk=None):
        engagement = get_object_or_404(
            Engagement.objects.for_user(request.user).select_related("practice"), pk=pk if str(pk).isdigit() else 0
        )
        return Response(self.get_serializer(cost_report_of(engagement, request)).data)
