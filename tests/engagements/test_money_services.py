"""Scope and pricing rules: refused with the field to fix and nothing written; a signed contract is locked."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from bpo_portal.errors import DomainError
from engagements.choices import PricingBasis, PricingModel
from engagements.models import ContractScope, OneOffFee, ServiceLine, VolumeTier
from engagements.services import money
from tests.engagements.money_helpers import contract_for, line

pytestmark = pytest.mark.django_db


def claims():
    return ServiceLine.objects.get(code="claims")


def refused(call, field, match):
    before = (ContractScope.objects.count(), VolumeTier.objects.count(), OneOffFee.objects.count())
    logged = LogEntry.objects.count()
    with pytest.raises(DomainError, match=match) as error:
        call()
    assert error.value.field == field
    assert (ContractScope.objects.count(), VolumeTier.objects.count(), OneOffFee.objects.count()) == before
    assert LogEntry.objects.count() == logged, "a refused change wrote something"


def test_a_per_unit_line_with_ascending_tiers_is_saved_with_them(world):
    contract = contract_for(world, pricing_model=PricingModel.PER_UNIT)
    scope = money.save_scope_line(
        contract,
        by=world.practice_manager,
        service_line=claims(),
        basis=PricingBasis.PER_UNIT,
        expected_monthly_volume=1500,
        unit_rate=Decimal("2.00"),
        tiers=[(1000, Decimal("1.50")), (2000, Decimal("1.00"))],
    )
    assert list(scope.tiers.values_list("from_volume", flat=True)) == [1000, 2000]
    assert LogEntry.objects.filter(content_type__model="volumetier").count() == 2


@pytest.mark.parametrize(
    ("model", "basis", "fields", "field", "match"),
    [
        (PricingModel.HOURLY, PricingBasis.PER_UNIT, {"unit_rate": Decimal("2")}, "basis", "per fte hour"),
        (PricingModel.PER_UNIT, PricingBasis.HOURLY, {"fte": Decimal("2")}, "basis", "per unit"),
        (PricingModel.HYBRID, PricingBasis.PER_UNIT, {}, "unit_rate", "needs a rate per unit"),
        (PricingModel.HYBRID, PricingBasis.HOURLY, {"fte": Decimal("0")}, "fte", "number of FTEs"),
    ],
)
def test_a_line_that_does_not_fit_the_pricing_is_refused_on_its_field(world, model, basis, fields, field, match):
    contract = contract_for(world, pricing_model=model)
    refused(
        lambda: money.save_scope_line(
            contract, by=world.practice_manager, service_line=claims(), basis=basis, **fields
        ),
        field,
        match,
    )


def test_an_hourly_line_needs_the_contracts_hourly_rate(world):
    contract = contract_for(world, hourly_rate=None)
    call = lambda: money.save_scope_line(  # noqa: E731
        contract, by=world.practice_manager, service_line=claims(), basis=PricingBasis.HOURLY, fte=Decimal("2")
    )
    refused(call, "basis", "rate per FTE hour")


@pytest.mark.parametrize(
    ("tiers", "match"),
    [
        ([(0, "1.50")], "starts above 0"),
        ([(2000, "1.00"), (1000, "1.50")], "must ascend"),
        ([(1000, "1.50"), (1000, "1.00")], "must ascend"),
    ],
)
def test_tiers_must_start_above_zero_and_ascend(world, tiers, match):
    contract = contract_for(world)
    call = lambda: money.save_scope_line(  # noqa: E731
        contract,
        by=world.practice_manager,
        service_line=claims(),
        basis=PricingBasis.PER_UNIT,
        unit_rate=Decimal("2"),
        tiers=[(start, Decimal(rate)) for start, rate in tiers],
    )
    refused(call, "tiers", match)


def test_the_same_service_line_twice_is_refused(world):
    contract = contract_for(world)
    line(contract, "claims")
    call = lambda: money.save_scope_line(  # noqa: E731
        contract, by=world.practice_manager, service_line=claims(), basis="per_unit", unit_rate=Decimal("1")
    )
    refused(call, "service_line", "already in the contract's scope")


def test_switching_to_a_pricing_model_that_misfits_a_line_is_refused(world):
    contract = contract_for(world)
    line(contract, "claims")
    refused(
        lambda: money.save_pricing(contract, by=world.practice_manager, pricing_model=PricingModel.HOURLY),
        "pricing_model",
        "Claims processing",
    )
    contract.refresh_from_db()
    assert contract.pricing_model == PricingModel.HYBRID


def test_removing_the_hourly_rate_under_an_hourly_line_is_refused(world):
    contract = contract_for(world)
    line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    refused(lambda: money.save_pricing(contract, by=world.practice_manager, hourly_rate=None), "hourly_rate", "rate")


def test_a_negative_fee_is_refused_on_its_field(world):
    contract = contract_for(world)
    refused(
        lambda: money.save_fee(contract, by=world.practice_manager, kind="training", amount=Decimal("-5")),
        "amount",
        "greater than or equal to 0",
    )


def test_a_signed_contract_changes_scope_and_pricing_only_through_a_change_request(world):
    contract = contract_for(world, signed=True)
    scope = line(contract, "claims")
    fee = OneOffFee.objects.create(contract=contract, kind="training", amount=Decimal("100"))
    by = world.practice_manager
    for call in [
        lambda: money.save_pricing(contract, by=by, account_management_fee=Decimal("1")),
        lambda: money.save_scope_line(contract, by=by, line=scope, expected_monthly_volume=5),
        lambda: money.delete_scope_line(scope, by=by),
        lambda: money.save_tier(scope, by=by, from_volume=100, unit_rate=Decimal("1")),
        lambda: money.save_fee(contract, by=by, fee=fee, amount=Decimal("1")),
        lambda: money.delete_fee(fee, by=by),
    ]:
        refused(call, None, "only through an approved change request")
    # The change-request service applies an approved change as an amendment.
    money.save_scope_line(contract, by=by, line=scope, expected_monthly_volume=5, amendment=True)
    assert ContractScope.objects.get(pk=scope.pk).expected_monthly_volume == 5


def test_an_ended_engagements_contract_is_history(world):
    from engagements import services

    contract = contract_for(world)
    services.change_engagement_status(world.engagement, "ended", by=world.practice_manager)
    refused(
        lambda: money.save_fee(contract, by=world.practice_manager, kind="training", amount=Decimal("5")),
        None,
        "has ended",
    )


def test_a_tier_is_for_a_per_unit_line_and_its_threshold_is_unique(world):
    contract = contract_for(world)
    scope = line(contract, "claims", tiers=[(1000, "1.50")])
    hourly = line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    by = world.practice_manager
    refused(lambda: money.save_tier(scope, by=by, from_volume=1000, unit_rate=Decimal("1")), "from_volume", "already")
    refused(lambda: money.save_tier(hourly, by=by, from_volume=10, unit_rate=Decimal("1")), "scope", "per unit only")
    refused(lambda: money.save_tier(scope, by=by, from_volume=0, unit_rate=Decimal("1")), "from_volume", "above 0")
    assert money.save_tier(scope, by=by, from_volume=2000, unit_rate=Decimal("1")).pk
