"""Retention: measurements older than `SLA_MEASUREMENT_RETENTION_MONTHS` whole months may be dropped (or archived to
a CSV file the backfill command reads back); KPI values and breaches are the record and stay.

The default (0) keeps everything. The horizon is at least 3 months back, so the nightly job (which recomputes
about the last 62 days) never reaches it, and a target change, which recomputes its whole history, starts after
it (`owed.run_target`): a recompute never rewrites a period whose measurements were dropped.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

MINIMUM_MONTHS = 3


def horizon(months: int | None = None, today: date | None = None) -> date | None:
    """The first day kept: the first of the month `months` months before this one; None keeps everything."""
    months = settings.SLA_MEASUREMENT_RETENTION_MONTHS if months is None else months
    if not months:
        return None
    return (today or timezone.localdate()).replace(day=1) - relativedelta(months=months)
