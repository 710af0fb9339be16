"""Contract date arithmetic: evaluation end, checkpoints, the current term across automatic renewals, and the
last day to give notice. Pure functions of dates and numbers, so they can be tested exhaustively (hypothesis).

Conventions, chosen once and used everywhere:

- Adding months clamps to the month's end (31 Jan + 1 month = 28 or 29 Feb; 29 Feb + 12 months = 28 Feb) —
  what `dateutil.relativedelta` does and what contracts mean by "one month later".
- A date n months after an anchor is always computed from the anchor (anchor + n months), never by stepping
  month by month: stepping from 31 Jan gives 28 Feb, then 28 Mar, 28 Apr … and drifts to the 28th for ever.
- `ends_on` is the last day of the initial term. An automatically renewing contract's k-th renewal term ends
  on `ends_on + k × renewal_term_months` and starts the day after the previous term's end.
- The notice deadline of a term is `term end − notice_days`: the last day on which notice can be given for the
  contract to end with that term.
- "Today" is the practice's own calendar date (it is already tomorrow in Manila while it is today in Denver).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

NOTICE_WARNING_DAYS = 30
LONG_RENEWAL_MONTHS = 24


def add_months(day: date, months: int) -> date:
    """`months` calendar months after `day`, clamped to the end of a shorter month."""
    return day + relativedelta(months=months)


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """The date it is now in the given timezone (an aware `now`, or the current time)."""
    from django.utils import timezone

    return (now or timezone.now()).astimezone(ZoneInfo(tz_name)).date()


# --- Evaluation period and checkpoints --------------------------------------------------------------------------------


def evaluation_end(starts_on: date, evaluation_months: int) -> date:
    return add_months(starts_on, evaluation_months)


def checkpoint_dates(starts_on: date, evaluation_months: int, interval_months: int) -> list[date]:
    """A review every `interval_months` from the start, and always one on the evaluation end (the last).

    6 months every 4 gives month 4 and month 6; 6 every 3 gives months 3 and 6. Each date is the start plus a
    whole number of months, so none drifts and all are distinct.
    """
    if evaluation_months < 1 or interval_months < 1:
        raise ValueError("The evaluation period and the checkpoint interval must be at least one month.")
    offsets = list(range(interval_months, evaluation_months, interval_months)) + [evaluation_months]
    return [add_months(starts_on, months) for months in offsets]


# --- Terms and renewals -----------------------------------------------------------------------------------------------


def term_end(ends_on: date, renewal_term_months: int | None, renewals: int) -> date:
    """The end of the term after `renewals` automatic renewals (0 = the initial term)."""
    if renewals == 0:
        return ends_on
    return add_months(ends_on, renewals * renewal_term_months)


@dataclass(frozen=True)
class Term:
    """The term of a contract that a given day falls in."""

    number: int  # 0 = the initial term, k = the k-th automatic renewal
    starts_on: date
    ends_on: date
    state: str  # "not_started", "in_force" or "ended"

    @property
    def is_renewal(self) -> bool:
        return self.number > 0


def current_term(
    starts_on: date, ends_on: date, auto_renew: bool, renewal_term_months: int | None, today: date
) -> Term:
    """The term `today` falls in. Before the start it is the initial term, not started; after the end of a
    contract that does not renew it is the initial term, ended. An auto-renewing contract never ends here: it
    is in the first renewal term whose end is on or after today."""
    if today < starts_on:
        return Term(0, starts_on, ends_on, "not_started")
    if today <= ends_on:
        return Term(0, starts_on, ends_on, "in_force")
    if not (auto_renew and renewal_term_months):
        return Term(0, starts_on, ends_on, "ended")
    months_past = (today.year - ends_on.year) * 12 + (today.month - ends_on.month)
    # Never past the answer: term k−1 of this guess ends in an earlier calendar month than today's.
    renewals = max(1, months_past // renewal_term_months)
    while term_end(ends_on, renewal_term_months, renewals) < today:
        renewals += 1
    previous_end = term_end(ends_on, renewal_term_months, renewals - 1)
    return Term(
        renewals, previous_end + timedelta(days=1), term_end(ends_on, renewal_term_months, renewals), "in_force"
    )


def notice_deadline(term_ends_on: date, notice_days: int) -> date:
    """The last day on which notice can be given for the contract to end with the term ending `term_ends_on`."""
    return term_ends_on - timedelta(days=notice_days)


def is_long_renewal(auto_renew: bool, renewal_term_months: int | None) -> bool:
    """A silent renewal for more than two years is a trap the portal calls out."""
    return bool(auto_renew and renewal_term_months and renewal_term_months > LONG_RENEWAL_MONTHS)


def is_near(deadline: date, today: date, within_days: int = NOTICE_WARNING_DAYS) -> bool:
    """The deadline is today or within the next `within_days` days (not already past)."""
    return 0 <= (deadline - today).days <= within_days
