"""Ramp plans with their targets nested, and one agent's ramp (targets and weekly actuals) per engagement."""

from rest_framework import serializers

from onboarding.models import RampFlag, RampPlan, RampTarget
from onboarding.models.ramp import MAX_WEEKS


class RampTargetSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="A metric code of the SLA catalogue."
    )
    direction = serializers.CharField(source="metric.direction", read_only=True)

    class Meta:
        model = RampTarget
        fields = ["week", "metric", "threshold", "direction"]


class RampTargetInputSerializer(serializers.Serializer):
    week = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS)
    metric = serializers.SlugField(help_text="A metric code of the SLA catalogue, e.g. quality_score.")
    threshold = serializers.DecimalField(max_digits=12, decimal_places=2)


class RampPlanSerializer(serializers.ModelSerializer):
    targets = RampTargetSerializer(many=True, read_only=True)
    engagement_name = serializers.CharField(source="engagement.name", read_only=True)

    class Meta:
        model = RampPlan
        fields = ["id", "engagement", "engagement_name", "weeks", "consecutive_weeks", "targets", "updated_at"]
        read_only_fields = fields


class RampPlanWriteSerializer(serializers.Serializer):
    """The whole plan: N, K and every target (a week × metric without one asks nothing that week)."""

    engagement = serializers.IntegerField(required=False, help_text="Required when creating; ignored on update.")
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS)
    consecutive_weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, default=2)
    targets = RampTargetInputSerializer(many=True)

    def thresholds(self) -> dict:
        data = self.validated_data
        wanted = {}
        for target in data["targets"]:
            key = (target["week"], target["metric"])
            if key in wanted:
                raise serializers.ValidationError({"targets": [f"Week {key[0]} has two targets on {key[1]}."]})
            wanted[key] = target["threshold"]
        return wanted


class RampPlanPatchSerializer(RampPlanWriteSerializer):
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, required=False)
    consecutive_weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, required=False)
    targets = RampTargetInputSerializer(many=True, required=False)


class RampCellSerializer(serializers.Serializer):
    metric = serializers.CharField(source="target.metric.code")
    direction = serializers.CharField(source="target.metric.direction")
    threshold = serializers.DecimalField(source="target.threshold", max_digits=12, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    status = serializers.CharField(help_text="met, missed or no_data (no measurement that week).")


class RampWeekSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    closed = serializers.BooleanField(help_text="False for the week under way (its actuals are so far).")
    status = serializers.CharField(help_text="met, missed, no_data, or so_far for the week under way.")
    final_status = serializers.CharField(help_text="The same week judged on the final week's targets.")
    cells = RampCellSerializer(many=True)


class RampFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RampFlag
        fields = ["week", "flagged_at", "reason"]


class AgentRampSerializer(serializers.Serializer):
    onboarding = serializers.IntegerField(source="onboarding.pk")
    engagement = serializers.IntegerField(source="onboarding.engagement_id")
    engagement_name = serializers.CharField(source="onboarding.engagement.name")
    stage = serializers.CharField(source="onboarding.stage")
    started_on = serializers.DateField(allow_null=True, help_text="Monday of ramp week 1 (practice's calendar).")
    plan = RampPlanSerializer()
    weeks = RampWeekSerializer(many=True)
    met_run = serializers.IntegerField(help_text="Consecutive closed weeks on the final targets (at most K).")
    finished_week = serializers.IntegerField(allow_null=True)
    flags = RampFlagSerializer(many=True, source="flag_rows")


class AgentRampsSerializer(serializers.Serializer):
    agent = serializers.IntegerField()
    agent_name = serializers.CharField()
    ramps = AgentRampSerializer(many=True)
