"""The policy-document, acknowledgement and BAA API.

- `/api/v1/policy-documents/`: documents with their versions nested; the owner's managers create them and publish
  versions at `/api/v1/policy-documents/{id}/versions/`.
- `/api/v1/acknowledgements/`: signatures, filtered by agent, document, version, engagement. A side member sees
  those of agents and documents in sight; an agent only their own. Signing (POST) is the agent's own act, in their
  own signed-in session: with an API token it answers 403 `own_session_required`, whoever's token it is.
- `/api/v1/business-associate-agreements/`: an engagement's BAA records; either side's managers add one.
"""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from bpo_portal.api.exceptions import ApiError
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import is_agent
from onboarding.api.serializers import acknowledgements as serializers
from onboarding.filters.acknowledgements import (
    AcknowledgementFilterSet,
    BusinessAssociateAgreementFilterSet,
    PolicyDocumentFilterSet,
)
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument, PolicyVersion
from onboarding.services import acknowledgements as services

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see.")
FORBIDDEN = OpenApiResponse(description="You can see this but not do that.")
INVALID = OpenApiResponse(description="The request breaks a rule; the body says which and why.")
OWN_SESSION = OpenApiResponse(
    description="`own_session_required`: a signature is made in the agent's own signed-in session, never with an "
    "API token; or `forbidden`: only an agent signs.",
    examples=[
        OpenApiExample(
            "Sent with a token",
            value={"code": "own_session_required", "detail": services.OWN_SESSION_ONLY},
            status_codes=["403"],
        )
    ],
)
OWN_SESSION_CODE = "own_session_required"


def _documents():
    return PolicyDocument.objects.prefetch_related(
        Prefetch("versions", queryset=PolicyVersion.objects.select_related("document").order_by("-number"))
    )


