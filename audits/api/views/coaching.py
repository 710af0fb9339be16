"""The calibration, action-plan and sampling API: the UI's querysets, FilterSets and services behind DRF."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied, ValidationError
from rest_framework.response import Response

from audits import access
from audits.api.serializers import coaching as s
from audits.filters.coaching import (
    ActionPlanFilterSet,
    AuditAssignmentFilterSet,
    CalibrationSessionFilterSet,
    SamplingPolicyFilterSet,
)
from audits.models import (
    ActionPlan,
    ActionPlanItem,
    AuditAssignment,
    CalibrationParticipant,
    CalibrationSession,
    QualityAudit,
    SamplingPolicy,
    ScorecardVersion,
)
from audits.services import calibration, plans, sampling
from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, is_agent, is_portal_admin
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.models import Agent, Engagement

User = get_user_model()


def _one(queryset, pk, noun: str, field: str):
    """An object among those the caller may use, or a 400 that reads the same for unknown and hidden ids."""
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationError({field: [f"No {noun} with id {pk}."]})
    return obj


def _managers_anywhere(user) -> bool:
    return not is_agent(user) and can_act_anywhere(user, "change")


# --- Calibration ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Calibration sessions of your engagements"),
    retrieve=extend_schema(
        summary="One calibration session, with each participant's scores (blind until you have scored)",
        responses={200: s.CalibrationSessionSerializer, 404: NOT_FOUND},
    ),
)
class CalibrationSessionViewSet(ScopedModelViewSet):
    """Several auditors from either side score one interaction blind against an expert. A participant's scores
    are null for the others until they have submitted their own, or the session has closed."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = CalibrationSession.objects.select_related("agent").prefetch_related(
        Prefetch("participants", queryset=CalibrationParticipant.objects.select_related("user")),
        "participants__ratings",
    )
    serializer_class = s.CalibrationSessionSerializer
    filterset_class = CalibrationSessionFilterSet
    ordering_fields = ["created_at", "deadline", "interaction_date"]

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    @extend_schema(
        summary="Open a calibration session (either side's managers)",
        request=s.CalibrationSessionCreateSerializer,
        responses={201: s.CalibrationSessionSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message="Only the engagement's managers run calibration sessions.")
        data = s.CalibrationSessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        engagement = _one(Engagement.objects.for_user(user), v["engagement"], "engagement", "engagement")
        version = _one(ScorecardVersion.objects.for_user(user), v["version"], "scorecard version", "version")
        agent = None
        if v.get("agent") is not None:
            agent = _one(Agent.objects.for_user(user), v["agent"], "agent", "agent")
        expert = _one(User.objects.all(), v["expert"], "user", "expert")
        participants = [_one(User.objects.all(), pk, "user", "participants") for pk in v["participants"]]
        fields = {
            k: v[k] for k in ("title", "interaction_type", "interaction_ref", "interaction_date", "deadline", "notes")
        }
        session = calibration.create_session(
            engagement=engagement,
            version=version,
            agent=agent,
            expert=expert,
            participants=participants,
            by=user,
            **fields,
        )
        session = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save (and optionally submit) your own scores",
        request=s.ScoresSerializer,
        responses={200: s.CalibrationSessionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        session = get_object_or_404(CalibrationSession.objects.for_user(request.user), pk=pk)
        if not session.participants.filter(user=request.user).exists():
            raise PermissionDenied("You are not on this session's panel.")
        data = s.ScoresSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            calibration.save_scores(
                session, by=request.user, ratings=data.validated_data["ratings"], submit=data.validated_data["submit"]
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(
        summary="The session's report: per criterion, per auditor, and the panel's Krippendorff's alpha",
        responses={200: s.ReportSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        session = self.get_object()
        if not (calibration.may_see_report(session, request.user) or request.user.is_staff):
            raise PermissionDenied("The report shows once you have submitted your scores, or the session has closed.")
        return Response(s.ReportSerializer(calibration.report(session)).data)

    @extend_schema(
        summary="Close the session now (either side's managers)",
        request=None,
        responses={200: s.CalibrationSessionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        session = self.get_object()
        calibration.close_session(session, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)


# --- Action plans -----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Action plans (an agent sees only their own)"),
    retrieve=extend_schema(summary="One action plan", responses={200: s.ActionPlanSerializer, 404: NOT_FOUND}),
)
class ActionPlanViewSet(ScopedModelViewSet):
    """Coaching for one agent on one engagement, caused by audits, closed by its follow-up audit."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = ActionPlan.objects.select_related("agent", "owner").prefetch_related("causing_audits", "items__criteria")
    serializer_class = s.ActionPlanSerializer
    filterset_class = ActionPlanFilterSet
    ordering_fields = ["created_at", "due_on", "follow_up_on"]
    denied_message = "Only the engagement's managers change action plans."

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    def _respond(self, plan, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(
        summary="Start an action plan (either side's managers)",
        description="With `audits` and no `items`, the first audit's failed criteria become the items (critical "
        "ones first), as the UI's “Start an action plan” does. A follow-up assignment is scheduled.",
        request=s.ActionPlanCreateSerializer,
        responses={201: s.ActionPlanSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message="Only the engagement's managers start action plans.")
        data = s.ActionPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        engagement = _one(Engagement.objects.for_user(user), v["engagement"], "engagement", "engagement")
        agent = _one(Agent.objects.for_user(user), v["agent"], "agent", "agent")
        audits = [_one(QualityAudit.objects.for_user(user), pk, "audit", "audits") for pk in v["audits"]]
        owner = _one(User.objects.all(), v["owner"], "user", "owner")
        previous = None
        if v.get("previous_plan") is not None:
            previous = _one(ActionPlan.objects.for_user(user), v["previous_plan"], "action plan", "previous_plan")
        suggestion = plans.suggest_from_audit(audits[0]) if audits else None
        items = v.get("items") or (suggestion.items if suggestion else [])
        title = v.get("title") or (suggestion.title if suggestion else "")
        if not title:
            raise ValidationError({"title": ["Give the plan a title (or name the audit that caused it)."]})
        plan = plans.create_plan(
            engagement=engagement,
            agent=agent,
            by=user,
            title=title,
            owner=owner,
            due_on=v["due_on"],
            follow_up_on=v["follow_up_on"],
            audits=audits,
            items=items,
            previous_plan=previous,
        )
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an open plan's title, owner or dates (either side's managers)",
        request=s.ActionPlanUpdateSerializer,
        responses={200: s.ActionPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = s.ActionPlanUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields:
            fields["owner"] = _one(User.objects.all(), fields["owner"], "user", "owner")
        plans.update_plan(plan, by=request.user, **fields)
        return self._respond(plan)

    @extend_schema(
        summary="Mark one of the plan's items done (or not)",
        request=s.ItemDoneSerializer,
        responses={200: s.ActionPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="item-done")
    def item_done(self, request, pk=None):
        plan = self.get_object()
        data = s.ItemDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = _one(ActionPlanItem.objects.filter(plan=plan), data.validated_data["item"], "item", "item")
        plans.set_item_done(item, done=data.validated_data["done"], by=request.user)
        return self._respond(plan)

    @extend_schema(
        summary="Cancel an open plan, saying why",
        request=s.NoteSerializer,
        responses={200: s.ActionPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        plan = self.get_object()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plans.cancel_plan(plan, by=request.user, note=data.validated_data["note"])
        return self._respond(plan)

    @extend_schema(
        summary="Escalate a plan that was not effective (both sides' managers are told)",
        request=s.NoteSerializer,
        responses={200: s.ActionPlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        plan = self.get_object()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plans.escalate_plan(plan, by=request.user, note=data.validated_data["note"])
        return self._respond(plan)


# --- Sampling ---------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Sampling policies of your engagements"),
    retrieve=extend_schema(summary="One sampling policy", responses={200: s.SamplingPolicySerializer, 404: NOT_FOUND}),
)
class SamplingPolicyViewSet(ScopedModelViewSet):
    """How many audits a week each band of an engagement's agents gets."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = SamplingPolicy.objects.prefetch_related("auditors")
    serializer_class = s.SamplingPolicySerializer
    filterset_class = SamplingPolicyFilterSet
    denied_message = "Only the engagement's managers set its sampling policy."

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    def _save(self, engagement, data):
        fields = {k: v for k, v in data.items() if k in sampling.POLICY_FIELDS}
        auditors = None
        if "auditors" in data:
            auditors = [_one(User.objects.all(), pk, "user", "auditors") for pk in data["auditors"]]
        with transaction.atomic():
            policy = sampling.save_policy(engagement, by=self.request.user, auditors=auditors, **fields)
        return self.get_queryset().get(pk=policy.pk)

    @extend_schema(
        summary="Set an engagement's sampling policy (either side's managers; one per engagement)",
        request=s.SamplingPolicySerializer,
        responses={201: s.SamplingPolicySerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message=self.denied_message)
        data = s.SamplingPolicySerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        engagement = _one(
            Engagement.objects.for_user(request.user), data.validated_data["engagement_id"], "engagement", "engagement"
        )
        if SamplingPolicy.objects.filter(engagement=engagement).exists():
            raise ValidationError({"engagement": ["This engagement already has a policy; change it with PATCH."]})
        policy = self._save(engagement, data.validated_data)
        return Response(self.get_serializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a sampling policy (either side's managers)",
        request=s.SamplingPolicySerializer,
        responses={200: s.SamplingPolicySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        policy = self.get_object()
        data = s.SamplingPolicySerializer(policy, data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "engagement_id"}
        return Response(self.get_serializer(self._save(policy.engagement, values)).data)

    @extend_schema(summary="Each agent's band and why", responses={200: s.BandSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def bands(self, request, pk=None):
        policy = self.get_object()
        agents = Agent.objects.filter(assignments__engagement=policy.engagement).order_by("full_name")
        bands = sampling.bands_for(policy.engagement, agents, policy=policy)
        rows = [{"agent": agent_id, **band.__dict__} for agent_id, band in bands.items()]
        return Response(s.BandSerializer(rows, many=True).data)

    @extend_schema(
        summary="Create this week's assignments now (creates nothing twice)",
        request=None,
        responses={200: s.ScheduledSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        policy = self.get_object()
        return Response({"created": sampling.schedule_week(policy.engagement)})


@extend_schema_view(
    list=extend_schema(summary="Audit assignments of your engagements (filter by auditor for a queue)"),
    retrieve=extend_schema(
        summary="One audit assignment", responses={200: s.AuditAssignmentSerializer, 404: NOT_FOUND}
    ),
)
class AuditAssignmentViewSet(ScopedModelViewSet):
    """One audit due: an agent, a week, a slot, an auditor; done by the audit that names it."""

    http_method_names = ["get", "post", "head", "options"]  # POST: only the complete action
    queryset = AuditAssignment.objects.select_related("agent", "auditor")
    serializer_class = s.AuditAssignmentSerializer
    filterset_class = AuditAssignmentFilterSet
    ordering_fields = ["week_start", "slot", "created_at"]
    write_scope = access.AUDIT
    denied_message = "Only the engagement's auditors record what did an assignment."

    def scope(self, action: str):
        if action == access.AUDIT:
            if is_portal_admin(self.request.user):
                return AuditAssignment.objects.all()
            return AuditAssignment.objects.filter(engagement__in=access.audit_engagements(self.request.user))
        return super().scope(action)

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="The weekly job and action plans create assignments.")

    @extend_schema(
        summary="Record the audit that did this assignment",
        request=s.CompleteSerializer,
        responses={200: s.AuditAssignmentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assignment = self.get_object()
        data = s.CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        audit = _one(QualityAudit.objects.for_user(request.user), data.validated_data["audit"], "audit", "audit")
        sampling.complete_assignment(assignment, audit, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)
