"""Change-request demo data: on "Front desk 2026", an approved change (so the contract has versions 1 and 2 to
compare) and a pending proposal from the provider to add a service line — scope creep waiting for the practice.

Everything goes through engagements.services.changes. If the contract has no scope yet (the scope-and-pricing
demo normally runs first and gives it one), a minimal scope is created here so the changes have something to
change; a contract the demo leaves unsigned is signed on its start date, since change requests amend signed
contracts. Running it again changes nothing.
"""

from decimal import Decimal

from auditlog.context import set_actor

from engagements.choices import PricingBasis
from engagements.models import ChangeRequest, Contract, ContractScope, ServiceLine
from engagements.services import changes

ENGAGEMENT = "Front desk 2026"
APPROVED_REASON = "Call volumes after the spring recall campaign stayed higher than planned. (Demo)"
PENDING_REASON = (
    "Patients keep calling the front desk about their statements; our agents could take billing questions and "
    "statements too. (Demo)"
)
MINIMAL_SCOPE = [  # (service line, basis, monthly volume, FTEs, rate per unit)
    ("scheduling", PricingBasis.HOURLY, 2200, Decimal("3"), None),
    ("customer_service", PricingBasis.HOURLY, 1400, Decimal("2"), None),
    ("insurance_verification", PricingBasis.PER_UNIT, 1500, Decimal("0"), Decimal("2.10")),
]
PENDING_CANDIDATES = [  # the first one not yet in scope is proposed, charged per unit
    ("billing", 600, Decimal("1.75")),
    ("accounts_receivable", 400, Decimal("3.20")),
    ("data_entry", 800, Decimal("0.90")),
]


def seed(engagements, managers, today) -> None:
    engagement = engagements.get(ENGAGEMENT)
    contract = Contract.objects.filter(engagement=engagement).first() if engagement else None
    if contract is None or engagement.is_ended:
        return
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    _ensure_signed_with_scope(contract)
    if not ChangeRequest.objects.filter(contract=contract, reason=APPROVED_REASON).exists():
        with set_actor(provider_manager):
            request = changes.propose_change_request(
                engagement, by=provider_manager, reason=APPROVED_REASON, **_a_growth(contract)
            )
        with set_actor(practice_manager):
            changes.approve_change_request(request, by=practice_manager, note="Agreed at the monthly review.")
    if not ChangeRequest.objects.filter(contract=contract, reason=PENDING_REASON).exists():
        in_scope = set(contract.scope.values_list("service_line__code", flat=True))
        code, volume, rate = next((c for c in PENDING_CANDIDATES if c[0] not in in_scope), PENDING_CANDIDATES[0])
        with set_actor(provider_manager):
            changes.propose_change_request(
                engagement,
                by=provider_manager,
                kind=ChangeRequest.Kind.ADD_LINE,
                reason=PENDING_REASON,
                service_line=ServiceLine.objects.get(code=code),
                basis=PricingBasis.PER_UNIT,
                expected_monthly_volume=volume,
                unit_rate=rate,
            )


def _ensure_signed_with_scope(contract: Contract) -> None:
    if contract.signed_on is None:
        contract.signed_on = contract.starts_on
        contract.save(update_fields=["signed_on", "updated_at"])
    if contract.hourly_rate is None:
        contract.hourly_rate = Decimal("14.50")
        contract.save(update_fields=["hourly_rate", "updated_at"])
    if not contract.scope.exists():
        for code, basis, volume, fte, rate in MINIMAL_SCOPE:
            ContractScope.objects.create(
                contract=contract,
                service_line=ServiceLine.objects.get(code=code),
                basis=basis,
                expected_monthly_volume=volume,
                fte=fte,
                unit_rate=rate,
            )


def _a_growth(contract: Contract) -> dict:
    """A 20% higher volume on the first per-unit line, or one more FTE on the first hourly line."""
    scope = list(contract.scope.select_related("service_line"))
    per_unit = next((line for line in scope if line.basis == PricingBasis.PER_UNIT), None)
    if per_unit is not None:
        volume = max(per_unit.expected_monthly_volume * 6 // 5, per_unit.expected_monthly_volume + 1)
        return {"kind": "change_volume", "service_line": per_unit.service_line, "expected_monthly_volume": volume}
    hourly = scope[0]
    return {"kind": "change_rate", "service_line": hourly.service_line, "fte": hourly.fte + 1}
