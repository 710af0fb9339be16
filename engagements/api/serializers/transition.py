"""Shapes of the phased-transition API. Serializers check shape and tenancy; the rules live in
engagements.services.transition."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.api.serializers import ServiceLineCodeField
from engagements.models import Engagement, GateCriterion, GateDecision, Milestone, TransitionPhase
from engagements.models.people import display_name
from engagements.services import transition as services


class PhaseStatus:
    """Names the enum in the schema (`PhaseStatusEnum`) rather than a generic `StatusEnum`."""

    choices = TransitionPhase.Status.choices


class GateOutcome:
    choices = GateDecision.Outcome.choices


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class VisibleKeyField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the caller can see; unknown and out of sight read alike."""

    def __init__(self, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."


class TransitionPhaseSerializer(serializers.ModelSerializer):
    """A phase of the hand-over. Its status and actual dates change only through start and gate decisions."""

    url = serializers.HyperlinkedIdentityField(view_name="transitionphase-detail")
    engagement = VisibleKeyField("engagement", queryset=Engagement.objects.none(), help_text="Fixed once created.")
    order = serializers.IntegerField(
        required=False, min_value=0, max_value=32767, help_text="Position in the plan; omit to add the phase last."
    )
    service_lines = ServiceLineCodeField(many=True, required=False, help_text="Service line codes it hands over.")
    status = EnumChoiceField(PhaseStatus, read_only=True)

    class Meta:
        model = TransitionPhase
        fields = [
            "id",
            "url",
            "engagement",
            "name",
            "order",
            "service_lines",
            "planned_start",
            "planned_end",
            "status",
            "actual_start",
            "actual_end",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["actual_start", "actual_end", "created_at", "updated_at"]
        validators = []  # (engagement, order) is checked by the service, with a message on the right field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def validate_engagement(self, engagement):
        if self.instance is not None and engagement != self.instance.engagement:
            raise serializers.ValidationError("A phase stays with its engagement.")
        return engagement

    def create(self, validated_data):
        lines = validated_data.pop("service_lines", None)
        return services.save_phase(TransitionPhase(**validated_data), by=_user(self), service_lines=lines)

    def update(self, instance, validated_data):
        lines = validated_data.pop("service_lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_phase(instance, by=_user(self), service_lines=lines)


class EngagementActionSerializer(serializers.Serializer):
    engagement = VisibleKeyField("engagement", queryset=Engagement.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)


class GateCriterionSerializer(serializers.ModelSerializer):
    """One thing a phase's gate asks for: an SLA target of the same engagement, met K closed periods in a row."""

    url = serializers.HyperlinkedIdentityField(view_name="gatecriterion-detail")
    phase = VisibleKeyField("phase", queryset=TransitionPhase.objects.none(), help_text="Fixed once created.")
    target = VisibleKeyField("SLA target", queryset=GateCriterion.objects.none(), help_text="An SLA target id.")
    metric = serializers.CharField(source="target.metric.code", read_only=True)
    threshold = serializers.CharField(source="target.describe_threshold", read_only=True)
    period = serializers.CharField(source="target.period", read_only=True)

    class Meta:
        model = GateCriterion
        fields = ["id", "url", "phase", "target", "metric", "threshold", "period", "consecutive_periods", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the service says why a combination is refused

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            from slas.models import SLATarget  # SLA targets are the SLA engine's (lazy: see DESIGN §2)

            self.fields["phase"].queryset = TransitionPhase.objects.for_user(user)
            self.fields["target"].queryset = SLATarget.objects.for_user(user)

    def validate_phase(self, phase):
        if self.instance is not None and phase != self.instance.phase:
            raise serializers.ValidationError("A criterion stays with its phase.")
        return phase

    def create(self, validated_data):
        return services.save_criterion(GateCriterion(**validated_data), by=_user(self))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_criterion(instance, by=_user(self))


class MilestoneSerializer(serializers.ModelSerializer):
    """Something to get done in a phase, with its owner (a name or a person on either side) and due date."""

    url = serializers.HyperlinkedIdentityField(view_name="milestone-detail")
    phase = VisibleKeyField("phase", queryset=TransitionPhase.objects.none(), help_text="Fixed once created.")
    owner_user = VisibleKeyField(
        "person",
        queryset=get_user_model().objects.none(),
        required=False,
        allow_null=True,
        help_text="A person on either side of the engagement, by user id; or give `owner_name`.",
    )
    owner = serializers.CharField(read_only=True, help_text="The owner's name, whichever way it was given.")
    done = serializers.BooleanField(source="is_done", read_only=True)
    done_by = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "url",
            "phase",
            "title",
            "owner_user",
            "owner_name",
            "owner",
            "due_on",
            "done",
            "done_at",
            "done_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["done_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["phase"].queryset = TransitionPhase.objects.for_user(user)
            visible = Engagement.objects.for_user(user)
            self.fields["owner_user"].queryset = (
                get_user_model()
                .objects.filter(
                    Q(membership__practice__engagements__in=visible) | Q(membership__provider__engagements__in=visible)
                )
                .distinct()
            )

    def get_done_by(self, milestone) -> str | None:
        return display_name(milestone.done_by)

    def validate_phase(self, phase):
        if self.instance is not None and phase != self.instance.phase:
            raise serializers.ValidationError("A milestone stays with its phase.")
        return phase

    def create(self, validated_data):
        return services.save_milestone(Milestone(**validated_data), by=_user(self))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_milestone(instance, by=_user(self))


# --- Gate evaluation and decisions (documentation of plain-data answers) ---------------------------------------------


class PeriodEvidenceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    sample_size = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    status = serializers.CharField(
        help_text="met, warning, breach, insufficient — or missing when no KPI value exists."
    )
    met = serializers.BooleanField()


class CriterionEvidenceSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    target = serializers.IntegerField()
    metric = serializers.CharField()
    threshold = serializers.CharField()
    period = serializers.CharField()
    consecutive_periods = serializers.IntegerField()
    met = serializers.BooleanField()
    explanation = serializers.CharField()
    periods = PeriodEvidenceSerializer(many=True, help_text="The last K closed periods, oldest first.")


class GateEvaluationSerializer(serializers.Serializer):
    phase = serializers.IntegerField()
    ready = serializers.BooleanField()
    reason = serializers.CharField()
    evaluated_on = serializers.DateField(help_text="Today in the practice's calendar.")
    criteria = CriterionEvidenceSerializer(many=True)


class GateDecisionRequestSerializer(serializers.Serializer):
    outcome = EnumChoiceField(GateOutcome)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required for a no-go.")


class GateDecisionSerializer(serializers.ModelSerializer):
    outcome = EnumChoiceField(GateOutcome, read_only=True)
    decided_by = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField(
        help_text="The gate evaluation the decision was taken on; null for a decision recorded without one."
    )

    class Meta:
        model = GateDecision
        fields = ["id", "phase", "outcome", "note", "decided_by", "decided_at", "evidence"]
        read_only_fields = fields

    def get_decided_by(self, decision) -> str | None:
        return display_name(decision.decided_by)

    @extend_schema_field(GateEvaluationSerializer(allow_null=True))
    def get_evidence(self, decision):
        # Decisions recorded before evidence was kept (and the demo's) hold an empty dict, not an evaluation.
        return GateEvaluationSerializer(decision.evidence).data if decision.evidence else None
