"""The audit and dispute API: the UI's querysets, FilterSets and services behind DRF viewsets."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from audits import access
from audits.api import serializers
from audits.filters import AuditFilterSet, DisputeFilterSet
from audits.models import Dispute, QualityAudit
from audits.services import audits as services
from audits.services import disputes as dispute_services
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import is_portal_admin
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND


@extend_schema_view(
    list=extend_schema(summary="Quality audits you may see"),
    retrieve=extend_schema(
        summary="One audit, with its score and per-criterion ratings",
        responses={200: serializers.AuditSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Start a draft audit (either side's managers; the provider's integrations)",
        description="On a published version of one of the engagement's scorecards, of an agent assigned to it.",
        responses={201: serializers.AuditSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a draft audit: interaction details, feedback, ratings",
        responses={200: serializers.AuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    update=extend_schema(
        summary="Change a draft audit",
        responses={200: serializers.AuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a draft audit (its auditing side)", responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
)
class AuditViewSet(ScopedModelViewSet):
    """Audits of agents' interactions. An agent's own token reads only their own submitted audits."""

    queryset = QualityAudit.objects.select_related("agent", "engagement", "version", "auditor").prefetch_related(
        "ratings__criterion"
    )
    serializer_class = serializers.AuditSerializer
    filterset_class = AuditFilterSet
    ordering_fields = ["interaction_date", "score", "submitted_at", "created_at"]
    ordering = ["-interaction_date", "-pk"]
    write_scope = access.AUDIT
    denied_message = "Only the auditing side's managers (or its integrations) change this audit."

    def get_write_scope(self) -> str:
        return "acknowledge" if self.action == "acknowledge" else self.write_scope

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user) or access.audit_engagements(self.request.user).exists()

    def can_destroy(self, obj) -> bool:
        return True  # the write scope (the auditing side) was checked; the service refuses a submitted audit

    def perform_create(self, serializer):
        if not access.may_audit(self.request.user, serializer.validated_data["engagement"]):
            self.permission_denied(self.request, message="Only the engagement's managers run quality audits.")
        super().perform_create(serializer)

    def perform_destroy(self, instance):
        services.delete_draft(instance, by=self.request.user)

    def _respond(self, audit):
        audit = self.get_queryset().get(pk=audit.pk)
        return Response(self.get_serializer(audit).data)

    @extend_schema(
        summary="Score and submit a draft audit",
        description="Every criterion must be rated (or N/A where allowed). The score becomes a quality_score "
        "measurement of the agent on the interaction date (calibration audits excepted).",
        request=None,
        responses={200: serializers.AuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        return self._respond(services.submit_audit(self.get_object(), by=request.user))

    @extend_schema(
        summary="Acknowledge the feedback (the agent, or the provider's managers on their behalf)",
        request=None,
        responses={200: serializers.AuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request, pk=None):
        return self._respond(services.acknowledge_audit(self.get_object(), by=request.user))


@extend_schema_view(
    list=extend_schema(summary="Disputes of audits you may see"),
    retrieve=extend_schema(summary="One dispute", responses={200: serializers.DisputeSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Dispute an audit (the audited agent, or the provider's managers for them)",
        description="Within the engagement's dispute window (default 7 days from submission): which criteria, "
        "the rating proposed for each, and why.",
        responses={201: serializers.DisputeSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
)
class DisputeViewSet(ScopedModelViewSet):
    """Disputes: raised by the agent's side, decided by the auditing side criterion by criterion."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Dispute.objects.select_related("audit", "raised_by").prefetch_related("items__criterion")
    serializer_class = serializers.DisputeSerializer
    filterset_class = DisputeFilterSet
    ordering_fields = ["raised_at", "decide_by", "decided_at"]
    ordering = ["-raised_at", "-pk"]

    def can_create(self) -> bool:
        return True  # who may dispute which audit is the service's rule; a refusal there answers 400

    def perform_create(self, serializer):
        if not dispute_services.may_dispute(self.request.user, serializer.validated_data["audit"]):
            self.permission_denied(
                self.request, message="Only the audited agent, or the provider's managers for them, dispute an audit."
            )
        serializer.instance = serializer.save()

    @extend_schema(
        summary="Decide a dispute, criterion by criterion, with a note",
        description="For a provider-side audit a provider manager who is not the auditor decides; for a "
        "practice-side audit a practice manager. Each disputed criterion: `keep`, `accept` the proposed rating, or "
        "`set` another. The audit is rescored (its earlier score kept) and its quality_score measurement corrected.",
        request=serializers.DecideSerializer,
        responses={200: serializers.DisputeSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        dispute = super(ScopedModelViewSet, self).get_object()
        if not dispute_services.may_decide(request.user, dispute):
            self.permission_denied(
                request, message="Only the auditing side's managers (not the auditor) decide this dispute."
            )
        body = serializers.DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute_services.decide_dispute(
            dispute, by=request.user, note=body.validated_data["note"], decisions=body.decisions_by_criterion()
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data)
