"""The ramp API: engagements' ramp plans (targets nested) and one agent's ramp, with the UI's scopes and services."""

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, can_act_on, engagements_for, is_agent
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.models import Agent
from onboarding.api.serializers import ramp as s
from onboarding.models import RampPlan
from onboarding.services import ramp
from onboarding.views.ramp import ramp_onboardings

PLAN_EXAMPLE = OpenApiExample(
    "A four-week plan",
    value={
        "engagement": 12,
        "weeks": 4,
        "consecutive_weeks": 2,
        "targets": [
            {"week": 1, "metric": "quality_score", "threshold": "75.00"},
            {"week": 1, "metric": "average_talk_time", "threshold": "480.00"},
            {"week": 4, "metric": "quality_score", "threshold": "90.00"},
            {"week": 4, "metric": "average_talk_time", "threshold": "360.00"},
        ],
    },
    request_only=True,
)
AGENT_RAMP_EXAMPLE = OpenApiExample(
    "An agent in ramp week 3",
    value={
        "agent": 7,
        "agent_name": "Ana Reyes",
        "ramps": [
            {
                "onboarding": 31,
                "engagement": 12,
                "engagement_name": "Front desk 2026",
                "stage": "ramp",
                "started_on": "2026-11-09",
                "plan": {
                    "id": 4,
                    "engagement": 12,
                    "engagement_name": "Front desk 2026",
                    "weeks": 6,
                    "consecutive_weeks": 2,
                    "targets": [{"week": 1, "metric": "quality_score", "threshold": "75.00", "direction": "higher"}],
                    "updated_at": "2026-11-01T09:00:00Z",
                },
                "weeks": [
                    {
                        "number": 1,
                        "start": "2026-11-09",
                        "end": "2026-11-15",
                        "closed": True,
                        "status": "met",
                        "final_status": "missed",
                        "cells": [
                            {
                                "metric": "quality_score",
                                "direction": "higher",
                                "threshold": "75.00",
                                "actual": "81.50",
                                "status": "met",
                            }
                        ],
                    }
                ],
                "met_run": 0,
                "finished_week": None,
                "flags": [],
            }
        ],
    },
    response_only=True,
)


def _managers_anywhere(user) -> bool:
    return not is_agent(user) and can_act_anywhere(user, "change")


@extend_schema_view(
    list=extend_schema(summary="Ramp plans of the engagements you see"),
    retrieve=extend_schema(
        summary="One ramp plan with its weekly targets", responses={200: s.RampPlanSerializer, 404: NOT_FOUND}
    ),
    destroy=extend_schema(
        summary="Delete a ramp plan (the engagement's managers)", responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
)
class RampPlanViewSet(ScopedModelViewSet):
    """An engagement's ramp template: targets for each of the first N weeks after an agent enters ramp (each a
    metric of the SLA catalogue; its direction says ≥ or ≤), and K, the consecutive weeks on the final week's
    targets that end the ramp. Writes replace the plan's targets whole."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    queryset = RampPlan.objects.select_related("engagement").prefetch_related("targets__metric")
    serializer_class = s.RampPlanSerializer
    filterset_fields = ["engagement"]
    denied_message = "Only the engagement's managers change its ramp plan."

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    def can_destroy(self, obj) -> bool:
        return can_act_on(self.request.user, obj.engagement, "change")

    def _respond(self, plan, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(
        summary="Create an engagement's ramp plan (the engagement's managers)",
        request=s.RampPlanWriteSerializer,
        responses={201: s.RampPlanSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[PLAN_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message=self.denied_message)
        data = s.RampPlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pk = data.validated_data.get("engagement")
        engagement = engagements_for(request.user, "change").filter(pk=pk).first() if pk is not None else None
        if engagement is None:
            raise ValidationError({"engagement": [f"No engagement with id {pk} that you manage."]})
        if RampPlan.objects.filter(engagement=engagement).exists():
            raise ValidationError({"engagement": ["This engagement has a ramp plan already: PUT or PATCH it."]})
        with transaction.atomic():
            plan = ramp.save_plan(
                engagement,
                by=request.user,
                weeks=data.validated_data["weeks"],
                consecutive_weeks=data.validated_data["consecutive_weeks"],
                thresholds=data.thresholds(),
            )
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a ramp plan: N, K and every target",
        request=s.RampPlanWriteSerializer,
        responses={200: s.RampPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[PLAN_EXAMPLE],
    )
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        partial = kwargs.get("partial", False)
        data = (s.RampPlanPatchSerializer if partial else s.RampPlanWriteSerializer)(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        thresholds = (
            data.thresholds()
            if "targets" in v
            else {(t.week, t.metric.code): t.threshold for t in plan.targets.select_related("metric")}
        )
        with transaction.atomic():
            plan = ramp.save_plan(
                plan.engagement,
                by=request.user,
                weeks=v.get("weeks", plan.weeks),
                consecutive_weeks=v.get("consecutive_weeks", plan.consecutive_weeks),
                thresholds=thresholds,
            )
        return self._respond(plan)

    @extend_schema(
        summary="Change N, K or the targets (targets, when given, replace them all)",
        request=s.RampPlanPatchSerializer,
        responses={200: s.RampPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class AgentRampView(APIView):
    """GET /api/v1/agents/{id}/ramp/: the agent's ramp on each engagement the caller may see (an agent: their own)."""

    @extend_schema(
        summary="One agent's ramp: targets and weekly actuals per engagement",
        description="Weekly actuals come from the SLA engine's aggregation of the agent's own measurements (ratio of "
        "sums, in the practice's calendar); audits feed quality_score. Only closed weeks count toward flags and the "
        "finish; the week under way reads `so_far`.",
        parameters=[OpenApiParameter("engagement", int, description="Only this engagement's ramp.")],
        responses={200: s.AgentRampsSerializer, 400: INVALID, 404: NOT_FOUND},
        examples=[AGENT_RAMP_EXAMPLE],
    )
    def get(self, request, pk):
        visible = ramp_onboardings(request.user).filter(agent_id=pk)
        agent = Agent.objects.filter(pk__in=visible.values("agent_id")).first()
        if agent is None:  # one answer for unknown and hidden agents alike
            raise NotFound("No agent with that id.")
        engagement = request.query_params.get("engagement")
        if engagement is not None:
            if not engagement.isdigit():
                raise ValidationError({"engagement": ["An engagement id (a whole number)."]})
            visible = visible.filter(engagement_id=int(engagement))
        ramps = []
        for onboarding in visible.select_related("agent", "engagement__practice").order_by("engagement__name"):
            evaluation = ramp.evaluate(onboarding)
            evaluation.flag_rows = list(onboarding.ramp_flags.all())
            ramps.append(evaluation)
        payload = {"agent": agent.pk, "agent_name": agent.full_name, "ramps": ramps}
        return Response(s.AgentRampsSerializer(payload).data)
