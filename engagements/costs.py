"""What an engagement costs month by month: projected from the scope, actual from the volumes the SLA engine
holds, less the service credits its breaches earned, against the practice's in-house cost. Every amount comes
from `engagements.pricing`; this module only gathers the inputs (in a fixed number of queries) and adds up.

Decisions, written down once:
- **Actual volume** of a service line in a month = the sum of the numerators of that engagement's measurements
  of count metrics aggregated by sum (calls handled, appointments booked, claims processed, and any such metric
  an admin adds), for that calendar month. A measurement names its service line; one that does not counts for
  the line its metric stands for (`VOLUME_METRIC_LINES`); a count with neither is not a volume of any line.
- **A month's fees** = the actual monthly cost of that calendar month (the contract's current terms priced at
  the measured volumes, plus the account-management fee). One-off fees are not monthly and are not included.
  Every month is priced whole, including the contract's first and last.
- **Service credits**: a breach (severity "breach", not "resolved by data") of a target with a credit earns
  credit % × the fees of the calendar month that contains the breach's period start. Weekly and daily targets
  earn one credit per breached period, but a month's credits never exceed that month's fees: breaches are
  credited in period order and the one that would cross the line is cut down to what is left. Months outside
  the contract's term have no fees and earn nothing.
- **No data**: a month in which none of the contract's per-unit lines has measured volume has no actual cost
  (not the fixed fees alone: its units were not measured, not free), so no net cost and no savings; it stays out
  of the totals and the chart shows a gap. A contract priced only by the hour needs no volume.
- **Month to date**: the practice's current month is shown as it stands and stays out of the totals until it
  closes. Totals cover the same months in every column: whole months with data.
- **Savings** = the practice's in-house monthly cost − net cost (actual − credits). The in-house cost is the
  practice's negotiating position: callers who may not see it (`Practice.shows_costs_to`) get None for it and
  for the savings.
- **Unagreed scope**: volume measured for a service line that is not in the contract's current scope.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from engagements import pricing
from engagements.choices import PricingBasis
from engagements.models import Contract, ServiceLine
from slas import evidence

# The volume metrics of the catalogue and the service line each one counts work for, when a measurement does
# not name its own line.
VOLUME_METRIC_LINES = {
    "calls_handled": "customer_service",
    "appointments_booked": "scheduling",
    "claims_processed": "claims",
}

ZERO = Decimal("0")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months


def local_today(practice) -> date:
    return timezone.localtime(timezone=ZoneInfo(practice.timezone)).date()


# --- Volumes ------------------------------------------------------------------------------------------------------


def monthly_volumes(engagement_ids, since: date, until: date) -> dict[tuple[int, date], dict[str, int]]:
    """{(engagement id, month): {service-line code: units}} — one GROUP BY query, whatever the row count."""
    return evidence.monthly_volumes(engagement_ids, since, until, VOLUME_METRIC_LINES)


# --- Service credits ----------------------------------------------------------------------------------------------


@dataclass
class Credit:
    """What one breach earned the practice."""

    breach: object
    month: date
    percent: Decimal
    fees: Decimal
    amount: Decimal
    capped: bool = False

    @property
    def target(self):
        return self.breach.target

    @property
    def engagement(self):
        return self.breach.target.engagement


def earning_breaches(queryset):
    """Breaches that earn a credit: real breaches (not warnings, not resolved by data) of targets with a credit,
    on engagements with a contract. Which breaches count is the SLA engine's rule (`slas.evidence`)."""
    return evidence.counted_breaches(queryset).filter(
        target__service_credit_percent__gt=0, target__engagement__contract__isnull=False
    )


def service_credits(breaches) -> list[Credit]:
    """The credits the given breaches earned, in their order. Caps are worked out over every earning breach of
    the same engagement and month, not only those given, so a filtered list shows the same amounts as a full one.
    A fixed number of queries: the breaches, their month-mates, the contracts with their terms, the volumes."""
    breaches = list(earning_breaches(breaches).select_related("target__metric", "target__service_line"))
    if not breaches:
        return []
    engagement_ids = {breach.target.engagement_id for breach in breaches}
    first = min(month_start(breach.period_start) for breach in breaches)
    last = max(breach.period_start for breach in breaches)
    mates = earning_breaches(
        evidence.breaches().filter(
            target__engagement_id__in=engagement_ids, period_start__gte=first, period_start__lte=last
        )
    ).select_related("target")
    contracts = {
        contract.engagement_id: contract
        for contract in Contract.objects.filter(engagement_id__in=engagement_ids)
        .select_related("engagement__practice", "engagement__provider")
        .prefetch_related(*pricing.TERMS_PREFETCH)
    }
    fees = _month_fees(contracts, monthly_volumes(engagement_ids, first, last + relativedelta(months=1)))
    amounts = _capped_amounts(mates, fees)
    credits = []
    for breach in breaches:
        breach.target.engagement = contracts[breach.target.engagement_id].engagement
        month = month_start(breach.period_start)
        amount, capped = amounts[breach.pk]
        fee = fees(breach.target.engagement_id, month)
        credits.append(Credit(breach, month, breach.target.service_credit_percent, fee, amount, capped))
    return credits


