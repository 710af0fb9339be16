"""Shapes of the due-diligence API: certifications (with an evidence upload) and due-diligence reviews."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField, SummaryRelatedField
from engagements.access import engagements_for, is_portal_admin, membership_of
from engagements.api.serializers import CallersProvider, ProviderSummarySerializer
from engagements.models import (
    Certification,
    DueDiligenceDecisionRecord,
    DueDiligenceItem,
    DueDiligenceReview,
    Engagement,
    Provider,
)
from engagements.models.diligence import (
    MAX_RATING,
    CertificationKind,
    CertificationStatus,
    DiligenceDecision,
    DiligenceItemKey,
    validate_evidence,
)
from engagements.models.people import display_name
from engagements.services import diligence as services


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def evidence_provider_ids(user) -> set | None:
    """The providers whose evidence files `user` may open (None: all of them). One query, for a whole list."""
    if is_portal_admin(user):
        return None
    membership = membership_of(user)
    if membership is None:
        return set()
    ids = set(engagements_for(user).values_list("provider_id", flat=True))
    if membership.provider_id:
        ids.add(membership.provider_id)
    return ids


# --- Certifications -------------------------------------------------------------------------------------------------


class CertificationSerializer(serializers.ModelSerializer):
    """Send as `multipart/form-data` to upload the evidence file, or as JSON to change the other fields."""

    url = serializers.HyperlinkedIdentityField(view_name="certification-detail")
    provider = SummaryRelatedField(
        ProviderSummarySerializer,
        queryset=Provider.objects.none(),
        default=CallersProvider(),
        help_text="Defaults to your own provider; only a portal admin chooses another. Fixed once created.",
    )
    kind = EnumChoiceField(CertificationKind)
    status = EnumChoiceField(
        CertificationStatus,
        read_only=True,
        help_text="Valid, expiring within 60 days, or expired (from its expiry date on), as of today.",
    )
    evidence = serializers.FileField(
        write_only=True,
        required=False,
        validators=[validate_evidence],
        help_text="The certificate or report: PDF, PNG or JPEG, up to 10 MB. Replaces any earlier file.",
    )
    evidence_url = serializers.SerializerMethodField(
        help_text="Where to download the evidence, if there is one and you may open it (the provider's people and "
        "the practices that have an engagement with it); otherwise null."
    )

    class Meta:
        model = Certification
        fields = [
            "id",
            "url",
            "provider",
            "kind",
            "other_name",
            "name",
            "issuer",
            "issued_on",
            "expires_on",
            "status",
            "evidence",
            "evidence_name",
            "evidence_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["name", "evidence_name", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["provider"].queryset = Provider.objects.for_user(user)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_evidence_url(self, certification) -> str | None:
        if not certification.evidence:
            return None
        if "evidence_providers" not in self.context:
            self.context["evidence_providers"] = evidence_provider_ids(_request_user(self))
        allowed = self.context["evidence_providers"]
        if allowed is not None and certification.provider_id not in allowed:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(certification.evidence_url) if request else certification.evidence_url

    def validate_provider(self, provider):
        if self.instance is not None and provider != self.instance.provider:
            raise serializers.ValidationError("A certification stays with its provider.")
        if not Provider.objects.for_user(_request_user(self), "change").filter(pk=provider.pk).exists():
            raise serializers.ValidationError("You can only record certifications of your own provider.")
        return provider

    def validate(self, attrs):
        issued_on = attrs.get("issued_on", getattr(self.instance, "issued_on", None))
        expires_on = attrs.get("expires_on", getattr(self.instance, "expires_on", None))
        if issued_on and expires_on and expires_on <= issued_on:
            raise serializers.ValidationError({"expires_on": "A certification must expire after it was issued."})
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        other_name = attrs.get("other_name", getattr(self.instance, "other_name", ""))
        if kind == CertificationKind.OTHER and not other_name.strip():
            raise serializers.ValidationError({"other_name": "Name a certification of kind “other”."})
        return attrs

    def create(self, validated_data):
        return self._save(Certification(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, certification, validated_data):
        upload = validated_data.pop("evidence", None)
        for field, value in validated_data.items():
            setattr(certification, field, value)
        return services.save_certification(certification, by=_request_user(self), new_evidence=upload)


# --- Reviews --------------------------------------------------------------------------------------------------------


class DueDiligenceItemSerializer(serializers.ModelSerializer):
    key = EnumChoiceField(DiligenceItemKey, read_only=True)
    label = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = DueDiligenceItem
        fields = ["id", "key", "label", "weight", "rating", "evidence", "date_value", "number_value", "updated_at"]
        read_only_fields = fields


class DueDiligenceItemChangeSerializer(serializers.Serializer):
    """One item's new answers; fields left out stay as they are."""

    key = EnumChoiceField(DiligenceItemKey)
    rating = serializers.IntegerField(
        min_value=0, max_value=MAX_RATING, allow_null=True, required=False, help_text="0–5, or null for unrated."
    )
    weight = serializers.IntegerField(min_value=1, max_value=10, required=False)
    evidence = serializers.CharField(allow_blank=True, required=False)
    date_value = serializers.DateField(allow_null=True, required=False, help_text="Penetration test only.")
    number_value = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        min_value=0,
        allow_null=True,
        required=False,
        help_text="Breach notification (hours) only.",
    )


