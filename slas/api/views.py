"""The SLA engine's REST API: the UI's querysets, FilterSets and services behind DRF viewsets."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from bpo_portal.api.exceptions import error_response
from bpo_portal.api.schema import ErrorSerializer
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, engagements_for
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.choices import TokenScope
from engagements.models import Notification
from engagements.notifications import mark_read
from slas import ingest, services
from slas.api import serializers
from slas.choices import IngestSource
from slas.filters import (
    BreachFilterSet,
    IngestBatchFilterSet,
    KPIValueFilterSet,
    MeasurementCorrectionFilterSet,
    MeasurementFilterSet,
    MetricFilterSet,
    RemediationPlanFilterSet,
    SLATargetFilterSet,
)
from slas.models import (
    Breach,
    IngestBatch,
    KPIValue,
    Measurement,
    MeasurementCorrection,
    Metric,
    RemediationPlan,
    SLATarget,
)

# A realistic row is 150–400 bytes; 1,000 a row leaves room for long ids and pretty-printing, and refuses a body
# that cannot be a valid batch before a byte of it is parsed.
MAX_BODY_BYTES = ingest.MAX_ROWS * 1000

INGEST_EXAMPLES = [
    # drf-spectacular wraps a list body's example in the list itself: this is one row of the array sent.
    OpenApiExample(
        "A day's service level for scheduling",
        request_only=True,
        value={
            "engagement": 1,
            "metric": "service_level",
            "service_line": "scheduling",
            "date": "2026-11-02",
            "numerator": 141,
            "denominator": 162,
            "external_id": "acd-2026-11-02-scheduling",
        },
    ),
    OpenApiExample(
        "Accepted",
        response_only=True,
        status_codes=["201"],
        value={"batch": 7, "created": 2, "duplicates": 0, "corrected": 0},
    ),
    OpenApiExample(
        "Sent again: nothing new",
        response_only=True,
        status_codes=["201"],
        value={"batch": 8, "created": 0, "duplicates": 2, "corrected": 0},
    ),
    OpenApiExample(
        "Rejected: bad rows, nothing saved",
        response_only=True,
        status_codes=["400"],
        value={
            "code": "ingest_rejected",
            "detail": "The batch was rejected: 2 problem(s) found. Nothing was saved.",
            "errors": [
                {
                    "row": 3,
                    "field": "value",
                    "code": "invalid",
                    "message": "Send a value, or a numerator and a denominator.",
                },
                {
                    "row": 5,
                    "field": "external_id",
                    "code": "changed",
                    "message": "External id “acd-2026-11-01” was already ingested with different content. Resend "
                    "with corrections allowed to replace it.",
                },
            ],
        },
    ),
]
REMEDIATION_EXAMPLES = [
    OpenApiExample(
        "A plan for a missed service level",
        request_only=True,
        value={
            "breach": 9,
            "actions": "Two more agents at peak hours (7 to 10 am) and a daily call-back list.",
            "owner": "Bea Santos",
            "due_on": "2026-12-15",
        },
    ),
]
DECISION_EXAMPLES = [
    OpenApiExample("Accept", request_only=True, value={"accept": True, "note": "Go ahead; report weekly."}),
    OpenApiExample(
        "Reject (a note is required)", request_only=True, value={"accept": False, "note": "Say which hours."}
    ),
    OpenApiExample(
        "Not submitted any more",
        response_only=True,
        status_codes=["400"],
        value={
            "code": "validation_failed",
            "detail": "This plan is accepted; only a submitted plan can be decided.",
            "errors": [
                {
                    "field": None,
                    "code": "invalid",
                    "message": "This plan is accepted; only a submitted plan can be decided.",
                }
            ],
        },
    ),
]


class ReadOnlyScopedViewSet(ScopedModelViewSet):
    """Rows the caller may see, to read only."""

    http_method_names = ["get", "head", "options"]


# --- Catalogue ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The metric catalogue"),
    retrieve=extend_schema(
        summary="One metric, by code", responses={200: serializers.MetricSerializer, 404: NOT_FOUND}
    ),
)
class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """What can be measured and agreed: each metric's code (what integrations send), unit, direction and how its
    measurements add up over a period."""

    token_scopes = {"read": (TokenScope.READ_SLA, TokenScope.PUSH_MEASUREMENTS)}  # the codes to send

    queryset = Metric.objects.all()
    serializer_class = serializers.MetricSerializer
    lookup_field = "code"
    filterset_class = MetricFilterSet
    ordering_fields = ["sort_order", "name", "code"]


# --- Targets --------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="SLA targets of your engagements"),
    retrieve=extend_schema(summary="One SLA target", responses={200: serializers.SLATargetSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Set a target (the practice's managers)",
        description="Needs the contract permission on the chosen engagement. An engagement you cannot see answers "
        "400 “No engagement with id …”. Its KPIs are computed for every period since `effective_from`.",
        responses={201: serializers.SLATargetSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a target (the practice's managers)",
        description="Every period since `effective_from` is judged again. End a target with `effective_to`.",
        responses={200: serializers.SLATargetSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a target's terms (the practice's managers)",
        responses={200: serializers.SLATargetSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a target and its history (portal admins only)",
        description="Targets are ended through `effective_to`; deleting also removes their KPI values and breaches.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class SLATargetViewSet(ScopedModelViewSet):
    """The levels of service a practice and its provider agreed: both sides read them, the practice sets them."""

    token_scopes = {"read": (TokenScope.READ_SLA,)}

    queryset = SLATarget.objects.select_related("metric", "service_line")
    serializer_class = serializers.SLATargetSerializer
    filterset_class = SLATargetFilterSet
    ordering_fields = ["effective_from", "effective_to", "threshold", "weight", "created_at", "updated_at"]
    denied_message = "Only the practice's managers can change SLA targets."

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "manage_contract")

    def perform_create(self, serializer):
        engagement = serializer.validated_data["engagement"]
        if not engagements_for(self.request.user, "manage_contract").filter(pk=engagement.pk).exists():
            self.permission_denied(self.request, message="Only the practice's managers can set SLA targets.")
        super().perform_create(serializer)


# --- Measurements ---------------------------------------------------------------------------------------------------


class BodyTooLarge(APIException):
    """Raised while parsing; an APIException so that it answers 413 wherever the body is first read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = (
        f"The body is larger than {MAX_BODY_BYTES:,} bytes. A batch may hold at most {ingest.MAX_ROWS:,} rows; "
        "split it and resend."
    )
    default_code = "too_large"


