"""Actual cost from measured volumes, service credits with their cap, unagreed scope, and the cost report."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagements import costs
from engagements.choices import PricingBasis
from engagements.models import Contract
from tests.engagements.money_helpers import breach, contract_for, line, push_volumes, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(world):
    """Hybrid: claims per unit at 2.00 with a tier from 1000 at 1.50; scheduling 1 FTE × 160 h × 10.00; fee 500."""
    contract = contract_for(world, account_management_fee=Decimal("500"))
    line(contract, "claims", expected_monthly_volume=1500, tiers=[(1000, "1.50")])
    line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    return contract


def test_actual_volume_sums_count_metrics_by_month_and_service_line(world, priced):
    push_volumes(
        world,
        [
            ("claims_processed", date(2026, 1, 5), 700),
            ("claims_processed", date(2026, 1, 20), 500),
            ("claims_processed", date(2026, 2, 1), 100),
            ("calls_handled", date(2026, 1, 7), 40, "claims"),  # a measurement naming its line counts for it
            ("calls_handled", date(2026, 1, 8), 90),  # customer service: not in scope
            ("csat", date(2026, 1, 5), 4),  # not a count
        ],
    )
    volumes = costs.monthly_volumes([world.engagement.pk], date(2026, 1, 1), date(2026, 2, 28))
    assert volumes[(world.engagement.pk, date(2026, 1, 1))] == {"claims": 1240, "customer_service": 90}
    assert volumes[(world.engagement.pk, date(2026, 2, 1))] == {"claims": 100}


def test_the_cost_report_prices_each_month_from_its_measured_volume(world, priced):
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 1200), ("claims_processed", date(2026, 2, 5), 10)])
    report = costs.cost_report(priced, world.practice_manager, today=date(2026, 3, 15))
    assert [m.month for m in report.months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    # projected: 1000 × 2.00 + 500 × 1.50 + 1600 + 500
    assert {m.projected for m in report.months} == {Decimal("4850.00")}
    # January: 1000 × 2.00 + 200 × 1.50 + 1600 + 500; February: 10 × 2.00 + 2100; March: nothing measured yet,
    # so no actual cost at all (not the fixed fees alone), and it is the month to date
    assert [m.actual for m in report.months] == [Decimal("4400.00"), Decimal("2120.00"), None]
    assert [m.state for m in report.months] == ["closed", "closed", "month to date"]


def test_the_cost_report_takes_the_same_number_of_queries_for_more_months(world, priced, django_assert_max_num_queries):
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 10)])
    sla_target = target(world)
    breach(sla_target, date(2026, 1, 1), date(2026, 1, 31))
    with django_assert_max_num_queries(16) as short:
        assert len(costs.cost_report(priced, world.practice_manager, today=date(2026, 2, 1)).months) == 2
    days = [("claims_processed", date(2026, m, d), 10) for m in range(1, 11) for d in (3, 17)]
    push_volumes(world, days)
    for month in range(2, 11):
        breach(sla_target, date(2026, month, 1), date(2026, month, 28))
    with django_assert_max_num_queries(len(short.captured_queries)):
        assert len(costs.cost_report(priced, world.practice_manager, today=date(2026, 11, 1)).months) == 11


def test_a_breach_earns_its_percent_of_the_months_fees_and_warnings_and_data_resolutions_earn_nothing(world, priced):
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 1000)])  # January fees: 2000 + 1600 + 500 = 4100
    monthly = target(world, percent="5")
    earned = breach(monthly, date(2026, 1, 1), date(2026, 1, 31))
    breach(target(world, "csat", percent="10"), date(2026, 1, 1), date(2026, 1, 31), severity="warning")
    breach(target(world, "first_call_resolution", percent="10"), date(2026, 1, 1), status="resolved_by_data")
    breach(target(world, "abandonment_rate", percent="0"), date(2026, 1, 1))
    from slas.models import Breach

    credits = costs.service_credits(Breach.objects.all())
    assert [(c.breach, c.month, c.fees, c.amount) for c in credits] == [
        (earned, date(2026, 1, 1), Decimal("4100.00"), Decimal("205.00"))
    ]


def test_a_months_credits_never_exceed_its_fees(world, priced):
    from slas.models import Breach

    weekly = target(world, percent="40", period="week")  # February: no volume, fees 1600 + 500 = 2100
    weeks = [breach(weekly, date(2026, 2, day), date(2026, 2, day + 6)) for day in (2, 9, 16)]
    credits = costs.service_credits(Breach.objects.order_by("period_start"))
    assert [c.amount for c in credits] == [Decimal("840.00"), Decimal("840.00"), Decimal("420.00")]
    assert [c.capped for c in credits] == [False, False, True]
    # A filtered list shows the same capped amount for the last week as the full one.
    assert costs.service_credits(Breach.objects.filter(pk=weeks[2].pk))[0].amount == Decimal("420.00")
    report = costs.cost_report(priced, world.practice_manager, today=date(2026, 3, 20))
    february = report.months[1]
    assert february.credits == Decimal("2100.00")
    assert (february.state, february.actual, february.net) == ("no data", None, None)


def test_a_breach_outside_the_contracts_term_earns_nothing(world, priced):
    from slas.models import Breach

    breach(target(world), date(2025, 6, 1), date(2025, 6, 30))
    assert [c.amount for c in costs.service_credits(Breach.objects.all())] == [Decimal("0")]


def test_savings_are_in_house_less_net_and_hidden_from_the_provider(world, priced):
    world.practice.in_house_monthly_cost = Decimal("9000")
    world.practice.save()
    priced = Contract.objects.get(pk=priced.pk)
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 10)])
    practice_view = costs.cost_report(priced, world.practice_manager, today=date(2026, 2, 20))
    assert practice_view.months[0].savings == Decimal("9000") - Decimal("2120.00")
    provider_view = costs.cost_report(priced, world.provider_manager, today=date(2026, 2, 20))
    assert provider_view.months[0].in_house is None and provider_view.months[0].savings is None
    assert "in_house" not in provider_view.chart() and "savings" not in provider_view.chart()


def test_volume_for_a_line_outside_the_scope_is_flagged_as_possible_unagreed_scope(world, priced):
    push_volumes(
        world,
        [
            ("calls_handled", date(2026, 1, 7), 90),
            ("calls_handled", date(2026, 2, 7), 30),
            ("claims_processed", date(2026, 2, 7), 30),
            ("appointments_booked", date(2026, 2, 7), 30),  # scheduling: in scope
        ],
    )
    flagged = costs.unagreed_scope(priced, date(2026, 1, 1), date(2026, 2, 28))
    assert [(f["service_line"].code, f["months"], f["total"]) for f in flagged] == [
        ("customer_service", [(date(2026, 1, 1), 90), (date(2026, 2, 1), 30)], 120)
    ]
    assert costs.unagreed_scope(priced, date(2026, 2, 1), date(2026, 2, 28))[0]["total"] == 30


@given(
    fees=st.decimals(min_value=0, max_value=100_000, places=2),
    percents=st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=8),
)
def test_credits_never_exceed_a_months_fees_nor_their_own_percent(fees, percents):
    breaches = [
        SimpleNamespace(
            pk=n, period_start=date(2026, 3, 1 + n), target=SimpleNamespace(engagement_id=1, service_credit_percent=p)
        )
        for n, p in enumerate(percents)
    ]
    amounts = costs._capped_amounts(breaches, lambda engagement_id, month: fees)
    assert sum(amount for amount, _capped in amounts.values()) <= fees
    for breach_row in breaches:
        amount, capped = amounts[breach_row.pk]
        # Money rounds half up to the cent (pricing.money): 50% of $0.01 earns $0.01.
        earned = (fees * breach_row.target.service_credit_percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal("0") <= amount <= earned and capped == (amount < earned)


@pytest.fixture
def five_months(world, priced):
    """In-house 9,000; claims measured in January and March only; today is 10 May (May is under way)."""
    world.practice.in_house_monthly_cost = Decimal("9000")
    world.practice.save()
    push_volumes(
        world,
        [
            ("claims_processed", date(2026, 1, 5), 1000),  # 2000 + 1600 + 500 = 4100
            ("claims_processed", date(2026, 3, 5), 500),  # 1000 + 2100 = 3100
            ("claims_processed", date(2026, 5, 2), 100),  # the month to date
        ],
    )
    return costs.cost_report(Contract.objects.get(pk=priced.pk), world.practice_manager, today=date(2026, 5, 10))


def test_a_month_without_measured_volume_has_no_actual_cost_and_stays_out_of_the_totals(five_months):
    states = [(m.month.month, m.state, m.actual, m.net, m.savings) for m in five_months.months]
    assert states == [
        (1, "closed", Decimal("4100.00"), Decimal("4100.00"), Decimal("4900.00")),
        (2, "no data", None, None, None),
        (3, "closed", Decimal("3100.00"), Decimal("3100.00"), Decimal("5900.00")),
        (4, "no data", None, None, None),
        (5, "month to date", Decimal("2300.00"), Decimal("2300.00"), Decimal("6700.00")),
    ]
    # Two whole months with data, in every column alike; the month to date waits until it closes.
    assert len(five_months.counted_months) == 2
    assert five_months.totals == {
        "projected": Decimal("9700.00"),
        "actual": Decimal("7200.00"),
        "credits": Decimal("0"),
        "net": Decimal("7200.00"),
        "in_house": Decimal("18000.00"),
        "savings": Decimal("10800.00"),
    }


def test_the_chart_leaves_gaps_not_zeros_for_months_without_data_and_the_month_to_date(five_months):
    chart = five_months.chart()
    assert chart["actual"] == [4100.0, None, 3100.0, None, None]
    assert chart["net"] == [4100.0, None, 3100.0, None, None]
    assert chart["savings"] == [4900.0, None, 5900.0, None, None]
    assert chart["projected"] == [4850.0] * 5  # the plan has no gaps


def test_an_hourly_only_contract_needs_no_volume_to_have_a_cost(world):
    contract = contract_for(world, account_management_fee=Decimal("500"))
    line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    report = costs.cost_report(contract, world.practice_manager, today=date(2026, 3, 10))
    assert [(m.state, m.actual) for m in report.months] == [
        ("closed", Decimal("2100.00")),
        ("closed", Decimal("2100.00")),
        ("month to date", Decimal("2100.00")),
    ]
