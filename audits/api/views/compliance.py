"""The compliance-audit API: the practice's managers run audits (start, results, evidence, complete) and raise
findings; the provider's managers respond to findings and close corrective actions with evidence; both sides'
managers agree corrective actions; everyone on the engagement reads; nobody else sees any of it (404)."""

from django.db import transaction
from django.db.models import Max, OuterRef, Prefetch, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from audits.api.serializers import compliance as serializers
from audits.choices import ComplianceAuditStatus
from audits.filters.compliance import ComplianceAuditFilterSet, CorrectiveActionFilterSet, FindingFilterSet
from audits.models import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    Finding,
)
from audits.models.compliance import MANAGE_ACTIONS, engagements_allowing
from audits.services import compliance as services
from bpo_portal.api.viewsets import ScopedModelViewSet
from bpo_portal.errors import DomainError
from engagements.access import is_portal_admin

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see.")
FORBIDDEN = OpenApiResponse(description="You can see this but not do that.")
INVALID = OpenApiResponse(description="The request breaks a rule; the body says which and why.")


def _may_anywhere(user, action: str) -> bool:
    return is_portal_admin(user) or engagements_allowing(user, action).exists()


def _audits():
    requirements = ComplianceRequirement.objects.prefetch_related(
        Prefetch("evidence", queryset=ComplianceEvidence.objects.order_by("uploaded_at", "pk"))
    )
    return ComplianceAudit.objects.select_related("auditor").prefetch_related(
        Prefetch("requirements", queryset=requirements), "findings"
    )


