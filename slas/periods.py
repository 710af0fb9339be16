"""Period arithmetic in the practice's calendar: a day, an ISO week starting Monday, a calendar month.

Measurements carry the practice's local date, so a period is a plain range of dates; the practice's timezone
decides which period is "current" (it is already tomorrow in Manila while it is today in Denver).
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from slas.choices import Grain


def period_start(day: date, grain: str) -> date:
    if grain == Grain.DAY:
        return day
    if grain == Grain.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(start: date, grain: str) -> date:
    """The last day of the period that begins on `start` (inclusive)."""
    if grain == Grain.DAY:
        return start
    if grain == Grain.WEEK:
        return start + timedelta(days=6)
    return start + relativedelta(months=1) - timedelta(days=1)


def shift(start: date, grain: str, periods: int) -> date:
    """The start of the period `periods` away from the one starting on `start`."""
    if grain == Grain.DAY:
        return start + timedelta(days=periods)
    if grain == Grain.WEEK:
        return start + timedelta(weeks=periods)
    return start + relativedelta(months=periods)


def last_periods(today: date, grain: str, count: int) -> list[date]:
    """The starts of the `count` periods ending with the current one, oldest first."""
    current = period_start(today, grain)
    return [shift(current, grain, -offset) for offset in range(count - 1, -1, -1)]


def local_today(tz_name: str) -> date:
    return timezone.now().astimezone(ZoneInfo(tz_name)).date()


def closed_before(today: date, grace_days: int) -> date:
    """A period is closed, and judged, when it ends before this day: its last day has passed in the practice's
    calendar and so have `grace_days` more for late data. The SQL rollup writes the same rule in SQL."""
    return today - timedelta(days=grace_days)


def engagement_closed_before(engagement, today: date | None = None) -> date:
    """`closed_before` for one engagement: its practice's today and its grace period."""
    return closed_before(today or local_today(engagement.practice.timezone), engagement.sla_grace_days)


def is_closed(end: date, today: date, grace_days: int) -> bool:
    return end < closed_before(today, grace_days)


def label(start: date, grain: str) -> str:
    """How a period reads on a page or in a message: “1 Dec 2026”, “Week of 17 Nov 2026”, “Nov 2026”."""
    if grain == Grain.WEEK:
        return f"Week of {start:%-d %b %Y}"
    return code(start, grain)


def code(start: date, grain: str) -> str:
    """How the API and CSV exports name a period (unchanged, so integrations keep parsing it): “2026-W47”."""
    if grain == Grain.DAY:
        return start.strftime("%-d %b %Y")
    if grain == Grain.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%b %Y")