def service_credits_in_order(breaches: list) -> list[Credit]:
    """The credits of a list of breaches (a page), in the list's order."""
    order = {breach.pk: index for index, breach in enumerate(breaches)}
    credits = service_credits(evidence.breaches().filter(pk__in=list(order)))
    return sorted(credits, key=lambda credit: order[credit.breach.pk])


def _month_fees(contracts: dict, volumes: dict):
    """A function (engagement id, month) → that month's fees, memoised: each month is priced once."""
    terms = {engagement_id: pricing.terms_of_prefetched(c) for engagement_id, c in contracts.items()}
    cache: dict[tuple[int, date], Decimal] = {}

    def fees(engagement_id: int, month: date) -> Decimal:
        key = (engagement_id, month)
        if key not in cache:
            contract = contracts.get(engagement_id)
            in_term = contract and month_start(contract.starts_on) <= month <= month_start(contract.ends_on)
            cache[key] = pricing.monthly_cost(terms[engagement_id], volumes.get(key, {})) if in_term else ZERO
        return cache[key]

    return fees


def _capped_amounts(breaches, fees) -> dict[int, tuple[Decimal, bool]]:
    """{breach id: (amount, was it cut down)}: percent × the month's fees, so that no month's credits exceed its
    fees — breaches credited in period order."""
    by_month = defaultdict(list)
    for breach in breaches:
        by_month[(breach.target.engagement_id, month_start(breach.period_start))].append(breach)
    amounts = {}
    for (engagement_id, month), group in by_month.items():
        month_fees = fees(engagement_id, month)
        left = month_fees
        for breach in sorted(group, key=lambda b: (b.period_start, b.pk)):
            earned = pricing.money(month_fees * breach.target.service_credit_percent / 100)
            amounts[breach.pk] = (min(earned, left), earned > left)
            left -= amounts[breach.pk][0]
    return amounts


# --- The cost page ------------------------------------------------------------------------------------------------


