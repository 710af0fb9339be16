"""Shapes of the audit and dispute API. Rules (who audits, the score, disputes) live in the services."""

from rest_framework import serializers

from audits.choices import AuditStatus, DisputeDecision, DisputeStatus, InteractionType
from audits.models import CriterionRating, Dispute, DisputeItem, QualityAudit, ScorecardVersion
from audits.services import audits as services
from audits.services import disputes as dispute_services
from audits.validators import validate_interaction_ref
from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import Side
from engagements.models import Agent, Engagement
from engagements.models.people import display_name
from slas.api.serializers import VisibleObjectField


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class RatingSerializer(serializers.ModelSerializer):
    """One criterion's rating: `value` on its scale (yes = 1, no = 0; 1–5; 0–max points), or `na`."""

    criterion = serializers.PrimaryKeyRelatedField(read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)
    critical = serializers.BooleanField(source="criterion.critical", read_only=True)

    class Meta:
        model = CriterionRating
        fields = ["criterion", "criterion_name", "critical", "value", "na", "comment"]


class RatingInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="A criterion of the audit's scorecard version.")
    value = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    na = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Do not enter patient details.")


def _ratings(rows) -> dict:
    return {row["criterion"]: {k: row[k] for k in ("value", "na", "comment") if k in row} for row in rows}


class AuditSerializer(serializers.ModelSerializer):
    """An audit with its score and ratings. Create a draft (ratings optional), change it while it is a draft,
    then `submit/`; the score comes from the one score function and never from the request."""

    url = serializers.HyperlinkedIdentityField(view_name="qualityaudit-detail")
    engagement = VisibleObjectField("engagement", queryset=Engagement.objects.none())
    agent = VisibleObjectField("agent", queryset=Agent.objects.none())
    agent_name = serializers.CharField(source="agent.full_name", read_only=True)
    version = VisibleObjectField(
        "scorecard version", queryset=ScorecardVersion.objects.none(), help_text="A published scorecard version."
    )
    interaction_type = EnumChoiceField(InteractionType, required=False)
    interaction_ref = serializers.CharField(
        max_length=100,
        validators=[validate_interaction_ref],
        help_text="The interaction's id in your system — never a patient's name, phone, e-mail, date of birth or SSN.",
    )
    auditor = serializers.SerializerMethodField()
    auditor_side = EnumChoiceField(
        Side, required=False, help_text="Set from the auditor's membership; portal admins say which side."
    )
    status = EnumChoiceField(AuditStatus, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    rating_input = RatingInputSerializer(
        many=True,
        required=False,
        write_only=True,
        source="ratings_in",
        help_text="Ratings to save: [{criterion, value | na, comment}].",
    )

    class Meta:
        model = QualityAudit
        fields = [
            "id",
            "url",
            "engagement",
            "agent",
            "agent_name",
            "version",
            "interaction_type",
            "interaction_ref",
            "interaction_date",
            "auditor",
            "auditor_side",
            "is_calibration",
            "feedback",
            "status",
            "score",
            "score_before_critical",
            "passed",
            "critical_failed",
            "submitted_at",
            "acknowledged_at",
            "acknowledged_on_behalf",
            "created_at",
            "updated_at",
            "ratings",
            "rating_input",
        ]
        read_only_fields = [
            "id",
            "status",
            "score",
            "score_before_critical",
            "passed",
            "critical_failed",
            "submitted_at",
            "acknowledged_at",
            "acknowledged_on_behalf",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)
            self.fields["agent"].queryset = Agent.objects.for_user(user)
            self.fields["version"].queryset = ScorecardVersion.objects.for_user(user)

    def get_auditor(self, audit) -> str | None:
        return display_name(audit.auditor)

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("engagement", "agent", "version", "auditor_side", "is_calibration"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "This is fixed once the audit is created."})
        return attrs

    def create(self, validated_data):
        ratings = _ratings(validated_data.pop("ratings_in", []))
        return services.create_audit(by=_user(self), ratings=ratings, **validated_data)

    def update(self, instance, validated_data):
        ratings = _ratings(validated_data.pop("ratings_in", []))
        for name in ("engagement", "agent", "version", "auditor_side", "is_calibration"):
            validated_data.pop(name, None)
        return services.update_audit(instance, by=_user(self), ratings=ratings, **validated_data)


class AcknowledgeSerializer(serializers.Serializer):
    """Nothing to send: the caller is recorded, and marked as on the agent's behalf unless they are the agent."""


class DisputeItemSerializer(serializers.ModelSerializer):
    criterion = serializers.PrimaryKeyRelatedField(read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)
    decision = EnumChoiceField(DisputeDecision, read_only=True, allow_null=True)

    class Meta:
        model = DisputeItem
        fields = [
            "criterion",
            "criterion_name",
            "proposed_value",
            "proposed_na",
            "reason",
            "decision",
            "decided_value",
            "decided_na",
        ]
        read_only_fields = ["proposed_value", "proposed_na", "reason", "decision", "decided_value", "decided_na"]


class DisputeItemInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    proposed_value = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    proposed_na = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, help_text="Do not enter patient details.")


class DisputeSerializer(serializers.ModelSerializer):
    """A dispute of an audit's ratings: the proposed ratings and why; once decided, the decision per criterion."""

    url = serializers.HyperlinkedIdentityField(view_name="dispute-detail")
    audit = VisibleObjectField("audit", queryset=QualityAudit.objects.none())
    status = EnumChoiceField(DisputeStatus, read_only=True)
    deciding_side = EnumChoiceField(Side, source="audit.auditor_side", read_only=True)
    score = serializers.DecimalField(source="audit.score", max_digits=5, decimal_places=2, read_only=True)
    items = DisputeItemSerializer(many=True, read_only=True)
    item_input = DisputeItemInputSerializer(many=True, write_only=True, source="items_in")
    raised_by = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "url",
            "audit",
            "status",
            "deciding_side",
            "reason",
            "raised_by",
            "raised_on_behalf",
            "raised_at",
            "decide_by",
            "decided_at",
            "decision_note",
            "score",
            "items",
            "item_input",
        ]
        read_only_fields = ["id", "raised_on_behalf", "raised_at", "decide_by", "decided_at", "decision_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["audit"].queryset = QualityAudit.objects.for_user(user)

    def get_raised_by(self, dispute) -> str | None:
        return display_name(dispute.raised_by)

    def create(self, validated_data):
        items = {
            row["criterion"]: {
                "value": row.get("proposed_value"),
                "na": row.get("proposed_na", False),
                "reason": row.get("reason", ""),
            }
            for row in validated_data.get("items_in", [])
        }
        return dispute_services.raise_dispute(
            validated_data["audit"], by=_user(self), reason=validated_data.get("reason", ""), items=items
        )


class DecisionInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    decision = EnumChoiceField(DisputeDecision)
    value = serializers.IntegerField(required=False, allow_null=True, min_value=0, help_text="For `set`.")
    na = serializers.BooleanField(required=False, default=False, help_text="For `set`: N/A instead of a value.")


class DecideSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="Why you decided so. Do not enter patient details.")
    decisions = DecisionInputSerializer(many=True)

    def decisions_by_criterion(self) -> dict:
        return {
            row["criterion"]: {"decision": row["decision"], "value": row.get("value"), "na": row.get("na", False)}
            for row in self.validated_data["decisions"]
        }
