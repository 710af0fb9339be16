"""The one score function: worked examples from the issue, then properties that hold for any scorecard."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.choices import Scale
from audits.scoring import CriterionRule, Rating, Unscorable, fraction, partial_score, score

YES, NO, NA = Rating(1), Rating(0), Rating(na=True)


def rule(key, weight=1, scale=Scale.YES_NO, max_points=None, allows_na=False, critical=False):
    return CriterionRule(key, weight, scale, max_points, allows_na, critical)


def test_fractions_follow_each_scale():
    assert fraction(rule("a"), 1) == 1 and fraction(rule("a"), 0) == 0
    assert [fraction(rule("b", scale=Scale.ONE_TO_FIVE), r) for r in range(1, 6)] == [0, 0.25, 0.5, 0.75, 1]
    assert fraction(rule("c", scale=Scale.POINTS, max_points=8), 6) == Decimal("0.75")


def test_a_weighted_audit_scores_the_weighted_mean_rounded_to_two_decimals():
    items = [(rule("a", 3), YES), (rule("b", 1), NO), (rule("c", 2, Scale.ONE_TO_FIVE), Rating(4))]
    # 100 × (3×1 + 1×0 + 2×0.75) / 6 = 75
    result = score(items, pass_mark=80)
    assert result.score == result.score_before_critical == Decimal("75.00")
    assert not result.passed and not result.critical_failed
    assert score([(rule("a"), YES), (rule("b"), YES), (rule("c"), NO)], 50).score == Decimal("66.67")


def test_na_leaves_numerator_and_denominator():
    items = [(rule("a", 5), YES), (rule("b", 5, allows_na=True), NA)]
    assert score(items, 90).score == Decimal("100.00")


def test_a_critical_no_scores_zero_but_keeps_the_score_before_critical():
    items = [(rule("hipaa", 1, critical=True), NO), (rule("greeting", 9), YES)]
    result = score(items, pass_mark=0)
    assert result.score == Decimal("0.00") and result.critical_failed and not result.passed
    assert result.score_before_critical == Decimal("90.00")


def test_a_scaled_critical_criterion_below_its_maximum_fails_the_audit():
    items = [(rule("ids", scale=Scale.ONE_TO_FIVE, critical=True), Rating(4))]
    assert score(items, 0).critical_failed
    assert not score([(rule("ids", scale=Scale.POINTS, max_points=3, critical=True), Rating(3))], 0).critical_failed


def test_the_pass_mark_is_inclusive():
    assert score([(rule("a"), YES), (rule("b"), NO)], pass_mark=50).passed


def test_an_unrated_criterion_blocks_the_score_and_says_which():
    with pytest.raises(Unscorable) as error:
        score([(rule("a"), YES), (rule("b"), None)], 80)
    assert set(error.value.problems) == {"b"}


def test_all_na_cannot_be_scored():
    with pytest.raises(Unscorable):
        score([(rule("a", allows_na=True), NA)], 80)


@pytest.mark.parametrize(
    ("criterion", "rating"),
    [
        (rule("a"), NA),  # N/A where it is not allowed
        (rule("a"), Rating(2)),
        (rule("a", scale=Scale.ONE_TO_FIVE), Rating(0)),
        (rule("a", scale=Scale.POINTS, max_points=4), Rating(5)),
        (rule("a", allows_na=True), Rating(1, na=True)),
    ],
)
def test_bad_ratings_are_refused(criterion, rating):
    with pytest.raises(Unscorable):
        score([(criterion, rating)], 80)


def test_the_live_preview_scores_what_is_rated_so_far_with_the_same_function():
    items = [(rule("a"), YES), (rule("b"), None), (rule("c"), NO)]
    assert partial_score(items, 80).score == Decimal("50.00")
    assert partial_score([(rule("a"), None)], 80) is None


# --- Properties -------------------------------------------------------------------------------------------------------


@st.composite
def criterion_and_rating(draw, key, critical=None):
    scale = draw(st.sampled_from(list(Scale)))
    max_points = draw(st.integers(1, 10)) if scale == Scale.POINTS else None
    allows_na = draw(st.booleans())
    criterion = rule(
        key,
        weight=draw(st.integers(1, 20)),
        scale=scale,
        max_points=max_points,
        allows_na=allows_na,
        critical=draw(st.booleans()) if critical is None else critical,
    )
    low, high = criterion.minimum, criterion.maximum
    value = draw(st.integers(low, high))
    return criterion, Rating(value)


@st.composite
def audits(draw, critical=None):
    n = draw(st.integers(1, 12))
    return [draw(criterion_and_rating(i, critical)) for i in range(n)]


pass_marks = st.integers(0, 100)
# No deadline: the machine is shared, and a slow example is not a wrong one.
property_settings = settings(deadline=None, max_examples=200)


@property_settings
@given(audits(), pass_marks)
def test_the_score_lies_between_0_and_100(items, pass_mark):
    result = score(items, pass_mark)
    assert Decimal(0) <= result.score <= result.score_before_critical <= Decimal(100)
    assert result.passed == (not result.critical_failed and result.score >= pass_mark)


@property_settings
@given(audits(), st.lists(st.integers(1, 20), min_size=1, max_size=5), pass_marks)
def test_na_criteria_never_change_a_fully_rated_audits_score(items, na_weights, pass_mark):
    extra = [(rule(f"na{i}", weight=w, allows_na=True, critical=True), NA) for i, w in enumerate(na_weights)]
    assert score(items + extra, pass_mark) == score(items, pass_mark)


@property_settings
@given(audits(critical=False), st.integers(1, 20), pass_marks)
def test_a_critical_fail_always_scores_zero(items, weight, pass_mark):
    result = score([*items, (rule("critical", weight=weight, critical=True), NO)], pass_mark)
    assert result.score == 0 and result.critical_failed and not result.passed


@property_settings
@given(audits(), st.integers(1, 20), st.sampled_from(list(Scale)), st.booleans(), pass_marks)
def test_adding_a_criterion_rated_at_its_maximum_never_lowers_the_score(items, weight, scale, critical, pass_mark):
    top = rule("top", weight=weight, scale=scale, max_points=5 if scale == Scale.POINTS else None, critical=critical)
    before, after = score(items, pass_mark), score([*items, (top, Rating(top.maximum))], pass_mark)
    assert after.score >= before.score and after.score_before_critical >= before.score_before_critical