class _MeasurementsParser(BaseParser):
    """Reads at most MAX_BODY_BYTES and hands the raw body to the ingest module's parser."""

    @staticmethod
    def parse_raw(raw: bytes) -> list[dict]:
        raise NotImplementedError

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge
        return self.parse_raw(raw)


class MeasurementsJSONParser(_MeasurementsParser):
    media_type = "application/json"
    parse_raw = staticmethod(ingest.parse_json)


class MeasurementsCSVParser(_MeasurementsParser):
    media_type = "text/csv"
    parse_raw = staticmethod(ingest.parse_csv)


def _is_chunked(request) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
        "CONTENT_LENGTH"
    )


def _too_large() -> Response:
    return error_response(
        "too_large",
        f"The body is larger than {MAX_BODY_BYTES:,} bytes. A batch may hold at most {ingest.MAX_ROWS:,} rows; "
        "split it and resend.",
    )


def _rejected(rejected: ingest.IngestRejected) -> Response:
    """The ingest's error list, each item {row, field, message} as ever, with a machine-readable `code` added."""
    errors = [{**error, "code": error.get("code") or "invalid"} for error in rejected.errors]
    return error_response("ingest_rejected", rejected.message, errors=errors)


@extend_schema_view(
    list=extend_schema(summary="Measurements of your engagements"),
    retrieve=extend_schema(
        summary="One measurement", responses={200: serializers.MeasurementSerializer, 404: NOT_FOUND}
    ),
)
class MeasurementViewSet(ScopedModelViewSet):
    """Numbers from the provider's systems — counts and values, never patient details."""

    token_scopes = {"read": (TokenScope.READ_SLA,), "write": (TokenScope.PUSH_MEASUREMENTS,)}

    http_method_names = ["get", "post", "head", "options"]
    queryset = Measurement.objects.select_related("metric", "service_line")
    serializer_class = serializers.MeasurementSerializer
    parser_classes = [MeasurementsJSONParser, MeasurementsCSVParser]
    filterset_class = MeasurementFilterSet
    ordering_fields = ["date", "external_id"]
    ordering = ["-date", "-pk"]

    @extend_schema(
        summary="Ingest a batch of measurements, all or nothing",
        description=(
            "A JSON array of rows, or `text/csv` with a header row naming the same columns. Up to "
            f"{ingest.MAX_ROWS:,} rows. Every row is checked; one bad row rejects the request with every problem "
            "listed and nothing is written. A row whose `external_id` was already stored with the same content "
            "counts as a duplicate; with different content it is refused unless `corrections=true`, in which case "
            "it replaces the stored value. The periods touched are recomputed in the background; the batch's "
            "`recomputed_at` says when that finished.\n\n"
            "**CSV alternative.** Send `Content-Type: text/csv` instead, with a header row naming the same columns "
            "(`engagement,metric,service_line,agent,date,value,numerator,denominator,external_id`; empty cells count "
            "as absent), e.g. `curl -H 'Content-Type: text/csv' --data-binary @day.csv …/api/v1/measurements/`. "
            "It is answered exactly as the JSON body is."
        ),
        parameters=[
            OpenApiParameter(
                "corrections",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="Replace stored rows whose content changed (same external id).",
            )
        ],
        # CSV is described in words rather than as a second request media type: client generators cannot yet
        # build a working call from an operation that offers a JSON array or a string body.
        request={"application/json": serializers.MeasurementRowSerializer(many=True)},
        examples=INGEST_EXAMPLES,
        responses={
            201: serializers.IngestResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`ingest_rejected`: bad rows, each listed in `errors` with its `row`, `field`, `code` "
                "and `message`; nothing was saved. (`validation_failed` for a bad `corrections` parameter.)",
            ),
            409: OpenApiResponse(
                description="`conflict`: another request stored some of the same external ids at the same moment; "
                "resend."
            ),
            413: OpenApiResponse(description=f"`too_large`: more than {ingest.MAX_ROWS:,} rows, or a body too large."),
        },
    )
    def create(self, request, *args, **kwargs):
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            return _too_large()
        corrections = self._corrections(request)
        try:
            records = self._chunked_records(request) if _is_chunked(request) else self._records(request)
            result = services.ingest_measurements(
                records, by=request.user, allow_corrections=corrections, source=IngestSource.API
            )
        except BodyTooLarge:
            return _too_large()
        except ingest.IngestRejected as rejected:
            return _rejected(rejected)
        except ingest.TooManyRows as too_many:
            return error_response("too_large", too_many.message)
        except ingest.IngestConflict as conflict:
            return error_response("conflict", conflict.message)
        return Response(
            {
                "batch": result.batch.pk,
                "created": result.created,
                "duplicates": result.duplicates,
                "corrected": result.corrected,
            },
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("ingestbatch-detail", args=[result.batch.pk])},
        )

    @staticmethod
    def _corrections(request) -> bool:
        try:
            return drf_serializers.BooleanField().run_validation(request.query_params.get("corrections", False))
        except drf_serializers.ValidationError as error:
            raise drf_serializers.ValidationError({"corrections": error.detail}) from None

    @staticmethod
    def _chunked_records(request) -> list[dict]:
        """A chunked body has no Content-Length, so Django reads none of it: read it here, up to the limit."""
        raw = request.META["wsgi.input"].read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        parser = MeasurementsCSVParser if media_type == MeasurementsCSVParser.media_type else MeasurementsJSONParser
        return parser.parse_raw(raw)

    @staticmethod
    def _records(request) -> list[dict]:
        records = request.data  # the parsers above: a list of row dicts, or {} for an empty body
        if not isinstance(records, list):
            raise ingest.IngestRejected(
                [{"row": None, "field": None, "message": "The body is empty: send a JSON array or CSV with a header."}]
            )
        return records


