"""KPI rollups: each aggregation, period edges in the practice's calendar, sample sizes and both directions."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slas import periods
from slas.choices import KPIStatus
from slas.models import KPIValue

pytestmark = pytest.mark.django_db


def test_a_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators(sla):
    target = sla.target("service_level", 80)
    sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=1, denominator=1),
        sla.row("service_level", date(2026, 3, 3), numerator=50, denominator=100),
    ])  # fmt: skip
    kpi = sla.kpi(target, date(2026, 3, 1))
    # 51 / 101, not the mean of 100% and 50% (75%).
    assert kpi.value == Decimal("50.50")  # 50.4950…% at the contract's 2 decimals
    assert kpi.sample_size == 101
    assert kpi.status == KPIStatus.BREACH


def test_a_mean_weights_each_row_by_the_observations_it_stands_for(sla):
    talk = sla.target("average_talk_time", 300)
    csat = sla.target("csat", 4)
    sla.push([
        sla.row("average_talk_time", date(2026, 3, 2), numerator=600, denominator=2),  # two calls, 300 s each
        sla.row("average_talk_time", date(2026, 3, 3), value=120),  # one call
        sla.row("csat", date(2026, 3, 2), value=4),
        sla.row("csat", date(2026, 3, 9), value=5),
    ])  # fmt: skip
    assert sla.kpi(talk, date(2026, 3, 1)).value == Decimal("240.0000")  # 720 s / 3 calls
    assert sla.kpi(talk, date(2026, 3, 1)).status == KPIStatus.MET  # lower is better: 240 ≤ 300
    assert sla.kpi(csat, date(2026, 3, 1)).value == Decimal("4.5000")
    assert sla.kpi(csat, date(2026, 3, 1)).sample_size == 2


def test_a_volume_metric_sums_and_counts_rows_as_its_sample(sla):
    target = sla.target("calls_handled", 25, period="day")
    sla.push([sla.row("calls_handled", date(2026, 3, 2), value=v) for v in (10, 20)])
    kpi = sla.kpi(target, date(2026, 3, 2))
    assert (kpi.value, kpi.sample_size, kpi.status) == (Decimal("30.0000"), 2, KPIStatus.MET)


def test_iso_weeks_start_on_monday_and_cross_the_year_end(sla):
    target = sla.target("service_level", 50, period="week")
    sla.push([
        sla.row("service_level", date(2025, 12, 28), numerator=1, denominator=1),  # Sunday: week of 22 Dec
        sla.row("service_level", date(2025, 12, 29), numerator=1, denominator=2),  # Monday: ISO 2026-W01
        sla.row("service_level", date(2026, 1, 4), numerator=1, denominator=2),  # Sunday, same ISO week
        sla.row("service_level", date(2026, 1, 5), numerator=0, denominator=4),  # Monday: next week
    ])  # fmt: skip
    values = dict(KPIValue.objects.filter(target=target).values_list("period_start", "denominator"))
    assert values == {date(2025, 12, 22): 1, date(2025, 12, 29): 4, date(2026, 1, 5): 4}
    assert sla.kpi(target, date(2025, 12, 29)).period_end == date(2026, 1, 4)


def test_months_end_on_their_last_day_including_leap_days(sla):
    target = sla.target("service_level", 50, period="month")
    sla.push([
        sla.row("service_level", date(2024, 1, 31), numerator=1, denominator=1),
        sla.row("service_level", date(2024, 2, 1), numerator=1, denominator=2),
        sla.row("service_level", date(2024, 2, 29), numerator=1, denominator=2),
        sla.row("service_level", date(2024, 3, 1), numerator=1, denominator=8),
    ])  # fmt: skip
    kpis = {k.period_start: k for k in KPIValue.objects.filter(target=target)}
    assert set(kpis) == {date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)}
    assert kpis[date(2024, 2, 1)].period_end == date(2024, 2, 29)
    assert kpis[date(2024, 2, 1)].denominator == 4


def test_a_period_below_the_minimum_sample_size_is_not_judged_until_it_reaches_it(sla):
    target = sla.target("first_call_resolution", 90, min_sample_size=10)
    sla.push([sla.row("first_call_resolution", date(2026, 3, 2), numerator=5, denominator=9)])
    assert sla.kpi(target, date(2026, 3, 1)).status == KPIStatus.INSUFFICIENT
    assert not target.breaches.exists()
    sla.push([sla.row("first_call_resolution", date(2026, 3, 3), numerator=0, denominator=1)])
    assert sla.kpi(target, date(2026, 3, 1)).status == KPIStatus.BREACH
    assert target.breaches.count() == 1


@pytest.mark.parametrize(
    ("code", "threshold", "warning", "numerator", "expected"),
    [
        ("service_level", 80, 90, 95, KPIStatus.MET),  # higher is better
        ("service_level", 80, 90, 85, KPIStatus.WARNING),
        ("service_level", 80, 90, 80, KPIStatus.WARNING),  # exactly at the threshold meets it
        ("service_level", 80, 90, 79, KPIStatus.BREACH),
        ("abandonment_rate", 10, 5, 3, KPIStatus.MET),  # lower is better
        ("abandonment_rate", 10, 5, 7, KPIStatus.WARNING),
        ("abandonment_rate", 10, 5, 10, KPIStatus.WARNING),
        ("abandonment_rate", 10, 5, 11, KPIStatus.BREACH),
    ],
)
def test_both_directions_judge_against_threshold_and_warning(sla, code, threshold, warning, numerator, expected):
    target = sla.target(code, threshold, warning_threshold=warning)
    sla.push([sla.row(code, date(2026, 3, 2), numerator=numerator, denominator=100)])
    assert sla.kpi(target, date(2026, 3, 1)).status == expected


def test_a_service_line_target_counts_only_its_line_and_an_overall_target_counts_all(sla):
    overall = sla.target("service_level", 50)
    scheduling = sla.target("service_level", 50, service_line=_line("scheduling"))
    sla.push([
        sla.row("service_level", date(2026, 3, 2), service_line="scheduling", numerator=9, denominator=10),
        sla.row("service_level", date(2026, 3, 2), service_line="customer_service", numerator=1, denominator=10),
        sla.row("service_level", date(2026, 3, 2), numerator=0, denominator=10),
    ])  # fmt: skip
    assert sla.kpi(overall, date(2026, 3, 1)).value == Decimal("33.33")
    assert sla.kpi(scheduling, date(2026, 3, 1)).value == Decimal("90.0000")


def test_periods_outside_a_targets_dates_are_not_judged(sla):
    target = sla.target("service_level", 50, effective_from=date(2026, 2, 1), effective_to=date(2026, 2, 28))
    sla.push(
        [sla.row("service_level", date(2026, d // 100, d % 100), numerator=0, denominator=1) for d in (115, 210, 310)]
    )
    assert list(KPIValue.objects.filter(target=target).values_list("period_start", flat=True)) == [date(2026, 2, 1)]


def test_other_engagements_measurements_never_count(sla, world):
    from engagements import services as engagement_services

    target = sla.target("service_level", 50)
    sibling = engagement_services.create_engagement(
        practice=world.practice, provider=world.provider, name="Billing", by=world.practice_manager
    )
    sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=1, denominator=1),
        sla.row("service_level", date(2026, 3, 2), engagement=sibling, numerator=0, denominator=99),
    ])  # fmt: skip
    assert sla.kpi(target, date(2026, 3, 1)).value == Decimal("100.0000")


def test_a_date_is_in_the_future_by_the_practices_own_clock(sla, world, monkeypatch):
    # 20:00 UTC on 23 Nov is already 24 Nov in Auckland but still 23 Nov in New York.
    monkeypatch.setattr(periods.timezone, "now", lambda: datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    world.practice.timezone = "Pacific/Auckland"
    world.practice.save()
    sla.push([sla.row("calls_handled", date(2026, 11, 24), value=1)])
    world.practice.timezone = "America/New_York"
    world.practice.save()
    from slas.ingest import IngestRejected

    with pytest.raises(IngestRejected) as rejected:
        sla.push([sla.row("calls_handled", date(2026, 11, 24), value=1)])
    assert rejected.value.errors[0]["field"] == "date"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["day", "week", "month"]))
def test_every_date_falls_in_exactly_the_period_that_starts_at_its_period_start(day, grain):
    start = periods.period_start(day, grain)
    end = periods.period_end(start, grain)
    assert start <= day <= end
    assert periods.period_start(end, grain) == start
    assert periods.period_start(end + timedelta(days=1), grain) == periods.shift(start, grain, 1)
    if grain == "week":
        assert start.weekday() == 0 and start.isocalendar()[1] == day.isocalendar()[1]


def _line(code):
    from engagements.models import ServiceLine

    return ServiceLine.objects.get(code=code)
