"""The scorecard API: both sides read an engagement's scorecards; either side's managers write drafts and
publish them. A published version never changes."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from audits.api import serializers
from audits.filters import ScorecardFilterSet
from audits.models import Scorecard
from audits.services import scorecards as services
from bpo_portal.api.viewsets import ScopedModelViewSet
from bpo_portal.errors import DomainError
from engagements.access import can_act_anywhere, can_act_on
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND


def _draft_of(scorecard):
    draft = scorecard.draft_version
    if draft is None:
        raise DomainError("This scorecard has no draft version; start one with new-draft/.")
    return draft


@extend_schema_view(
    list=extend_schema(summary="Scorecards of your engagements, with their versions"),
    retrieve=extend_schema(summary="One scorecard", responses={200: serializers.ScorecardSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Create a scorecard (either side's managers)",
        description="Makes an empty draft version 1, or a starter's (`starter`: `front_office` or `claims`).",
        responses={201: serializers.ScorecardSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Rename a scorecard", responses={200: serializers.ScorecardSerializer, 400: INVALID, 403: FORBIDDEN}
    ),
    update=extend_schema(
        summary="Rename a scorecard", responses={200: serializers.ScorecardSerializer, 400: INVALID, 403: FORBIDDEN}
    ),
    destroy=extend_schema(summary="Delete a scorecard (portal admins; refused once audits use it)"),
)
class ScorecardViewSet(ScopedModelViewSet):
    """What an engagement's audits rate: versions with sections and weighted criteria."""

    queryset = Scorecard.objects.select_related("engagement", "service_line").prefetch_related(
        "versions__sections__criteria", "versions__published_by"
    )
    serializer_class = serializers.ScorecardSerializer
    filterset_class = ScorecardFilterSet
    ordering_fields = ["name", "created_at"]
    denied_message = "Only the engagement's managers (either side) change its scorecards."

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "change")

    def perform_create(self, serializer):
        if not can_act_on(self.request.user, serializer.validated_data["engagement"], "change"):
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    @extend_schema(
        summary="The scorecard's versions, newest first, each with its sections and criteria",
        responses={200: serializers.ScorecardVersionSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def versions(self, request, pk=None):
        scorecard = self.get_object()
        return Response(serializers.ScorecardVersionSerializer(scorecard.versions.all(), many=True).data)

    @extend_schema(
        summary="Replace the draft version's sections and criteria (either side's managers)",
        request=serializers.DraftSerializer,
        responses={200: serializers.ScorecardVersionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["put"], filter_backends=[])
    def draft(self, request, pk=None):
        scorecard = self.get_object()
        body = serializers.DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.replace_draft(
            _draft_of(scorecard),
            by=request.user,
            sections=body.validated_data["sections"],
            pass_mark=body.validated_data.get("pass_mark"),
        )
        return Response(serializers.ScorecardVersionSerializer(version).data)

    @extend_schema(
        summary="Publish the draft version: it is locked for good, and new audits use it",
        request=None,
        responses={200: serializers.ScorecardVersionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, pk=None):
        version = services.publish_version(_draft_of(self.get_object()), by=request.user)
        return Response(serializers.ScorecardVersionSerializer(version).data)

    @extend_schema(
        summary="Start a new draft copied from the latest published version",
        request=None,
        responses={201: serializers.ScorecardVersionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="new-draft", filter_backends=[])
    def new_draft(self, request, pk=None):
        scorecard = self.get_object()
        published = scorecard.published_version
        if published is None:
            raise DomainError("Nothing is published yet; edit the draft instead.")
        draft = services.new_draft_from(published, by=request.user)
        return Response(serializers.ScorecardVersionSerializer(draft).data, status=201)
