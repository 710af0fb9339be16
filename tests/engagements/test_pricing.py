"""Monthly cost of a contract's terms: hourly lines, per-unit lines with graduated tiers, the account fee."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagements.choices import PricingBasis, PricingModel
from engagements.models import Contract, ContractScope, ServiceLine, VolumeTier
from engagements.pricing import ContractTerms, LineTerms, monthly_cost, terms_of, units_cost


def terms(*lines, hourly_rate="12.50", fee="500"):
    return ContractTerms(
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        evaluation_months=6,
        notice_days=90,
        auto_renew=False,
        renewal_term_months=None,
        pricing_model=PricingModel.HYBRID,
        hourly_rate=Decimal(hourly_rate),
        fte_hours_per_month=Decimal("160"),
        account_management_fee=Decimal(fee),
        lines=tuple(lines),
    )


CLAIMS = LineTerms(
    "claims",
    basis=PricingBasis.PER_UNIT,
    expected_monthly_volume=1500,
    unit_rate=Decimal("2.00"),
    tiers=((1000, Decimal("1.50")), (2000, Decimal("1.00"))),
)
SCHEDULING = LineTerms("appointment_scheduling", basis=PricingBasis.HOURLY, fte=Decimal("2.5"))


def test_an_hourly_line_costs_its_staff_time_whatever_the_volume():
    assert monthly_cost(terms(SCHEDULING, fee="0")) == Decimal("5000.00")  # 2.5 × 160 × 12.50
    assert monthly_cost(terms(SCHEDULING, fee="0"), {"appointment_scheduling": 99999}) == Decimal("5000.00")


def test_tiers_apply_graduated_to_the_units_above_each_threshold():
    # 1000 × 2.00 + 500 × 1.50
    assert monthly_cost(terms(CLAIMS, fee="0")) == Decimal("2750.00")
    # 1000 × 2.00 + 1000 × 1.50 + 500 × 1.00
    assert monthly_cost(terms(CLAIMS, fee="0"), {"claims": 2500}) == Decimal("4000.00")


def test_the_account_fee_is_added_once_and_a_missing_volume_costs_nothing():
    both = terms(SCHEDULING, CLAIMS)
    assert monthly_cost(both) == Decimal("500") + Decimal("5000.00") + Decimal("2750.00")
    assert monthly_cost(both, {}) == Decimal("5500.00")


@given(
    volume=st.integers(min_value=0, max_value=100_000),
    rates=st.lists(st.decimals(min_value=0, max_value=50, places=2), min_size=1, max_size=4),
    starts=st.lists(st.integers(min_value=1, max_value=50_000), min_size=3, max_size=3, unique=True),
)
def test_one_more_unit_never_costs_less_and_never_more_than_the_dearest_rate(volume, rates, starts):
    tiers = tuple(zip(sorted(starts), rates[1:], strict=False))
    before, after = units_cost(volume, rates[0], tiers), units_cost(volume + 1, rates[0], tiers)
    assert Decimal("0") <= after - before <= max(rates)


def test_without_tiers_units_cost_volume_times_rate():
    assert units_cost(37, Decimal("1.25")) == Decimal("46.25")


@pytest.mark.django_db
def test_terms_of_reads_a_saved_contract_and_snapshots_as_json(world):
    contract = Contract.objects.create(
        engagement=world.engagement,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        pricing_model=PricingModel.HYBRID,
        hourly_rate=Decimal("12.50"),
        account_management_fee=Decimal("500"),
    )
    claims = ContractScope.objects.create(
        contract=contract,
        service_line=ServiceLine.objects.get(code="claims"),
        basis=PricingBasis.PER_UNIT,
        expected_monthly_volume=1500,
        unit_rate=Decimal("2.00"),
    )
    VolumeTier.objects.create(scope=claims, from_volume=1000, unit_rate=Decimal("1.50"))
    read = terms_of(contract)
    assert read.line("claims").tiers == ((1000, Decimal("1.50")),)
    assert monthly_cost(read) == Decimal("3250.00")
    snapshot = read.as_json()
    assert snapshot["lines"][0]["tiers"] == [[1000, "1.50"]]
    assert snapshot["starts_on"] == contract.starts_on.isoformat()