DOCUMENT_EXAMPLE = OpenApiExample(
    "An NDA in its second version",
    value={
        "id": 7,
        "engagement": 3,
        "provider": None,
        "kind": "nda",
        "title": "Non-disclosure agreement",
        "versions": [
            {
                "id": 12,
                "number": 2,
                "text": "I will not disclose …",
                "file_url": None,
                "effective_on": "2026-11-15",
                "in_force": True,
                "created_at": "2026-11-14T09:00:00Z",
            }
        ],
        "created_at": "2026-05-01T09:00:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Policy documents you can see, with their versions", examples=[DOCUMENT_EXAMPLE]),
    retrieve=extend_schema(
        summary="One policy document, with its versions",
        responses={200: serializers.PolicyDocumentSerializer, 404: NOT_FOUND},
    ),
)
class PolicyDocumentViewSet(ScopedModelViewSet):
    """NDA, privacy policy, HIPAA confidentiality acknowledgement, acceptable use: an engagement's or a provider's."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = _documents()
    serializer_class = serializers.PolicyDocumentSerializer
    filterset_class = PolicyDocumentFilterSet
    ordering_fields = ["title", "created_at"]
    ordering = ["title", "pk"]

    def can_create(self) -> bool:
        return services.can_create_documents(self.request.user)

    @extend_schema(
        summary="Create a policy document (the owner's managers)",
        description="Give `engagement` (its practice's managers) or `provider` (the provider's managers), not both. "
        "Then publish its first version.",
        examples=[
            OpenApiExample(
                "The practice's NDA", value={"engagement": 3, "kind": "nda", "title": "NDA"}, request_only=True
            )
        ],
        responses={201: serializers.PolicyDocumentSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        owner = PolicyDocument(engagement=data.get("engagement"), provider=data.get("provider"))
        if (owner.engagement or owner.provider) and not services.can_manage_document(self.request.user, owner):
            self.permission_denied(self.request, message="Only the owner's managers create its documents.")
        with transaction.atomic():
            serializer.instance = services.create_document(
                kind=data["kind"],
                title=data["title"],
                engagement=data.get("engagement"),
                provider=data.get("provider"),
                by=self.request.user,
            )

    @extend_schema(
        summary="Publish the next version (the owner's managers)",
        description="JSON, or `multipart/form-data` to upload the version as a PDF (`file`). The number is the next "
        "one; a published version is never edited. A version in force asks every agent to sign again.",
        # One documented body: openapi-python-client 0.29 generates an unimportable module for this operation when
        # it has a JSON and a multipart body (`Unset` undefined); JSON without `file` is accepted all the same.
        request={"multipart/form-data": serializers.PublishVersionSerializer},
        examples=[
            OpenApiExample(
                "Version 2, in force from 1 Dec",
                value={"effective_on": "2026-12-01", "text": "I will not disclose …"},
                request_only=True,
            )
        ],
        responses={201: serializers.PolicyDocumentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def versions(self, request, pk=None):
        document = super(ScopedModelViewSet, self).get_object()  # seen or 404; the owner's managers or 403
        if not services.can_manage_document(request.user, document):
            self.permission_denied(request, message="Only the document's owner's managers publish its versions.")
        body = serializers.PublishVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.publish_version(document, by=request.user, **body.validated_data)
        return Response(self.get_serializer(_documents().get(pk=document.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Signatures you can see",
        description="A side member sees the signatures of agents and documents in sight (a practice, those on its "
        "account); an agent only their own.",
    ),
    retrieve=extend_schema(
        summary="One signature", responses={200: serializers.AcknowledgementSerializer, 404: NOT_FOUND}
    ),
)
class AcknowledgementViewSet(ScopedModelViewSet):
    """An agent's signature of one version of a policy document."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Acknowledgement.objects.select_related("version")
    serializer_class = serializers.AcknowledgementSerializer
    filterset_class = AcknowledgementFilterSet
    ordering_fields = ["signed_at"]
    ordering = ["-signed_at", "-pk"]

    def get_queryset(self):
        return services.acknowledgements_in_sight(self.request.user).select_related("version")

    def can_create(self) -> bool:
        return is_agent(self.request.user)

    @extend_schema(
        summary="Sign the version in force (the agent, in their own session)",
        description="Only the agent signs, signed in to the portal as themselves (session and CSRF token, as the "
        "portal's own pages send them). With an API token — any token, even the agent's own — the answer is 403 "
        "with the code `own_session_required`. `typed_name` must be the agent's full name (case and spacing aside), "
        "`agree` true, and `version` the version in force; each version is signed once.",
        examples=[
            OpenApiExample(
                "Signing the NDA",
                value={"version": 12, "typed_name": "Ana Reyes", "agree": True},
                request_only=True,
            )
        ],
        responses={201: serializers.AcknowledgementSerializer, 400: INVALID, 403: OWN_SESSION},
    )
    def create(self, request, *args, **kwargs):
        if request.auth is not None:
            raise ApiError(OWN_SESSION_CODE, services.OWN_SESSION_ONLY, status_code=status.HTTP_403_FORBIDDEN)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            serializer.instance = services.sign(data["version"], self.request.user, data["typed_name"], self.request)


@extend_schema_view(
    list=extend_schema(summary="Business associate agreements of your engagements (newest signed first)"),
    retrieve=extend_schema(
        summary="One BAA record", responses={200: serializers.BusinessAssociateAgreementSerializer, 404: NOT_FOUND}
    ),
)
class BusinessAssociateAgreementViewSet(ScopedModelViewSet):
    """The BAA between the practice and the provider of an engagement; every record is kept."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = BusinessAssociateAgreement.objects.all()
    serializer_class = serializers.BusinessAssociateAgreementSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_class = BusinessAssociateAgreementFilterSet
    ordering_fields = ["signed_on", "recorded_at"]
    ordering = ["-signed_on", "-pk"]

    def can_create(self) -> bool:
        return not is_agent(self.request.user)

    @extend_schema(
        summary="Record a BAA (either side's managers)",
        description="`multipart/form-data` with `engagement`, `signed_on` (not in the future) and `file` (the signed "
        "PDF). Earlier records are kept; the newest signed is the one on record.",
        request={"multipart/form-data": serializers.BusinessAssociateAgreementSerializer},
        responses={201: serializers.BusinessAssociateAgreementSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not services.can_record_baa(self.request.user, data["engagement"]):
            self.permission_denied(self.request, message="Either side's managers record the BAA.")
        with transaction.atomic():
            serializer.instance = services.record_baa(
                data["engagement"], signed_on=data["signed_on"], file=data["file"], by=self.request.user
            )
