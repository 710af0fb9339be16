"""Serializers of the responsibilities API: shapes only; the rules are onboarding.services.responsibilities."""

from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from onboarding.choices import RungMetric, SuspensionCause
from onboarding.models import Ladder, Responsibility, ResponsibilityEvent, Rung


class RungSerializer(serializers.ModelSerializer):
    service_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_line_name = serializers.CharField(source="service_line.name", read_only=True)
    target_metric = EnumChoiceField(
        RungMetric, read_only=True, allow_null=True, help_text="Null when the rung is earned by time alone."
    )

    class Meta:
        model = Rung
        fields = [
            "id",
            "position",
            "service_line",
            "service_line_name",
            "modules",
            "documents",
            "hold_weeks",
            "target_metric",
            "target_threshold",
            "target_days",
        ]
        read_only_fields = fields


class LadderSerializer(serializers.ModelSerializer):
    rungs = RungSerializer(many=True, read_only=True)

    class Meta:
        model = Ladder
        fields = ["id", "engagement", "rungs", "updated_at"]
        read_only_fields = fields


class ResponsibilityEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponsibilityEvent
        fields = ["action", "at", "by", "reason", "audit"]
        read_only_fields = fields


class ResponsibilitySerializer(serializers.ModelSerializer):
    service_line = serializers.CharField(source="rung.service_line.code", read_only=True)
    events = ResponsibilityEventSerializer(many=True, read_only=True)
    suspension_cause = EnumChoiceField(
        SuspensionCause, read_only=True, allow_null=True, help_text="Null unless suspended."
    )

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "agent",
            "engagement",
            "rung",
            "service_line",
            "status",
            "granted_at",
            "granted_by",
            "suspended_at",
            "suspension_cause",
            "suspension_reason",
            "suspended_audit",
            "reinstated_at",
            "reinstated_by",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
            "events",
        ]
        read_only_fields = fields


class GrantSerializer(serializers.Serializer):
    onboarding = serializers.IntegerField(help_text="The agent's onboarding onto the engagement.")
    rung = serializers.IntegerField(help_text="A rung of that engagement's ladder.")


class RevokeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why it is revoked (no patient details).")


class ReinstateNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RoutableAgentSerializer(serializers.Serializer):
    agent = serializers.IntegerField()
    full_name = serializers.CharField()
    employee_ref = serializers.CharField()
    onboarding = serializers.IntegerField()
    responsibility = serializers.IntegerField()
    granted_at = serializers.DateTimeField()


class RoutingSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    service_line = serializers.CharField()
    agents = RoutableAgentSerializer(many=True)


class LineStateSerializer(serializers.Serializer):
    service_line = serializers.CharField()
    service_line_name = serializers.CharField()
    position = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["held", "suspended", "eligible", "missing", "revoked"])
    may_work = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why they may not work it (empty if they may)."
    )
    responsibility = serializers.IntegerField(allow_null=True)


class EngagementLinesSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    engagement_name = serializers.CharField()
    onboarding = serializers.IntegerField()
    stage = serializers.CharField()
    lines = LineStateSerializer(many=True)


class AgentResponsibilitiesSerializer(serializers.Serializer):
    agent = serializers.IntegerField()
    full_name = serializers.CharField()
    engagements = EngagementLinesSerializer(many=True)
