"""Shapes of the interviews API. Serializers check shape; onboarding.services.interviews rules."""

from rest_framework import serializers

from audits.api.serializers.coaching import PersonSerializer
from bpo_portal.api.fields import EnumChoiceField
from onboarding.choices import InterviewStatus
from onboarding.models import Interview, InterviewFeedback, InterviewRound


class InterviewRoundSerializer(serializers.ModelSerializer):
    """A round of a hiring profile: its number, the skills its interviewers rate 1–5 and the average it needs."""

    engagement = serializers.IntegerField(
        source="hiring_profile.engagement_id", help_text="The engagement whose hiring profile has this round."
    )
    hiring_profile = serializers.IntegerField(source="hiring_profile_id", read_only=True)
    expected_skills = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1)
    expected_average = serializers.DecimalField(max_digits=3, decimal_places=2, min_value=1, max_value=5)

    class Meta:
        model = InterviewRound
        fields = ["id", "engagement", "hiring_profile", "number", "name", "expected_skills", "expected_average"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["engagement"].read_only = True  # a round stays on its profile
        return fields


class InterviewSerializer(serializers.ModelSerializer):
    """One candidate's interview in one round, with its panel and (once decided) its result."""

    engagement = serializers.IntegerField(source="onboarding.engagement_id", read_only=True)
    agent = serializers.IntegerField(source="onboarding.agent_id", read_only=True)
    agent_name = serializers.CharField(source="onboarding.agent.full_name", read_only=True)
    round_number = serializers.IntegerField(source="round.number", read_only=True)
    round_name = serializers.CharField(source="round.name", read_only=True)
    interviewers = PersonSerializer(many=True, read_only=True)
    feedback_count = serializers.SerializerMethodField()
    status = EnumChoiceField(InterviewStatus, read_only=True)
    overridden_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "onboarding",
            "engagement",
            "agent",
            "agent_name",
            "round",
            "round_number",
            "round_name",
            "scheduled_at",
            "interviewers",
            "feedback_count",
            "status",
            "average",
            "decided_at",
            "override_reason",
            "overridden_by",
            "overridden_at",
        ]
        read_only_fields = fields

    def get_feedback_count(self, obj) -> int:
        return len(obj.feedback.all())


class ScheduleInterviewSerializer(serializers.Serializer):
    onboarding = serializers.IntegerField()
    round = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    interviewers = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="User ids, from either side's active members."
    )


class OverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the round passes despite its feedback; kept with who and when.")


class InterviewFeedbackSerializer(serializers.ModelSerializer):
    """An interviewer's feedback: a rating 1–5 per expected skill, notes, cleared or not. The interviewer is the
    caller; posting again revises your own feedback until the round is decided."""

    interviewer = PersonSerializer(read_only=True)
    ratings = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="Skill name → rating 1–5, one for each of the round's expected skills.",
    )
    interview = serializers.IntegerField(source="interview_id")
    onboarding = serializers.IntegerField(source="interview.onboarding_id", read_only=True)
    interview_status = EnumChoiceField(InterviewStatus, source="interview.status", read_only=True)

    class Meta:
        model = InterviewFeedback
        fields = [
            "id",
            "interview",
            "onboarding",
            "interviewer",
            "ratings",
            "average",
            "notes",
            "cleared",
            "submitted_at",
            "interview_status",
        ]
        read_only_fields = ["id", "onboarding", "interviewer", "average", "submitted_at", "interview_status"]
        extra_kwargs = {"cleared": {"required": True}}
