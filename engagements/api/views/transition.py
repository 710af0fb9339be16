"""The phased transition's REST API: the UI's querysets, FilterSets and services behind DRF viewsets."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, can_act_on
from engagements.api.serializers import transition as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.filters.transition import GateCriterionFilterSet, MilestoneFilterSet, TransitionPhaseFilterSet
from engagements.models import GateCriterion, Milestone, TransitionPhase
from engagements.services import transition as services

PRACTICE_ONLY = "Only the practice's managers can do this."
MANAGERS_ONLY = "Only the managers of either side can change milestones."


@extend_schema_view(
    list=extend_schema(summary="Transition phases of your engagements, in order"),
    retrieve=extend_schema(summary="One phase", responses={200: serializers.TransitionPhaseSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Plan a phase (the practice's managers)",
        description="Omit `order` to add the phase last. Status and actual dates change only through `start/` and "
        "`gate-decision/`.",
        responses={201: serializers.TransitionPhaseSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a phase (the practice's managers)",
        description="A phase that is done is kept as it was.",
        responses={200: serializers.TransitionPhaseSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a phase (the practice's managers)",
        responses={200: serializers.TransitionPhaseSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a phase that has not started (the practice's managers)",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class TransitionPhaseViewSet(ScopedModelViewSet):
    """The plan by which work moves to the provider: phases in order, each with the service lines it hands over.
    Both sides read it; the practice plans it, starts it and decides each gate."""

    queryset = TransitionPhase.objects.select_related("engagement").prefetch_related("service_lines")
    serializer_class = serializers.TransitionPhaseSerializer
    filterset_class = TransitionPhaseFilterSet
    ordering_fields = ["order", "planned_start", "planned_end", "updated_at"]
    ordering = ["engagement_id", "order", "pk"]
    denied_message = "Only the practice's managers can change the transition plan."
    creating_actions = ("gate_decision", "standard_plan")  # each records new rows: Idempotency-Key applies

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "manage_contract")

    def can_destroy(self, obj) -> bool:
        return True  # get_object already required the practice's write scope

    def perform_create(self, serializer):
        if not can_act_on(self.request.user, serializer.validated_data["engagement"], "manage_contract"):
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    def perform_destroy(self, instance):
        services.delete_phase(instance, by=self.request.user)

    @extend_schema(
        summary="The phase's gate: ready or not, with the evidence",
        description="Each criterion's last K closed periods of its target (the current period is still open), with "
        "the KPI value and its status. A period without a KPI value is not met; a gate without criteria is not "
        "ready.",
        responses={200: serializers.GateEvaluationSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def gate(self, request, pk=None):
        return Response(services.evaluate_gate(self.get_object()).as_dict())

    @extend_schema(
        summary="Record go or no-go at the active phase's gate (the practice's managers)",
        description="Go needs a ready gate; it marks the phase done, starts the next one today and brings its service "
        "lines into the engagement's live scope, all or nothing. No-go needs a `note` and keeps the phase active. "
        "Each decision is kept with the evidence it was taken on.",
        request=serializers.GateDecisionRequestSerializer,
        responses={201: serializers.GateDecisionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="gate-decision", filter_backends=[])
    def gate_decision(self, request, pk=None):
        phase = self.get_object()
        body = serializers.GateDecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.record_gate_decision(phase, by=request.user, **body.validated_data)
        return Response(serializers.GateDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The gate decisions taken on this phase, newest first",
        responses={200: serializers.GateDecisionSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def decisions(self, request, pk=None):
        decisions = self.get_object().gate_decisions.select_related("decided_by")
        return Response(serializers.GateDecisionSerializer(decisions, many=True).data)

    def _engagement_action(self, request, perform):
        body = serializers.EngagementActionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        engagement = body.validated_data["engagement"]
        if not can_act_on(request.user, engagement, "manage_contract"):
            self.permission_denied(request, message=self.denied_message)
        result = perform(engagement, by=request.user)
        phases = result if isinstance(result, list) else [result]
        data = serializers.TransitionPhaseSerializer(phases, many=True, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="Start an engagement's first phase (the practice's managers)",
        description="The engagement must be transitioning and no phase started yet. The first phase becomes active "
        "today and its service lines join the live scope. Answers the started phase, in a list.",
        request=serializers.EngagementActionSerializer,
        responses={200: serializers.TransitionPhaseSerializer(many=True), 400: INVALID, 403: FORBIDDEN},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def start(self, request):
        return self._engagement_action(request, services.start_transition)

    @extend_schema(
        summary="Plan an engagement's phases from the standard plan (the practice's managers)",
        description="For an engagement without phases: its peripheral lines first (scheduling, customer service), "
        "then the revenue cycle, then back-office work. Answers the planned phases.",
        request=serializers.EngagementActionSerializer,
        responses={200: serializers.TransitionPhaseSerializer(many=True), 400: INVALID, 403: FORBIDDEN},
    )
    @action(detail=False, methods=["post"], url_path="standard-plan", filter_backends=[], pagination_class=None)
    def standard_plan(self, request):
        return self._engagement_action(request, services.create_standard_plan)


@extend_schema_view(
    list=extend_schema(summary="Gate criteria of your engagements' phases"),
    retrieve=extend_schema(
        summary="One gate criterion", responses={200: serializers.GateCriterionSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Add a gate criterion (the practice's managers)",
        description="The target must belong to the phase's engagement; `consecutive_periods` is at least 1.",
        responses={201: serializers.GateCriterionSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a gate criterion (the practice's managers)",
        responses={200: serializers.GateCriterionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a gate criterion (the practice's managers)",
        responses={200: serializers.GateCriterionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Remove a gate criterion (the practice's managers)",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class GateCriterionViewSet(ScopedModelViewSet):
    """What each phase's gate asks for: SLA targets met for K consecutive closed periods."""

    queryset = GateCriterion.objects.select_related("phase", "target__metric")
    serializer_class = serializers.GateCriterionSerializer
    filterset_class = GateCriterionFilterSet
    ordering_fields = ["created_at"]
    ordering = ["phase_id", "pk"]
    denied_message = "Only the practice's managers can set gate criteria."

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "manage_contract")

    def can_destroy(self, obj) -> bool:
        return True  # get_object already required the practice's write scope

    def perform_create(self, serializer):
        if not can_act_on(self.request.user, serializer.validated_data["phase"].engagement, "manage_contract"):
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    def perform_destroy(self, instance):
        services.delete_criterion(instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Milestones of your engagements' transitions"),
    retrieve=extend_schema(summary="One milestone", responses={200: serializers.MilestoneSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Add a milestone (either side's managers)",
        responses={201: serializers.MilestoneSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a milestone (either side's managers)",
        responses={200: serializers.MilestoneSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a milestone (either side's managers)",
        responses={200: serializers.MilestoneSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a milestone (either side's managers)", responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
)
class MilestoneViewSet(ScopedModelViewSet):
    """What has to be done in each phase, who owns it and by when. `?overdue=true` lists the late ones."""

    queryset = Milestone.objects.select_related("phase", "owner_user", "done_by")
    serializer_class = serializers.MilestoneSerializer
    filterset_class = MilestoneFilterSet
    ordering_fields = ["due_on", "done_at", "created_at"]
    ordering = ["due_on", "pk"]
    denied_message = MANAGERS_ONLY

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "change_engagement")

    def can_destroy(self, obj) -> bool:
        return True  # get_object already required a manager's write scope

    def perform_create(self, serializer):
        if not can_act_on(self.request.user, serializer.validated_data["phase"].engagement, "change_engagement"):
            self.permission_denied(self.request, message=self.denied_message)
        super().perform_create(serializer)

    @extend_schema(
        summary="Mark a milestone done (either side's managers)",
        request=None,
        responses={200: serializers.MilestoneSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def done(self, request, pk=None):
        milestone = services.complete_milestone(self.get_object(), by=request.user)
        return Response(self.get_serializer(milestone).data)
