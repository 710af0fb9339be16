"""Shapes of the scope, pricing, fee, credit and cost API. Writes go through engagements.services.money."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements import pricing
from engagements.api.serializers import ServiceLineCodeField
from engagements.choices import FeeKind, PricingBasis, PricingModel
from engagements.models import Contract, ContractScope, OneOffFee, VolumeTier
from engagements.services import money


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


class VisibleContractField(serializers.PrimaryKeyRelatedField):
    """A contract among those whose engagement the caller may see; others read as unknown."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Contract.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = "No contract with id {pk_value}."

    def get_queryset(self):
        user = _request_user(self.parent) if self.parent is not None else None
        return Contract.objects.for_user(user) if user is not None else Contract.objects.none()


class VisibleScopeField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=ContractScope.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = "No scope line with id {pk_value}."

    def get_queryset(self):
        user = _request_user(self.parent) if self.parent is not None else None
        if user is None:
            return ContractScope.objects.none()
        return ContractScope.objects.for_user(user).select_related("contract")


def _line_cost(scope: ContractScope) -> Decimal:
    """One line's projected monthly cost, priced by the pricing module with its contract's rates."""
    contract = scope.contract
    line = pricing.LineTerms(
        service_line=scope.service_line.code,
        basis=scope.basis,
        expected_monthly_volume=scope.expected_monthly_volume,
        fte=scope.fte,
        unit_rate=scope.unit_rate,
        tiers=tuple(sorted((tier.from_volume, tier.unit_rate) for tier in scope.tiers.all())),
    )
    return pricing.line_cost(line, pricing.rates_of(contract))


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = VolumeTier
        fields = ["id", "from_volume", "unit_rate"]
        read_only_fields = fields


