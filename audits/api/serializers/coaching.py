"""Shapes of the calibration, action-plan and sampling API. Serializers check shape; audits.services rule."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.choices import AssignmentKind, Band, CalibrationStatus, InteractionType, PlanStatus
from audits.models import (
    ActionPlan,
    ActionPlanItem,
    AuditAssignment,
    CalibrationParticipant,
    CalibrationRating,
    CalibrationSession,
    SamplingPolicy,
)
from bpo_portal.api.fields import EnumChoiceField
from engagements.api.serializers import AgentSummarySerializer
from engagements.choices import Side
from engagements.models.people import display_name


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return display_name(obj)


class CalibrationScoreSerializer(serializers.Serializer):
    value = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    na = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Do not enter patient details.")


class CalibrationRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalibrationRating
        fields = ["criterion", "value", "na", "comment"]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    """A panel member. Their score and ratings are null until the blind rule lets the caller see them."""

    user = PersonSerializer(read_only=True)
    side = EnumChoiceField(Side, read_only=True)
    visible = serializers.SerializerMethodField(help_text="Whether the caller may see this member's scores yet.")
    score = serializers.SerializerMethodField()
    passed = serializers.SerializerMethodField()
    critical_failed = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()

    class Meta:
        model = CalibrationParticipant
        fields = [
            "user",
            "side",
            "is_expert",
            "submitted_at",
            "visible",
            "score",
            "passed",
            "critical_failed",
            "ratings",
        ]
        read_only_fields = fields

    def _visible(self, obj) -> bool:
        return obj.pk in self.context.get("visible_participants", set())

    def get_visible(self, obj) -> bool:
        return self._visible(obj)

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_score(self, obj):
        return str(obj.score) if self._visible(obj) and obj.score is not None else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_passed(self, obj):
        return obj.passed if self._visible(obj) else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_critical_failed(self, obj):
        return obj.critical_failed if self._visible(obj) else None

    @extend_schema_field(CalibrationRatingSerializer(many=True))
    def get_ratings(self, obj):
        return CalibrationRatingSerializer(obj.ratings.all(), many=True).data if self._visible(obj) else []


def visible_participants(session, user) -> set:
    """The blind rule on prefetched rows (see audits.models.calibration.may_see_scores_filter)."""
    from engagements.access import is_portal_admin

    panel = list(session.participants.all())
    if is_portal_admin(user) or not session.is_open:
        return {p.pk for p in panel}
    if any(p.user_id == user.pk and p.submitted_at for p in panel):
        return {p.pk for p in panel}
    return {p.pk for p in panel if p.user_id == user.pk}


class CalibrationSessionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="calibrationsession-detail")
    agent = AgentSummarySerializer(read_only=True)
    interaction_type = EnumChoiceField(InteractionType, read_only=True)
    status = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "url",
            "engagement",
            "version",
            "title",
            "agent",
            "interaction_type",
            "interaction_ref",
            "interaction_date",
            "notes",
            "deadline",
            "status",
            "closed_at",
            "created_at",
            "participants",
        ]
        read_only_fields = fields

    @extend_schema_field(EnumChoiceField(CalibrationStatus))
    def get_status(self, obj) -> str:
        return CalibrationStatus.OPEN if obj.is_open else CalibrationStatus.CLOSED

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, obj):
        user = self.context["request"].user
        context = {**self.context, "visible_participants": visible_participants(obj, user)}
        return ParticipantSerializer(obj.participants.all(), many=True, context=context).data


class CalibrationSessionCreateSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    version = serializers.IntegerField(help_text="A published version of one of the engagement's scorecards.")
    title = serializers.CharField(max_length=150)
    agent = serializers.IntegerField(required=False, allow_null=True)
    interaction_type = EnumChoiceField(InteractionType, default=InteractionType.CALL)
    interaction_ref = serializers.CharField(max_length=100, help_text="An id, never a patient's details.")
    interaction_date = serializers.DateField()
    deadline = serializers.DateTimeField()
    expert = serializers.IntegerField(help_text="The reference auditor's user id.")
    participants = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ScoresSerializer(serializers.Serializer):
    ratings = serializers.DictField(
        child=CalibrationScoreSerializer(), help_text="{criterion id: {value, na, comment}}"
    )
    submit = serializers.BooleanField(default=False, help_text="Score for good; the others' scores then show.")


class ReportCellSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="participant.user_id")
    is_expert = serializers.BooleanField(source="participant.is_expert")
    value = serializers.IntegerField(allow_null=True)
    na = serializers.BooleanField()
    fraction = serializers.FloatField(allow_null=True)
    deviation = serializers.FloatField(allow_null=True, help_text="Fraction minus the expert's.")


class ReportCriterionSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    name = serializers.CharField(source="criterion.name")
    expert_fraction = serializers.FloatField(source="expert.fraction", allow_null=True, default=None)
    spread = serializers.FloatField(allow_null=True)
    ratings = ReportCellSerializer(source="cells", many=True)


class ReportAuditorSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="participant.user_id")
    side = serializers.CharField(source="participant.side")
    score = serializers.DecimalField(source="participant.score", max_digits=5, decimal_places=2)
    mean_absolute_deviation = serializers.FloatField(allow_null=True)
    bias = serializers.FloatField(allow_null=True, help_text="Below 0: harsher than the expert; above: kinder.")
    tendency = serializers.CharField()
    compared = serializers.IntegerField(help_text="Criteria compared (neither side N/A).")


class ReportSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    submitted = serializers.IntegerField()
    panel = serializers.IntegerField()
    krippendorff_alpha = serializers.FloatField(
        source="alpha", allow_null=True, help_text="Ordinal; null if undefined."
    )
    auditors = ReportAuditorSerializer(many=True)
    criteria = ReportCriterionSerializer(many=True)


# --- Action plans -----------------------------------------------------------------------------------------------------


class ActionPlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionPlanItem
        fields = ["id", "description", "criteria", "done"]
        read_only_fields = ["id", "done"]
        extra_kwargs = {"criteria": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        from audits.models import Criterion

        fields["criteria"].child_relation.queryset = Criterion.objects.all()
        return fields


class ActionPlanSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="actionplan-detail")
    agent = AgentSummarySerializer(read_only=True)
    owner = PersonSerializer(read_only=True)
    status = EnumChoiceField(PlanStatus, read_only=True)
    items = ActionPlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "url",
            "engagement",
            "agent",
            "title",
            "causing_audits",
            "owner",
            "due_on",
            "follow_up_on",
            "status",
            "follow_up_audit",
            "previous_plan",
            "escalated",
            "outcome_note",
            "items",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class ActionPlanCreateSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    agent = serializers.IntegerField()
    audits = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="The audits that caused it."
    )
    title = serializers.CharField(max_length=150, required=False, help_text="Default: from the first audit.")
    owner = serializers.IntegerField(help_text="A user id of either side's people.")
    due_on = serializers.DateField()
    follow_up_on = serializers.DateField()
    previous_plan = serializers.IntegerField(required=False, allow_null=True)
    items = ActionPlanItemSerializer(
        many=True, required=False, help_text="Default: the first audit's failed criteria, one item each."
    )


class ActionPlanUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150, required=False)
    owner = serializers.IntegerField(required=False)
    due_on = serializers.DateField(required=False)
    follow_up_on = serializers.DateField(required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="Do not enter patient details.")


class ItemDoneSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    done = serializers.BooleanField()


# --- Sampling ---------------------------------------------------------------------------------------------------------


class UserIdsField(serializers.ListField):
    """User ids in; the related users' ids out."""

    child = serializers.IntegerField()

    def to_representation(self, data):
        return [user.pk for user in data.all()]


class SamplingPolicySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="samplingpolicy-detail")
    engagement = serializers.IntegerField(source="engagement_id")
    auditors = UserIdsField(required=False, help_text="User ids; empty: the provider's managers.")

    class Meta:
        model = SamplingPolicy
        fields = [
            "id",
            "url",
            "engagement",
            "on_target_per_week",
            "below_per_week",
            "ramp_per_week",
            "critical_per_week",
            "trailing_weeks",
            "clean_weeks",
            "recognition_weeks",
            "auditors",
            "active",
            "updated_at",
        ]
        read_only_fields = ["id", "url", "updated_at"]


class BandSerializer(serializers.Serializer):
    agent = serializers.IntegerField()
    band = EnumChoiceField(Band)
    per_week = serializers.IntegerField()
    rule = serializers.CharField()
    trailing_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    audits = serializers.IntegerField()
    last_critical_on = serializers.DateField(allow_null=True)


class ScheduledSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class AuditAssignmentSerializer(serializers.ModelSerializer):
    agent = AgentSummarySerializer(read_only=True)
    auditor = PersonSerializer(read_only=True, allow_null=True)
    kind = EnumChoiceField(AssignmentKind, read_only=True)
    band = serializers.CharField(read_only=True, help_text="The band that set it (blank for a follow-up).")
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = AuditAssignment
        fields = [
            "id",
            "engagement",
            "agent",
            "week_start",
            "slot",
            "kind",
            "band",
            "auditor",
            "plan",
            "audit",
            "done",
            "done_at",
            "created_at",
        ]
        read_only_fields = fields


class CompleteSerializer(serializers.Serializer):
    audit = serializers.IntegerField(help_text="The submitted audit that did it.")