class DueDiligenceItemsSerializer(serializers.Serializer):
    items = DueDiligenceItemChangeSerializer(many=True, allow_empty=False)

    def validate_items(self, items):
        keys = [item["key"] for item in items]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("Name each item once.")
        return items


class DueDiligenceDecisionRecordSerializer(serializers.ModelSerializer):
    decision = EnumChoiceField(DiligenceDecision, read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = DueDiligenceDecisionRecord
        fields = ["id", "decision", "conditions", "score", "decided_by", "decided_at"]
        read_only_fields = fields

    def get_decided_by(self, record) -> str | None:
        return display_name(record.decided_by)


class DueDiligenceReviewSerializer(serializers.ModelSerializer):
    """The practice's review of the provider. The provider's side sees the decision, its conditions and the score,
    but not the ratings and notes (`items` is null for them)."""

    url = serializers.HyperlinkedIdentityField(view_name="duediligencereview-detail")
    engagement = serializers.PrimaryKeyRelatedField(read_only=True)
    decision = EnumChoiceField(DiligenceDecision, read_only=True, allow_null=True)
    decided_by = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField(help_text="0–100, weighted over the rated items; null if none is.")
    rated = serializers.SerializerMethodField()
    unrated = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    decisions = DueDiligenceDecisionRecordSerializer(many=True, read_only=True)

    class Meta:
        model = DueDiligenceReview
        fields = [
            "id",
            "url",
            "engagement",
            "decision",
            "conditions",
            "decided_by",
            "decided_at",
            "score",
            "rated",
            "unrated",
            "items",
            "decisions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _score(self, review):
        return review.summary(list(review.items.all()))

    def get_decided_by(self, review) -> str | None:
        return display_name(review.decided_by) if review.decided_by_id else None

    def get_score(self, review) -> int | None:
        return self._score(review).score

    def get_rated(self, review) -> int:
        return self._score(review).rated

    def get_unrated(self, review) -> int:
        return self._score(review).unrated

    @extend_schema_field(DueDiligenceItemSerializer(many=True, allow_null=True))
    def get_items(self, review):
        user = _request_user(self)
        membership = membership_of(user)
        if not (is_portal_admin(user) or (membership and membership.practice_id == review.engagement.practice_id)):
            return None
        return DueDiligenceItemSerializer(review.items.all(), many=True).data


class DueDiligenceStartSerializer(serializers.Serializer):
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)
        self.fields["engagement"].error_messages["does_not_exist"] = "No engagement with id {pk_value}."


class DueDiligenceDecisionSerializer(serializers.Serializer):
    decision = EnumChoiceField(DiligenceDecision)
    conditions = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="Required with approve_with_conditions."
    )
