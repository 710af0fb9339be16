"""Scope, pricing, one-off fees and service credits for the demo engagements that have a contract.

The demo contracts are signed (the foundation's demo records them signed on their start date), and a signed
contract's scope and pricing change only through an approved change request. So this module writes the demo's
agreed terms directly, as the state the contracts were signed in — it is seeding history, not changing it —
rather than passing a bypass through engagements.services.money.

What the cost pages then show:
- Front desk 2026 — hybrid: scheduling and insurance verification by the FTE hour, customer service per call
  with a volume tier; measured calls from the SLA demo; service-level and abandonment targets carry credits, so
  the service-level slump earns some.
- Claims and A/R — per unit with two volume tiers on claims; measured claims from the SLA demo; a claim-accuracy
  credit; and A/R follow-up calls measured although A/R is not in the scope yet: a possible unagreed scope.
- Records and data entry — hourly: two lines by the FTE hour.
The targets' credit percentages and the unagreed A/R calls are SLA data, seeded by `slas/demo.py`.
Running it again changes nothing: a contract that already has scope is left alone.
"""

from datetime import timedelta
from decimal import Decimal

from engagements.choices import FeeKind, PricingBasis, PricingModel
from engagements.models import Contract, ContractScope, OneOffFee, ServiceLine, VolumeTier

D = Decimal

DEMO = {
    "Front desk 2026": {
        "pricing": {"pricing_model": PricingModel.HYBRID, "hourly_rate": D("9.50"), "account_management_fee": D("450")},
        "lines": [
            ("scheduling", PricingBasis.HOURLY, {"fte": D("2"), "expected_monthly_volume": 2600}),
            ("customer_service", PricingBasis.PER_UNIT, {"unit_rate": D("1.10"), "expected_monthly_volume": 4500}),
            ("insurance_verification", PricingBasis.HOURLY, {"fte": D("1"), "expected_monthly_volume": 900}),
        ],
        "tiers": {"customer_service": [(5000, D("0.90"))]},
        "fees": [
            (FeeKind.IMPLEMENTATION, "Phone system and scheduling set-up", D("6000"), -9),
            (FeeKind.TRAINING, "Eye-care scheduling rules, two cohorts", D("1800"), -8),
        ],
    },
    "Claims and A/R": {
        "pricing": {"pricing_model": PricingModel.PER_UNIT, "hourly_rate": None, "account_management_fee": D("300")},
        "lines": [
            ("claims", PricingBasis.PER_UNIT, {"unit_rate": D("3.20"), "expected_monthly_volume": 1800}),
            ("billing", PricingBasis.PER_UNIT, {"unit_rate": D("1.50"), "expected_monthly_volume": 600}),
        ],
        "tiers": {"claims": [(1500, D("2.80")), (2500, D("2.40"))]},
        "fees": [(FeeKind.INTEGRATION, "Clearinghouse and practice-management integration", D("2500"), -1)],
    },
    "Records and data entry": {
        "pricing": {"pricing_model": PricingModel.HOURLY, "hourly_rate": D("8.00"), "account_management_fee": D("250")},
        "lines": [
            ("data_entry", PricingBasis.HOURLY, {"fte": D("1.5")}),
            ("record_indexing", PricingBasis.HOURLY, {"fte": D("1")}),
        ],
        "tiers": {},
        "fees": [(FeeKind.IMPLEMENTATION, "Document-management access and indexing rules", D("1200"), -12)],
    },
}


def seed(engagements: dict, managers: dict, today) -> None:
    for name, spec in DEMO.items():
        engagement = engagements.get(name)
        contract = Contract.objects.filter(engagement=engagement).first() if engagement else None
        if contract is None or contract.scope.exists():
            continue  # no contract in this demo, or already seeded (or set up by hand): leave it alone
        _terms(contract, spec)


def _terms(contract: Contract, spec: dict) -> None:
    for field, value in spec["pricing"].items():
        setattr(contract, field, value)
    contract.save(update_fields=[*spec["pricing"], "updated_at"])
    lines = ServiceLine.objects.in_bulk([code for code, _basis, _fields in spec["lines"]], field_name="code")
    for code, basis, fields in spec["lines"]:
        scope = ContractScope.objects.create(contract=contract, service_line=lines[code], basis=basis, **fields)
        for start, rate in spec["tiers"].get(code, []):
            VolumeTier.objects.create(scope=scope, from_volume=start, unit_rate=rate)
    for kind, description, amount, months in spec["fees"]:
        due_on = contract.starts_on + timedelta(days=30 * (months - min(f[3] for f in spec["fees"])))
        OneOffFee.objects.create(contract=contract, kind=kind, description=description, amount=amount, due_on=due_on)