class ContractScopeSerializer(serializers.ModelSerializer):
    """A service line in a contract's scope: how it is charged, the volume expected, and what it projects to a
    month. Tiers are read here and written at /api/v1/volume-tiers/ (or replaced whole with `tiers`)."""

    url = serializers.HyperlinkedIdentityField(view_name="contractscope-detail")
    contract = VisibleContractField(help_text="The contract's id; fixed once created.")
    engagement = serializers.IntegerField(source="contract.engagement_id", read_only=True)
    service_line = ServiceLineCodeField(help_text="A service line code.")
    basis = EnumChoiceField(PricingBasis, required=False, help_text="How the line is charged. Default: hourly.")
    tiers = TierSerializer(many=True, read_only=True)
    projected_monthly_cost = serializers.SerializerMethodField()

    class Meta:
        model = ContractScope
        fields = [
            "id",
            "url",
            "contract",
            "engagement",
            "service_line",
            "basis",
            "expected_monthly_volume",
            "fte",
            "unit_rate",
            "tiers",
            "projected_monthly_cost",
        ]
        validators = []  # uniqueness is the service's rule, reported on the field

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_projected_monthly_cost(self, scope) -> str:
        return str(_line_cost(scope))

    def validate_contract(self, contract):
        if self.instance is not None and contract != self.instance.contract:
            raise serializers.ValidationError("A scope line stays with its contract.")
        return contract

    def create(self, validated_data):
        contract = validated_data.pop("contract")
        return money.save_scope_line(contract, by=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("contract", None)
        return money.save_scope_line(instance.contract, by=_request_user(self), line=instance, **validated_data)


class VolumeTierSerializer(serializers.ModelSerializer):
    """A lower rate per unit for a per-unit line's units above a monthly threshold (graduated)."""

    url = serializers.HyperlinkedIdentityField(view_name="volumetier-detail")
    scope = VisibleScopeField(help_text="The scope line's id; fixed once created.")

    class Meta:
        model = VolumeTier
        fields = ["id", "url", "scope", "from_volume", "unit_rate"]
        validators = []

    def validate_scope(self, scope):
        if self.instance is not None and scope != self.instance.scope:
            raise serializers.ValidationError("A tier stays with its line.")
        return scope

    def create(self, validated_data):
        scope = validated_data.pop("scope")
        return money.save_tier(scope, by=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("scope", None)
        return money.save_tier(instance.scope, by=_request_user(self), tier=instance, **validated_data)


class OneOffFeeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="oneofffee-detail")
    contract = VisibleContractField(help_text="The contract's id; fixed once created.")
    engagement = serializers.IntegerField(source="contract.engagement_id", read_only=True)
    kind = EnumChoiceField(FeeKind)

    class Meta:
        model = OneOffFee
        fields = ["id", "url", "contract", "engagement", "kind", "description", "amount", "due_on"]

    def validate_contract(self, contract):
        if self.instance is not None and contract != self.instance.contract:
            raise serializers.ValidationError("A fee stays with its contract.")
        return contract

    def create(self, validated_data):
        contract = validated_data.pop("contract")
        return money.save_fee(contract, by=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("contract", None)
        return money.save_fee(instance.contract, by=_request_user(self), fee=instance, **validated_data)


class ContractPricingSerializer(serializers.ModelSerializer):
    """A contract's pricing terms, keyed by the contract's id. Signed contracts change only by change request."""

    url = serializers.HyperlinkedIdentityField(view_name="contract-pricing-detail")
    pricing_model = EnumChoiceField(PricingModel, required=False)
    projected_monthly_cost = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "url",
            "engagement",
            "pricing_model",
            "hourly_rate",
            "fte_hours_per_month",
            "account_management_fee",
            "version",
            "signed_on",
            "projected_monthly_cost",
        ]
        read_only_fields = ["engagement", "version", "signed_on"]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_projected_monthly_cost(self, contract) -> str:
        return str(pricing.monthly_cost(pricing.terms_of_prefetched(contract)))

    def update(self, instance, validated_data):
        return money.save_pricing(instance, by=_request_user(self), **validated_data)


# --- Read-only reports -----------------------------------------------------------------------------------------


class ServiceCreditSerializer(serializers.Serializer):
    """What one breach earned the practice. `id` is the breach's id."""

    id = serializers.IntegerField(source="breach.pk")
    breach_url = serializers.SerializerMethodField()
    engagement = serializers.IntegerField(source="breach.target.engagement_id")
    target = serializers.IntegerField(source="breach.target_id")
    metric = serializers.CharField(source="breach.target.metric.code")
    service_line = serializers.CharField(source="breach.target.service_line.code", allow_null=True, default=None)
    period_start = serializers.DateField(source="breach.period_start")
    period_end = serializers.DateField(source="breach.period_end")
    month = serializers.DateField(help_text="The first day of the calendar month whose fees the credit is a share of.")
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    fees = _money(help_text="That month's fees: its actual monthly cost.")
    amount = _money()
    capped = serializers.BooleanField(help_text="Cut down so that the month's credits do not exceed its fees.")

    def get_breach_url(self, credit) -> str:
        request = self.context.get("request")
        path = f"/api/v1/breaches/{credit.breach.pk}/"
        return request.build_absolute_uri(path) if request else path


class CostMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    state = serializers.ChoiceField(
        choices=["closed", "no data", "month to date"],
        read_only=True,
        help_text="closed: a whole month with data, counted in the totals. no data: none of the per-unit lines has "
        "measured volume, so there is no actual cost (not the fixed fees alone), no net and no savings. month to "
        "date: the practice's current month as it stands, out of the totals until it closes.",
    )
    projected = _money(help_text="From the scope's expected volumes.")
    actual = _money(allow_null=True, help_text="From the volumes measured that month; null when there is no data.")
    credits = _money(help_text="Service credits earned by that month's breaches.")
    net = _money(allow_null=True, help_text="Actual − credits; null when there is no data.")
    in_house = _money(allow_null=True, help_text="The practice's in-house monthly cost; null for the provider.")
    savings = _money(allow_null=True, help_text="In-house − net; null for the provider and when there is no data.")
    units = serializers.DictField(child=serializers.IntegerField(), help_text="Units measured per service line.")


class CostTotalsSerializer(serializers.Serializer):
    """Sums over the closed months with data only: no month without data, not the month to date."""

    months = serializers.IntegerField(help_text="How many months the totals cover.")
    projected = _money()
    actual = _money()
    credits = _money()
    net = _money()
    in_house = _money(allow_null=True, help_text="Null for the provider.")
    savings = _money(allow_null=True, help_text="Null for the provider.")


class UnagreedMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    units = serializers.IntegerField()


class UnagreedScopeSerializer(serializers.Serializer):
    service_line = serializers.CharField(source="service_line.code")
    service_line_name = serializers.CharField(source="service_line.name")
    total = serializers.IntegerField()
    months = serializers.SerializerMethodField()

    def get_months(self, item) -> list[dict]:
        rows = [{"month": month, "units": units} for month, units in item["months"]]
        return UnagreedMonthSerializer(rows, many=True).data


class CostReportSerializer(serializers.Serializer):
    """An engagement's costs month by month since its contract started, with its one-off fees and any volume
    measured outside the contract's scope (possible unagreed scope)."""

    engagement = serializers.IntegerField(source="contract.engagement_id")
    contract = serializers.IntegerField(source="contract.pk")
    projected_monthly_cost = _money(source="projected_monthly")
    one_off_fees_total = _money(source="one_off_total")
    months = CostMonthSerializer(many=True)
    totals = serializers.SerializerMethodField()
    unagreed_scope = UnagreedScopeSerializer(many=True, source="unagreed")

    @extend_schema_field(CostTotalsSerializer)
    def get_totals(self, report) -> dict:
        return CostTotalsSerializer({**report.totals, "months": len(report.counted_months)}).data
