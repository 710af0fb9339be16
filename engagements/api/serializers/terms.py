"""Serializers of the contract terms area: contract terms with their computed dates, checkpoints and the
termination-without-penalty evidence."""

from datetime import date

from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import CheckpointOutcome
from engagements.models import Checkpoint, Contract, Engagement
from engagements.models.people import display_name
from engagements.services import save_contract
from engagements.services.terms import DECIDED_OUTCOMES


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class EngagementIdField(serializers.PrimaryKeyRelatedField):
    """An engagement among those the caller can see: unknown and out of sight read alike."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Engagement.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = "No engagement with id {pk_value}."
        self.error_messages["incorrect_type"] = "An engagement is given by its id (a whole number)."


TERMS = [
    "starts_on",
    "ends_on",
    "evaluation_months",
    "checkpoint_interval_months",
    "notice_days",
    "auto_renew",
    "renewal_term_months",
    "signed_on",
    "termination_breach_count",
    "termination_window_months",
]


class ContractTermsSerializer(serializers.ModelSerializer):
    """A contract's terms and the dates the portal computes from them, in the practice's calendar. Recorded and
    changed only through the contract service, which checks the terms as a whole; the pricing is elsewhere."""

    url = serializers.HyperlinkedIdentityField(view_name="contract-detail")
    engagement = EngagementIdField(help_text="The engagement's id; one contract per engagement, fixed once recorded.")
    evaluation_months = serializers.IntegerField(
        min_value=6,
        max_value=12,
        default=6,
        error_messages={
            "min_value": "The evaluation period must be between 6 and 12 months.",
            "max_value": "The evaluation period must be between 6 and 12 months.",
        },
        help_text="6 to 12 months during which either side can judge the service before committing.",
    )
    evaluation_ends_on = serializers.DateField(read_only=True, help_text="Start + evaluation months.")
    current_term_number = serializers.SerializerMethodField(
        help_text="0 for the initial term, k for the k-th automatic renewal."
    )
    current_term_ends_on = serializers.SerializerMethodField(
        help_text="The end of the term today falls in, across automatic renewals."
    )
    notice_deadline = serializers.SerializerMethodField(
        help_text="The last day to give notice for the contract to end with the current term (term end − notice)."
    )
    days_to_notice_deadline = serializers.SerializerMethodField(
        help_text="Days from today (the practice's date) to the notice deadline; negative once it has passed."
    )
    long_renewal = serializers.BooleanField(
        source="has_long_renewal", read_only=True, help_text="Renews automatically for more than 24 months at a time."
    )
    notice_deadline_near = serializers.SerializerMethodField(
        help_text="The notice deadline is today or within the next 30 days."
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "url",
            "engagement",
            *TERMS,
            "version",
            "evaluation_ends_on",
            "current_term_number",
            "current_term_ends_on",
            "notice_deadline",
            "days_to_notice_deadline",
            "long_renewal",
            "notice_deadline_near",
            "updated_at",
        ]
        read_only_fields = ["version", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)
        if isinstance(self.instance, Contract):
            self.fields["engagement"].required = False  # fixed once recorded: a PUT need not repeat it

    def _today(self, contract) -> date:
        # One practice-local date per contract and response, whatever the number of computed fields.
        cache = self.context.setdefault("_today", {})
        if contract.pk not in cache:
            cache[contract.pk] = contract.local_today()
        return cache[contract.pk]

    def get_current_term_number(self, contract) -> int:
        return contract.current_term(self._today(contract)).number

    def get_current_term_ends_on(self, contract) -> date:
        return contract.current_term_ends_on(self._today(contract))

    def get_notice_deadline(self, contract) -> date:
        return contract.notice_deadline_on(self._today(contract))

    def get_days_to_notice_deadline(self, contract) -> int:
        return contract.days_to_notice_deadline(self._today(contract))

    def get_notice_deadline_near(self, contract) -> bool:
        return contract.notice_deadline_near(self._today(contract))

    def validate_engagement(self, engagement):
        if self.instance is not None and engagement != self.instance.engagement:
            raise serializers.ValidationError("A contract stays with its engagement.")
        if self.instance is None and Contract.objects.filter(engagement=engagement).exists():
            raise serializers.ValidationError(
                "This engagement already has a contract; change it with PUT or PATCH on its URL."
            )
        return engagement

    def create(self, validated_data):
        engagement = validated_data.pop("engagement")
        return save_contract(engagement, by=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("engagement", None)
        return save_contract(instance.engagement, by=_request_user(self), **validated_data)


class CheckpointSerializer(serializers.ModelSerializer):
    """An evaluation checkpoint and the practice's outcome. Generated from the contract's terms; the outcome is
    recorded with `POST …/{id}/outcome/`."""

    url = serializers.HyperlinkedIdentityField(view_name="checkpoint-detail")
    engagement = serializers.IntegerField(source="contract.engagement_id", read_only=True)
    outcome = EnumChoiceField(CheckpointOutcome, read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Checkpoint
        fields = ["id", "url", "contract", "engagement", "sequence", "due_on", "outcome", "notes"]
        fields += ["recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_recorded_by(self, checkpoint) -> str | None:
        return display_name(checkpoint.recorded_by)


class CheckpointOutcomeSerializer(serializers.Serializer):
    """What the practice decided at the checkpoint."""

    outcome = serializers.ChoiceField(choices=[(value, CheckpointOutcome(value).label) for value in DECIDED_OUTCOMES])
    notes = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The conditions (required for `conditions`), or why. No patient details.",
    )


class BreachEvidenceSerializer(serializers.Serializer):
    """A breach that counts towards termination without penalty."""

    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="breach-detail")
    metric = serializers.CharField(source="target.metric.code")
    service_line = serializers.CharField(source="target.service_line.code", allow_null=True, default=None)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    period_label = serializers.CharField(source="period_code", help_text="e.g. 2026-W47, Nov 2026")
    status = serializers.CharField(help_text="open or closed (resolved-by-data breaches never count)")
    value = serializers.DecimalField(max_digits=24, decimal_places=4)
    threshold = serializers.DecimalField(max_digits=24, decimal_places=4)


class TerminationEligibilitySerializer(serializers.Serializer):
    """Whether the practice may end the contract without penalty today, why, and the breaches as evidence."""

    eligible = serializers.BooleanField()
    reason = serializers.CharField()
    required = serializers.IntegerField(help_text="N: breaches that allow termination.")
    window_months = serializers.IntegerField(help_text="M: within this many months.")
    found = serializers.IntegerField(help_text="Breaches that count, today.")
    evaluation_ends_on = serializers.DateField()
    counts_from = serializers.DateField(
        allow_null=True, help_text="The earliest period start that counts; null while the clause cannot apply."
    )
    breaches = BreachEvidenceSerializer(many=True)
