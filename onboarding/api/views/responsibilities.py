"""The responsibilities API: the routing answers (who may work a line now; one agent's lines and why not), the
ladders, and grants with their revoke and reinstate actions — the UI's services behind DRF."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import is_agent
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.models import Agent, Engagement, ServiceLine
from onboarding.api.serializers import responsibilities as s
from onboarding.models import Ladder, Onboarding, Responsibility, Rung
from onboarding.services import responsibilities as services


def _no_agents(request):
    if is_agent(request.user):  # an agent's login has no engagement workspace: nothing here exists for it
        raise NotFound()


ROUTING_EXAMPLE = OpenApiExample(
    "Two agents may take scheduling calls",
    value={
        "engagement": 12,
        "service_line": "scheduling",
        "agents": [
            {
                "agent": 31,
                "full_name": "Maria Santos",
                "employee_ref": "CV-1001",
                "onboarding": 7,
                "responsibility": 3,
                "granted_at": "2026-10-05T14:00:00Z",
            }
        ],
    },
    response_only=True,
)

AGENT_EXAMPLE = OpenApiExample(
    "Held scheduling, suspended customer service, not yet insurance",
    value={
        "agent": 31,
        "full_name": "Maria Santos",
        "engagements": [
            {
                "engagement": 12,
                "engagement_name": "Front desk 2026",
                "onboarding": 7,
                "stage": "live",
                "lines": [
                    {
                        "service_line": "scheduling",
                        "service_line_name": "Appointment scheduling and reminders",
                        "position": 1,
                        "state": "held",
                        "may_work": True,
                        "reasons": [],
                        "responsibility": 3,
                    },
                    {
                        "service_line": "customer_service",
                        "service_line_name": "Customer service",
                        "position": 2,
                        "state": "suspended",
                        "may_work": False,
                        "reasons": ["Module “HIPAA essentials” not passed or expired."],
                        "responsibility": 4,
                    },
                    {
                        "service_line": "insurance_verification",
                        "service_line_name": "Insurance verification",
                        "position": 3,
                        "state": "missing",
                        "may_work": False,
                        "reasons": ["The previous rung, Customer service, is suspended."],
                        "responsibility": None,
                    },
                ],
            }
        ],
    },
    response_only=True,
)


class RoutingView(generics.GenericAPIView):
    """Who may work a service line on an engagement now — for the provider's phone system or work queue to ask
    before it routes work."""

    serializer_class = s.RoutingSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="The agents who may work a service line on an engagement now",
        description="Granted the line, not suspended, their onboarding live, and the line's prerequisites holding "
        "at this moment (a module that expired an hour ago counts before the nightly recheck has run).",
        parameters=[
            OpenApiParameter("engagement", OpenApiTypes.INT, required=True, description="The engagement's id."),
            OpenApiParameter(
                "service_line", OpenApiTypes.STR, required=True, description="A service line code, e.g. scheduling."
            ),
        ],
        responses={200: s.RoutingSerializer, 400: INVALID, 404: NOT_FOUND},
        examples=[ROUTING_EXAMPLE],
    )
    def get(self, request):
        _no_agents(request)
        engagement_id, code = request.query_params.get("engagement"), request.query_params.get("service_line")
        errors = {}
        if not (engagement_id or "").isdigit():
            errors["engagement"] = ["Give the engagement's id."]
        line = ServiceLine.objects.filter(code=code).first() if code else None
        if line is None:
            errors["service_line"] = [f"No service line with code {code!r}." if code else "Give a service line code."]
        if errors:
            raise ValidationError(errors)
        engagement = get_object_or_404(Engagement.objects.for_user(request.user), pk=int(engagement_id))
        rows = [
            {
                "agent": onboarding.agent_id,
                "full_name": onboarding.agent.full_name,
                "employee_ref": onboarding.agent.employee_ref,
                "onboarding": onboarding.pk,
                "responsibility": grant.pk,
                "granted_at": grant.granted_at,
            }
            for onboarding, grant in services.routable_agents(engagement, line)
        ]
        data = {"engagement": engagement.pk, "service_line": line.code, "agents": rows}
        return Response(self.get_serializer(data).data)


class AgentResponsibilitiesView(generics.GenericAPIView):
    """One agent's lines on every engagement the caller sees, and for each line they may not work, why."""

    serializer_class = s.AgentResponsibilitiesSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="One agent's service lines: which they may work, and why not the others",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The agent's id."),
            OpenApiParameter("engagement", OpenApiTypes.INT, description="Only this engagement."),
        ],
        responses={200: s.AgentResponsibilitiesSerializer, 404: NOT_FOUND},
        examples=[AGENT_EXAMPLE],
    )
    def get(self, request, pk):
        _no_agents(request)
        onboardings = Onboarding.objects.for_user(request.user).filter(agent_id=pk)
        onboardings = onboardings.select_related("engagement", "agent")
        first = onboardings.first()
        agent = first.agent if first else get_object_or_404(Agent.objects.for_user(request.user), pk=pk)
        engagement_id = request.query_params.get("engagement")
        if engagement_id:
            if not engagement_id.isdigit() or not onboardings.filter(engagement_id=int(engagement_id)).exists():
                raise NotFound()
            onboardings = onboardings.filter(engagement_id=int(engagement_id))
        entries = []
        for onboarding in onboardings.order_by("engagement__name", "pk"):
            states = services.line_states(onboarding.engagement, [onboarding])[onboarding.pk]
            entries.append(
                {
                    "engagement": onboarding.engagement_id,
                    "engagement_name": onboarding.engagement.name,
                    "onboarding": onboarding.pk,
                    "stage": onboarding.stage,
                    "lines": [
                        {
                            "service_line": state.rung.service_line.code,
                            "service_line_name": state.rung.service_line.name,
                            "position": state.rung.position,
                            "state": state.state,
                            "may_work": state.may_work,
                            "reasons": [] if state.may_work else list(state.reasons),
                            "responsibility": state.grant.pk if state.grant else None,
                        }
                        for state in states
                    ],
                }
            )
        data = {"agent": agent.pk, "full_name": agent.full_name, "engagements": entries}
        return Response(self.get_serializer(data).data)