@extend_schema_view(
    list=extend_schema(summary="What corrections replaced, on your engagements (both sides)"),
    retrieve=extend_schema(
        summary="One replaced measurement value",
        responses={200: serializers.MeasurementCorrectionSerializer, 404: NOT_FOUND},
    ),
)
class MeasurementCorrectionViewSet(ReadOnlyScopedViewSet):
    """Each measurement a batch sent with `corrections=true` changed: its content before, the batch it came in and
    the batch that replaced it. Newest first; filter by `engagement`, `batch` or `measurement`."""

    token_scopes = {"read": (TokenScope.READ_SLA,)}

    queryset = MeasurementCorrection.objects.select_related("measurement", "metric", "service_line")
    serializer_class = serializers.MeasurementCorrectionSerializer
    filterset_class = MeasurementCorrectionFilterSet
    ordering_fields = ["corrected_at"]


@extend_schema_view(
    list=extend_schema(summary="Ingest batches sent to your engagements (the submitting side)"),
    retrieve=extend_schema(
        summary="One ingest batch", responses={200: serializers.IngestBatchSerializer, 404: NOT_FOUND}
    ),
)
class IngestBatchViewSet(ReadOnlyScopedViewSet):
    """Each accepted ingest request: who sent it, when, how many rows it created, skipped and corrected, and
    which dates it touched (their periods are recomputed; `recomputed_at` says when that finished)."""

    token_scopes = {"read": (TokenScope.READ_SLA, TokenScope.PUSH_MEASUREMENTS)}

    queryset = IngestBatch.objects.select_related("submitted_by").prefetch_related("engagements")
    serializer_class = serializers.IngestBatchSerializer
    filterset_class = IngestBatchFilterSet
    ordering_fields = ["submitted_at", "row_count"]


