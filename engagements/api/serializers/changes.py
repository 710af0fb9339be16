"""Shapes of the change-request and contract-version API. Rules live in engagements.services.changes."""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.api.serializers import ServiceLineCodeField
from engagements.choices import PricingBasis, Side
from engagements.models import ChangeRequest, ContractVersion, Engagement
from engagements.models.changes import ChangeKind, ChangeStatus
from engagements.models.people import display_name
from engagements.services import changes


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class EngagementIdField(serializers.PrimaryKeyRelatedField):
    """An engagement the caller can see, by id; unknown and out of sight read alike."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = "No engagement with id {pk_value}."
        self.error_messages["incorrect_type"] = "An engagement is given by its id (a whole number)."


class ChangeRequestSerializer(serializers.ModelSerializer):
    """A proposed change to a signed contract. `POST` proposes one (the managers of either side); the practice's
    managers approve or reject it, and the proposing side may withdraw it, through the actions below.

    Fields by `kind` — `add_line`: `service_line`, `basis`, and `unit_rate` (+ `expected_monthly_volume`) for a
    per-unit line or `fte` for a line charged by the hour; `remove_line`: `service_line`; `change_volume`:
    `service_line`, `expected_monthly_volume`; `change_rate`: `service_line` with `unit_rate` (per-unit line) or
    `fte` (hourly line), or no `service_line` and `hourly_rate` (the contract's rate per FTE hour); `change_date`:
    any of `ends_on`, `notice_days`, `renewal_term_months`. Fields a kind does not use are ignored."""

    url = serializers.HyperlinkedIdentityField(view_name="changerequest-detail")
    engagement = EngagementIdField(
        source="contract.engagement", queryset=Engagement.objects.none(), help_text="The engagement's id."
    )
    contract = serializers.IntegerField(source="contract_id", read_only=True)
    kind = EnumChoiceField(ChangeKind)
    service_line = ServiceLineCodeField(required=False, allow_null=True, help_text="The service line's code.")
    basis = EnumChoiceField(PricingBasis, required=False, allow_null=True)
    status = EnumChoiceField(ChangeStatus, read_only=True)
    proposing_side = EnumChoiceField(Side, read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True)
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    monthly_cost_delta = serializers.SerializerMethodField(
        help_text="How much more (negative: less) the contract costs a month with the change: live while proposed "
        "(null when the request no longer fits the current terms), frozen once decided."
    )
    resulting_version = serializers.SerializerMethodField(help_text="The contract version an approval produced.")

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "url",
            "engagement",
            "contract",
            "kind",
            "summary",
            "service_line",
            "basis",
            "expected_monthly_volume",
            "fte",
            "unit_rate",
            "hourly_rate",
            "ends_on",
            "notice_days",
            "renewal_term_months",
            "reason",
            "status",
            "proposed_by",
            "proposing_side",
            "proposed_at",
            "proposed_on_version",
            "decided_by",
            "decided_at",
            "decision_note",
            "monthly_cost_delta",
            "resulting_version",
        ]
        read_only_fields = ["proposed_at", "proposed_on_version", "decided_at", "decision_note"]
        extra_kwargs = {"reason": {"help_text": "Why the change is needed. No patient details."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def get_proposed_by(self, request) -> str | None:
        return display_name(request.proposed_by)

    def get_decided_by(self, request) -> str | None:
        return display_name(request.decided_by)

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_monthly_cost_delta(self, request):
        live_terms = self.context.get("live_terms") or {}
        delta = changes.current_delta(request, live_terms.get(request.contract_id))
        return None if delta is None else f"{delta:.2f}"

    def get_resulting_version(self, request) -> int | None:
        version = getattr(request, "resulting_version", None)
        return version.number if version is not None else None

    def create(self, validated_data):
        engagement = validated_data.pop("contract")["engagement"]
        return changes.propose_change_request(engagement, by=_request_user(self), **validated_data)


class ChangeRequestNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why. Required to reject. No patient details."
    )


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ScopeLineChange(models.TextChoices):
    ADDED = "added", "Added"
    REMOVED = "removed", "Removed"
    CHANGED = "changed", "Changed"


class LineChangeSerializer(serializers.Serializer):
    service_line = serializers.CharField(help_text="The service line's code.")
    change = EnumChoiceField(ScopeLineChange)
    fields = FieldChangeSerializer(many=True)


class VersionDiffSerializer(serializers.Serializer):
    terms = FieldChangeSerializer(many=True, help_text="Contract terms that changed, field by field.")
    lines = LineChangeSerializer(many=True, help_text="Scope lines added, removed or changed.")


class ContractVersionSerializer(serializers.ModelSerializer):
    """The terms of a contract at one version; each later version is the result of an approved change request."""

    url = serializers.HyperlinkedIdentityField(view_name="contractversion-detail")
    engagement = serializers.IntegerField(source="contract.engagement_id", read_only=True)
    contract = serializers.IntegerField(source="contract_id", read_only=True)
    created_by = serializers.SerializerMethodField()
    terms = serializers.JSONField(read_only=True, help_text="The snapshot: dates, renewal, pricing and scope lines.")

    class Meta:
        model = ContractVersion
        fields = [
            "id",
            "url",
            "engagement",
            "contract",
            "number",
            "summary",
            "change_request",
            "created_at",
            "created_by",
            "terms",
        ]
        read_only_fields = fields

    def get_created_by(self, version) -> str | None:
        return display_name(version.created_by)


class ContractVersionDetailSerializer(ContractVersionSerializer):
    diff = serializers.SerializerMethodField(help_text="What changed since the previous version; null for the first.")

    class Meta(ContractVersionSerializer.Meta):
        fields = [*ContractVersionSerializer.Meta.fields, "diff"]
        read_only_fields = fields

    @extend_schema_field(VersionDiffSerializer(allow_null=True))
    def get_diff(self, version):
        diff = changes.version_diff(version)
        return None if diff is None else diff.as_json()
