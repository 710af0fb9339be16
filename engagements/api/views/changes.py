"""Change requests and contract versions over the API: the UI's querysets, FilterSets and services."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import engagements_for, is_portal_admin
from engagements.api.serializers import changes as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.choices import TokenScope
from engagements.filters.changes import ChangeRequestFilterSet, ContractVersionFilterSet
from engagements.models import ChangeRequest, ContractVersion
from engagements.pricing import terms_of_many
from engagements.services import changes

REQUEST = serializers.ChangeRequestSerializer


def _decision(summary: str):
    return extend_schema(
        summary=summary,
        request=serializers.ChangeRequestNoteSerializer,
        responses={200: REQUEST, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )


@extend_schema_view(
    list=extend_schema(summary="Change requests on your engagements' contracts"),
    retrieve=extend_schema(summary="One change request", responses={200: REQUEST, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Propose a change to a signed contract (the managers of either side)",
        description="An engagement you cannot see answers 400 “No engagement with id …”. A change that does not fit "
        "the contract's current terms answers 400 on the field to fix.",
        responses={201: REQUEST, 400: INVALID, 403: FORBIDDEN},
    ),
)
class ChangeRequestViewSet(ScopedModelViewSet):
    """Scope-creep control: either side proposes a change, the practice decides, and an approved change becomes a
    new contract version. Decided requests stay on record with the delta they had when decided."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    http_method_names = ["get", "post", "head", "options"]
    queryset = ChangeRequest.objects.select_related(
        "contract", "service_line", "proposed_by", "decided_by", "resulting_version"
    )
    serializer_class = REQUEST
    filterset_class = ChangeRequestFilterSet
    ordering_fields = ["proposed_at", "decided_at", "status", "kind"]

    WRITE_SCOPES = {"approve": "manage_contract", "reject": "manage_contract"}
    DENIED = {"manage_contract": "Only the practice's managers approve or reject changes."}

    def get_write_scope(self) -> str:
        return self.WRITE_SCOPES.get(self.action, self.write_scope)

    @property
    def denied_message(self) -> str:
        return self.DENIED.get(self.get_write_scope(), "Only the managers of either side propose or withdraw changes.")

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or engagements_for(self.request.user, "change_engagement").exists()

    def paginate_queryset(self, queryset):
        # Price the page's proposed requests from their contracts' terms read in bulk: a constant query count.
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self.live_terms = terms_of_many({request.contract for request in rows if request.is_proposed})
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "live_terms": getattr(self, "live_terms", None)}

    def _respond(self, request) -> Response:
        request = self.get_queryset().get(pk=request.pk)
        return Response(self.get_serializer(request).data)

    def _note(self) -> str:
        note = serializers.ChangeRequestNoteSerializer(data=self.request.data)
        note.is_valid(raise_exception=True)
        return note.validated_data["note"]

    @_decision("Approve a proposed change (the practice's managers): it becomes a new contract version")
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        return self._respond(changes.approve_change_request(self.get_object(), by=request.user, note=self._note()))

    @_decision("Reject a proposed change with a note (the practice's managers)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        return self._respond(changes.reject_change_request(self.get_object(), by=request.user, note=self._note()))

    @_decision("Withdraw a proposed change (the side that proposed it)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        change_request = self.get_object()
        if not changes.can_withdraw(request.user, change_request):
            self.permission_denied(request, message="Only the side that proposed a change withdraws it.")
        return self._respond(changes.withdraw_change_request(change_request, by=request.user, note=self._note()))


@extend_schema_view(
    list=extend_schema(summary="Versions of your engagements' contracts"),
    retrieve=extend_schema(
        summary="One contract version, with its terms and the diff against the version before",
        responses={200: serializers.ContractVersionDetailSerializer, 404: NOT_FOUND},
    ),
)
class ContractVersionViewSet(ScopedModelViewSet):
    """Every version of a contract's terms, kept for good: version 1 as signed, then one per approved change."""

    token_scopes = {"read": (TokenScope.READ_CONTRACTS,)}

    http_method_names = ["get", "head", "options"]
    queryset = ContractVersion.objects.select_related("contract", "created_by").order_by("contract", "-number")
    serializer_class = serializers.ContractVersionSerializer
    filterset_class = ContractVersionFilterSet
    ordering_fields = ["number", "created_at"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ContractVersionDetailSerializer
        return super().get_serializer_class()
