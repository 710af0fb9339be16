"""A signed contract with a known price, shared by the change-request tests.

Priced by hand: rate per FTE hour 20.00, 160 hours per FTE, account-management fee 500.00.
- scheduling, by the hour, 2 FTEs: 2 × 160 × 20 = 6,400.00
- claims, per unit, 1,000 a month at 3.00, 2.50 from the 800th: 800 × 3 + 200 × 2.50 = 2,900.00
Total 500 + 6,400 + 2,900 = 9,800.00 a month.
"""

from datetime import date
from decimal import Decimal

from engagements import services
from engagements.choices import PricingBasis, PricingModel
from engagements.models import Contract, ContractScope, ServiceLine, VolumeTier
from engagements.services import changes

MONTHLY = Decimal("9800.00")


def signed_contract(engagement, by) -> Contract:
    contract = services.save_contract(
        engagement,
        by=by,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        evaluation_months=6,
        notice_days=60,
        auto_renew=True,
        renewal_term_months=12,
    )
    Contract.objects.filter(pk=contract.pk).update(
        signed_on=date(2025, 12, 15),
        pricing_model=PricingModel.HYBRID,
        hourly_rate=Decimal("20.00"),
        fte_hours_per_month=Decimal("160"),
        account_management_fee=Decimal("500.00"),
    )
    ContractScope.objects.create(
        contract=contract,
        service_line=ServiceLine.objects.get(code="scheduling"),
        basis=PricingBasis.HOURLY,
        expected_monthly_volume=900,
        fte=Decimal("2"),
    )
    claims = ContractScope.objects.create(
        contract=contract,
        service_line=ServiceLine.objects.get(code="claims"),
        basis=PricingBasis.PER_UNIT,
        expected_monthly_volume=1000,
        unit_rate=Decimal("3.00"),
    )
    VolumeTier.objects.create(scope=claims, from_volume=800, unit_rate=Decimal("2.50"))
    contract.refresh_from_db()
    return contract


def add_billing(engagement, by, **overrides):
    fields = {
        "kind": "add_line",
        "reason": "The practice wants statements handled too.",
        "service_line": ServiceLine.objects.get(code="billing"),
        "basis": "per_unit",
        "expected_monthly_volume": 500,
        "unit_rate": Decimal("4.00"),
    } | overrides
    return changes.propose_change_request(engagement, by=by, **fields)
