"""One way to write money, numbers, periods and metric values on a page; CSV and the API keep plain values."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from bpo_portal.formatting import money, number
from slas.periods import code, label
from slas.rollups import format_value


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (Decimal("10870"), False, "$10,870.00"),
        (Decimal("2073.6"), False, "$2,073.60"),
        (Decimal("1050"), True, "+$1,050.00"),
        (Decimal("-80.005"), True, "−$80.01"),
        (Decimal("0"), True, "$0.00"),
        (None, False, "—"),
        ("not a number", False, "—"),
    ],
)
def test_money_reads_in_dollars_with_separators_and_two_decimals(value, signed, text):
    assert money(value, signed=signed) == text


def test_numbers_get_separators_and_lose_trailing_zeros():
    assert (number(Decimal("2500.0000")), number(Decimal("4.5300")), number(Decimal("-1234.5"))) == (
        "2,500",
        "4.53",
        "−1,234.5",
    )


def test_the_template_filters_use_the_same_rule():
    rendered = Template('{% load portal %}{{ a|money }} {{ b|money:"signed" }} {{ c|number }}').render(
        Context({"a": Decimal("10870"), "b": Decimal("1050"), "c": Decimal("2500")})
    )
    assert rendered == "$10,870.00 +$1,050.00 2,500"


@pytest.mark.parametrize(
    ("start", "grain", "shown", "coded"),
    [
        (date(2026, 11, 16), "week", "Week of 16 Nov 2026", "2026-W47"),
        (date(2026, 11, 1), "month", "Nov 2026", "Nov 2026"),
        (date(2026, 12, 1), "day", "1 Dec 2026", "1 Dec 2026"),
    ],
)
def test_a_period_reads_as_people_say_it_and_keeps_its_code_for_exports(start, grain, shown, coded):
    assert (label(start, grain), code(start, grain)) == (shown, coded)


@pytest.mark.parametrize(
    ("code_", "name", "unit", "value", "text"),
    [
        ("calls_handled", "Calls handled", "count", Decimal("2500"), "2,500 calls"),
        ("csat", "Customer satisfaction (CSAT)", "score", Decimal("4.5300"), "4.53 / 5"),
        ("service_level", "Service level", "%", Decimal("92.50"), "92.5%"),
        ("average_talk_time", "Average talk time", "s", Decimal("1184.256"), "1,184.26 s"),
        ("days_in_ar", "Days in A/R", "days", Decimal("31"), "31 days"),
    ],
)
def test_a_metric_value_reads_in_its_unit(code_, name, unit, value, text):
    assert format_value(value, SimpleNamespace(code=code_, name=name, unit=unit)) == text
