"""The interviews API: interview rounds per hiring profile, interviews, and each interviewer's feedback, on the UI's
querysets, FilterSets and services."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, is_agent, membership_of
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.choices import Role
from engagements.models import Engagement
from onboarding.api.serializers import interviews as s
from onboarding.filters.interviews import InterviewFeedbackFilterSet, InterviewFilterSet, InterviewRoundFilterSet
from onboarding.models import Interview, InterviewFeedback, InterviewRound, Onboarding
from onboarding.services import interviews as interview_services

User = get_user_model()


def _one(queryset, pk, noun: str, field: str):
    """An object among those the caller may use, or a 400 that reads the same for unknown and hidden ids."""
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationError({field: [f"No {noun} with id {pk}."]})
    return obj


def _managers_anywhere(user) -> bool:
    return not is_agent(user) and can_act_anywhere(user, "change")


ROUND_EXAMPLE = OpenApiExample(
    "A third round",
    value={
        "engagement": 1,
        "number": 3,
        "name": "Practice manager's panel",
        "expected_skills": ["Scheduling judgement", "Insurance vocabulary"],
        "expected_average": "4.00",
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Interview rounds of your engagements' hiring profiles"),
    retrieve=extend_schema(summary="One interview round", responses={200: s.InterviewRoundSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Add a round to an engagement's hiring profile (either side's managers)",
        examples=[ROUND_EXAMPLE],
        responses={201: s.InterviewRoundSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a round (its skills and expectation stay once candidates were rated against them)",
        responses={200: s.InterviewRoundSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change part of a round",
        examples=[OpenApiExample("Raise the bar", value={"expected_average": "4.00"}, request_only=True)],
        responses={200: s.InterviewRoundSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a round nobody has been interviewed in",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class InterviewRoundViewSet(ScopedModelViewSet):
    """The rounds of interviews a hiring profile asks for. Filter by `engagement`."""

    queryset = InterviewRound.objects.select_related("hiring_profile")
    serializer_class = s.InterviewRoundSerializer
    filterset_class = InterviewRoundFilterSet
    ordering_fields = ["number"]

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    def can_destroy(self, obj) -> bool:
        return True  # get_object has required the write scope; the service keeps rounds with interviews

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        engagement_id = data.pop("hiring_profile")["engagement_id"]
        engagement = _one(Engagement.objects.for_user(self.request.user), engagement_id, "engagement", "engagement")
        serializer.instance = interview_services.create_round(engagement=engagement, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("hiring_profile", None)
        serializer.instance = interview_services.update_round(serializer.instance, by=self.request.user, **data)

    def perform_destroy(self, instance):
        interview_services.delete_round(instance, by=self.request.user)


SCHEDULE_EXAMPLE = OpenApiExample(
    "Round 2 with a practice-side interviewer",
    value={"onboarding": 12, "round": 2, "scheduled_at": "2026-12-03T15:00:00Z", "interviewers": [4, 7]},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Interviews of your engagements' candidates"),
    retrieve=extend_schema(summary="One interview", responses={200: s.InterviewSerializer, 404: NOT_FOUND}),
)
class InterviewViewSet(ScopedModelViewSet):
    """Candidates' interviews, one per onboarding and round. Filter by `engagement`, `round` (its number),
    `status`, `onboarding`, or `mine=true` for the interviews you are on the panel of."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Interview.objects.select_related("onboarding__agent", "round", "overridden_by").prefetch_related(
        "interviewers", "feedback"
    )
    serializer_class = s.InterviewSerializer
    filterset_class = InterviewFilterSet
    ordering_fields = ["scheduled_at", "decided_at"]
    creating_actions = ("create",)

    def can_create(self) -> bool:
        return _managers_anywhere(self.request.user)

    @extend_schema(
        summary="Schedule a candidate's interview in the next open round (either side's managers)",
        request=s.ScheduleInterviewSerializer,
        examples=[SCHEDULE_EXAMPLE],
        responses={201: s.InterviewSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message="Only the engagement's managers schedule interviews.")
        data = s.ScheduleInterviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        onboarding = _one(Onboarding.objects.for_user(user), v["onboarding"], "onboarding", "onboarding")
        round_ = _one(InterviewRound.objects.for_user(user), v["round"], "interview round", "round")
        panel = list(User.objects.filter(pk__in=v["interviewers"]))
        if len(panel) != len(set(v["interviewers"])):
            raise ValidationError({"interviewers": ["Each interviewer is a user id of either side's members."]})
        interview = interview_services.schedule_interview(
            onboarding=onboarding, round=round_, scheduled_at=v["scheduled_at"], interviewers=panel, by=user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=interview.pk)).data, status=201)

    @extend_schema(
        summary="Pass a round that did not pass, with a reason (the provider's managers)",
        request=s.OverrideSerializer,
        examples=[
            OpenApiExample(
                "A reason",
                value={"reason": "The not-cleared vote was about a headset fault; re-heard the recording."},
                request_only=True,
            )
        ],
        responses={200: s.InterviewSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        interview = get_object_or_404(self.get_queryset().select_related("onboarding__engagement"), pk=pk)
        if not interview_services.may_override(request.user, interview.onboarding.engagement):
            self.permission_denied(request, message="Only a manager of the engagement's provider overrides a round.")
        data = s.OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview_services.override(interview=interview, by=request.user, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=interview.pk)).data)


FEEDBACK_EXAMPLE = OpenApiExample(
    "Round 1 feedback",
    value={
        "interview": 31,
        "ratings": {"Spoken English clarity": 4, "Empathy": 5, "Professionalism": 4},
        "notes": "Calm and clear; asked good questions about the practice's hours.",
        "cleared": True,
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Interview feedback on your engagements' candidates"),
    retrieve=extend_schema(
        summary="One interviewer's feedback", responses={200: s.InterviewFeedbackSerializer, 404: NOT_FOUND}
    ),
)
class InterviewFeedbackViewSet(ScopedModelViewSet):
    """Each interviewer's feedback. Filter by `interview`, `onboarding` or `engagement`. The interviewer is always
    the caller: only those on the interview's panel give it, once each, revisable until the round is decided."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = InterviewFeedback.objects.select_related("interviewer", "interview")
    serializer_class = s.InterviewFeedbackSerializer
    filterset_class = InterviewFeedbackFilterSet
    ordering_fields = ["submitted_at"]

    def can_create(self) -> bool:
        user, membership = self.request.user, membership_of(self.request.user)
        is_person = membership is None or membership.role not in (Role.AGENT, Role.INTEGRATION)
        return is_person and can_act_anywhere(user, "view")

    @extend_schema(
        summary="Give (or revise) your feedback on an interview you are on the panel of",
        request=s.InterviewFeedbackSerializer,
        examples=[FEEDBACK_EXAMPLE],
        responses={201: s.InterviewFeedbackSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message="Only an interview's interviewers give feedback on it.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        interview = _one(Interview.objects.for_user(request.user), v["interview_id"], "interview", "interview")
        if not interview.interviewers.filter(pk=request.user.pk).exists():
            self.permission_denied(request, message="Only the interviewers on this interview's panel give feedback.")
        feedback = interview_services.submit_feedback(
            interview=interview, by=request.user, ratings=v["ratings"], notes=v.get("notes", ""), cleared=v["cleared"]
        )
        data = self.get_serializer(self.get_queryset().get(pk=feedback.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)
