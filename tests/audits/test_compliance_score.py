"""The compliance score: the share of applicable requirements that are compliant, partially compliant counting
half — by example, and as properties that hold for any mix of results."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.choices import RequirementResult
from audits.services.compliance import compliance_score

C, P, N, NA = "compliant", "partial", "non_compliant", "not_applicable"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([C] * 12, Decimal("100.00")),
        ([N] * 12, Decimal("0.00")),
        ([C, P, N, NA], Decimal("50.00")),  # (1 + 0.5 + 0) / 3 applicable
        ([C, C, P], Decimal("83.33")),  # 2.5 / 3
        ([C, P], Decimal("75.00")),
        ([P], Decimal("50.00")),
        ([C, "", "", NA], Decimal("100.00")),  # not yet assessed counts neither way
        ([C, C, N, N, N, P, P, NA, NA, C, C, C], Decimal("60.00")),  # 6 / 10
    ],
)
def test_the_score_by_example(results, expected):
    assert compliance_score(results) == expected


@pytest.mark.parametrize("results", [[], [NA, NA], ["", NA]])
def test_with_nothing_applicable_there_is_no_score(results):
    assert compliance_score(results) is None


results = st.lists(st.sampled_from([*RequirementResult.values, ""]), max_size=30)


@given(results)
def test_the_score_lies_between_0_and_100(results):
    score = compliance_score(results)
    assert score is None or Decimal(0) <= score <= Decimal(100)


@given(results)
def test_not_applicable_requirements_never_change_the_score(results):
    assert compliance_score(results) == compliance_score([*results, NA])


@given(results)
def test_a_compliant_requirement_never_lowers_the_score_and_a_non_compliant_one_never_raises_it(results):
    score = compliance_score(results)
    if score is None:
        return
    assert compliance_score([*results, C]) >= score
    assert compliance_score([*results, N]) <= score


@given(st.lists(st.sampled_from([C, P, N]), min_size=1, max_size=30))
def test_partially_compliant_counts_exactly_half(results):
    as_half = [C if r == P else r for r in results] + [N if r == P else r for r in results]
    # Each partial is the mean of a compliant and a non-compliant one, over the doubled list.
    assert compliance_score(results) == compliance_score(as_half)
