"""What a contract costs a month: one set of pure functions shared by the contract page, the cost page and the
monthly cost delta of a change request.

A contract's terms are read once into a frozen `ContractTerms` value. A change request is priced by applying
the change to that value (`dataclasses.replace`) and comparing the two, without touching the database, and a
contract version stores the same value as its snapshot.

Pricing rules:
- a line charged by the hour costs FTEs × hours per FTE per month × rate per FTE hour, whatever its volume
  (input-based pricing buys the staff's time);
- a line charged per unit costs its monthly volume at its rate per unit, with volume tiers applied
  *graduated*: the units below the first tier at the line's own rate, the units from each tier's threshold up
  to the next at that tier's rate (the way a marginal tax is computed, so crossing a threshold never makes a
  month cheaper in total);
- the monthly account-management fee is added once. One-off fees are not monthly and are not included.
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from engagements.choices import PricingBasis

CENT = Decimal("0.01")


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTerms:
    """One service line in scope, keyed by its service-line code."""

    service_line: str
    basis: str = PricingBasis.HOURLY
    expected_monthly_volume: int = 0
    fte: Decimal = Decimal("0")
    unit_rate: Decimal | None = None
    tiers: tuple[tuple[int, Decimal], ...] = ()  # (from_volume, rate per unit), ascending


@dataclass(frozen=True)
class ContractTerms:
    """Everything a contract version fixes: dates, renewal, pricing and scope."""

    starts_on: date
    ends_on: date
    evaluation_months: int
    notice_days: int
    auto_renew: bool
    renewal_term_months: int | None
    pricing_model: str
    hourly_rate: Decimal | None
    fte_hours_per_month: Decimal
    account_management_fee: Decimal
    lines: tuple[LineTerms, ...] = field(default=())

    def line(self, code: str) -> LineTerms | None:
        return next((line for line in self.lines if line.service_line == code), None)

    def as_json(self) -> dict:
        """A JSON-ready snapshot (dates as ISO strings, money as strings), for contract versions."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def terms_of(contract) -> ContractTerms:
    """Read a saved contract's terms (two queries: its scope with service lines, and its tiers)."""
    return terms_from(contract, contract.scope.select_related("service_line").prefetch_related("tiers"))


def terms_of_prefetched(contract) -> ContractTerms:
    """The same, for a contract fetched with `prefetch_related(*TERMS_PREFETCH)`: no query of its own, so a page
    that prices many contracts stays at a constant number of queries."""
    return terms_from(contract, contract.scope.all())


TERMS_PREFETCH = ("scope__service_line", "scope__tiers")


def terms_of_many(contracts) -> dict[int, ContractTerms]:
    """The terms of several contracts in three queries whatever their number (list pages and endpoints)."""
    from django.db.models import prefetch_related_objects

    contracts = list(contracts)
    prefetch_related_objects(contracts, *TERMS_PREFETCH)
    return {contract.pk: terms_of_prefetched(contract) for contract in contracts}


def rates_of(contract) -> ContractTerms:
    """The contract's terms without its scope: enough to price one line (its rate per FTE hour and hours)."""
    return terms_from(contract, [])


def terms_from(contract, scopes) -> ContractTerms:
    """Terms from a contract row and its scope rows (each with its service line and tiers loaded)."""
    lines = []
    for scope in scopes:
        lines.append(
            LineTerms(
                service_line=scope.service_line.code,
                basis=scope.basis,
                expected_monthly_volume=scope.expected_monthly_volume,
                fte=scope.fte,
                unit_rate=scope.unit_rate,
                tiers=tuple(sorted((tier.from_volume, tier.unit_rate) for tier in scope.tiers.all())),
            )
        )
    return ContractTerms(
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        evaluation_months=contract.evaluation_months,
        notice_days=contract.notice_days,
        auto_renew=contract.auto_renew,
        renewal_term_months=contract.renewal_term_months,
        pricing_model=contract.pricing_model,
        hourly_rate=contract.hourly_rate,
        fte_hours_per_month=contract.fte_hours_per_month,
        account_management_fee=contract.account_management_fee,
        lines=tuple(lines),
    )


def units_cost(volume: int, unit_rate: Decimal | None, tiers=()) -> Decimal:
    """The cost of `volume` units at `unit_rate`, with graduated volume tiers."""
    if volume <= 0:
        return Decimal("0")
    bands = [(0, unit_rate or Decimal("0"))] + sorted((start, rate) for start, rate in tiers if start > 0)
    total = Decimal("0")
    for index, (start, rate) in enumerate(bands):
        end = bands[index + 1][0] if index + 1 < len(bands) else None
        if volume <= start:
            break
        units = (min(volume, end) if end is not None else volume) - start
        total += units * rate
    return total


def line_cost(line: LineTerms, terms: ContractTerms, volume: int | None = None) -> Decimal:
    """One line's monthly cost; `volume` is the measured volume, or None for the volume both sides expect."""
    if line.basis == PricingBasis.HOURLY:
        return money(line.fte * terms.fte_hours_per_month * (terms.hourly_rate or Decimal("0")))
    units = line.expected_monthly_volume if volume is None else volume
    return money(units_cost(units, line.unit_rate, line.tiers))


def monthly_cost(terms: ContractTerms, volumes: dict[str, int] | None = None) -> Decimal:
    """The monthly cost of the terms: projected from expected volumes, or actual from `volumes` (service-line
    code → units measured that month; a per-unit line with no entry had no volume)."""
    total = terms.account_management_fee
    for line in terms.lines:
        volume = None if volumes is None else volumes.get(line.service_line, 0)
        total += line_cost(line, terms, volume)
    return money(total)