@extend_schema_view(
    list=extend_schema(summary="The ladders of your engagements, rung by rung"),
    retrieve=extend_schema(summary="One engagement's ladder", responses={200: s.LadderSerializer, 404: NOT_FOUND}),
)
class LadderViewSet(ScopedModelViewSet):
    """Read the ladders (edited on the engagement's ladder page)."""

    http_method_names = ["get", "head", "options"]
    queryset = Ladder.objects.prefetch_related(
        Prefetch("rungs", Rung.objects.select_related("service_line").prefetch_related("modules", "documents"))
    )
    serializer_class = s.LadderSerializer
    filterset_fields = ["engagement"]
    ordering = ["pk"]

    def get_queryset(self):
        _no_agents(self.request)
        return super().get_queryset()


@extend_schema_view(
    list=extend_schema(summary="Grants of service lines on your engagements (held, suspended, revoked)"),
    retrieve=extend_schema(
        summary="One grant with its history", responses={200: s.ResponsibilitySerializer, 404: NOT_FOUND}
    ),
)
class ResponsibilityViewSet(ScopedModelViewSet):
    """Grants of rungs: a provider manager grants when nothing is missing, revokes with a reason, reinstates
    after a suspension; suspensions happen by themselves."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Responsibility.objects.select_related("rung__service_line").prefetch_related("events")
    serializer_class = s.ResponsibilitySerializer
    filterset_fields = ["engagement", "agent", "status"]
    ordering = ["engagement_id", "agent_id", "rung__position", "pk"]

    def get_queryset(self):
        _no_agents(self.request)
        return super().get_queryset()

    def _respond(self, responsibility, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=responsibility.pk)).data, status=code)

    def _visible(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _require_granter(self, engagement):
        if not services.may_grant(self.request.user, engagement):
            self.permission_denied(self.request, message="Only the provider's managers do this.")

    @extend_schema(
        summary="Grant a rung (the provider's managers): refused with what is missing",
        request=s.GrantSerializer,
        responses={201: s.ResponsibilitySerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        _no_agents(request)
        body = s.GrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        onboarding = Onboarding.objects.for_user(request.user).filter(pk=body.validated_data["onboarding"]).first()
        if onboarding is None:
            raise ValidationError({"onboarding": [f"No onboarding with id {body.validated_data['onboarding']}."]})
        rung = Rung.objects.filter(ladder__engagement=onboarding.engagement, pk=body.validated_data["rung"]).first()
        if rung is None:
            raise ValidationError({"rung": ["No such rung on this engagement's ladder."]})
        self._require_granter(onboarding.engagement)
        responsibility = services.grant(onboarding, rung, by=request.user)
        return self._respond(responsibility, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a grant, with the reason (the provider's managers)",
        request=s.RevokeReasonSerializer,
        responses={200: s.ResponsibilitySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        responsibility = self._visible(pk)
        self._require_granter(responsibility.engagement)
        body = s.RevokeReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.revoke(responsibility, by=request.user, reason=body.validated_data["reason"]))

    @extend_schema(
        summary="Reinstate a suspended grant (the provider's managers; the only way out of a critical fail)",
        request=s.ReinstateNoteSerializer,
        responses={200: s.ResponsibilitySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reinstate(self, request, pk=None):
        responsibility = self._visible(pk)
        self._require_granter(responsibility.engagement)
        body = s.ReinstateNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.reinstate(responsibility, by=request.user, note=body.validated_data["note"]))