@dataclass
class CostMonth:
    month: date
    projected: Decimal
    actual: Decimal | None  # None: no data (per-unit lines without measured volume)
    credits: Decimal
    units: dict
    in_house: Decimal | None = None
    month_to_date: bool = False

    @property
    def has_data(self) -> bool:
        return self.actual is not None

    @property
    def counted(self) -> bool:
        """In the totals: a whole month with data."""
        return self.has_data and not self.month_to_date

    @property
    def state(self) -> str:
        """ "month to date", "no data" or "closed" — as the page, the CSV and the API say it."""
        if self.month_to_date:
            return "month to date"
        return "closed" if self.has_data else "no data"

    @property
    def net(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.credits

    @property
    def savings(self) -> Decimal | None:
        return None if self.in_house is None or self.net is None else self.in_house - self.net

    @property
    def measured_units(self) -> int:
        return sum(self.units.values())


@dataclass
class CostReport:
    contract: Contract
    months: list[CostMonth]
    credits: list[Credit]
    unagreed: list[dict]
    one_off_fees: list
    shows_in_house: bool
    terms: pricing.ContractTerms
    projected_lines: list = field(default_factory=list)  # (ContractScope, projected monthly cost)

    @property
    def projected_monthly(self) -> Decimal:
        return pricing.monthly_cost(self.terms)

    @property
    def one_off_total(self) -> Decimal:
        return sum((fee.amount for fee in self.one_off_fees), ZERO)

    @property
    def counted_months(self) -> list[CostMonth]:
        return [month for month in self.months if month.counted]

    def total(self, name: str) -> Decimal | None:
        """Over the whole months with data only (no month without data, not the month under way)."""
        values = [getattr(month, name) for month in self.counted_months]
        return None if any(value is None for value in values) else sum(values, ZERO)

    @property
    def totals(self) -> dict:
        return {name: self.total(name) for name in ("projected", "actual", "credits", "net", "in_house", "savings")}

    def chart(self) -> dict:
        def number(value):
            return None if value is None else float(value)

        # Gaps, not zeros: a month without data (and the month under way) has no actual, net or savings point.
        def measured(month, value):
            return number(value) if month.counted else None

        data = {
            "labels": [f"{month.month:%b %Y}" for month in self.months],
            "projected": [number(month.projected) for month in self.months],
            "actual": [measured(month, month.actual) for month in self.months],
            "net": [measured(month, month.net) for month in self.months],
        }
        if self.shows_in_house:
            data["in_house"] = [number(month.in_house) for month in self.months]
            data["savings"] = [measured(month, month.savings) for month in self.months]
        return data


def cost_report(contract: Contract, user, today: date | None = None) -> CostReport:
    """Month by month since the contract started, up to this month (or its end): a fixed number of queries."""
    practice = contract.engagement.practice
    today = today or local_today(practice)
    terms = pricing.terms_of(contract)
    last = min(today, contract.ends_on)
    months = months_between(contract.starts_on, last) if contract.starts_on <= today else []
    volumes = monthly_volumes([contract.engagement_id], contract.starts_on, last) if months else {}
    shows_in_house = practice.shows_costs_to(user)
    credits = []
    if months:
        breaches = (
            evidence.breaches()
            .filter(target__engagement_id=contract.engagement_id, period_start__gte=months[0], period_start__lte=last)
            .order_by("period_start", "pk")
        )
        credits = service_credits(breaches)
    credit_sums = defaultdict(lambda: ZERO)
    for credit in credits:
        credit_sums[credit.month] += credit.amount
    per_unit = {line.service_line for line in terms.lines if line.basis == PricingBasis.PER_UNIT}
    rows = []
    for month in months:
        units = volumes.get((contract.engagement_id, month), {})
        measured = not per_unit or any(units.get(code) for code in per_unit)
        rows.append(
            CostMonth(
                month=month,
                projected=pricing.monthly_cost(terms),
                actual=pricing.monthly_cost(terms, units) if measured else None,
                credits=credit_sums[month],
                units=units,
                in_house=practice.in_house_monthly_cost if shows_in_house else None,
                month_to_date=month == month_start(today),
            )
        )
    report = CostReport(
        contract=contract,
        months=rows,
        credits=credits,
        unagreed=_unagreed(contract, terms, volumes),
        one_off_fees=list(contract.one_off_fees.all()),
        shows_in_house=shows_in_house,
        terms=terms,
    )
    lines = contract.scope.select_related("service_line").prefetch_related("tiers")
    report.projected_lines = [(line, pricing.line_cost(terms.line(line.service_line.code), terms)) for line in lines]
    return report


# --- Unagreed scope -----------------------------------------------------------------------------------------------


def unagreed_scope(contract: Contract, since: date, until: date | None = None) -> list[dict]:
    """Service lines with volume measured since `since` that are not in the contract's current scope — possible
    work done without an agreement: [{"service_line": ServiceLine, "months": [(month, units), …], "total": n}]."""
    until = until or local_today(contract.engagement.practice)
    volumes = monthly_volumes([contract.engagement_id], since, until)
    return _unagreed(contract, pricing.terms_of(contract), volumes)


def _unagreed(contract: Contract, terms: pricing.ContractTerms, volumes: dict) -> list[dict]:
    in_scope = {line.service_line for line in terms.lines}
    found: dict[str, dict[date, int]] = defaultdict(dict)
    for (_engagement_id, month), units in volumes.items():
        for code, count in units.items():
            if code not in in_scope and count > 0:
                found[code][month] = count
    if not found:
        return []
    lines = ServiceLine.objects.in_bulk(list(found), field_name="code")
    flagged = []
    for code, months in found.items():
        ordered = sorted(months.items())
        flagged.append(
            {"service_line": lines[code], "months": ordered, "total": sum(count for _month, count in ordered)}
        )
    return sorted(flagged, key=lambda item: (item["service_line"].sort_order, item["service_line"].name))


def scope_flags(engagement, months: int = 3) -> list[dict]:
    """Unagreed scope over the last few months, for the engagement page's card."""
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        return []
    today = local_today(engagement.practice)
    return unagreed_scope(contract, month_start(today) - relativedelta(months=months - 1), today)
