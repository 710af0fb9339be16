"""Scope, pricing and one-off fees: every change to what a contract charges, with its rules.

Rules (each refusal names the field a person has to fix, and writes nothing):
- a scope line's basis must fit the contract's pricing model: input-based (hourly) contracts take per-FTE-hour
  lines only, output-based (per unit) contracts per-unit lines only, hybrid contracts either;
- a line charged by the hour needs the contract's rate per FTE hour, and its FTEs; a per-unit line needs its
  rate per unit;
- volume tiers belong to per-unit lines, start above 0 and ascend (each threshold above the one before);
- a signed contract (`signed_on` set) changes scope and pricing only through an approved change request. The
  change-request service applies an approved change by calling these functions with `amendment=True`; nobody
  else passes it.
- an ended engagement's contract is history and stays as it was.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from bpo_portal.errors import DomainError
from engagements.choices import PricingBasis, PricingModel
from engagements.locking import lock_contract, lock_row
from engagements.models import Contract, ContractScope, Engagement, OneOffFee, VolumeTier

PRICING_FIELDS = ("pricing_model", "hourly_rate", "fte_hours_per_month", "account_management_fee")
LINE_FIELDS = ("service_line", "basis", "expected_monthly_volume", "fte", "unit_rate")
FEE_FIELDS = ("kind", "description", "amount", "due_on")

# Which line bases each pricing model admits.
BASES_FOR_MODEL = {
    PricingModel.HOURLY: {PricingBasis.HOURLY},
    PricingModel.PER_UNIT: {PricingBasis.PER_UNIT},
    PricingModel.HYBRID: {PricingBasis.HOURLY, PricingBasis.PER_UNIT},
}

SIGNED_MESSAGE = (
    "This contract was signed on {signed_on:%-d %b %Y}: its scope and pricing change only through an approved "
    "change request. Propose the change as a change request instead."
)


def is_locked(contract: Contract) -> bool:
    """Signed terms are fixed: only an approved change request amends them."""
    return contract.signed_on is not None


def check_editable(contract: Contract, *, amendment: bool = False) -> Contract:
    """Lock the contract row for the rest of the transaction and refuse edits the rules forbid."""
    contract = lock_contract(contract)  # the engagement first, then the contract: engagements.locking
    if contract.engagement.is_ended:
        raise DomainError("The engagement has ended; its contract can no longer be changed.")
    if is_locked(contract) and not amendment:
        raise DomainError(SIGNED_MESSAGE.format(signed_on=contract.signed_on))
    return contract


def _current(row, model):
    """The stored row, locked after its contract: a partial edit applies its fields to what is stored now, not to
    the copy the caller read before waiting for the lock, so two edits of different fields both land."""
    if row is None or row.pk is None:
        return row
    return lock_row(model, row.pk, engagement="contract__engagement_id", contract="contract_id")


def contract_of(engagement: Engagement) -> Contract:
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        raise DomainError("Record the contract first; its scope and pricing hang off it.")
    return contract


def _full_clean(obj, exclude=None) -> None:
    """Field validators (minimums, maximums, digits) as a DomainError on the first field that fails."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


# --- Pricing -----------------------------------------------------------------------------------------------------


@transaction.atomic
def save_pricing(contract: Contract, *, by, amendment: bool = False, **terms) -> Contract:
    """Set the pricing model, the rate per FTE hour, the hours per FTE and the account-management fee."""
    contract = check_editable(contract, amendment=amendment)
    for name, value in terms.items():
        if name not in PRICING_FIELDS:
            raise DomainError(f"“{name}” is not a pricing term.")
        setattr(contract, name, value)
    if contract.pricing_model not in PricingModel.values:
        raise DomainError(f"“{contract.pricing_model}” is not a pricing model.", field="pricing_model")
    _full_clean(contract)
    lines = list(contract.scope.select_related("service_line"))
    admitted = BASES_FOR_MODEL[contract.pricing_model]
    misfits = [line for line in lines if line.basis not in admitted]
    if misfits:
        names = ", ".join(str(line.service_line) for line in misfits)
        raise DomainError(
            f"{PricingModel(contract.pricing_model).label} pricing does not admit lines charged "
            f"{PricingBasis(misfits[0].basis).label.lower()} ({names}). Change those lines first, or choose hybrid.",
            field="pricing_model",
        )
    if contract.hourly_rate is None and any(line.basis == PricingBasis.HOURLY for line in lines):
        raise DomainError("Lines charged by the hour need a rate per FTE hour.", field="hourly_rate")
    contract.save(update_fields=[*PRICING_FIELDS, "updated_at"])
    return contract


# --- Scope lines and their tiers ----------------------------------------------------------------------------------


def _check_tiers(tiers, basis: str) -> list[tuple[int, Decimal]]:
    tiers = [(int(start), Decimal(rate)) for start, rate in tiers]
    if tiers and basis != PricingBasis.PER_UNIT:
        raise DomainError("Volume tiers apply to lines charged per unit only.", field="tiers")
    previous = 0
    for start, rate in tiers:
        if start <= 0:
            raise DomainError("A tier starts above 0 units; the line's own rate covers the first units.", field="tiers")
        if start <= previous:
            raise DomainError(
                f"Tiers must ascend: a tier from {start} units follows one from {previous}.", field="tiers"
            )
        if rate < 0:
            raise DomainError("A tier's rate per unit cannot be negative.", field="tiers")
        previous = start
    return tiers