# --- KPI values and breaches ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="KPI values of your engagements' targets, per period"),
    retrieve=extend_schema(summary="One KPI value", responses={200: serializers.KPIValueSerializer, 404: NOT_FOUND}),
)
class KPIValueViewSet(ReadOnlyScopedViewSet):
    """Each target's value per period, computed from the measurements in the database after every batch."""

    token_scopes = {"read": (TokenScope.READ_SLA,)}

    queryset = KPIValue.objects.select_related("target__metric", "target__service_line", "target__engagement__practice")
    serializer_class = serializers.KPIValueSerializer
    filterset_class = KPIValueFilterSet
    ordering_fields = ["period_start", "value", "computed_at"]
    ordering = ["-period_start", "target_id"]


@extend_schema_view(
    list=extend_schema(summary="SLA breaches and warnings of your engagements"),
    retrieve=extend_schema(summary="One breach", responses={200: serializers.BreachSerializer, 404: NOT_FOUND}),
)
class BreachViewSet(ReadOnlyScopedViewSet):
    """Periods in which a target was missed or came within its warning threshold, with their remediation plans.
    A breach that later data brings back within the target is kept, as resolved by data."""

    token_scopes = {"read": (TokenScope.READ_SLA,)}

    queryset = Breach.objects.select_related("target__metric", "target__service_line").prefetch_related(
        Prefetch("remediation_plans", queryset=RemediationPlan.objects.order_by("-submitted_at", "-pk"))
    )
    serializer_class = serializers.BreachSerializer
    filterset_class = BreachFilterSet
    ordering_fields = ["period_start", "opened_at", "value"]