AUDIT = {200: serializers.ComplianceAuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary="Compliance audits of your engagements"),
    retrieve=extend_schema(
        summary="One compliance audit", responses={200: serializers.ComplianceAuditSerializer, 404: NOT_FOUND}
    ),
)
class ComplianceAuditViewSet(ScopedModelViewSet):
    """Periodic audits of the provider's data handling, requirement by requirement, with a compliance score."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = _audits()
    serializer_class = serializers.ComplianceAuditSerializer
    filterset_class = ComplianceAuditFilterSet
    parser_classes = [JSONParser]  # JSON bodies; the evidence upload alone takes multipart (its action says so)
    ordering_fields = ["period_end", "period_start", "score", "created_at", "completed_at"]
    ordering = ["-period_end", "-pk"]
    write_scope = "run"
    denied_message = services.AUDITS_ONLY

    def get_write_scope(self):
        return MANAGE_ACTIONS if self.action == "evidence" else "run"

    def _respond(self, audit, code=status.HTTP_200_OK):
        return Response(self.get_serializer(_audits().get(pk=audit.pk)).data, status=code)

    @extend_schema(
        summary="Start a compliance audit (the practice's managers)",
        description="A draft with the starter checklist of twelve requirements, or — with `baseline` — the "
        "baseline audit's requirements, results and notes copied as a starting point.",
        request=serializers.StartComplianceAuditSerializer,
        responses={201: serializers.ComplianceAuditSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not _may_anywhere(request.user, "run"):
            self.permission_denied(request, message=self.denied_message)
        start = serializers.StartComplianceAuditSerializer(data=request.data, context=self.get_serializer_context())
        start.is_valid(raise_exception=True)
        data = dict(start.validated_data)
        engagement = data.pop("engagement")
        if not engagements_allowing(request.user, "run").filter(pk=engagement.pk).exists():
            self.permission_denied(request, message=self.denied_message)
        return self._respond(
            services.start_compliance_audit(engagement, by=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Record requirement results (the practice's managers)",
        description="`results` lists requirements by `key`; fields left out stay as they are. All or nothing. "
        "The first result moves a draft audit in progress.",
        request=serializers.ResultsSerializer,
        responses=AUDIT,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def results(self, request, pk=None):
        audit = self.get_object()
        body = serializers.ResultsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = {row.pop("key"): row for row in body.validated_data["results"]}
        return self._respond(services.record_results(audit, changes, by=request.user))

    @extend_schema(
        summary="Attach an evidence file to a requirement (either side's managers)",
        description="Send `multipart/form-data` with `requirement` (its key) and `file` (PDF, PNG or JPEG, up to "
        "10 MB, checked by its content).",
        request={"multipart/form-data": serializers.EvidenceUploadSerializer},
        responses={201: serializers.ComplianceAuditSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        audit = self.get_object()
        body = serializers.EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requirement = audit.requirements.filter(key=body.validated_data["requirement"]).first()
        if requirement is None:
            raise DomainError("This audit has no such requirement.", field="requirement")
        services.add_evidence(requirement, body.validated_data["file"], by=request.user)
        return self._respond(audit, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Complete the audit (the practice's managers)",
        description="Every requirement assessed, and every finding but an observation with a corrective action.",
        request=None,
        responses=AUDIT,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request, pk=None):
        return self._respond(services.complete_compliance_audit(self.get_object(), by=request.user))


FINDING = {200: serializers.FindingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary="Findings of your engagements' compliance audits"),
    retrieve=extend_schema(summary="One finding", responses={200: serializers.FindingSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Raise a finding (the practice's managers)",
        responses={201: serializers.FindingSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(summary="Change a finding (the practice's managers)", responses=FINDING),
)
class FindingViewSet(ScopedModelViewSet):
    """What an audit found, with its severity (critical, major, minor, observation) and the provider's response."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Finding.objects.select_related("raised_by", "responded_by", "requirement").prefetch_related("actions")
    serializer_class = serializers.FindingSerializer
    filterset_class = FindingFilterSet
    ordering_fields = ["created_at", "severity", "status"]
    ordering = ["-created_at", "-pk"]
    denied_message = services.AUDITS_ONLY

    def get_write_scope(self):
        return "respond" if self.action == "respond" else "run"

    def can_create(self):
        return _may_anywhere(self.request.user, "run")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not engagements_allowing(self.request.user, "run").filter(pk=data["audit"].engagement_id).exists():
            self.permission_denied(self.request, message=self.denied_message)
        serializer.instance = services.raise_finding(
            data["audit"],
            title=data["title"],
            severity=data["severity"],
            description=data.get("description", ""),
            requirement=data.get("requirement"),
            by=self.request.user,
        )

    def perform_update(self, serializer):
        finding = serializer.instance
        for name, value in serializer.validated_data.items():
            if name != "audit":
                setattr(finding, name, value)
        with transaction.atomic():
            serializer.instance = services.save_finding(finding, by=self.request.user)

    def _respond(self, finding):
        return Response(self.get_serializer(self.queryset.get(pk=finding.pk)).data)

    @extend_schema(
        summary="Respond to a finding (the provider's managers)",
        request=serializers.FindingResponseSerializer,
        responses=FINDING,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def respond(self, request, pk=None):
        finding = self.get_object()
        body = serializers.FindingResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            services.respond_to_finding(finding, response=body.validated_data["response"], by=request.user)
        )

    @extend_schema(
        summary="Close a finding (the practice's managers)",
        description="Once every corrective action on it is done.",
        request=None,
        responses=FINDING,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        return self._respond(services.close_finding(self.get_object(), by=request.user))


ACTION = {200: serializers.CorrectiveActionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary="Corrective actions of your engagements' compliance findings"),
    retrieve=extend_schema(
        summary="One corrective action", responses={200: serializers.CorrectiveActionSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Add a corrective action (either side's managers)",
        responses={201: serializers.CorrectiveActionSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(summary="Change a corrective action (either side's managers)", responses=ACTION),
)
class CorrectiveActionViewSet(ScopedModelViewSet):
    """What will be done about a finding, by whom and by when; closed by the provider with its evidence. An
    overdue action reminds both sides; on a critical finding it climbs the engagement's escalation path."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = CorrectiveAction.objects.select_related("owner")
    serializer_class = serializers.CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilterSet
    ordering_fields = ["due_on", "created_at", "status"]
    ordering = ["due_on", "pk"]
    denied_message = services.MANAGERS_ONLY

    def get_write_scope(self):
        return "respond" if self.action == "close" else MANAGE_ACTIONS

    def can_create(self):
        return _may_anywhere(self.request.user, MANAGE_ACTIONS)

    def perform_create(self, serializer):
        finding = serializer.validated_data["finding"]
        if not engagements_allowing(self.request.user, MANAGE_ACTIONS).filter(pk=finding.audit.engagement_id).exists():
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    @extend_schema(
        summary="Close a corrective action with its evidence (the provider's managers)",
        description="Send `multipart/form-data` with `closing_note` and `closing_evidence` (PDF, PNG or JPEG).",
        request={"multipart/form-data": serializers.CloseCorrectiveActionSerializer},
        responses=ACTION,
    )
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=[MultiPartParser])
    def close(self, request, pk=None):
        corrective_action = self.get_object()
        body = serializers.CloseCorrectiveActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closed = services.close_corrective_action(
            corrective_action,
            note=body.validated_data["closing_note"],
            evidence=body.validated_data["closing_evidence"],
            by=request.user,
        )
        return Response(self.get_serializer(closed).data)


SCHEDULE = {200: serializers.ComplianceScheduleSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary="How often your engagements' providers are audited"),
    retrieve=extend_schema(
        summary="One engagement's audit frequency",
        responses={200: serializers.ComplianceScheduleSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Set an engagement's audit frequency (the practice's managers)",
        responses={201: serializers.ComplianceScheduleSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(summary="Change the audit frequency (the practice's managers)", responses=SCHEDULE),
)
class ComplianceScheduleViewSet(ScopedModelViewSet):
    """The practice's audit frequency per engagement (monthly, quarterly, every six months, annually) and when the
    next audit is due: one period after the last completed audit, or the first due date."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = ComplianceSchedule.objects.annotate(
        last_completed=Subquery(
            ComplianceAudit.objects.filter(engagement=OuterRef("engagement"), status=ComplianceAuditStatus.COMPLETED)
            .values("engagement")
            .annotate(last=Max("period_end"))
            .values("last")[:1]
        )
    ).order_by("engagement", "pk")
    serializer_class = serializers.ComplianceScheduleSerializer
    ordering_fields = ["first_due_on", "updated_at"]
    write_scope = "run"
    denied_message = "Only the practice's managers set how often the provider is audited."

    def can_create(self):
        return _may_anywhere(self.request.user, "run")

    def perform_create(self, serializer):
        engagement = serializer.validated_data["engagement"]
        if not engagements_allowing(self.request.user, "run").filter(pk=engagement.pk).exists():
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)
