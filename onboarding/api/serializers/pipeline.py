"""Shapes of the pipeline API (onboardings and stage moves). The rules are in onboarding.services.pipeline."""

from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import AgentStatus
from engagements.models import Agent, Engagement
from onboarding.choices import OffboardReason, SourcingChannel
from onboarding.models import Onboarding
from onboarding.services import pipeline
from slas.api.serializers import VisibleObjectField


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class OnboardingSerializer(serializers.ModelSerializer):
    """An agent's onboarding onto one engagement. Create starts one as a candidate (the provider's managers);
    the stage moves only through `POST /api/v1/agents/{id}/stage/`."""

    url = serializers.HyperlinkedIdentityField(view_name="onboarding-detail")
    agent = VisibleObjectField("agent", queryset=Agent.objects.none())
    agent_name = serializers.CharField(source="agent.full_name", read_only=True)
    employee_ref = serializers.CharField(source="agent.employee_ref", read_only=True)
    engagement = VisibleObjectField("engagement", queryset=Engagement.objects.none())
    stage = EnumChoiceField(AgentStatus, read_only=True)
    sourcing_channel = EnumChoiceField(SourcingChannel, required=False, allow_blank=True)
    offboard_reason = EnumChoiceField(
        OffboardReason, read_only=True, allow_null=True, help_text="Null unless offboarded."
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text="No patient details.")

    class Meta:
        model = Onboarding
        fields = [
            "id",
            "url",
            "agent",
            "agent_name",
            "employee_ref",
            "engagement",
            "stage",
            "stage_entered_at",
            "sourcing_channel",
            "time_zone",
            "offboard_reason",
            "offboard_note",
            "created_at",
            "note",
        ]
        read_only_fields = ["id", "stage", "stage_entered_at", "offboard_reason", "offboard_note", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["agent"].queryset = Agent.objects.for_user(user)
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def create(self, validated_data):
        return pipeline.start_onboarding(
            validated_data["agent"],
            validated_data["engagement"],
            by=_user(self),
            sourcing_channel=validated_data.get("sourcing_channel", ""),
            time_zone=validated_data.get("time_zone", ""),
            note=validated_data.get("note", ""),
        )

    def update(self, instance, validated_data):  # pragma: no cover - the viewset offers no update
        raise NotImplementedError


class StageMoveSerializer(serializers.Serializer):
    """A move of one agent's onboarding onto an engagement: the next stage of the path, or `offboarded` with a
    reason."""

    engagement = serializers.IntegerField(help_text="The engagement whose onboarding moves.")
    to_stage = EnumChoiceField(AgentStatus, help_text="The next stage of the path, or offboarded.")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="No patient details.")
    offboard_reason = EnumChoiceField(OffboardReason, required=False, help_text="Required to offboard.")


class MissingSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), help_text="One entry per missing prerequisite.")