# --- Remediation ----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Remediation plans for your engagements' breaches"),
    retrieve=extend_schema(
        summary="One remediation plan", responses={200: serializers.RemediationPlanSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Propose a remediation plan for a breach (the provider's managers)",
        description="A breach has at most one plan in progress; after a rejection the provider proposes a new one.",
        examples=REMEDIATION_EXAMPLES,
        responses={201: serializers.RemediationPlanSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
)
class RemediationPlanViewSet(ScopedModelViewSet):
    """The provider answers a breach with a plan; the practice accepts or rejects it, the provider reports it
    done, and the practice closes it, which closes the breach."""

    token_scopes = {"read": (TokenScope.READ_SLA,), "write": (TokenScope.WRITE_ENGAGEMENTS,)}

    http_method_names = ["get", "post", "head", "options"]
    queryset = RemediationPlan.objects.select_related("breach__target", "submitted_by", "decided_by")
    serializer_class = serializers.RemediationPlanSerializer
    filterset_class = RemediationPlanFilterSet
    ordering_fields = ["submitted_at", "due_on"]

    # The practice decides and closes; the provider proposes and reports done.
    WRITE_SCOPES = {
        "create": "answer_breaches",
        "decision": "manage_contract",
        "done": "answer_breaches",
        "close": "manage_contract",
    }
    DENIED = {
        "answer_breaches": "Only the provider's managers can do this to a remediation plan.",
        "manage_contract": "Only the practice's managers can do this to a remediation plan.",
    }

    def get_write_scope(self) -> str:
        return self.WRITE_SCOPES.get(self.action, self.write_scope)

    @property
    def denied_message(self) -> str:
        return self.DENIED.get(self.get_write_scope(), ScopedModelViewSet.denied_message)

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "answer_breaches")

    def perform_create(self, serializer):
        breach = serializer.validated_data["breach"]
        if not engagements_for(self.request.user, "answer_breaches").filter(pk=breach.target.engagement_id).exists():
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    def _respond(self, plan) -> Response:
        return Response(self.get_serializer(plan).data)

    @extend_schema(
        summary="Accept or reject a submitted plan (the practice's managers)",
        description="The plan must be submitted. Rejecting needs a `note` saying why; the provider then proposes a "
        "new plan. Accepting lets the provider carry it out and report it done.",
        request=serializers.RemediationDecisionSerializer,
        examples=DECISION_EXAMPLES,
        responses={
            200: serializers.RemediationPlanSerializer,
            400: OpenApiResponse(ErrorSerializer, description=INVALID.description),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def decision(self, request, pk=None):
        plan = self.get_object()
        decision = serializers.RemediationDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        return self._respond(services.decide_remediation_plan(plan, by=request.user, **decision.validated_data))

    @extend_schema(
        summary="Report an accepted plan carried out (the provider's managers)",
        request=None,
        responses={200: serializers.RemediationPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def done(self, request, pk=None):
        return self._respond(services.complete_remediation_plan(self.get_object(), by=request.user))

    @extend_schema(
        summary="Close a plan reported done, and its breach (the practice's managers)",
        request=None,
        responses={200: serializers.RemediationPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        return self._respond(services.close_remediation_plan(self.get_object(), by=request.user))


# --- Notifications --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your notifications, newest first"),
    retrieve=extend_schema(
        summary="One of your notifications", responses={200: serializers.NotificationSerializer, 404: NOT_FOUND}
    ),
)
class NotificationViewSet(ReadOnlyScopedViewSet):
    """What the portal told you: SLA breaches, remediation steps and reminders. Yours alone."""

    queryset = Notification.objects.all()
    serializer_class = serializers.NotificationSerializer
    filter_backends = []


class NotificationReadView(generics.GenericAPIView):
    """Mark your notifications read: the ones listed, or all of them."""

    serializer_class = serializers.MarkReadSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Mark notifications read",
        request=serializers.MarkReadSerializer,
        responses={200: serializers.MarkedReadSerializer, 400: INVALID},
    )
    def post(self, request):
        marking = self.get_serializer(data=request.data)
        marking.is_valid(raise_exception=True)
        return Response({"marked": mark_read(request.user, marking.validated_data.get("ids"))})