def _check_line(contract: Contract, line: ContractScope) -> None:
    if line.basis not in BASES_FOR_MODEL.get(contract.pricing_model, set()):
        raise DomainError(
            f"A {PricingModel(contract.pricing_model).label.lower()} contract takes lines charged "
            + " or ".join(PricingBasis(b).label.lower() for b in sorted(BASES_FOR_MODEL[contract.pricing_model]))
            + ". Change the pricing model to hybrid to mix them.",
            field="basis",
        )
    if line.basis == PricingBasis.HOURLY:
        if contract.hourly_rate is None:
            raise DomainError("Set the contract's rate per FTE hour before adding a line charged by the hour.", "basis")
        if not line.fte or line.fte <= 0:
            raise DomainError("A line charged by the hour needs its number of FTEs.", field="fte")
    if line.basis == PricingBasis.PER_UNIT and line.unit_rate is None:
        raise DomainError("A line charged per unit needs a rate per unit.", field="unit_rate")
    duplicate = ContractScope.objects.filter(contract=contract, service_line=line.service_line).exclude(pk=line.pk)
    if duplicate.exists():
        raise DomainError(f"{line.service_line} is already in the contract's scope.", field="service_line")


@transaction.atomic
def save_scope_line(
    contract: Contract, *, by, line: ContractScope | None = None, tiers=None, amendment: bool = False, **fields
) -> ContractScope:
    """Add a service line to the scope, or change one; `tiers` ((from volume, rate), …), when given, replaces
    the line's volume tiers."""
    contract = check_editable(contract, amendment=amendment)
    if line is not None and line.contract_id != contract.pk:
        raise DomainError("That line belongs to another contract.")
    line = _current(line, ContractScope) or ContractScope(contract=contract)
    for name, value in fields.items():
        if name not in LINE_FIELDS:
            raise DomainError(f"“{name}” is not a field of a scope line.")
        setattr(line, name, value)
    if line.basis == PricingBasis.HOURLY:
        line.unit_rate = None  # an hourly line has no rate per unit, and keeps no tiers
        tiers = [] if tiers is None and line.pk else tiers
    _full_clean(line, exclude=["contract"])
    _check_line(contract, line)
    tiers = _check_tiers(tiers, line.basis) if tiers is not None else None
    line.save()
    if tiers is not None:
        line.tiers.all().delete()
        for start, rate in tiers:  # one by one (a line has a handful), so each is in the audit log
            VolumeTier.objects.create(scope=line, from_volume=start, unit_rate=rate)
    return line


@transaction.atomic
def delete_scope_line(line: ContractScope, *, by, amendment: bool = False) -> None:
    check_editable(line.contract, amendment=amendment)
    for tier in line.tiers.all():
        tier.delete()  # one by one, so each removal is in the audit log
    line.delete()


@transaction.atomic
def save_tier(scope: ContractScope, *, by, tier: VolumeTier | None = None, amendment: bool = False, **fields):
    """Add or change one volume tier of a per-unit line, keeping the line's tiers ascending and distinct."""
    check_editable(scope.contract, amendment=amendment)
    if tier is not None and tier.pk:
        tier = lock_row(VolumeTier, tier.pk, engagement="scope__contract__engagement_id", contract="scope__contract_id")
    tier = tier or VolumeTier(scope=scope)
    for name in ("from_volume", "unit_rate"):
        if name in fields:
            setattr(tier, name, fields[name])
    _full_clean(tier, exclude=["scope"])
    if scope.basis != PricingBasis.PER_UNIT:
        raise DomainError("Volume tiers apply to lines charged per unit only.", field="scope")
    if tier.from_volume <= 0:
        raise DomainError("A tier starts above 0 units; the line's own rate covers the first units.", "from_volume")
    if scope.tiers.exclude(pk=tier.pk).filter(from_volume=tier.from_volume).exists():
        raise DomainError(f"This line already has a tier from {tier.from_volume} units.", field="from_volume")
    tier.save()
    return tier


@transaction.atomic
def delete_tier(tier: VolumeTier, *, by, amendment: bool = False) -> None:
    check_editable(tier.scope.contract, amendment=amendment)
    tier.delete()


# --- One-off fees -------------------------------------------------------------------------------------------------


@transaction.atomic
def save_fee(contract: Contract, *, by, fee: OneOffFee | None = None, amendment: bool = False, **fields) -> OneOffFee:
    contract = check_editable(contract, amendment=amendment)
    fee = _current(fee, OneOffFee) or OneOffFee(contract=contract)
    for name, value in fields.items():
        if name not in FEE_FIELDS:
            raise DomainError(f"“{name}” is not a field of a one-off fee.")
        setattr(fee, name, value)
    _full_clean(fee, exclude=["contract"])
    fee.save()
    return fee


@transaction.atomic
def delete_fee(fee: OneOffFee, *, by, amendment: bool = False) -> None:
    check_editable(fee.contract, amendment=amendment)
    fee.delete()
