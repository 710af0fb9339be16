"""Contract date arithmetic: worked examples for the traps (month ends, leap days, renewals, time zones) and
properties that must hold for any dates hypothesis can think of."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engagements import contract_dates as cd

# --- Examples ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day a year on
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # four years on, a leap day again
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
    ],
)
def test_the_evaluation_ends_a_calendar_number_of_months_later_clamped_to_the_month_end(starts_on, months, expected):
    assert cd.evaluation_end(starts_on, months) == expected


def test_checkpoints_fall_every_interval_and_the_last_on_the_evaluation_end():
    assert cd.checkpoint_dates(date(2026, 1, 31), 6, 3) == [date(2026, 4, 30), date(2026, 7, 31)]
    assert cd.checkpoint_dates(date(2026, 1, 31), 6, 4) == [date(2026, 5, 31), date(2026, 7, 31)]
    assert cd.checkpoint_dates(date(2026, 1, 31), 6, 6) == [date(2026, 7, 31)]
    assert cd.checkpoint_dates(date(2026, 1, 31), 7, 1)[:2] == [date(2026, 2, 28), date(2026, 3, 31)]  # no drift


def test_renewal_terms_chain_from_the_original_end_without_drifting_to_the_28th():
    ends = [cd.term_end(date(2026, 1, 31), 1, k) for k in range(5)]
    assert ends == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_the_current_term_of_an_auto_renewing_contract_past_its_end_is_a_renewal():
    # Initial term 1 Feb 2026 – 31 Jan 2027, renewing yearly.
    term = cd.current_term(date(2026, 2, 1), date(2027, 1, 31), True, 12, date(2028, 6, 1))
    assert (term.number, term.starts_on, term.ends_on, term.state) == (
        2,
        date(2028, 2, 1),
        date(2029, 1, 31),
        "in_force",
    )
    on_the_end = cd.current_term(date(2026, 2, 1), date(2027, 1, 31), True, 12, date(2028, 1, 31))
    assert (on_the_end.number, on_the_end.ends_on) == (1, date(2028, 1, 31))
    day_after = cd.current_term(date(2026, 2, 1), date(2027, 1, 31), True, 12, date(2028, 2, 1))
    assert (day_after.number, day_after.starts_on) == (2, date(2028, 2, 1))


def test_a_contract_that_does_not_renew_ends_and_one_not_started_is_not_in_force():
    ended = cd.current_term(date(2026, 1, 1), date(2026, 12, 31), False, None, date(2027, 1, 1))
    assert (ended.number, ended.state) == (0, "ended")
    early = cd.current_term(date(2026, 1, 1), date(2026, 12, 31), True, 12, date(2025, 12, 31))
    assert (early.number, early.state) == (0, "not_started")


def test_the_notice_deadline_across_a_leap_day():
    # A term ending 31 Mar 2028 with 60 days' notice: February has 29 days that year.
    assert cd.notice_deadline(date(2028, 3, 31), 60) == date(2028, 1, 31)
    assert cd.notice_deadline(date(2027, 3, 31), 60) == date(2027, 1, 30)


def test_the_practice_date_is_the_local_one():
    # 03:00 UTC on 1 March is still 28 February in Denver and already 1 March in Manila.
    now = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    assert cd.local_today("America/Denver", now) == date(2027, 2, 28)
    assert cd.local_today("Asia/Manila", now) == date(2027, 3, 1)


def test_the_flags():
    assert cd.is_long_renewal(True, 36) and not cd.is_long_renewal(True, 24) and not cd.is_long_renewal(False, 36)
    today = date(2026, 6, 1)
    assert cd.is_near(today, today) and cd.is_near(today + timedelta(days=30), today)
    assert not cd.is_near(today + timedelta(days=31), today) and not cd.is_near(today - timedelta(days=1), today)


# --- Properties -------------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31))
evaluation = st.integers(min_value=6, max_value=12)
interval = st.integers(min_value=1, max_value=6)
renewal = st.integers(min_value=1, max_value=60)
notice = st.integers(min_value=0, max_value=365)


@st.composite
def contracts(draw):
    starts_on = draw(days)
    ends_on = starts_on + timedelta(days=draw(st.integers(min_value=1, max_value=3650)))
    auto_renew = draw(st.booleans())
    return starts_on, ends_on, auto_renew, draw(renewal) if auto_renew else None


@given(days, evaluation, interval)
def test_checkpoints_are_increasing_within_the_evaluation_and_end_on_it(starts_on, months, every):
    dates = cd.checkpoint_dates(starts_on, months, every)
    end = cd.evaluation_end(starts_on, months)
    assert dates[-1] == end
    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    assert all(starts_on < day <= end for day in dates)
    assert len(dates) == -(-months // every)  # ceil: one per interval, the last possibly shorter


@given(days, evaluation)
def test_the_evaluation_end_is_in_the_right_month_and_never_past_the_day(starts_on, months):
    end = cd.evaluation_end(starts_on, months)
    assert (end.year * 12 + end.month) - (starts_on.year * 12 + starts_on.month) == months
    assert end.day == starts_on.day or (end.day < starts_on.day and (end + timedelta(days=1)).day == 1)


@given(days, renewal, st.integers(min_value=0, max_value=40))
def test_term_ends_are_strictly_increasing_and_keep_the_original_day_when_the_month_has_it(ends_on, months, k):
    this, following = cd.term_end(ends_on, months, k), cd.term_end(ends_on, months, k + 1)
    assert this < following
    assert following.day == ends_on.day or following.day < ends_on.day and (following + timedelta(days=1)).day == 1


@given(contracts(), days)
def test_the_current_term_contains_today_unless_the_contract_has_ended_or_not_started(contract, today):
    starts_on, ends_on, auto_renew, months = contract
    term = cd.current_term(starts_on, ends_on, auto_renew, months, today)
    if term.state == "in_force":
        assert term.starts_on <= today <= term.ends_on
        assert term.ends_on == cd.term_end(ends_on, months, term.number)
        if term.number:
            assert term.starts_on == cd.term_end(ends_on, months, term.number - 1) + timedelta(days=1)
    elif term.state == "not_started":
        assert today < starts_on and term.number == 0
    else:
        assert not auto_renew and today > ends_on and term.number == 0


@given(contracts(), days, st.integers(min_value=1, max_value=400))
def test_a_later_day_is_never_in_an_earlier_term(contract, today, later_by):
    starts_on, ends_on, auto_renew, months = contract
    term = cd.current_term(starts_on, ends_on, auto_renew, months, today)
    later = cd.current_term(starts_on, ends_on, auto_renew, months, today + timedelta(days=later_by))
    assert later.number >= term.number and later.ends_on >= term.ends_on


@given(contracts(), days, notice)
def test_the_deadline_is_exactly_the_notice_period_before_the_term_end(contract, today, notice_days):
    starts_on, ends_on, auto_renew, months = contract
    term = cd.current_term(starts_on, ends_on, auto_renew, months, today)
    deadline = cd.notice_deadline(term.ends_on, notice_days)
    assert (term.ends_on - deadline).days == notice_days
    assert deadline <= term.ends_on


@given(days, st.integers(min_value=-5, max_value=60))
def test_near_means_from_today_to_thirty_days_ahead(today, offset):
    assume(date.min + timedelta(days=10) < today)
    assert cd.is_near(today + timedelta(days=offset), today) == (0 <= offset <= 30)
