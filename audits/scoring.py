"""The one score function. Every audit's score — the form's live preview, submission, rescoring after a
dispute, reports — comes from `score()`; nothing else computes one.

- each rated criterion gives a fraction: yes = 1, no = 0; `one_to_five` r → (r − 1) / 4; `points` p of N → p / N;
- N/A criteria (only where allowed) leave both the numerator and the denominator; a criterion neither rated nor
  N/A blocks the score (and so submission);
- score_before_critical = 100 × Σ(weight × fraction) / Σ(weight) over the rated criteria, rounded to 2 decimals;
  with every criterion N/A there is no score;
- a critical criterion rated `no` (below its scale's maximum, for scaled ones) sets score = 0 and
  critical_failed; otherwise score = score_before_critical;
- passed = not critical_failed and score ≥ the pass mark.

Pure: no database, no Django models — it takes plain values, so property tests can throw anything at it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from audits.choices import Scale
from bpo_portal.errors import DomainError

HUNDREDTH = Decimal("0.01")


class Unscorable(DomainError):
    """The ratings cannot be scored yet: `problems` maps a criterion's key to what is wrong with it."""

    def __init__(self, message: str, problems: dict | None = None):
        super().__init__(message)
        self.problems = problems or {}


@dataclass(frozen=True)
class CriterionRule:
    """What the score needs to know about a criterion."""

    key: object  # the criterion's id (or any label), to name it in problems
    weight: int
    scale: str
    max_points: int | None = None
    allows_na: bool = False
    critical: bool = False

    @property
    def maximum(self) -> int:
        return {Scale.YES_NO: 1, Scale.ONE_TO_FIVE: 5}.get(self.scale, self.max_points or 0)

    @property
    def minimum(self) -> int:
        return 1 if self.scale == Scale.ONE_TO_FIVE else 0


@dataclass(frozen=True)
class Rating:
    """One criterion's rating: a value on its scale (yes = 1, no = 0), or N/A, or neither (not rated yet)."""

    value: int | None = None
    na: bool = False


@dataclass(frozen=True)
class Score:
    score: Decimal
    score_before_critical: Decimal
    passed: bool
    critical_failed: bool
    failed_criteria: tuple = ()  # keys of the criteria rated below their maximum, critical or not


def rating_problem(rule: CriterionRule, rating: Rating | None) -> str | None:
    """Why this rating cannot be scored, or None."""
    if rating is None or (rating.value is None and not rating.na):
        return "Rate this criterion" + (" or mark it N/A." if rule.allows_na else ".")
    if rating.na and rating.value is not None:
        return "A criterion is either rated or N/A, not both."
    if rating.na and not rule.allows_na:
        return "This criterion cannot be marked N/A."
    if rating.na:
        return None
    if isinstance(rating.value, bool) or not isinstance(rating.value, int):
        return "The rating must be a whole number."
    if not rule.minimum <= rating.value <= rule.maximum:
        return f"Rate it from {rule.minimum} to {rule.maximum}."
    return None


def fraction(rule: CriterionRule, value: int) -> Fraction:
    if rule.scale == Scale.ONE_TO_FIVE:
        return Fraction(value - 1, 4)
    return Fraction(value, rule.maximum)


def _round(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def score(items: Sequence[tuple[CriterionRule, Rating | None]], pass_mark: Decimal | int) -> Score:
    """Score a full set of ratings (every criterion of the version, each with its rating or None)."""
    problems = {rule.key: problem for rule, rating in items if (problem := rating_problem(rule, rating))}
    if problems:
        raise Unscorable(f"{len(problems)} criterion(s) still need a rating.", problems)
    rated = [(rule, rating) for rule, rating in items if not rating.na]
    if not rated:
        raise Unscorable("Every criterion is N/A, so there is nothing to score.")
    total_weight = sum(rule.weight for rule, _ in rated)
    earned = sum((rule.weight * fraction(rule, rating.value) for rule, rating in rated), Fraction(0))
    before = _round(100 * earned / total_weight)
    failed = tuple(rule.key for rule, rating in rated if rating.value < rule.maximum)
    critical_failed = any(rule.critical and rating.value < rule.maximum for rule, rating in rated)
    final = Decimal("0.00") if critical_failed else before
    return Score(
        score=final,
        score_before_critical=before,
        passed=not critical_failed and final >= Decimal(pass_mark),
        critical_failed=critical_failed,
        failed_criteria=failed,
    )


def partial_score(items: Sequence[tuple[CriterionRule, Rating | None]], pass_mark) -> Score | None:
    """The score of what is rated so far (the form's live preview): unrated criteria are left out, as N/A
    would be. None while nothing is rated. Scored by `score()` itself, so the preview cannot disagree."""
    rated = [
        (rule, rating)
        for rule, rating in items
        if rating is not None and rating_problem(rule, rating) is None and not rating.na
    ]
    if not rated:
        return None
    return score(rated, pass_mark)
